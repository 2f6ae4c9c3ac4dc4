"""Facts: what the server tells screens, one small dataclass per event name.

A logged fact carries the workshop's `seq` and is a row of `events`; a signal (`vote_totals`,
`participant_count`, `workshop_deleted`, `ideas_posted`) is sent but not logged. `audience` says who
receives a fact; `broadcast` in `dispatch.py` is the one place that reads it. Walls and consoles get
every fact but SCREENS-only ones; phones get what changes what a phone shows: WORKSHOP facts all, IDEA
facts as `PhoneRoute` says (the store decides it in the fact's own transaction, see docs/protocol.md,
"What phones receive"). docs/protocol.md lists every class here (tests/unit/test_docs.py holds it to them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, TypeVar, dataclass_transform

# Who receives a fact: every screen and phone of the workshop; only its walls and consoles; or, for a
# fact about one idea, walls, consoles and the phones that show that idea; or only phones.
WORKSHOP = "workshop"
SCREENS = "screens"
IDEA = "idea"
OWN_IDEA = "own_idea"  # about an idea nobody else may see yet: walls and consoles, and its author
PHONES = "phones"
OWN = "own"  # about one participant: only that participant's phones (its own stream, replayed on sync)

# Which phones receive a fact, decided when it is logged: all of them (numbered `pseq` in the
# workshop's phone stream), only the idea's author (numbered `oseq` in that participant's stream),
# or all of them in the next coalesced `ideas_posted` (unnumbered).
ALL_PHONES = "all"
AUTHOR = "author"
BATCH = "batch"


@dataclass(frozen=True)
class PhoneRoute:
    """Where a logged fact goes among phones, and its number in that phone stream."""

    stream: str               # ALL_PHONES, AUTHOR or BATCH
    number: int | None = None  # pseq (ALL_PHONES) or oseq (AUTHOR)
    recipient: int | None = None  # the author's participant id (AUTHOR)
    refresh: bool = False      # phones now show everyone's ideas: a `phone_board` follows

# The screens each audience reaches (tests/unit/test_docs.py checks each screen's JS handles them).
RECEIVERS = {WORKSHOP: ("wall", "phone", "console"), SCREENS: ("wall", "console"),
             IDEA: ("wall", "phone", "console"), OWN_IDEA: ("wall", "phone", "console"),
             PHONES: ("phone",), OWN: ("phone",)}

Json = dict[str, Any]


@dataclass(frozen=True)
class Event:
    """Anything the server sends a workshop's screens, named by `type`."""

    type: ClassVar[str] = ""
    audience: ClassVar[str] = WORKSHOP
    logged: ClassVar[bool] = False
    reveals: ClassVar[bool] = False  # an IDEA fact that makes an idea visible to everyone

    @property
    def payload(self) -> Json:
        """The fields as sent, without `seq` and the phone route."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "seq" and not f.metadata.get("internal")}

    def to_dict(self) -> Json:
        """The event's data as clients receive it."""
        return self.payload

    @property
    def private(self) -> bool:
        """Whether only facilitators may see it in full: an idea waiting for approval, or hidden."""
        idea = self.payload.get("idea")
        return isinstance(idea, dict) and bool(idea.get("pending") or idea.get("hidden"))

    def public_dict(self) -> Json:
        """What walls and phones receive: a waiting or hidden idea's text stays with the facilitator;
        they learn only that the idea is not to be shown."""
        if self.private:
            return {"idea_id": self.payload["idea"]["id"], "seq": getattr(self, "seq", None)}
        return self.to_dict()


@dataclass(frozen=True, kw_only=True)
class Fact(Event):
    """A state change: logged in `events` with the workshop's next sequence number."""

    logged: ClassVar[bool] = True
    seq: int = 0
    # Set by the store when logged (None: no phone receives it); how it is sent, not what it says.
    route: PhoneRoute | None = field(default=None, metadata={"internal": True})
    workshop_id: int | None = field(default=None, metadata={"internal": True})  # logged here
    # The seq of the fact before it that walls and consoles received (participants' own facts
    # between them take numbers screens never see); None when not known (read back from the log).
    prev_seq: int | None = field(default=None, metadata={"internal": True})

    def to_dict(self) -> Json:
        """The event payload with its sequence number, as clients receive it."""
        return {**self.payload, "seq": self.seq}

    def screen_dict(self, data: Json) -> Json:
        """`data` (this fact's full or public form) as walls and consoles receive it live: with
        `prev_seq` when participants' own facts came between it and the fact before it that they
        received, so that those numbers are no gap to them (otherwise as it always was)."""
        if self.prev_seq is None or self.prev_seq == self.seq - 1:
            return data
        return {**data, "prev_seq": self.prev_seq}

    def numbered(self, seq: int, route: PhoneRoute | None = None,
                 workshop_id: int | None = None, prev_seq: int | None = None) -> Fact:
        """This fact as logged under `seq` (by this process, in `workshop_id`), routed among
        phones by `route`, after `prev_seq` among the facts screens receive."""
        return replace(self, seq=seq, route=route, workshop_id=workshop_id, prev_seq=prev_seq)

    def phone_dict(self) -> Json:
        """What a phone receives: the public form with its number in its phone stream."""
        data = dict(self.public_dict())
        if self.route is not None and self.route.stream == ALL_PHONES:
            data["pseq"] = self.route.number
        elif self.route is not None and self.route.stream == AUTHOR:
            data["oseq"] = self.route.number
        if self.route is not None and self.route.refresh:
            data["refresh"] = True
        return data


@dataclass(frozen=True, kw_only=True)
class LoggedFact(Fact):
    """A logged fact of a type this code no longer defines (read back from an old log)."""

    name: str
    data: Json = field(default_factory=dict)

    @property
    def payload(self) -> Json:
        return dict(self.data)

    @property
    def type(self) -> str:  # type: ignore[override]  # the logged name, not a class's
        return self.name


def phone_stream(fact: Event, phones_see_all: bool, collecting: bool) -> str | None:
    """Which phones receive a fact: `phones_see_all` when phones show everyone's ideas (any phase
    but collect, or the rule phones_see_ideas); new visible ideas while collecting are batched."""
    if fact.audience == WORKSHOP:
        return ALL_PHONES
    if fact.audience in (OWN_IDEA, OWN) or (fact.audience == IDEA and not phones_see_all):
        return AUTHOR
    if fact.audience != IDEA:
        return None
    return BATCH if collecting and fact.reveals else ALL_PHONES


FACTS: dict[str, type[Event]] = {}
E = TypeVar("E", bound=Event)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def fact(name: str, audience: str = WORKSHOP, reveals: bool = False) -> Callable[[type[E]], type[E]]:
    """Declare an event class: a frozen, keyword-only dataclass sent as `name` to `audience`
    (`reveals`: an IDEA fact that makes an idea visible to everyone), registered in `FACTS`."""
    def register(cls: type[E]) -> type[E]:
        cls.type, cls.audience, cls.reveals = name, audience, reveals
        FACTS[name] = dataclass(frozen=True, kw_only=True)(cls)
        return cls
    return register


def from_log(type_: str, payload: Json, seq: int) -> Fact:
    """A fact as read back from the `events` table."""
    cls = FACTS.get(type_)
    if cls is not None and issubclass(cls, Fact):
        try:
            return cls(**payload, seq=seq)
        except TypeError:
            pass  # an older shape of this fact: hand it on as it was logged
    return LoggedFact(name=type_, data=payload, seq=seq)


# Ideas

@fact("idea_posted", IDEA, reveals=True)
class IdeaPosted(Fact):
    """A new idea is on the wall (`idea` as `Idea.to_dict()`).

    Payload: `{"idea": {"id", "text", "hidden", "created_at", "cluster_id", "duplicate_of",
        "prompt_id", "table_id", "author", "pending"}, "seq"}` (an idea as in the snapshot)
    """

    idea: Json


@fact("idea_queued", OWN_IDEA)
class IdeaQueued(Fact):
    """A new idea waits for the facilitator's approval (pre-moderation).

    Payload: facilitators: `{"idea": {..., "pending": true}, "seq"}`; others: `{"idea_id", "seq"}`
    """

    idea: Json


@fact("idea_approved", IDEA, reveals=True)
class IdeaApproved(Fact):
    """A waiting idea goes on the wall."""

    idea: Json


@fact("idea_edited", IDEA)
class IdeaEdited(Fact):
    """A participant changed the text of their idea."""

    idea: Json


@fact("idea_deleted", IDEA)
class IdeaDeleted(Fact):
    """A participant removed their idea for good."""

    idea_id: int


@fact("idea_hidden", IDEA)
class IdeaHidden(Fact):
    """The facilitator took an idea off the wall."""

    idea_id: int


@fact("idea_shown", IDEA, reveals=True)
class IdeaShown(Fact):
    """The facilitator put a hidden idea back.

    Payload: `{"idea": {...}, "seq"}`
    """

    idea: Json


@fact("posting_opened")
class PostingOpened(Fact):
    """Participants may post ideas again."""


@fact("posting_closed")
class PostingClosed(Fact):
    """Posting is paused."""


# Themes and stacks

@fact("cluster_created")
class ClusterCreated(Fact):
    """A new, empty theme at the end of the active question's (`cluster`: id, label, position,
    prompt_id).

    Payload: `{"cluster": {"id", "label", "position", "prompt_id"}, "seq"}`
    """

    cluster: Json


@fact("clusters_created")
class ClustersCreated(Fact):
    """Accepted suggestions: new themes at the end of the active question's, each `{"id", "label",
    "position", "prompt_id", "idea_ids"}` with the unsorted ideas that moved into it; one fact for
    the whole batch.

    Payload: `{"clusters": [{"id", "label", "position", "prompt_id", "idea_ids": [moved into it]}],
        "seq"}` (accepted suggestions)
    """

    clusters: list[Json]


@fact("themes_on_wall_changed")
class ThemesOnWallChanged(Fact):
    """Whether the wall groups ideas by theme (true) or shows them ungrouped."""

    themes_on_wall: bool


@fact("cluster_renamed")
class ClusterRenamed(Fact):
    """A theme's new label."""

    cluster_id: int
    label: str


@fact("idea_moved")
class IdeaMoved(Fact):
    """A card (`idea_ids`: it and its stacked duplicates) into a theme, or unsorted (null).

    Payload: `{"idea_id", "idea_ids": [the card and its stacked duplicates], "cluster_id": id or
        null, "seq"}`
    """

    idea_id: int
    idea_ids: list[int]
    cluster_id: int | None


@fact("clusters_merged")
class ClustersMerged(Fact):
    """Every idea of the source theme (`idea_ids`) is now in the target; the source is gone.

    Payload: `{"source_id", "target_id", "idea_ids": [moved], "seq"}`
    """

    source_id: int
    target_id: int
    idea_ids: list[int]


@fact("cluster_deleted")
class ClusterDeleted(Fact):
    """A theme removed; its ideas (`idea_ids`) are unsorted again.

    Payload: `{"cluster_id", "idea_ids": [now unsorted], "seq"}`
    """

    cluster_id: int
    idea_ids: list[int]


@fact("clusters_reordered")
class ClustersReordered(Fact):
    """Every theme's id in the new wall order."""

    cluster_ids: list[int]


@fact("ideas_stacked")
class IdeasStacked(Fact):
    """Ideas stacked under one card; they take its theme."""

    idea_id: int
    duplicate_ids: list[int]
    cluster_id: int | None


@fact("idea_unstacked")
class IdeaUnstacked(Fact):
    """One idea off its stack, a card of its own again."""

    idea_id: int


# Flow

@fact("phase_changed")
class PhaseChanged(Fact):
    """The workshop moved to another phase."""

    phase: str


@fact("timer_changed")
class TimerChanged(Fact):
    """The countdown as screens show it: `{"ends_at", "remaining_ms", "running"}`.

    Payload: `{"timer": {"ends_at", "remaining_ms", "running"}, "seq"}`
    """

    timer: Json


@fact("voting_set")
class VotingSet(Fact):
    """Each participant's dots, the most on one idea or theme, and what dots go on."""

    dots: int
    max_per_item: int
    vote_on: str = "both"  # dots go on "ideas", "themes" or "both"


# Rounds, tables, rules

@fact("prompt_added")
class PromptAdded(Fact):
    """A new question at the end of the list (`prompt`: id, text, position).

    Payload: `{"prompt": {"id", "text", "position"}, "seq"}`
    """

    prompt: Json


@fact("active_prompt_changed")
class ActivePromptChanged(Fact):
    """The question new ideas answer from now on, and its text."""

    prompt_id: int
    prompt: str


@fact("tables_set")
class TablesSet(Fact):
    """The tables participants can pick (`tables`: id, name, position).

    Payload: `{"tables": [{"id", "name", "position"}], "seq"}`
    """

    tables: list[Json]


@fact("rules_changed")
class RulesChanged(Fact):
    """The workshop's rules: names, pre_moderation, idea_cap, table_mode, language, wall_paused,
    outcome_public.

    Payload: `{"rules": {"names", "pre_moderation", "idea_cap", "table_mode", "language",
        "phones_see_ideas", "wall_paused", "outcome_public"}, "seq"}`
    """

    rules: Json


# Before and after the evening: the frame, answers, background questions

@fact("frame_set")
class FrameSet(Fact):
    """The workshop's frame: what is open for influence, what is decided, who decides, and when
    participants hear back ("" when there is none)."""

    frame: str


@fact("answer_set")
class AnswerSet(Fact):
    """The answer to a theme or an idea: every screen and phone learns it; a phone shows it beside
    its own ideas.

    Payload: `{"answer": {"id", "cluster_id", "idea_id", "status", "text", "updated_at"}, "seq"}`
    """

    answer: Json


@fact("background_set")
class BackgroundSet(Fact):
    """The background questions phones offer under "About you".

    Payload: `{"questions": [{"id", "label", "options": [{"id", "label", "share"}]}], "seq"}`
    """

    questions: list[Json]


# Signals: sent, not logged, no seq

@fact("vote_totals", SCREENS)
class VoteTotals(Event):
    """The active question's dots per idea and per theme (coalesced, at most once a second);
    consoles only, and walls once the results are shown (before: `wall_dict`).

    Payload: `{"ideas": {id: dots}, "clusters": {id: dots}, "voters", "voters_by_table": {table id:
        n}, "prompt_id"}` (the active question's vote): consoles; walls get `ideas` and `clusters`
        empty until the results phase; no `seq` (see below)
    """

    ideas: dict[str, int]
    clusters: dict[str, int]
    voters: int = 0  # participants with a dot placed: the wall's "37 of 123 have voted"
    voters_by_table: dict[str, int] = field(default_factory=dict)
    prompt_id: int | None = None  # the question whose vote these count
    # Whether the phase shows the results (walls then get the dots too); how it is sent, not sent.
    results_shown: bool = field(default=False, metadata={"internal": True})

    def wall_dict(self) -> Json:
        """What a wall receives until the results are shown: how many have voted, not the dots
        per idea or theme (they would tell the hall, and anyone with the code, the result early)."""
        return {**self.to_dict(), "ideas": {}, "clusters": {}}


# Phones show no count: a hall joining would cost every phone.
@fact("participant_count", SCREENS)
class ParticipantCount(Event):
    """How many participants have joined, in all and per table, and how many newcomers are held
    since when (coalesced, at most once a second).

    Payload: `{"participant_count", "participants_by_table": {table id: n}, "newcomers_held",
        "newcomers_since"}`: walls and consoles only, no `seq` (see below)
    """

    participant_count: int
    participants_by_table: dict[str, int] = field(default_factory=dict)
    newcomers_held: int = 0  # newcomers beyond a hall's pace, waiting for the facilitator
    newcomers_since: str | None = None  # when the first of them joined


@fact("workshop_deleted")
class WorkshopDeleted(Event):
    """The workshop was erased: screens say so and stop reconnecting.

    Payload: `{"code"}`: the workshop was erased (by the organiser or retention); screens say so and
        stop reconnecting; no `seq`
    """

    code: str


@fact("newcomer_decided", OWN)
class NewcomerDecided(Fact):
    """The facilitator let this held newcomer in (`accept`: its dots count, its waiting ideas go on
    the wall) or turned it away (its ideas hidden, its dots never count): its phones update their
    note at once, or on `sync`. Only that participant's phones receive it.

    Payload: `{"participant_id", "accept", "seq", "oseq"}`: only that participant's phones, on its
        own stream (`sync` replays it)
    """

    participant_id: int
    accept: bool


@fact("my_votes_changed", OWN)
class MyVotesChanged(Fact):
    """This participant's dots changed: the facilitator moved or removed them (merging themes, its
    undo, deleting a theme), an author deleted an idea with them, or it (in table mode, anyone at its
    table) placed or took back a dot: `votes` is what `my_votes` now answers, so its phones show
    where its dots are and how many are left. Only that participant's phones receive it (in table
    mode, each phone at the table).

    Payload: `{"participant_id", "votes": {"ideas": {id: n}, "clusters": {id: n}, "dots_left"}, "seq",
        "oseq"}`: only that participant's phones, on its own stream (`sync` replays it), after a
        merge, its undo (`return_merged_dots`), a theme's or an idea's deletion moved or removed its
        dots, or a dot placed or taken back (`cast_vote`, `retract_vote`) by it or, in table mode,
        at its table
    """

    participant_id: int
    votes: Json


@fact("ideas_posted", PHONES)
class IdeasPosted(Event):
    """Ideas others posted, for phones under `phones_see_ideas` while collecting: at most one message
    a second per workshop, each idea as it is when the message is sent (visible ones only).

    Payload: `{"ideas": [ideas as in the snapshot]}`: phones only, under `phones_see_ideas` while
        collecting, at most once a second (less often above 4,000 participants); no `seq`
    """

    ideas: list[Json]


@fact("phone_board", PHONES)
class PhoneBoard(Event):
    """A phone's snapshot (with every visible idea), sent once to all phones when they start showing
    everyone's ideas: encoded once for the whole hall, where a fetch per phone would encode it
    thousands of times.

    Payload: `{"snapshot": a phone's snapshot}`: phones only, right after the fact that starts
        phones showing everyone's ideas; no `seq` of its own (the snapshot has `seq` and `pseq`)
    """

    snapshot: Json


# A participant's own facts: logged with the workshop's seq, but only its phones receive them; walls'
# and consoles' `sync` leaves them out (and their numbers in `prev_seq`).
OWN_TYPES = tuple(sorted(name for name, cls in FACTS.items() if cls.audience == OWN))
