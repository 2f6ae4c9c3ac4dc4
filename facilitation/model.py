"""Domain objects and pure rules of a workshop: no Flask, no SQL."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

# No 0/O, 1/I/L: a code read off a projector from the back of a hall must not be misread.
LANGUAGES = ("da", "en")
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_IDEA_LENGTH = 500
MAX_TITLE_LENGTH = 120
MAX_PROMPT_LENGTH = 300
MAX_CLIENT_ID_LENGTH = 64
MAX_LABEL_LENGTH = 80
# Beyond this a join flood is refused (app.py --max-participants changes it): a hall of 10,000
# phones fits twice over.
MAX_PARTICIPANTS = 20000
FACILITATOR = "facilitator"
PARTICIPANT = "participant"
VIEWER = "viewer"  # a wall: follows the workshop, posts nothing, is not counted


class CommandError(Exception):
    """A command refused with a machine-readable code and a message a person can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The `error` object of an ack or an HTTP error body."""
        return {"code": self.code, "message": self.message}


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
    prompt_id: int | None = None     # the question (round) it answers
    table_id: int | None = None
    author: str | None = None        # a display name the participant chose to give, if any
    pending: bool = False            # waiting for the facilitator's approval (pre-moderation)

    def to_dict(self) -> dict[str, Any]:
        """The form sent to screens: never which participant wrote it, only a chosen name."""
        return asdict(self)


@dataclass(frozen=True)
class Cluster:
    """A theme the facilitator groups ideas into, in the order shown on the wall."""

    id: int
    label: str
    position: int

    def to_dict(self) -> dict[str, Any]:
        """The form sent to every screen."""
        return asdict(self)


@dataclass(frozen=True)
class Fact:
    """A state change as broadcast to a workshop's room and kept in its event log."""

    type: str
    payload: dict[str, Any]
    seq: int

    def to_dict(self) -> dict[str, Any]:
        """The event payload with its sequence number, as clients receive it."""
        return {**self.payload, "seq": self.seq}

    @property
    def private(self) -> bool:
        """Whether only facilitators may see it in full: an idea waiting for approval, or hidden."""
        idea = self.payload.get("idea")
        return isinstance(idea, dict) and bool(idea.get("pending") or idea.get("hidden"))

    def public_dict(self) -> dict[str, Any]:
        """What walls and phones receive: a waiting or hidden idea's text stays with the facilitator;
        they learn only that the idea is not to be shown."""
        if self.private:
            return {"idea_id": self.payload["idea"]["id"], "seq": self.seq}
        return self.to_dict()


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
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_text(raw: object, field: str, max_length: int) -> str:
    """Validate user text: a string, not blank after trimming, within max_length characters."""
    if not isinstance(raw, str):
        raise CommandError("invalid", f"The {field} must be text.")
    # NFC so that "å" typed on different keyboards is one character, counted and compared alike.
    text = unicodedata.normalize("NFC", raw).strip()
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    if not text:
        raise CommandError("empty", f"The {field} is empty. Write something first.")
    if len(text) > max_length:
        raise CommandError(
            "too_long", f"The {field} is {len(text)} characters; at most {max_length} are allowed."
        )
    return text


def clean_client_id(raw: object) -> str:
    """Validate the id a phone gives an idea so that a resend is recognised."""
    if not isinstance(raw, str) or not 1 <= len(raw) <= MAX_CLIENT_ID_LENGTH:
        raise CommandError("invalid", "client_id must be text of 1 to 64 characters.")
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


def facilitator_cookie(code: str) -> str:
    """The name of the HttpOnly cookie that holds a workshop's facilitator token."""
    return f"facilitator_{code}"
