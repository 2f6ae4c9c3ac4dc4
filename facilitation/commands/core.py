"""Commands of the live core: create, join, post, moderate, sync."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

from .. import snapshots
from ..errors import N_, CommandError, Conflict, Forbidden, NotFound
from ..facts import OWN, IdeaHidden, IdeaPosted, IdeaQueued, IdeaShown, PostingClosed, PostingOpened
from ..model import (
    FACILITATOR, LANGUAGES, MAX_IDEA_LENGTH, MAX_PARTICIPANTS, MAX_PROMPT_LENGTH, MAX_TITLE_LENGTH,
    PARTICIPANT, VIEWER, Actor, Workshop, clean_client_id, clean_text, normalize_code,
)
from ..store import Store
from ..store.newcomers import TURNED_AWAY, WAITING
from .outcome import frame_text
from .registry import Check, Context, IdeaRef, JOINED, Payload, Result, Text, command, fields

SYNC_LIMIT = 500
# A person types an idea in seconds; an outbox flushed after a reconnect sends a burst.
IDEA_RATE, IDEA_BURST = 0.5, 10


def workshop_for(store: Store, code: object) -> Workshop:
    """The workshop a typed code names, or `not_found`."""
    canonical = normalize_code(code)
    workshop = store.get_workshop(canonical) if canonical else None
    if workshop is None:
        raise NotFound("not_found")
    return workshop


def create_workshop(store: Store, payload: object) -> tuple[Workshop, str]:
    """Organiser -> a new workshop (title, question, language, frame) and its facilitator token."""
    data = fields(payload)
    title = clean_text(data.get("title"), "title", MAX_TITLE_LENGTH)
    prompt = clean_text(data.get("prompt"), "question", MAX_PROMPT_LENGTH)
    language = data.get("language") or "da"
    if language not in LANGUAGES:
        raise CommandError("invalid", N_("language must be da or en."))
    frame = frame_text(data.get("frame", ""))
    workshop, token = store.create_workshop(title, prompt, language)
    if frame:
        store.set_frame(workshop.id, frame)
        workshop = dataclasses.replace(workshop, frame=frame, seq=workshop.seq + 1)
    return workshop, token


def join(store: Store, payload: object, cookie_token: str | None = None,
         organiser: bool = False, limit: int = MAX_PARTICIPANTS,
         enter: Callable[[Actor], None] = lambda actor: None, device: str | None = None,
         admit: Callable[[], None] = lambda: None,
         admit_snapshot: Callable[[], None] = lambda: None) -> tuple[Actor, Result]:
    """Anyone -> the actor they are in this workshop, their token and a snapshot.

    A wall (`viewer`) is a viewer even in the facilitator's browser, so a projector never receives
    what only the console may show. `organiser` (signed in to /admin) facilitates every workshop.
    `enter(actor)` runs before the snapshot is read (the transport joins its rooms then): a fact
    can arrive twice, never be missed. `device` (the browser's device cookie) recognises a
    participant that lost its token; `admit()` may refuse a new participant (join limits).

    Who: anyone
    Payload: `{"code", "participant_token"?, "facilitator_token"?, "viewer"?, "participant"?}`
        (`"participant": true`, sent by the phone page: join as a participant even in a browser
        holding the console cookie or the organiser's session)
    Ack: `{"ok", "role", "participant_token", "snapshot", "own_idea_ids"?, "own_ideas"?, "profile"?,
        "votes"?}`
    """
    data = fields(payload)
    workshop = workshop_for(store, data.get("code"))
    if data.get("viewer") is True:
        admit_snapshot()
        return _screen(store, workshop, VIEWER, enter)
    token = data.get("facilitator_token")
    if data.get("participant") is True:  # the phone page: never the browser's console cookie
        organiser, cookie_token = False, None
    if (organiser or store.is_facilitator(workshop, token)
            or store.is_facilitator(workshop, cookie_token)):
        return _screen(store, workshop, FACILITATOR, enter)
    if token is not None:
        raise Forbidden("forbidden", N_("That facilitator link is not valid for this workshop."))
    participant, ptoken, _ = store.join(workshop.id, data.get("participant_token"), limit,
                                        device=device, admit=admit)
    actor = Actor(workshop, PARTICIPANT, participant.id)
    enter(actor)
    oseq = store.own_seq(participant.id)  # before its ideas: a later change arrives, none is lost
    own = store.own_ideas(participant.id)
    ack = {"role": PARTICIPANT, "participant_token": ptoken,
           "snapshot": snapshots.snapshot(store, workshop, "phone"), "oseq": oseq,
           "own_idea_ids": [idea.id for idea in own],
           "own_ideas": [idea.to_dict() for idea in own],
           "profile": {**profile(store.participant(participant.id)),
                       "background": store.background_answers(participant.id)},
           "votes": store.my_votes(workshop.id, participant.id)}
    return actor, (ack, [])


def profile(who: dict[str, Any]) -> dict[str, Any]:
    """What a phone knows of its participant: its name, table, whether it is a newcomer held until
    the facilitator decides, and whether it was turned away."""
    return {"name": who["name"], "table_id": who["table_id"], "held": who["held"] == WAITING,
            "turned_away": who["held"] == TURNED_AWAY}


def _screen(store: Store, workshop: Workshop, role: str,
            enter: Callable[[Actor], None]) -> tuple[Actor, Result]:
    """A wall's or a console's join: no participant, the snapshot its role may see."""
    actor = Actor(workshop, role)
    enter(actor)
    snapshot = snapshots.snapshot(store, workshop, "facilitator" if role == FACILITATOR else "wall")
    return actor, ({"role": role, "participant_token": None, "snapshot": snapshot}, [])


class NewIdea(Payload):
    """`{"text", "client_id"}`: an idea and the id its phone gave it (a resend repeats it)"""

    text: Annotated[str, Text("idea", MAX_IDEA_LENGTH)]
    client_id: Annotated[str, Check(clean_client_id)]


@command("post_idea", PARTICIPANT, NewIdea, emits=(IdeaPosted, IdeaQueued),
         rate=(IDEA_RATE, IDEA_BURST))
def post_idea(ctx: Context, idea: NewIdea) -> Result:
    """Participant -> the stored idea; repeated client_id -> the same idea.

    Ack: `{"ok", "idea"}`
    """
    again = ctx.store.idea_by_client_id(ctx.participant_id, idea.client_id)
    if again is not None:
        return {"idea": again.to_dict()}, []  # a resend from the outbox: the rules were checked then
    if not ctx.workshop.accepts_ideas:
        raise Conflict("posting_closed")
    room_for_ideas(ctx.store, ctx.workshop_id, 1)
    placement = _placement(ctx.store, ctx.workshop, ctx.participant_id)
    stored, fact = ctx.store.post_idea(ctx.workshop_id, ctx.participant_id, idea.client_id,
                                       idea.text, **placement)
    return {"idea": stored.to_dict()}, [fact] if fact else []


def room_for_ideas(store: Store, workshop_id: int, count: int) -> None:
    """Refuse (`ideas_full`) `count` new ideas that would take the workshop past its maximum."""
    stored = store.ideas_posted_by("workshop_id", workshop_id)
    if stored + count > store.max_ideas:
        if count > 1 and stored < store.max_ideas:
            raise Conflict("ideas_full", N_("This workshop has room for %(left)s more ideas, not"
                                            " %(count)s."), left=store.max_ideas - stored, count=count)
        raise Conflict("ideas_full", limit=store.max_ideas)


def _placement(store: Store, workshop: Workshop, participant_id: int) -> dict[str, Any]:
    """Where a new idea goes (question, table, name, queue), after the workshop's rules."""
    who = store.participant(participant_id)
    if workshop.names == "required" and not who["name"]:
        raise Conflict("name_required")
    if workshop.table_mode and who["table_id"] is None:
        raise Conflict("table_required")
    if workshop.idea_cap is not None:
        column, value = ("table_id", who["table_id"]) if workshop.table_mode \
            else ("participant_id", participant_id)
        if store.ideas_posted_by(column, value) >= workshop.idea_cap:
            raise Conflict("idea_cap", limit=workshop.idea_cap)
    return {"prompt_id": workshop.active_prompt_id, "table_id": who["table_id"],
            "author": None if workshop.names == "forbidden" else who["name"],
            "pending": workshop.pre_moderation or bool(who["held"])}


@command("hide_idea", FACILITATOR, IdeaRef, emits=(IdeaHidden,))
def hide_idea(ctx: Context, ref: IdeaRef) -> Result:
    """Facilitator -> an idea off the wall; `idea_hidden`.

    Ack: `{"ok", "idea_id", "hidden": true}`
    """
    return _set_hidden(ctx, ref, True)


@command("show_idea", FACILITATOR, IdeaRef, emits=(IdeaShown,))
def show_idea(ctx: Context, ref: IdeaRef) -> Result:
    """Facilitator -> a hidden idea back on the wall; `idea_shown`.

    Ack: `{"ok", "idea_id", "hidden": false}`
    """
    return _set_hidden(ctx, ref, False)


def _set_hidden(ctx: Context, ref: IdeaRef, hidden: bool) -> Result:
    idea = ctx.idea(ref.idea_id)
    fact = ctx.store.set_hidden(ctx.workshop_id, idea.id, hidden)
    return {"idea_id": idea.id, "hidden": hidden}, [fact] if fact else []


class Posting(Payload):
    """`{"open": true or false}`"""

    open: bool


@command("set_posting", FACILITATOR, Posting, emits=(PostingOpened, PostingClosed))
def set_posting(ctx: Context, posting: Posting) -> Result:
    """Facilitator -> open or close posting; `posting_opened` or `posting_closed`.

    Ack: `{"ok", "posting_open"}`
    """
    fact = ctx.store.set_posting(ctx.workshop_id, posting.open)
    return {"posting_open": posting.open}, [fact] if fact else []


class Since(Payload):
    """`{"since": seq}`, the last fact the client applied; a phone adds `"pseq"` and `"oseq"`, the last
    numbers of its two phone streams it applied"""

    since: int
    pseq: int | None = None
    oseq: int | None = None


@command("sync", JOINED, Since)
def sync(ctx: Context, since: Since) -> Result:
    """Anyone joined -> the facts after `since`, or a snapshot when too many were missed.

    Ack: `{"ok", "facts": [{"event", "data"}], "seq"}` or `{"ok", "snapshot", "seq"}`; a phone's
        also `"oseq"`
    """
    if ctx.actor.participant_id is not None:
        return phone_sync(ctx, since), []
    facilitator = ctx.actor.is_facilitator
    in_log = 0 <= since.since <= ctx.workshop.seq
    facts = ctx.store.facts_since(ctx.workshop_id, since.since, SYNC_LIMIT) if in_log else None
    if facts is None:
        if not facilitator:
            ctx.admit_snapshot()
        snapshot = snapshots.snapshot(ctx.store, ctx.workshop, "facilitator" if facilitator else "wall")
        return {"snapshot": snapshot, "seq": snapshot["seq"]}, []
    # A participant's own facts (its dots, its admission) are its phones' alone, never a screen's:
    # facts_since leaves them out, and `seq` passes them (the log held at least ctx.workshop.seq).
    last = max(ctx.workshop.seq, facts[-1].seq if facts else since.since)
    return {"facts": [{"event": f.type, "data": f.to_dict() if facilitator else f.public_dict()}
                      for f in facts if f.audience != OWN], "seq": last}, []


# Missing one of these, a phone may lack ideas it now shows: it gets a snapshot instead.
REFRESHING = ("phase_changed", "rules_changed")


def phone_sync(ctx: Context, since: Since) -> dict[str, Any]:
    """A phone -> the facts of its two streams after `pseq` and `oseq`, or its snapshot."""
    participant_id = ctx.participant_id
    oseq = ctx.store.own_seq(participant_id)
    facts = None
    if since.pseq is not None and since.oseq is not None and since.pseq >= 0 and since.oseq >= 0:
        facts = ctx.store.phone_facts_since(ctx.workshop_id, participant_id, since.pseq,
                                            since.oseq, SYNC_LIMIT)
    if facts is None or any(f.type in REFRESHING for f in facts):
        ctx.admit_snapshot()
        snapshot = snapshots.snapshot(ctx.store, ctx.workshop, "phone")
        return {"snapshot": snapshot, "seq": snapshot["seq"], "oseq": oseq}
    return {"facts": [{"event": f.type, "data": f.phone_dict()} for f in facts],
            "seq": max([since.since, *(f.seq for f in facts)]), "oseq": oseq}
