"""Every refusal the server gives: a code, its HTTP status and a message in the reader's language.

Pure: no Flask. A refusal carries an English message template (a catalogue msgid) and its values;
the transport renders it in the client's language with `CommandError.render(gettext, number, ngettext)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


def N_(message: str) -> str:
    """Mark a message for the catalogue (pybabel extracts N_); it is translated when rendered."""
    return message


class Term(str):
    """A word of the interface inside a message (a field's name), translated with the message."""


class Counted(str):
    """A message with a plural form (the singular is the string itself): the value named
    `counted_by` chooses between them when it is rendered, as the language counts."""

    plural: str
    counted_by: str


def ngettext(singular: str, plural: str, count: str) -> Counted:
    """Mark a counted message for the catalogue (pybabel extracts ngettext's singular and plural as
    one entry); the value named `count` chooses its form when it is rendered."""
    message = Counted(singular)
    message.plural, message.counted_by = plural, count
    return message


class CommandError(Exception):
    """A command refused with a machine-readable code and a message a person can act on."""

    status = 400

    def __init_subclass__(cls, status: int = 400, **kwargs: Any) -> None:
        """A kind of refusal (`class NotFound(CommandError, status=404)`): its HTTP status."""
        super().__init_subclass__(**kwargs)
        cls.status = status

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

    def render(self, gettext: Callable[[str], str],
               number: Callable[[int], str] = "{:,}".format,
               ngettext: Callable[[str, str, int], str] | None = None) -> str:
        """The message in the language `gettext` (for a counted message, `ngettext`; without
        one, English) translates into, its whole numbers written as `number` writes them in that
        language ("2,010" in English, "2.010" in Danish); English if the translation breaks."""
        values = {k: gettext(v) if isinstance(v, Term) else number(v) if _whole(v) else v
                  for k, v in self.params.items()}
        english = _form(self.template, self.params)
        try:
            if isinstance(self.template, Counted):
                text = (ngettext(self.template, self.template.plural, self.params[self.template.counted_by])
                        if ngettext is not None else english)
            else:
                text = gettext(self.template)
            return text % values if values else text
        except (KeyError, ValueError, TypeError):
            return english % self.params if self.params else english

    def to_dict(self, gettext: Callable[[str], str] = lambda text: text,
                number: Callable[[int], str] = "{:,}".format,
                ngettext: Callable[[str, str, int], str] | None = None) -> dict[str, str]:
        """The `error` object of an ack or an HTTP error body."""
        return {"code": self.code, "message": self.render(gettext, number, ngettext)}


def _form(template: str, params: dict[str, Any]) -> str:
    """A message's English: a counted message's singular for a count of 1, its plural else."""
    if isinstance(template, Counted) and params.get(template.counted_by) != 1:
        return template.plural
    return str(template)


def _whole(value: Any) -> bool:
    """Whether a message's value is a count (an int, not a flag) to write with separators."""
    return isinstance(value, int) and not isinstance(value, bool)


class BadRequest(CommandError, status=400):
    """The message itself is wrong: a type, a missing field, empty or too long text."""


class Unauthorized(CommandError, status=401):
    """The sender has not said who they are (no join, no token)."""


class Forbidden(CommandError, status=403):
    """The sender may not do this: a role, someone else's idea, a rule of the workshop."""


class NotFound(CommandError, status=404):
    """What the command names does not exist in this workshop (or the workshop itself)."""


class Conflict(CommandError, status=409):
    """The workshop's state refuses it now: posting closed, no dots left, a cap reached."""


class RateLimited(CommandError, status=429):
    """Too many messages in too short a time."""


class TooLarge(CommandError, status=413):
    """An HTTP request larger than the server reads."""


class MethodNotAllowed(CommandError, status=405):
    """An HTTP route asked with a method it does not take."""


class InsufficientStorage(CommandError, status=507):
    """The server's disk is full: nothing was saved, and the same message can be sent again."""


class ServerError(CommandError, status=500):
    """An unexpected failure; nothing was half-written."""


class Refusal(NamedTuple):
    """An error code's kind (its HTTP status), its default message (a msgid of
    translations/messages.pot) and when the server gives it (docs/protocol.md's Errors table: a
    paragraph, its line breaks and indentation not part of it)."""

    kind: type[CommandError]
    message: str
    when: str


CATALOGUE: dict[str, Refusal] = {
    "invalid": Refusal(BadRequest, N_("That message is not valid."), """
        wrong type, missing field, payload not a JSON object"""),
    "empty": Refusal(BadRequest, N_("%(field)s is empty. Write something first."), """
        text empty, only white space or characters that show nothing (zero-width spaces, Braille blanks, Hangul
        fillers); an idea with no letter or digit"""),
    "too_long": Refusal(BadRequest, N_("%(field)s is %(length)s characters; at most %(limit)s are allowed."), """
        text over its limit (idea 500, title 120, question 300, frame 1,000, answer 2,000, background question
        120, option 60 characters, after trimming)"""),
    "not_joined": Refusal(Unauthorized, N_("Join a workshop first."), """
        a command before `join` on this connection"""),
    "unauthorized": Refusal(Unauthorized, N_("The facilitator token is required."), """
        an HTTP request without the facilitator token (or organiser password) it needs"""),
    "forbidden": Refusal(Forbidden, N_("Only the facilitator can do this."), """
        a facilitator command from a participant or viewer; a wrong facilitator token in `join`"""),
    "participants_only": Refusal(Forbidden, N_("Only participants can do this: open the join page."), """
        a participant command (`post_idea`, votes, `set_name`, `set_table`, own ideas) from a viewer or
        facilitator"""),
    "not_your_idea": Refusal(Forbidden, N_("You can only change your own ideas."), """
        `edit_idea` or `delete_idea` on another participant's idea"""),
    "names_forbidden": Refusal(Forbidden, N_("This workshop is anonymous: names are not shown."), """
        `set_name` in a workshop whose names rule is `forbidden`"""),
    "wrong_phase": Refusal(Forbidden, N_("Voting is not open right now."), """
        a vote outside the vote phase; results before the results phase"""),
    "not_found": Refusal(NotFound, N_("There is no workshop with that code. Check the code."), """
        unknown join code; any command on a workshop that has been erased"""),
    "idea_not_found": Refusal(NotFound, N_("There is no such idea in this workshop."), """
        an idea id of another or no workshop (or, voting, a hidden idea)"""),
    "theme_not_found": Refusal(NotFound, N_("There is no such theme in this workshop."), """
        a theme (cluster) id of another or no workshop"""),
    "question_not_found": Refusal(NotFound, N_("There is no such question in this workshop."), """
        `set_active_prompt` with a question id of another or no workshop"""),
    "table_not_found": Refusal(NotFound, N_("There is no such table in this workshop."), """
        `set_table` or a paper import with a table id of another or no workshop"""),
    "background_not_found": Refusal(NotFound, N_("There is no such question or answer under About you."), """
        `set_background_answers` naming a question of another or no workshop, or an option that is not one of
        its question's"""),
    "no_vote_to_retract": Refusal(Conflict, N_("You have no dot on that to take back."), """
        `retract_vote` on an idea or theme the participant has no dot on"""),
    "posting_closed": Refusal(Conflict, N_("Posting is closed for new ideas right now."), """
        `post_idea` while the facilitator has closed posting"""),
    "full": Refusal(Conflict, N_("This workshop has as many participants as it can take. Ask the facilitator."), """
        a new participant joining a workshop that has `--max-participants` (20,000) (returning participants
        still get in)"""),
    "closed_to_newcomers": Refusal(Conflict, N_("The vote is closed to those who joined after it opened."), """
        `cast_vote` from a participant who joined after the vote opened, while the rule
        `vote_closed_to_newcomers` is on"""),
    "ideas_full": Refusal(Conflict, N_("This workshop has as many ideas as it can take (%(limit)s)."), """
        `post_idea` or `import_ideas` past the workshop's `--max-ideas` (20,000) ideas, hidden ones included; an
        import that does not fit is refused whole and says how many more fit"""),
    "no_dots_left": Refusal(Conflict, N_("You have no dots left. Take one back to move it."), """
        a vote past the participant's dots for this question"""),
    "max_per_item": Refusal(Conflict, ngettext("At most %(limit)s dot can go on one idea or theme.",
                                               "At most %(limit)s dots can go on one idea or theme.", "limit"), """
        a vote past the per-item cap (`max_per_item`)"""),
    "other_question": Refusal(Conflict, N_("That belongs to another question: dots go on this question's ideas and "
                                           "themes."), """
        a dot on an idea or theme of another question than the active one; moving an idea into, or merging, a
        theme of another question; `return_merged_dots` onto a theme of another question than the merged dots'
        (nothing changes: the undo can be made in their question)"""),
    "theme_answered": Refusal(Conflict, N_("This theme has an answer for the participants. Merge it into another theme "
                                           "to keep the answer, or delete the theme with its answer."), """
        `delete_cluster` on a theme with an answer, without `"discard_answer": true` (merging keeps the answer)"""),
    "answers_too_long": Refusal(Conflict, N_("Together the two themes' answers would be %(length)s characters; an answer "
                                             "holds at most %(limit)s. Shorten one of them, then merge."), """
        `merge_clusters` of two themes that both have an answer when the joined answer (the target's, a blank line,
        the other theme's name and answer) would pass 2,000 characters; nothing is merged"""),
    "not_votable": Refusal(Conflict, N_("In this vote, dots go on ideas, not on themes."), """
        a dot on a theme when the vote is on ideas only, or on an idea when it is on themes only (`vote_on`)"""),
    "name_required": Refusal(Conflict, N_("Write your name under “About you” first: this workshop shows names."), """
        an idea from a participant without a name where the workshop requires names (see Rounds)"""),
    "table_required": Refusal(Conflict, N_("Choose your table under “About you” first."), """
        an idea from a participant without a table in table mode (see Rounds)"""),
    "idea_cap": Refusal(Conflict, N_("You have sent as many ideas as this workshop allows (%(limit)s)."), """
        an idea past the workshop's ideas per participant, or per table in table mode (see Rounds)"""),
    "rate_limited": Refusal(RateLimited, N_("Too many messages. Wait a moment, then try again."), """
        too many messages: any client, 60 at once then 20/s; ideas per participant, 10 at once then one per 2 s;
        dots placed, and dots taken back, per participant, 20 at once then one per 5 s; workshops created per address (HTTP 429), 10 at once then one per 5 minutes, not counting the server's
        own machine; whole snapshots (not a facilitator's): per address for walls (a wall's `join`, its `sync`
        answered with a snapshot, `GET /api/workshops/<code>`), 10 at once then 2 a second, and per participant
        for phones (a `sync` answered with a snapshot), 5 at once then one per 2 s; screens ask again a few
        seconds later"""),
    "too_many_attempts": Refusal(RateLimited, N_("Too many wrong attempts from this address. Wait a minute."), """
        HTTP 429 (or a `join` ack): this address sent too many wrong secrets (organiser password, facilitator
        token); see docs/security.md"""),
    "request_too_large": Refusal(TooLarge, N_("The request is too large."), """
        HTTP 413: the request body is over 2 MB"""),
    "method_not_allowed": Refusal(MethodNotAllowed, N_("Method not allowed."), """
        an HTTP route asked with a method it does not take"""),
    "storage_full": Refusal(InsufficientStorage, N_("The server's disk is full, so this was not saved. It goes through "
                                                    "once the organiser frees space."), """
        HTTP 507 (or an ack): the server's disk is full, so nothing of the command was saved; the phone keeps
        the idea in its outbox and sends it again every 5 s, and the workshop's facilitators receive
        `storage_full` (see below)"""),
    "server_error": Refusal(ServerError, N_("Something went wrong on the server. Try again."), """
        an unexpected failure; nothing was half-written (one transaction per change)"""),
}
KINDS = {code: entry.kind for code, entry in CATALOGUE.items()}
MESSAGES = {code: entry.message for code, entry in CATALOGUE.items()}

# The names of text fields as messages say them (`clean_text`'s `field`).
FIELDS = {
    "idea": N_("The idea"), "title": N_("The title"), "question": N_("The question"),
    "theme name": N_("The theme name"), "table name": N_("The table name"), "name": N_("The name"),
    "frame": N_("The frame"), "answer": N_("The answer"),
    "background question": N_("The background question"), "option": N_("The option"),
}


def field_term(field: str) -> Term:
    """A text field's name as the subject of a message ("The idea")."""
    return Term(FIELDS.get(field, f"The {field}"))


def server_error() -> CommandError:
    """The refusal for a failure nobody foresaw."""
    return CommandError("server_error")
