"""Who took part and where groups agree, from the background questions: counts only, none under 5.

The rule everywhere (console, report, exports): a group of fewer than MIN_GROUP participants is never
given a number, and nothing links its answers to ideas or dots. Counts below it are "fewer than 5";
when exactly one count of a question would be hidden, the next smallest is hidden too, so that it
cannot be worked out from the others. Dots per theme are shown only for groups of MIN_GROUP or more;
smaller groups are folded into "others", and when "others" itself is too small, the smallest group
joins it until it is not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..flow import ranked
from .rows import Rows

MIN_GROUP = 5
HIGH_RANK = 3  # "ranks high": among a group's three themes with most dots (ties share a rank)
NONE, OTHERS = "none", "others"  # the groups "no answer" and "others" (their labels are translated)


@dataclass(frozen=True)
class Count:
    """One option (or "no answer") of a question: how many chose it, or None for fewer than 5."""

    label: str
    kind: str  # "option" or NONE
    count: int | None
    percent: int | None  # of the participants, when the count is shown
    share: float | None  # the population's share (percent) the organiser typed, if any


@dataclass(frozen=True)
class Question:
    """A background question with its counts."""

    id: int
    workshop_id: int
    label: str
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class ThemeDots:
    """One theme's dots from each group, and whether every group ranks it high."""

    label: str
    dots: tuple[int, ...]
    everywhere: bool


@dataclass(frozen=True)
class Agreement:
    """Dots per theme per group for one question; groups of 5 or more, the rest in "others"."""

    question: str
    groups: tuple[tuple[str, str, int], ...]  # (label, kind: option/none/others, participants)
    themes: tuple[ThemeDots, ...]

    @property
    def consensus(self) -> tuple[str, ...]:
        """The themes every group ranks among its top three."""
        return tuple(theme.label for theme in self.themes if theme.everywhere)


def _people(rows: Rows, question_id: int) -> list[int]:
    """The participants (people, not the paper stand-in) of the question's workshop."""
    workshop = next(q["workshop_id"] for q in rows["background_questions"] if q["id"] == question_id)
    return [p["id"] for p in rows["participants"]
            if p.get("kind", "person") != "paper" and p["workshop_id"] == workshop]


def _choices(rows: Rows, question_id: int) -> dict[int, int]:
    """Participant id -> the option they chose for this question."""
    return {a["participant_id"]: a["option_id"] for a in rows.get("background_answers", [])
            if a["question_id"] == question_id}


def _suppress(counts: list[int]) -> list[bool]:
    """Which counts to hide: those under MIN_GROUP, and one more when only one would be hidden."""
    hidden = [n < MIN_GROUP for n in counts]
    if sum(hidden) == 1 and len(counts) > 1:
        shown = [(n, i) for i, n in enumerate(counts) if not hidden[i]]
        hidden[min(shown)[1]] = True
    return hidden


def question_counts(rows: Rows) -> tuple[Question, ...]:
    """Each background question with its counts per option and "no answer", none under 5 shown."""
    result = []
    for question in rows.get("background_questions", []):
        people = _people(rows, question["id"])
        options = [o for o in rows["background_options"] if o["question_id"] == question["id"]]
        chosen = _choices(rows, question["id"])
        tally = Counter(chosen.get(pid) for pid in people)
        cells = [(o["label"], "option", tally[o["id"]], o["share"]) for o in options]
        cells.append(("", NONE, tally[None], None))
        hidden = _suppress([cell[2] for cell in cells])
        counts = tuple(Count(label, kind, None if hide else n,
                             None if hide or not people else round(100 * n / len(people)), share)
                       for (label, kind, n, share), hide in zip(cells, hidden))
        result.append(Question(question["id"], question["workshop_id"], question["label"], counts))
    return tuple(result)


def _groups(rows: Rows, question_id: int) -> tuple[dict[int, str], list[tuple[str, str, str, int]]]:
    """Each participant's group key, and the groups shown in order (key, label, kind, size), groups
    under 5 folded into OTHERS."""
    labels = {str(o["id"]): o["label"] for o in rows["background_options"]
              if o["question_id"] == question_id}
    chosen = _choices(rows, question_id)
    key = {pid: (str(chosen[pid]) if str(chosen.get(pid)) in labels else NONE) for pid in _people(rows, question_id)}
    sizes = Counter(key.values())
    kept = {k for k, n in sizes.items() if n >= MIN_GROUP}
    while kept and 0 < sum(n for k, n in sizes.items() if k not in kept) < MIN_GROUP:
        kept.remove(min(kept, key=lambda k: (sizes[k], k)))  # "others" too small: the smallest joins
    group = {pid: (k if k in kept else OTHERS) for pid, k in key.items()}
    shown = Counter(group.values())
    return group, [(k, labels.get(k, ""), "option" if k in labels else k, shown[k])
                   for k in [*labels, NONE, OTHERS] if shown[k]]


def agreement(rows: Rows, question_id: int) -> Agreement | None:
    """Dots per theme per group for one question, or None when there are not two groups to compare."""
    question = next((q for q in rows.get("background_questions", []) if q["id"] == question_id), None)
    if question is None:
        return None
    group, shown = _groups(rows, question_id)
    if len(shown) < 2:
        return None
    keys = [k for k, _, _, _ in shown]
    visible = {i["id"]: i["cluster_id"] for i in rows["ideas"] if not i["hidden"] and not i["pending"]}
    dots: Counter[tuple[int, str]] = Counter()
    for vote in rows["votes"]:
        if vote["participant_id"] not in group:
            continue
        cluster = vote["cluster_id"] if vote["cluster_id"] is not None else visible.get(vote["idea_id"])
        if cluster is not None:
            dots[(cluster, group[vote["participant_id"]])] += 1
    themes = sorted(rows["clusters"], key=lambda c: (c["position"], c["id"]))
    high = {k: _high(themes, {t["id"]: dots[(t["id"], k)] for t in themes}) for k in keys}
    found = [ThemeDots(t["label"], tuple(dots[(t["id"], k)] for k in keys),
                       all(t["id"] in high[k] for k in keys)) for t in themes]
    found = [theme for _, _, theme in ranked(found, lambda t: sum(t.dots))]
    return Agreement(question["label"], tuple((label, kind, n) for _, label, kind, n in shown),
                     tuple(found))


def _high(themes: list[dict[str, Any]], dots: dict[int, int]) -> set[int]:
    """The themes one group ranks high: among its top HIGH_RANK by dots (ties share), with a dot."""
    return {t["id"] for rank, _, t in ranked(themes, lambda t: dots[t["id"]])
            if rank <= HIGH_RANK and dots[t["id"]] > 0}


def agreements(rows: Rows) -> tuple[Agreement, ...]:
    """Where groups agree, for every background question that has two groups to compare."""
    found = (agreement(rows, q["id"]) for q in rows.get("background_questions", []))
    return tuple(a for a in found if a is not None)


def counts_table(rows: Rows) -> list[dict[str, Any]]:
    """The counts as flat records (question, option, count or None, fewer_than_5, percent, share):
    what the exports carry, never a participant."""
    return [{"workshop_id": q.workshop_id, "question": q.label, "option": c.label, "no_answer": c.kind == NONE, "count": c.count,
             "fewer_than_5": c.count is None, "percent": c.percent, "share": c.share}
            for q in question_counts(rows) for c in q.counts]


def groups_records(rows: Rows) -> list[dict[str, Any]]:
    """Where groups agree as JSON records: per question, its groups and each theme's dots per group."""
    return [{"question": a.question,
             "groups": [{"label": label, "kind": kind, "participants": n} for label, kind, n in a.groups],
             "themes": [{"theme": t.label, "dots": list(t.dots), "every_group_ranks_high": t.everywhere}
                        for t in a.themes]} for a in agreements(rows)]
