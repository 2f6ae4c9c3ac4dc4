"""Commands that run the evening: phases, the countdown, and dot voting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from ..errors import N_, CommandError, Conflict, Forbidden, NotFound
from ..facts import MyVotesChanged, PhaseChanged, TimerChanged, VotingSet
from ..flow import Timer, check_phase, check_seconds, check_vote_on, check_voting, rank, theme_totals
from ..model import FACILITATOR, PARTICIPANT, Workshop
from ..store import Store, now_ms
from .registry import Check, Command, Context, Payload, Result, command

# Dots placed or taken back per participant, in every worker together: a whole budget (at most 20)
# at once, then one every 5 s; each tells the phones at the voter's table (docs/security.md).
VOTE_RATE, VOTE_BURST = 0.2, 20


class Phase(Payload):
    """`{"phase": "collect" or "cluster" or "vote" or "results" or "closed"}`"""

    phase: Annotated[str, Check(check_phase)]


@command("set_phase", FACILITATOR, Phase, emits=(PhaseChanged,), refreshes=("vote_totals",))
def set_phase(ctx: Context, p: Phase) -> Result:
    """Facilitator -> the workshop moves to a phase (forwards or back); `phase_changed`, then
    `vote_totals` (walls see the dots per idea from the results on).

    Ack: `{"ok", "phase"}`
    """
    fact = ctx.store.set_phase(ctx.workshop_id, p.phase)
    return {"phase": p.phase}, [fact] if fact else []


TimerChange = Callable[[Timer, int, Any], Timer]


def timer_command(name: str, payload: type | None = None) -> Callable[[TimerChange], Command]:
    """Register a change of the countdown, `(timer, clock in ms, payload) -> timer`, as the
    facilitator's command `name`: it stores the new timer, emits `timer_changed` and acks with it."""
    def register(change: TimerChange) -> Command:
        def run(ctx: Context, p: Any) -> Result:
            workshop, clock = ctx.workshop, now_ms()
            timer = change(Timer(workshop.timer_ends_at, workshop.timer_remaining_ms,
                                 workshop.timer_running), clock, p)
            fact = ctx.store.set_timer(ctx.workshop_id, timer, clock)
            return {"timer": fact.payload["timer"]}, [fact]
        run.__doc__ = f"{change.__doc__}\n\nAck: `{{\"ok\", \"timer\"}}`"
        return command(name, FACILITATOR, payload, emits=(TimerChanged,))(run)
    return register


class Seconds(Payload):
    """`{"seconds": 1-14400}`"""

    seconds: Annotated[int, Check(check_seconds)]


def check_change(raw: object) -> int:
    """Seconds to add to the countdown, or (negative) to take from it."""
    return check_seconds(raw, allow_negative=True)


class SecondsChange(Payload):
    """`{"seconds": -14400-14400, not 0}`"""

    seconds: Annotated[int, Check(check_change)]


@timer_command("start_timer", Seconds)
def start_timer(timer: Timer, clock: int, p: Seconds) -> Timer:
    """Facilitator -> a countdown of `seconds` starts now; `timer_changed`."""
    return timer.start(p.seconds, clock)


@timer_command("pause_timer")
def pause_timer(timer: Timer, clock: int, _: None) -> Timer:
    """Facilitator -> the countdown stops, keeping what is left; `timer_changed`."""
    return timer.pause(clock)


@timer_command("resume_timer")
def resume_timer(timer: Timer, clock: int, _: None) -> Timer:
    """Facilitator -> a paused countdown runs again; `timer_changed`."""
    return timer.resume(clock)


@timer_command("add_time", SecondsChange)
def add_time(timer: Timer, clock: int, p: SecondsChange) -> Timer:
    """Facilitator -> seconds added to (or, negative, taken from) the countdown; `timer_changed`."""
    return timer.add(p.seconds, clock)


@timer_command("stop_timer")
def stop_timer(timer: Timer, clock: int, _: None) -> Timer:
    """Facilitator -> no countdown any more; `timer_changed`."""
    return Timer()


class Voting(Payload):
    """`{"dots": 1-20, "max_per_item": 1-dots (default 1), "vote_on": "ideas" or "themes" or "both" (left out:
        unchanged)}`
    """

    dots: object = None
    max_per_item: object = 1
    vote_on: Annotated[str, Check(check_vote_on)] = ""  # left out: unchanged


@command("set_voting", FACILITATOR, Voting, emits=(VotingSet,))
def set_voting(ctx: Context, p: Voting) -> Result:
    """Facilitator -> each participant's dots, the most on one item, and whether dots go on ideas,
    themes or both (unchanged when left out); `voting_set`.

    Ack: `{"ok", "dots", "max_per_item", "vote_on"}`
    """
    dots, max_per_item = check_voting(p.dots, p.max_per_item)
    vote_on = p.vote_on or ctx.workshop.vote_on
    fact = ctx.store.set_voting(ctx.workshop_id, dots, max_per_item, vote_on)
    return {"dots": dots, "max_per_item": max_per_item, "vote_on": vote_on}, [fact]


class VoteTarget(Payload):
    """`{"idea_id"}` or `{"cluster_id"}`"""

    idea_id: int | None = None
    cluster_id: int | None = None


def _target(ctx: Context, p: VoteTarget, casting: bool = True) -> tuple[str, int]:
    """What a dot goes on (or comes off): a dot goes only on an idea everyone sees, but one placed
    before the idea was hidden can still be taken back."""
    if ctx.workshop.phase != "vote":
        raise Forbidden("wrong_phase")
    if (p.idea_id is None) == (p.cluster_id is None):
        raise CommandError("invalid", N_("Vote for one idea_id or one cluster_id."))
    if p.cluster_id is not None:
        return "cluster_id", ctx.theme(p.cluster_id).id
    idea = ctx.idea(p.idea_id, visible=casting)  # type: ignore[arg-type]
    if casting and idea.pending:  # waiting for approval: not on the wall, not votable
        raise NotFound("idea_not_found")
    return "idea_id", idea.duplicate_of if idea.duplicate_of is not None else idea.id


@command("cast_vote", PARTICIPANT, VoteTarget, emits=(MyVotesChanged,), rate=(VOTE_RATE, VOTE_BURST),
         refreshes=("vote_totals",))
def cast_vote(ctx: Context, p: VoteTarget) -> Result:
    """Participant -> one dot on an idea or a theme, as the vote allows (`not_votable` otherwise); ack
    with the dots left (totals go to screens).

    Ack: `{"ok", "dots_left", "idea_id" or "cluster_id", "seq"}` (`seq`: the workshop's when the dot
        was placed: a `my_votes_changed` with a `seq` up to it was written before and lacks this dot,
        one after it has it); `my_votes_changed` to the participant's phones and, in table mode, to
        every phone at its table (they share the dots)
    """
    column, item_id = _target(ctx, p)
    if ctx.workshop.vote_closed_to_newcomers:
        opened = ctx.store.vote_opened_at(ctx.workshop_id)
        if opened is not None and ctx.store.participant(ctx.participant_id)["created_at"] >= opened:
            raise Conflict("closed_to_newcomers")
    left, seq, facts = ctx.store.cast_vote(ctx.workshop, ctx.participant_id, column, item_id)
    return {"dots_left": left, column: item_id, "seq": seq}, facts


@command("retract_vote", PARTICIPANT, VoteTarget, emits=(MyVotesChanged,), rate=(VOTE_RATE, VOTE_BURST),
         refreshes=("vote_totals",))
def retract_vote(ctx: Context, p: VoteTarget) -> Result:
    """Participant -> one of their dots taken back; ack with the dots left.

    Ack: `{"ok", "dots_left", "idea_id" or "cluster_id", "seq"}` (`seq`: as for `cast_vote`); the same
        `my_votes_changed` as `cast_vote`
    """
    column, item_id = _target(ctx, p, casting=False)
    left, seq, facts = ctx.store.retract_vote(ctx.workshop, ctx.participant_id, column, item_id)
    return {"dots_left": left, column: item_id, "seq": seq}, facts


@command("my_votes", PARTICIPANT)
def my_votes(ctx: Context, _: Any) -> Result:
    """Participant -> their dots in the active question's vote and how many are left (a phone asks
    when the question changes: each question's vote starts with the full budget).

    Ack: `{"ok", "votes": {"ideas": {id: n}, "clusters": {id: n}, "dots_left"}, "seq"}`: the active
        question's vote (a phone asks after `active_prompt_changed`), as it stands at the workshop's
        `seq`
    """
    votes, seq = ctx.store.my_votes_at(ctx.workshop_id, ctx.participant_id)
    return {"votes": votes, "seq": seq}, []


class MergedDots(Payload):
    """`{"merge_seq", "cluster_id"}`: a merge's ack's `merge_seq`, and the theme made again"""

    merge_seq: int
    cluster_id: int


@command("return_merged_dots", FACILITATOR, MergedDots, emits=(MyVotesChanged,), refreshes=("vote_totals",))
def return_merged_dots(ctx: Context, p: MergedDots) -> Result:
    """Facilitator -> the console's undo of a merge: the dots that merge moved off the theme it
    removed go onto the theme made again in its place, in one transaction; none changes hands, and
    a participant's (or table's) dots there never pass the most on one item (the rest stay put);
    `my_votes_changed` to the phones whose dots moved, `vote_totals` to screens.

    Ack: `{"ok", "cluster_id", "dots", "kept"}` (`dots`: how many moved; `kept`: how many stayed
        where they were, as the most on one item allowed no more); `other_question` when the theme
        is of another question than the dots (nothing changes, so the undo can be made there)
    """
    moved, kept, told = ctx.store.return_merged_dots(ctx.workshop_id, p.merge_seq, p.cluster_id)
    return {"cluster_id": p.cluster_id, "dots": moved, "kept": kept}, told


def results(store: Store, workshop: Workshop, facilitator: bool,
            prompt_id: int | None = None) -> dict[str, Any]:
    """One question's ideas and themes (None: the active question's) ranked by dots, ties sharing a
    rank; for all once results are shown."""
    if not facilitator and workshop.phase not in ("results", "closed"):
        raise Forbidden("wrong_phase", N_("The results are shown after the vote."))
    snapshot = store.snapshot(workshop.id, include_hidden=False)
    prompt_id = workshop.active_prompt_id if prompt_id is None else prompt_id
    if prompt_id not in {p["id"] for p in snapshot["prompts"]}:
        raise NotFound("question_not_found")
    totals = store.vote_totals(workshop.id, prompt_id)
    ideas = [{"id": i["id"], "text": i["text"], "cluster_id": i["cluster_id"],
              "votes": totals["ideas"].get(str(i["id"]), 0)}
             for i in snapshot["ideas"] if i["duplicate_of"] is None and i["prompt_id"] == prompt_id]
    themes = theme_totals([{"id": c["id"], "label": c["label"]} for c in snapshot["clusters"]
                           if c["prompt_id"] == prompt_id], ideas,
                          {int(k): v for k, v in totals["clusters"].items()})
    return {"phase": workshop.phase, "prompt_id": prompt_id, "ideas": rank(ideas),
            "themes": rank(themes)}
