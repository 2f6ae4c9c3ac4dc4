"""Domain objects and pure rules of a workshop: no Flask, no SQL.

Names: people read "theme" and "question" (docs/glossary.md); the protocol's fields, a contract kept
as written, say cluster (`cluster_id`, `create_cluster`) and prompt (`prompt_id`, `add_prompt`). The
code follows the protocol where it meets it (`Cluster`, `prompts`) and says theme and question
everywhere else: in comments, messages and error codes (`theme_not_found`, `question_not_found`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, TypeGuard

from .errors import N_, CommandError, field_term

# No 0/O, 1/I/L: a code read off a projector from the back of a hall must not be misread.
LANGUAGES = ("da", "en")
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_IDEA_LENGTH = 500
MAX_TITLE_LENGTH = 120
MAX_PROMPT_LENGTH = 300
MAX_CLIENT_ID_LENGTH = 64
MAX_LABEL_LENGTH = 80
MAX_ANSWER_LENGTH = 2000  # an answer to a theme or an idea, merged ones too
# Beyond this a join flood is refused (app.py --max-participants changes it): a hall of 10,000
# phones fits twice over.
MAX_PARTICIPANTS = 20000
# The most ideas one workshop stores (app.py --max-ideas changes it): a 2,000-person conference
# writing ten each; a stranger's imports cannot fill the disk through one workshop.
MAX_IDEAS = 20000
FACILITATOR = "facilitator"
PARTICIPANT = "participant"
VIEWER = "viewer"  # a wall: follows the workshop, posts nothing, is not counted


@dataclass(frozen=True)
class Workshop:
    """One event: a title, the question participants answer, and its change counter."""

    id: int
    code: str
    title: str
    prompt: str
    posting_open: bool
    seq: int
    created_at: str
    phase: str = "collect"
    dots: int = 3
    max_per_item: int = 1
    vote_on: str = "both"  # dots go on "ideas", "themes" or "both"
    timer_ends_at: int | None = None
    timer_remaining_ms: int = 0
    timer_running: bool = False
    active_prompt_id: int | None = None
    names: str = "optional"  # display names: optional, required or forbidden
    pre_moderation: bool = False
    idea_cap: int | None = None  # most ideas per participant (per table in table mode)
    table_mode: bool = False
    language: str = "da"  # the wall's language; phones follow their own browser
    themes_on_wall: bool = False  # the wall groups ideas by theme only once the facilitator says so
    phones_see_ideas: bool = False  # phones also show others' ideas while collecting
    wall_paused: bool = False  # the facilitator holds the wall on its current page
    vote_closed_to_newcomers: bool = False  # who joins after the vote opened places no dots
    frame: str = ""  # what is open for influence, what is decided, who decides, when people hear back
    outcome_public: bool = False  # the outcome page (/w/<code>/outcome) is published

    @property
    def accepts_ideas(self) -> bool:
        """Whether participants may post (or change their) ideas now: collecting, posting open."""
        return self.phase == "collect" and self.posting_open

    def to_dict(self) -> dict[str, Any]:
        """The public form, without the internal id; the store adds the timer as screens see it."""
        data = asdict(self)
        for internal in ("id", "timer_ends_at", "timer_remaining_ms", "timer_running"):
            del data[internal]
        return data


@dataclass(frozen=True)
class Participant:
    """A phone that joined a workshop; known to others only by its number."""

    id: int
    workshop_id: int
    created_at: str


@dataclass(frozen=True)
class Idea:
    """One idea as posted by a participant, with where the facilitator put it."""

    id: int
    text: str
    hidden: bool
    created_at: str
    cluster_id: int | None = None
    duplicate_of: int | None = None  # the idea whose card this one is stacked under
    prompt_id: int | None = None     # the question (the protocol's prompt) it answers
    table_id: int | None = None
    author: str | None = None        # a display name the participant chose to give, if any
    pending: bool = False            # waiting for the facilitator's approval (pre-moderation)

    def to_dict(self) -> dict[str, Any]:
        """The form sent to screens: never which participant wrote it, only a chosen name."""
        return asdict(self)


@dataclass(frozen=True)
class Cluster:
    """A theme (the protocol's cluster) the facilitator groups ideas into, in the wall's order."""

    id: int
    label: str
    position: int
    prompt_id: int | None = None  # the question (round) it was made in

    def to_dict(self) -> dict[str, Any]:
        """The form sent to every screen."""
        return asdict(self)


def is_whole(value: object) -> TypeGuard[int]:
    """Whether a JSON value is a whole number: JSON's true and false are not numbers here."""
    return isinstance(value, int) and not isinstance(value, bool)


def new_code() -> str:
    """Draw a random join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: object) -> str | None:
    """Return the canonical form of a typed join code, or None if it cannot be one."""
    if not isinstance(raw, str):
        return None
    code = re.sub(r"[\s-]", "", raw).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def new_token() -> str:
    """Draw a secret token for a facilitator or a participant."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """Hash a token so the database never holds a usable secret."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()  # any str: no crash


# Beyond this a number cannot be an id, a count or a setting, and SQLite cannot store it.
MAX_INT = 2**63 - 1
MAX_DEPTH = 8  # nesting of lists and objects in a message
MAX_MARKS = 4  # combining marks on one letter: Vietnamese needs two, "Zalgo" text hundreds
# Line breaks in one text: a short list fits; 200 of them filled a wall column.
MAX_LINE_BREAKS = 4
# Characters that show nothing though they are no space (Hangul fillers, the Braille blank).
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")


def check_sane(value: object, depth: int = 0) -> None:
    """Refuse (`invalid`) what JSON can carry but no field means: a lone surrogate in text, a
    number beyond 64 bits, nesting deeper than MAX_DEPTH; checked once, for the whole message."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            raise CommandError("invalid", N_("The text is not valid Unicode."))
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_INT - 1 <= value <= MAX_INT:
            raise CommandError("invalid", N_("That number is too large."))
    elif isinstance(value, (list, dict)):
        if depth >= MAX_DEPTH:
            raise CommandError("invalid", N_("The message is nested too deeply."))
        for item in (list(value.keys()) + list(value.values())) if isinstance(value, dict) else value:
            check_sane(item, depth + 1)


def _fewer_marks(text: str) -> str:
    """At most MAX_MARKS combining marks on a letter: a stack of hundreds spills over other cards."""
    kept, run = [], 0
    for c in text:
        run = run + 1 if unicodedata.combining(c) else 0
        if run <= MAX_MARKS:
            kept.append(c)
    return "".join(kept)


def _fewer_line_breaks(text: str) -> str:
    """At most one blank line in a row and MAX_LINE_BREAKS breaks in all (later ones: spaces)."""
    text = BLANK_LINES.sub("\n\n", text.replace("\u2028", "\n").replace("\u2029", "\n"))
    lines = text.split("\n")
    kept = MAX_LINE_BREAKS + 1
    return "\n".join(lines[:kept]) + "".join(" " + line for line in lines[kept:])


def clean_text(raw: object, field: str, max_length: int) -> str:
    """Validate user text: a string showing something after trimming (an idea: a letter or
    digit), at most a few line breaks, within max_length characters."""
    if not isinstance(raw, str):
        raise CommandError("invalid", N_("%(field)s must be text."), field=field_term(field))
    check_sane(raw)
    # NFC so that "å" typed on different keyboards is one character, counted and compared alike.
    text = _fewer_marks(unicodedata.normalize("NFC", raw)).strip()
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    text = _fewer_line_breaks(text).strip()
    # Zero-width spaces, Braille blanks and fillers pass a blank check; an idea must say something.
    shown = [c for c in text if not c.isspace() and c not in INVISIBLE
             and unicodedata.category(c) not in ("Cf", "Mn", "Me")]
    if not shown or (field == "idea" and not any(c.isalnum() for c in shown)):
        raise CommandError("empty", field=field_term(field))
    if len(text) > max_length:
        raise CommandError("too_long", field=field_term(field), length=len(text), limit=max_length)
    return text


def clean_client_id(raw: object) -> str:
    """Validate the id a phone gives an idea so that a resend is recognised."""
    if not isinstance(raw, str) or not 1 <= len(raw) <= MAX_CLIENT_ID_LENGTH:
        raise CommandError("invalid", N_("client_id must be text of 1 to %(limit)s characters."),
                           limit=MAX_CLIENT_ID_LENGTH)
    return raw


@dataclass(frozen=True)
class Actor:
    """Who sends a command: a workshop's facilitator or one of its participants."""

    workshop: Workshop
    role: str
    participant_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        """Whether this actor may run facilitator commands."""
        return self.role == FACILITATOR

    @property
    def label(self) -> str:
        """How the event log names this actor."""
        if self.participant_id is not None:
            return f"participant:{self.participant_id}"
        return self.role


class TokenBucket:
    """A rate limit: `burst` actions at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated: float | None = None

    def allow(self, now: float) -> bool:
        """Take one token at time `now` (seconds), if there is one."""
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def has(self, now: float) -> bool:
        """Whether a token is there at time `now`, without taking it."""
        refill = (now - self.updated) * self.rate if self.updated is not None else 0.0
        return min(self.burst, self.tokens + refill) >= 1


def facilitator_cookie(code: str) -> str:
    """The name of the HttpOnly cookie that holds a workshop's facilitator token."""
    return f"facilitator_{code}"
