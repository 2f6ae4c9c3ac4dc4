"""Every refusal the server gives: a code, its HTTP status and a message in the reader's language.

Pure: no Flask. A refusal carries an English message template (a catalogue msgid) and its values;
the transport renders it in the client's language with `CommandError.render(gettext)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Mark a message for the catalogue (pybabel extracts N_); it is translated when rendered."""
    return message


class Term(str):
    """A word of the interface inside a message (a field's name), translated with the message."""


class CommandError(Exception):
    """A command refused with a machine-readable code and a message a person can act on."""

    status = 400

    def __init__(self, code: str, message: str | None = None, **params: Any) -> None:
        self.code = code
        self.template = message or MESSAGES.get(code, MESSAGES["invalid"])
        self.params = params
        self.status = KINDS[code].status if code in KINDS else type(self).status
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English (the catalogue's msgid with its values)."""
        return self.render(lambda text: text)

    def render(self, gettext: Callable[[str], str]) -> str:
        """The message in the language `gettext` translates into; English if the translation breaks."""
        values = {k: gettext(v) if isinstance(v, Term) else v for k, v in self.params.items()}
        try:
            return gettext(self.template) % values if values else gettext(self.template)
        except (KeyError, ValueError, TypeError):
            return self.template % self.params if self.params else self.template

    def to_dict(self, gettext: Callable[[str], str] = lambda text: text) -> dict[str, str]:
        """The `error` object of an ack or an HTTP error body."""
        return {"code": self.code, "message": self.render(gettext)}


class BadRequest(CommandError):
    """The message itself is wrong: a type, a missing field, empty or too long text."""

    status = 400


class Unauthorized(CommandError):
    """The sender has not said who they are (no join, no token)."""

    status = 401


class Forbidden(CommandError):
    """The sender may not do this: a role, someone else's idea, a rule of the workshop."""

    status = 403


class NotFound(CommandError):
    """What the command names does not exist in this workshop (or the workshop itself)."""

    status = 404


class Conflict(CommandError):
    """The workshop's state refuses it now: posting closed, no dots left, a cap reached."""

    status = 409


class RateLimited(CommandError):
    """Too many messages in too short a time."""

    status = 429


class TooLarge(CommandError):
    """An HTTP request larger than the server reads."""

    status = 413


class MethodNotAllowed(CommandError):
    """An HTTP route asked with a method it does not take."""

    status = 405


class InsufficientStorage(CommandError):
    """The server's disk is full: nothing was saved, and the same message can be sent again."""

    status = 507


class ServerError(CommandError):
    """An unexpected failure; nothing was half-written."""

    status = 500


# code -> (kind, default message). Messages are msgids of translations/messages.pot.
CATALOGUE: dict[str, tuple[type[CommandError], str]] = {
    "invalid": (BadRequest, N_("That message is not valid.")),
    "empty": (BadRequest, N_("%(field)s is empty. Write something first.")),
    "too_long": (BadRequest, N_("%(field)s is %(length)s characters; at most %(limit)s are allowed.")),
    "not_joined": (Unauthorized, N_("Join a workshop first.")),
    "unauthorized": (Unauthorized, N_("The facilitator token is required.")),
    "forbidden": (Forbidden, N_("Only the facilitator can do this.")),
    "participants_only": (Forbidden, N_("Only participants can do this: open the join page.")),
    "not_your_idea": (Forbidden, N_("You can only change your own ideas.")),
    "names_forbidden": (Forbidden, N_("This workshop is anonymous: names are not shown.")),
    "wrong_phase": (Forbidden, N_("Voting is not open now.")),
    "not_found": (NotFound, N_("There is no workshop with that code. Check the code.")),
    "idea_not_found": (NotFound, N_("There is no such idea in this workshop.")),
    "theme_not_found": (NotFound, N_("There is no such theme in this workshop.")),
    "question_not_found": (NotFound, N_("There is no such question in this workshop.")),
    "table_not_found": (NotFound, N_("There is no such table in this workshop.")),
    "no_vote_to_retract": (Conflict, N_("You have no dot on that to take back.")),
    "posting_closed": (Conflict, N_("Posting is closed for now.")),
    "full": (Conflict, N_("This workshop has as many participants as it can take.")),
    "ideas_full": (Conflict, N_("This workshop has as many ideas as it can take (%(limit)s).")),
    "no_dots_left": (Conflict, N_("You have no dots left. Take one back to move it.")),
    "max_per_item": (Conflict, N_("At most %(limit)s dots can go on one idea or theme.")),
    "other_question": (Conflict, N_("That belongs to another question: dots go on this question's ideas and themes.")),
    "not_votable": (Conflict, N_("In this vote, dots go on ideas, not on themes.")),
    "name_required": (Conflict, N_("Write your name first: this workshop shows names.")),
    "table_required": (Conflict, N_("Choose your table first.")),
    "idea_cap": (Conflict, N_("You have sent the most ideas allowed (%(limit)s).")),
    "rate_limited": (RateLimited, N_("Too many messages. Wait a moment, then try again.")),
    "too_many_attempts": (RateLimited, N_("Too many wrong attempts from this address. Wait a minute.")),
    "request_too_large": (TooLarge, N_("The request is too large.")),
    "method_not_allowed": (MethodNotAllowed, N_("Method not allowed.")),
    "storage_full": (InsufficientStorage, N_("The server's disk is full, so this was not saved."
                                             " It goes through once the organiser frees space.")),
    "server_error": (ServerError, N_("Something went wrong on the server. Try again.")),
}
KINDS = {code: kind for code, (kind, _) in CATALOGUE.items()}
MESSAGES = {code: message for code, (_, message) in CATALOGUE.items()}

# The names of text fields as messages say them (`clean_text`'s `field`).
FIELDS = {
    "idea": N_("The idea"), "title": N_("The title"), "question": N_("The question"),
    "theme name": N_("The theme name"), "table name": N_("The table name"), "name": N_("The name"),
}


def field_term(field: str) -> Term:
    """A text field's name as the subject of a message ("The idea")."""
    return Term(FIELDS.get(field, f"The {field}"))


def server_error() -> CommandError:
    """The refusal for a failure nobody foresaw."""
    return CommandError("server_error")
