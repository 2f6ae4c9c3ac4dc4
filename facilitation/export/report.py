"""A workshop's printable report as plain data: questions, counts, themes, ranked results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from .. import flow
from ..flow import ranked
from .background import Agreement, Question, agreements, question_counts
from .rows import Rows, ideas_with_themes, people

__all__ = ["Report", "Round", "build_report", "parse_time", "ranked", "rounds", "theme_totals"]

# The ideas chart shows the best-voted ideas down to this rank (ties at the cut all stay in)...
TOP_IDEAS = 10
# ... but never more bars than this, however many ideas share a rank.
MAX_IDEA_BARS = 30


@dataclass(frozen=True)
class Answer:
    """What the municipality answered: a status (considering, adopted, declined, done) and a text."""

    status: str
    text: str
    updated_at: datetime | None


@dataclass(frozen=True)
class Idea:
    """One visible idea card, with the dots on it and the duplicates stacked under it."""

    id: int
    text: str
    question: str
    table: str
    author: str | None
    votes: int
    duplicates: tuple[str, ...] = ()
    answer: Answer | None = None  # the idea's own answer (its theme's is the theme's)


@dataclass(frozen=True)
class Theme:
    """One theme with its cards; its votes are its own dots plus its cards' dots."""

    id: int
    label: str
    votes: int
    theme_votes: int
    idea_votes: int
    idea_count: int
    ideas: tuple[Idea, ...]
    answer: Answer | None = None


@dataclass(frozen=True)
class Bar:
    """One bar of the results chart; tied bars share a rank."""

    label: str
    votes: int
    rank: int
    tied: bool
    percent: int


@dataclass(frozen=True)
class Round:
    """One question's part of the report: its themes, its unsorted ideas and its own results."""

    question: str
    ideas: int  # its visible ideas, stacked duplicates included: the wall's count for it
    themes: tuple[Theme, ...]
    unsorted: tuple[Idea, ...]
    theme_bars: tuple[Bar, ...]
    idea_bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Report:
    """Everything the printed report shows, question by question, hidden and waiting ideas left out."""

    title: str
    code: str
    created_at: datetime | None
    questions: tuple[str, ...]
    participants: int
    ideas: int
    theme_count: int
    votes: int
    hidden: int   # ideas moderation hid: counted, never shown
    waiting: int  # ideas still waiting for approval when the report was made
    rounds: tuple[Round, ...]
    frame: str = ""
    background: tuple[Question, ...] = ()  # counts per answer, none under 5
    groups: tuple[Agreement, ...] = ()     # where groups agree, per background question

    @property
    def answered(self) -> tuple[tuple[str, str, Answer], ...]:
        """Every answer as (kind "theme" or "idea", what it answers, the answer), themes first."""
        themes = [t for r in self.rounds for t in r.themes]
        cards = [*(i for t in themes for i in t.ideas), *(i for r in self.rounds for i in r.unsorted)]
        return tuple([*(("theme", t.label, t.answer) for t in themes if t.answer),
                      *(("idea", i.text, i.answer) for i in cards if i.answer)])


T = TypeVar("T")


def bars(items: Sequence[T], label: Callable[[T], str], votes: Callable[[T], int]) -> tuple[Bar, ...]:
    """Chart bars for items with at least one dot, scaled to the largest."""
    top = max((votes(item) for item in items), default=0)
    return tuple(Bar(label(item), votes(item), rank, tied, round(100 * votes(item) / top))
                 for rank, tied, item in ranked(items, votes) if votes(item) > 0)


def parse_time(value: object) -> datetime | None:
    """A stored ISO 8601 UTC time as an aware datetime (None when missing or unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def theme_totals(rows: Rows) -> list[dict[str, Any]]:
    """Each theme in wall order with its question, idea count and dots, as `commands.results`
    counts them: a theme's votes are its own dots plus the dots on its visible, unstacked ideas."""
    direct = Counter(vote["cluster_id"] for vote in rows["votes"] if vote["cluster_id"] is not None)
    cluster_of = {idea["id"]: idea["cluster_id"] for idea in rows["ideas"]}
    visible = [{**idea, "cluster_id": cluster_of[idea["id"]]} for idea in ideas_with_themes(rows)]
    count = Counter(idea["cluster_id"] for idea in visible)
    themes = [{"id": c["id"], "label": c["label"], "ideas": count[c["id"]], "prompt_id": c["prompt_id"]}
              for c in sorted(rows["clusters"], key=lambda c: (c["position"], c["id"]))]
    return flow.theme_totals(themes, [i for i in visible if i["duplicate_of"] is None], direct)


def rounds(rows: Rows) -> list[tuple[dict[str, Any], Callable[[int | None], bool]]]:
    """Each question in round order with a test of whether a prompt id is its (an idea or theme of
    no known question counts with the first)."""
    prompts = sorted(rows["prompts"], key=lambda p: (p["position"], p["id"]))
    known = {p["id"] for p in prompts}

    def member(prompt_id: int | None, first: bool) -> Callable[[int | None], bool]:
        return lambda pid: pid == prompt_id or (first and pid not in known)
    return ([(p, member(p["id"], n == 0)) for n, p in enumerate(prompts)]
            or [({"id": None, "text": ""}, lambda pid: True)])


def build_round(question: str, cards: list[Idea], totals: list[dict[str, Any]],
                cluster_of: dict[int, int | None], answers: dict[tuple[str, int], Answer]) -> Round:
    """One question's report part from its cards and its themes' totals."""
    in_theme: dict[int | None, list[Idea]] = {}
    for card in cards:
        in_theme.setdefault(cluster_of[card.id], []).append(card)

    def by_votes(ideas: list[Idea]) -> tuple[Idea, ...]:
        return tuple(idea for _, _, idea in ranked(ideas, lambda idea: idea.votes))

    themes = [Theme(t["id"], t["label"], t["votes"], t["theme_votes"], t["idea_votes"], t["ideas"],
                    by_votes(in_theme.get(t["id"], [])), answers.get(("cluster", t["id"]))) for t in totals]
    themes = [theme for _, _, theme in ranked(themes, lambda theme: theme.votes)]
    top = [idea for rank, _, idea in ranked(cards, lambda idea: idea.votes)
           if rank <= TOP_IDEAS][:MAX_IDEA_BARS]
    ideas = sum(1 + len(card.duplicates) for card in cards)
    return Round(question, ideas, tuple(themes), by_votes(in_theme.get(None, [])),
                 bars(themes, lambda theme: theme.label, lambda theme: theme.votes),
                 bars(top, lambda idea: idea.text, lambda idea: idea.votes))


def build_report(rows: Rows) -> Report:
    """The report of one workshop from its export rows, question by question; hidden and waiting
    ideas never appear."""
    workshop = rows["workshops"][0] if rows["workshops"] else {}
    raw = {idea["id"]: idea for idea in rows["ideas"]}
    visible = ideas_with_themes(rows)
    shown = {idea["id"] for idea in visible}
    # A stacked duplicate sits under its card; one whose card is not shown is a card of its own.
    stacked: dict[int, list[str]] = {}
    for idea in visible:
        if idea["duplicate_of"] in shown:
            stacked.setdefault(idea["duplicate_of"], []).append(idea["text"])
    answers = {(("cluster", a["cluster_id"]) if a["cluster_id"] is not None else ("idea", a["idea_id"])):
               Answer(a["status"], a["text"], parse_time(a["updated_at"])) for a in rows.get("answers", [])}
    cards = [Idea(i["id"], i["text"], i["question"], i["table"], i["author"], i["votes"],
                  tuple(stacked.get(i["id"], ())), answers.get(("idea", i["id"])))
             for i in visible if i["duplicate_of"] not in shown]
    totals = theme_totals(rows)
    cluster_of = {card.id: raw[card.id]["cluster_id"] for card in cards}
    parts = tuple(build_round(str(prompt["text"]),
                              [c for c in cards if mine(raw[c.id]["prompt_id"])],
                              [t for t in totals if mine(t["prompt_id"])], cluster_of, answers)
                  for prompt, mine in rounds(rows))
    return Report(
        title=str(workshop.get("title", "")), code=str(workshop.get("code", "")),
        created_at=parse_time(workshop.get("created_at")),
        questions=tuple(p["text"] for p in sorted(rows["prompts"], key=lambda p: (p["position"], p["id"]))),
        participants=people(rows), ideas=len(visible), theme_count=len(totals),
        votes=sum(i["votes"] for i in visible) + sum(t["theme_votes"] for t in totals),
        hidden=sum(1 for i in rows["ideas"] if i["hidden"]),
        waiting=sum(1 for i in rows["ideas"] if i["pending"] and not i["hidden"]),
        rounds=parts, frame=str(workshop.get("frame") or ""), background=question_counts(rows),
        groups=agreements(rows))
