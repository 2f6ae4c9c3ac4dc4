"""Facilitator commands that group ideas into themes, suggest themes, and stack duplicates."""

from __future__ import annotations

from typing import Annotated, Any

from .. import clustering
from ..errors import N_, CommandError
from ..facts import (
    AnswerSet, ClusterCreated, ClusterDeleted, ClusterRenamed, ClustersCreated, ClustersMerged,
    ClustersReordered, IdeaMoved, IdeasStacked, IdeaUnstacked, MyVotesChanged, ThemesOnWallChanged,
)
from ..model import FACILITATOR, MAX_LABEL_LENGTH, Cluster
from .registry import Check, Context, IdeaRef, Payload, Result, Text, command, parse

MAX_SUGGESTIONS = 100
ThemeLabel = Annotated[str, Text("theme name", MAX_LABEL_LENGTH)]


class NewTheme(Payload):
    """`{"label"}` (1-80 characters)"""

    label: ThemeLabel


@command("create_cluster", FACILITATOR, NewTheme, emits=(ClusterCreated,))
def create_cluster(ctx: Context, p: NewTheme) -> Result:
    """Facilitator -> a new, empty theme at the end of the active question's themes (a question is
    the workshop's, a theme its round's: hence `prompt_id`); `cluster_created`.

    Ack: `{"ok", "cluster": {"id", "label", "position", "prompt_id"}}`
    """
    fact = ctx.store.create_cluster(ctx.workshop_id, p.label)
    return {"cluster": fact.payload["cluster"]}, [fact]


class ThemeLabelChange(Payload):
    """`{"cluster_id", "label"}`"""

    cluster_id: int
    label: ThemeLabel


@command("rename_cluster", FACILITATOR, ThemeLabelChange, emits=(ClusterRenamed,))
def rename_cluster(ctx: Context, p: ThemeLabelChange) -> Result:
    """Facilitator -> the theme's new label; `cluster_renamed`.

    Ack: `{"ok", "cluster_id", "label"}`
    """
    cluster_id = ctx.theme(p.cluster_id).id
    fact = ctx.store.rename_cluster(ctx.workshop_id, cluster_id, p.label)
    return {"cluster_id": cluster_id, "label": p.label}, [fact] if fact else []


class Move(Payload):
    """`{"idea_id", "cluster_id": id or null}` (null: unsorted)"""

    idea_id: int
    cluster_id: int | None


def _theme(ctx: Context, cluster_id: int | None) -> Cluster | None:
    return None if cluster_id is None else ctx.theme(cluster_id)


def _card(ctx: Context, idea_id: int, into: Cluster | None = None) -> int:
    """The card an idea moves with: itself, or the card it is stacked under; an idea goes only
    into a theme of its own question."""
    idea = ctx.idea(idea_id)
    if into is not None and into.prompt_id != idea.prompt_id:
        raise CommandError("other_question", N_("An idea goes only into a theme of its own question."))
    return idea.duplicate_of if idea.duplicate_of is not None else idea.id


@command("move_idea", FACILITATOR, Move, emits=(IdeaMoved,))
def move_idea(ctx: Context, p: Move) -> Result:
    """Facilitator -> an idea (and its stacked duplicates) into a theme or unsorted; `idea_moved`.

    Ack: `{"ok", "idea_id", "cluster_id"}`
    """
    theme = _theme(ctx, p.cluster_id)
    idea_id, cluster_id = _card(ctx, p.idea_id, theme), None if theme is None else theme.id
    fact = ctx.store.move_idea(ctx.workshop_id, idea_id, cluster_id)
    return {"idea_id": idea_id, "cluster_id": cluster_id}, [fact] if fact else []


class MoveMany(Payload):
    """`{"idea_ids": [1-5000 ids], "cluster_id": id or null}` (null: unsorted)"""

    idea_ids: list[int]
    cluster_id: int | None


@command("move_ideas", FACILITATOR, MoveMany, emits=(IdeaMoved,))
def move_ideas(ctx: Context, p: MoveMany) -> Result:
    """Facilitator -> a selection of cards into a theme or unsorted; one `idea_moved`.

    Ack: `{"ok", "idea_ids": [moved], "cluster_id"}`
    """
    if not p.idea_ids:
        raise CommandError("invalid", N_("Choose at least one idea to move."))
    theme = _theme(ctx, p.cluster_id)
    cards = list(dict.fromkeys(_card(ctx, idea_id, theme) for idea_id in p.idea_ids))
    cluster_id = None if theme is None else theme.id
    fact = ctx.store.move_ideas(ctx.workshop_id, cards, cluster_id)
    moved = fact.payload["idea_ids"] if fact else []
    return {"idea_ids": moved, "cluster_id": cluster_id}, [fact] if fact else []


class Merge(Payload):
    """`{"source_id", "target_id"}`: two themes"""

    source_id: int
    target_id: int


@command("merge_clusters", FACILITATOR, Merge, emits=(ClustersMerged, AnswerSet, MyVotesChanged),
         refreshes=("vote_totals",))
def merge_clusters(ctx: Context, p: Merge) -> Result:
    """Facilitator -> all ideas and dots of source into target, source removed, its answer kept;
    `clusters_merged`, then `answer_set` when the target's answer changed, `my_votes_changed` to the
    phones whose dots moved, and `vote_totals`.

    Ack: `{"ok", "source_id", "target_id", "answer": the target's answer or null, "answers_joined",
        "merge_seq"}` (`answers_joined`: both themes had an answer with text; the target keeps its status
        and both texts; refused with `answers_too_long`, nothing changed, when both texts together would
        pass 2,000 characters; `merge_seq`: this merge, for `return_merged_dots` to undo its move of dots)
    """
    source, target = ctx.theme(p.source_id), ctx.theme(p.target_id)
    source_id, target_id = source.id, target.id
    if source_id == target_id:
        raise CommandError("invalid", N_("Choose two different themes to merge."))
    if source.prompt_id != target.prompt_id:
        raise CommandError("other_question", N_("Only themes of the same question can be merged."))
    facts, answer, joined = ctx.store.merge_clusters(ctx.workshop_id, source_id, target_id)
    return {"source_id": source_id, "target_id": target_id, "answer": answer, "answers_joined": joined,
            "merge_seq": facts[0].seq}, facts


class ThemeRemoval(Payload):
    """`{"cluster_id", "discard_answer": false}`"""

    cluster_id: int
    discard_answer: bool = False


@command("delete_cluster", FACILITATOR, ThemeRemoval, emits=(ClusterDeleted, MyVotesChanged),
         refreshes=("vote_totals",))
def delete_cluster(ctx: Context, p: ThemeRemoval) -> Result:
    """Facilitator -> the theme removed, its ideas unsorted again and its dots back with their givers;
    `cluster_deleted`, then `my_votes_changed` to the givers' phones, and `vote_totals`. A theme with an answer is removed only with `discard_answer` (the answer goes with it; merging keeps it).

    Ack: `{"ok", "cluster_id", "idea_ids"}`
    """
    cluster_id = ctx.theme(p.cluster_id).id
    if not p.discard_answer and ctx.store.answered(cluster_id):
        raise CommandError("theme_answered")
    facts = ctx.store.delete_cluster(ctx.workshop_id, cluster_id)
    return {"cluster_id": cluster_id, "idea_ids": facts[0].payload["idea_ids"]}, facts


class Order(Payload):
    """`{"cluster_ids": [every theme id, in the new order]}`"""

    cluster_ids: list[int]


@command("reorder_clusters", FACILITATOR, Order, emits=(ClustersReordered,))
def reorder_clusters(ctx: Context, p: Order) -> Result:
    """Facilitator -> the active question's themes in a new wall order (all of them);
    `clusters_reordered`.

    Ack: `{"ok", "cluster_ids"}`
    """
    if sorted(p.cluster_ids) != sorted(ctx.store.cluster_ids(ctx.workshop_id)):
        raise CommandError("invalid", N_("cluster_ids must list every theme of the active question once."))
    fact = ctx.store.reorder_clusters(ctx.workshop_id, p.cluster_ids)
    return {"cluster_ids": p.cluster_ids}, [fact]


class ThemesOnWall(Payload):
    """`{"themes_on_wall": bool}`"""

    themes_on_wall: bool


@command("set_themes_on_wall", FACILITATOR, ThemesOnWall, emits=(ThemesOnWallChanged,))
def set_themes_on_wall(ctx: Context, p: ThemesOnWall) -> Result:
    """Facilitator -> the wall groups ideas by theme, or shows them ungrouped; `themes_on_wall_changed`.

    Ack: `{"ok", "themes_on_wall"}`
    """
    fact = ctx.store.set_themes_on_wall(ctx.workshop_id, p.themes_on_wall)
    return {"themes_on_wall": p.themes_on_wall}, [fact] if fact else []


def check_granularity(raw: object) -> int:
    """A granularity from -2 (fewer, broader themes) to 2 (more, narrower ones)."""
    if not isinstance(raw, int) or isinstance(raw, bool) or raw not in clustering.GRANULARITY:
        raise CommandError("invalid", N_("granularity must be a whole number from -2 to 2."))
    return int(raw)


class SuggestOptions(Payload):
    """`{"granularity": -2 to 2}` (optional, default 0)"""

    granularity: Annotated[int, Check(check_granularity)] = 0


@command("suggest_clusters", FACILITATOR, SuggestOptions)
def suggest_clusters(ctx: Context, p: SuggestOptions) -> Result:
    """Facilitator -> proposed themes for the unsorted ideas and likely duplicates; changes nothing.

    `ctx.run` lets the server compute in a worker thread so the event loop keeps serving; the store
    is read before and never from that thread.

    Ack: `{"ok", "suggestions": [{"label", "idea_ids", "words", "forms"}], "duplicates": [[idea
        ids]], "granularity"}`
    """
    store, workshop_id = ctx.store, ctx.workshop_id
    ids = store.unsorted_idea_ids(workshop_id)
    texts = store.idea_texts(workshop_id, ids)
    visible = store.stack_tops(workshop_id)
    visible_texts = store.idea_texts(workshop_id, visible)
    # The title's and the question's words say what every idea is about: they name no theme.
    asked = [ctx.workshop.title, ctx.workshop.prompt]
    found, groups = ctx.run(_engine, texts, visible_texts, asked, p.granularity,
                            ctx.workshop.language)
    suggestions = [{"label": s.label, "idea_ids": [ids[m] for m in s.members], "words": s.words,
                    "forms": s.forms} for s in found]
    duplicates = [[visible[i] for i in group] for group in groups]
    return {"suggestions": suggestions, "duplicates": duplicates,
            "granularity": p.granularity}, []


def _engine(texts: list[str], visible_texts: list[str], asked: list[str],
            granularity: int, language: str) -> tuple[list[Any], list[list[int]]]:
    return (clustering.suggest_clusters(texts, exclude=asked, granularity=granularity,
                                        names_in=language),
            clustering.find_duplicates(visible_texts))


@command("suggest_fits", FACILITATOR)
def suggest_fits(ctx: Context, _: Any) -> Result:
    """Facilitator -> for each unsorted idea, the existing theme it clearly fits, if one does;
    changes nothing (the facilitator accepts a hint with `move_idea` or `move_ideas`).

    Ack: `{"ok", "fits": [{"idea_id", "cluster_id"}]}`
    """
    themes = ctx.store.theme_texts(ctx.workshop_id)
    ids = ctx.store.unsorted_idea_ids(ctx.workshop_id)
    texts = ctx.store.idea_texts(ctx.workshop_id, ids)
    # A theme's name is one more text of it: a theme made by hand, still empty, can be fitted.
    found = ctx.run(clustering.suggest_fits, [[label, *members] for _, label, members in themes],
                    texts)
    fits = [{"idea_id": idea_id, "cluster_id": themes[fit.theme][0]}
            for idea_id, fit in zip(ids, found) if fit is not None]
    return {"fits": fits}, []


class Suggestion(Payload):
    """`{"label", "idea_ids"}`: one suggested (perhaps edited) theme."""

    label: ThemeLabel
    idea_ids: list[int]


class Suggestions(Payload):
    """`{"suggestions": [{"label", "idea_ids"}]}` (at most 100)"""

    suggestions: list[Any]


@command("apply_suggestions", FACILITATOR, Suggestions, emits=(ClustersCreated,))
def apply_suggestions(ctx: Context, p: Suggestions) -> Result:
    """Facilitator -> accepted suggestions become themes; only still-unsorted ideas move; one
    `clusters_created`.

    Ack: `{"ok", "clusters": [{"id", "label", "position", "prompt_id"}]}`
    """
    if len(p.suggestions) > MAX_SUGGESTIONS:
        raise CommandError("invalid", N_("suggestions must be a list of {label, idea_ids}."))
    groups = [parse(Suggestion, item) for item in p.suggestions]
    fact = ctx.store.apply_suggestions(ctx.workshop_id, [(g.label, g.idea_ids) for g in groups])
    created = [{k: c[k] for k in ("id", "label", "position", "prompt_id")} for c in fact.payload["clusters"]] \
        if fact else []
    return {"clusters": created}, [fact] if fact else []


class Stack(Payload):
    """`{"idea_ids": [card, duplicate, ...]}`"""

    idea_ids: list[int]


@command("stack_ideas", FACILITATOR, Stack, emits=(IdeasStacked,))
def stack_ideas(ctx: Context, p: Stack) -> Result:
    """Facilitator -> ideas stacked under the first one's card, all kept; `ideas_stacked`.

    Ack: `{"ok", "idea_id", "duplicate_ids"}`
    """
    if len(p.idea_ids) < 2:
        raise CommandError("invalid", N_("Choose at least two ideas to stack."))
    top = [ctx.idea(idea_id) for idea_id in p.idea_ids][0]
    top_id = top.duplicate_of if top.duplicate_of is not None else top.id
    fact = ctx.store.stack_ideas(ctx.workshop_id, top_id, [i for i in p.idea_ids if i != top_id])
    return {"idea_id": top_id, "duplicate_ids": fact.payload["duplicate_ids"]}, [fact]


@command("unstack_idea", FACILITATOR, IdeaRef, emits=(IdeaUnstacked,))
def unstack_idea(ctx: Context, ref: IdeaRef) -> Result:
    """Facilitator -> one idea off its stack, a card of its own again; `idea_unstacked`.

    Ack: `{"ok", "idea_id"}`
    """
    idea_id = ctx.idea(ref.idea_id).id
    fact = ctx.store.unstack_idea(ctx.workshop_id, idea_id)
    return {"idea_id": idea_id}, [fact] if fact else []
