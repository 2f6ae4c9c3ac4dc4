"""Pure rules of a workshop's flow: phases, the countdown, voting budgets and result ranking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import N_, CommandError
from .model import is_whole

PHASES = ("collect", "cluster", "vote", "results", "closed")
MAX_TIMER_SECONDS = 4 * 3600
MAX_DOTS = 20
# What participants give dots to: ideas, themes, or both (the console chooses).
VOTE_ON = ("ideas", "themes", "both")
T = TypeVar("T")


@dataclass(frozen=True)
class Timer:
    """A countdown kept as its end time while running, and as what is left while paused."""

    ends_at: int | None = None  # ms since the epoch, while running
    remaining_ms: int = 0       # while paused (and at start)
    running: bool = False

    def view(self, now_ms: int) -> dict[str, Any]:
        """What screens show: the end time (null unless running), time left and whether it runs."""
        left = max(0, self.ends_at - now_ms) if self.running and self.ends_at is not None \
            else self.remaining_ms
        return {"ends_at": self.ends_at if self.running else None, "remaining_ms": left,
                "running": self.running}

    def start(self, seconds: int, now_ms: int) -> Timer:
        """Count down `seconds` from now."""
        return Timer(now_ms + seconds * 1000, seconds * 1000, True)

    def pause(self, now_ms: int) -> Timer:
        """Stop the clock, keeping what is left."""
        if not self.running:
            raise CommandError("invalid", N_("The timer is not running."))
        return Timer(None, int(self.view(now_ms)["remaining_ms"]), False)

    def resume(self, now_ms: int) -> Timer:
        """Run again from what was left."""
        if self.running or self.remaining_ms <= 0:
            raise CommandError("invalid", N_("There is no paused timer to resume."))
        return Timer(now_ms + self.remaining_ms, self.remaining_ms, True)

    def add(self, seconds: int, now_ms: int) -> Timer:
        """Give (or, with negative seconds, take) time; a timer that ran out restarts from now."""
        if self.running and self.ends_at is not None:
            ends_at = max(self.ends_at, now_ms) + seconds * 1000
            return Timer(max(ends_at, now_ms), max(0, ends_at - now_ms), True)
        if self.remaining_ms <= 0 and seconds > 0:
            return self.start(seconds, now_ms)
        return Timer(None, max(0, self.remaining_ms + seconds * 1000), False)


def check_phase(raw: object) -> str:
    """A phase name, or `invalid`."""
    if raw not in PHASES:
        raise CommandError("invalid", N_("phase must be one of: %(choices)s."), choices=", ".join(PHASES))
    return str(raw)


def check_seconds(raw: object, allow_negative: bool = False) -> int:
    """A whole number of seconds within the timer's range."""
    low = -MAX_TIMER_SECONDS if allow_negative else 1
    if not is_whole(raw) or not low <= raw <= MAX_TIMER_SECONDS \
            or raw == 0:
        raise CommandError("invalid", N_("seconds must be a whole number from %(low)s to %(high)s, not 0."),
                           low=low, high=MAX_TIMER_SECONDS)
    return raw


def check_voting(dots: object, max_per_item: object) -> tuple[int, int]:
    """A dot budget of 1-20 and a per-item cap of 1 up to the budget."""
    if is_whole(dots) and is_whole(max_per_item) and 1 <= dots <= MAX_DOTS and 1 <= max_per_item <= dots:
        return dots, max_per_item
    raise CommandError("invalid", N_("dots must be 1-%(limit)s and max_per_item 1 up to dots."), limit=MAX_DOTS)


def check_vote_on(raw: object) -> str:
    """What participants vote on: "ideas", "themes" or "both", or `invalid`."""
    if raw not in VOTE_ON:
        raise CommandError("invalid", N_("vote_on must be one of: %(choices)s."), choices=", ".join(VOTE_ON))
    return str(raw)


def check_votable(vote_on: str, column: str) -> None:
    """Refuse a dot on a theme when the vote is on ideas only, or on an idea when it is on themes."""
    if vote_on == "ideas" and column == "cluster_id":
        raise CommandError("not_votable", N_("In this vote, dots go on ideas, not on themes."))
    if vote_on == "themes" and column == "idea_id":
        raise CommandError("not_votable", N_("In this vote, dots go on themes, not on single ideas."))


def ranked(items: Sequence[T], votes: Callable[[T], int]) -> list[tuple[int, bool, T]]:
    """Items in the given order sorted by votes, most first, as (rank, tied, item); equal votes
    share a rank (1, 1, 3) and are marked tied. The one ranking rule of results, report and export."""
    ordered = sorted(items, key=lambda item: -votes(item))  # stable: ties keep the given order
    ranks: list[int] = []
    for index, item in enumerate(ordered):
        same = index > 0 and votes(ordered[index - 1]) == votes(item)
        ranks.append(ranks[-1] if same else index + 1)
    shared = Counter(ranks)
    return [(rank, shared[rank] > 1, item) for rank, item in zip(ranks, ordered)]


def rank(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items by votes, most first (ties by id), each with its `rank`."""
    ordered = sorted(items, key=lambda item: item["id"])
    return [{**item, "rank": place} for place, _, item in ranked(ordered, lambda item: item["votes"])]


def theme_totals(themes: Sequence[dict[str, Any]], cards: Iterable[dict[str, Any]],
                 direct: Mapping[int, int]) -> list[dict[str, Any]]:
    """Each theme (in the order given) with its dots: its own (`theme_votes`, from `direct`) plus
    those on its cards (`idea_votes`); `cards` are the visible ideas stacked under no other, each
    with its `cluster_id` and `votes`."""
    on_cards: Counter[int] = Counter()
    for card in cards:
        if card["cluster_id"] is not None:
            on_cards[card["cluster_id"]] += card["votes"]
    return [{**theme, "votes": direct.get(theme["id"], 0) + on_cards[theme["id"]],
             "theme_votes": direct.get(theme["id"], 0), "idea_votes": on_cards[theme["id"]]}
            for theme in themes]
