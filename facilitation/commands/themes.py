"""Facilitator commands that group ideas into themes, suggest themes, and stack duplicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import clustering
from ..model import MAX_LABEL_LENGTH, Actor, CommandError, clean_text
from ..store import Store
from .core import Result, fields, int_field, require_facilitator

MAX_SUGGESTIONS = 100
MAX_IDS = 5000


def _cluster_id(store: Store, actor: Actor, data: dict[str, Any], name: str) -> int:
    cluster_id = int_field(data, name)
    if store.get_cluster(actor.workshop.id, cluster_id) is None:
        raise CommandError("not_found", "There is no such theme in this workshop.")
    return cluster_id


def _idea_id(store: Store, actor: Actor, data: dict[str, Any], name: str = "idea_id") -> int:
    idea_id = int_field(data, name)
    if store.get_idea(actor.workshop.id, idea_id) is None:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    return idea_id


def _id_list(data: dict[str, Any], name: str) -> list[int]:
    value = data.get(name)
    if (not isinstance(value, list) or len(value) > MAX_IDS
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in value)):
        raise CommandError("invalid", f"{name} must be a list of whole numbers.")
    return list(dict.fromkeys(value))  # repeated ids count once


def _label(data: dict[str, Any]) -> str:
    return clean_text(data.get("label"), "theme name", MAX_LABEL_LENGTH)


def create_cluster(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a new, empty theme at the end; `cluster_created`."""
    actor = require_facilitator(actor)
    fact = store.create_cluster(actor.workshop.id, _label(fields(payload)))
    return {"cluster": fact.payload["cluster"]}, [fact]


def rename_cluster(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the theme's new label; `cluster_renamed`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    cluster_id = _cluster_id(store, actor, data, "cluster_id")
    label = _label(data)
    fact = store.rename_cluster(actor.workshop.id, cluster_id, label)
    return {"cluster_id": cluster_id, "label": label}, [fact] if fact else []


def _target(store: Store, actor: Actor, data: dict[str, Any]) -> int | None:
    if "cluster_id" not in data:
        raise CommandError("invalid", "cluster_id is required: a theme's id, or null for unsorted.")
    return None if data["cluster_id"] is None else _cluster_id(store, actor, data, "cluster_id")


def _card(store: Store, actor: Actor, idea_id: int) -> int:
    """The card an idea moves with: itself, or the card it is stacked under."""
    idea = store.get_idea(actor.workshop.id, _idea_id(store, actor, {"idea_id": idea_id}))
    return idea.duplicate_of if idea is not None and idea.duplicate_of is not None else idea_id


def move_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> an idea (and its stacked duplicates) into a theme or unsorted; `idea_moved`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    idea_id = _card(store, actor, int_field(data, "idea_id"))
    cluster_id = _target(store, actor, data)
    fact = store.move_idea(actor.workshop.id, idea_id, cluster_id)
    return {"idea_id": idea_id, "cluster_id": cluster_id}, [fact] if fact else []


def move_ideas(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a selection of cards into a theme or unsorted; one `idea_moved`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    ids = _id_list(data, "idea_ids")
    if not ids:
        raise CommandError("invalid", "Choose at least one idea to move.")
    cards = list(dict.fromkeys(_card(store, actor, idea_id) for idea_id in ids))
    cluster_id = _target(store, actor, data)
    fact = store.move_ideas(actor.workshop.id, cards, cluster_id)
    moved = fact.payload["idea_ids"] if fact else []
    return {"idea_ids": moved, "cluster_id": cluster_id}, [fact] if fact else []


def merge_clusters(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> all ideas of source into target, source removed; `clusters_merged`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    source_id = _cluster_id(store, actor, data, "source_id")
    target_id = _cluster_id(store, actor, data, "target_id")
    if source_id == target_id:
        raise CommandError("invalid", "Choose two different themes to merge.")
    fact = store.merge_clusters(actor.workshop.id, source_id, target_id)
    return {"source_id": source_id, "target_id": target_id}, [fact]


def delete_cluster(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the theme removed, its ideas unsorted again; `cluster_deleted`."""
    actor = require_facilitator(actor)
    cluster_id = _cluster_id(store, actor, fields(payload), "cluster_id")
    fact = store.delete_cluster(actor.workshop.id, cluster_id)
    return {"cluster_id": cluster_id, "idea_ids": fact.payload["idea_ids"]}, [fact]


def reorder_clusters(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the themes in a new wall order (all of them); `clusters_reordered`."""
    actor = require_facilitator(actor)
    order = _id_list(fields(payload), "cluster_ids")
    if sorted(order) != sorted(store.cluster_ids(actor.workshop.id)):
        raise CommandError("invalid", "cluster_ids must list every theme of the workshop once.")
    fact = store.reorder_clusters(actor.workshop.id, order)
    return {"cluster_ids": order}, [fact]


def set_themes_on_wall(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the wall groups ideas by theme, or shows them ungrouped; `themes_on_wall_changed`."""
    actor = require_facilitator(actor)
    shown = fields(payload).get("themes_on_wall")
    if not isinstance(shown, bool):
        raise CommandError("invalid", "themes_on_wall must be true or false.")
    fact = store.set_themes_on_wall(actor.workshop.id, shown)
    return {"themes_on_wall": shown}, [fact] if fact else []


def run_here(function: Callable[..., Any], *args: Any) -> Any:
    """Run a function in the caller's thread (the default way to run the engine)."""
    return function(*args)


def suggest_clusters(store: Store, actor: Actor | None, payload: object,
                     run: Callable[..., Any] = run_here) -> Result:
    """Facilitator -> proposed themes for the unsorted ideas and likely duplicates; changes nothing.

    `run` lets the server compute in a worker thread so the event loop keeps serving; the store is
    read before and never from that thread.
    """
    actor = require_facilitator(actor)
    fields(payload)
    ids = store.unsorted_idea_ids(actor.workshop.id)
    texts = store.idea_texts(actor.workshop.id, ids)
    visible = store.stack_tops(actor.workshop.id)
    visible_texts = store.idea_texts(actor.workshop.id, visible)
    found, groups = run(_engine, texts, visible_texts)
    suggestions = [{"label": s.label, "idea_ids": [ids[m] for m in s.members]} for s in found]
    duplicates = [[visible[i] for i in group] for group in groups]
    return {"suggestions": suggestions, "duplicates": duplicates}, []


def _engine(texts: list[str], visible_texts: list[str]) -> tuple[list[Any], list[list[int]]]:
    return clustering.suggest_clusters(texts), clustering.find_duplicates(visible_texts)


def apply_suggestions(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> accepted suggestions become themes; only still-unsorted ideas move; one
    `clusters_created`."""
    actor = require_facilitator(actor)
    items = fields(payload).get("suggestions")
    if not isinstance(items, list) or len(items) > MAX_SUGGESTIONS:
        raise CommandError("invalid", "suggestions must be a list of {label, idea_ids}.")
    groups = [(_label(fields(item)), _id_list(fields(item), "idea_ids")) for item in items]
    fact = store.apply_suggestions(actor.workshop.id, groups)
    created = [{k: c[k] for k in ("id", "label", "position")} for c in fact.payload["clusters"]] if fact else []
    return {"clusters": created}, [fact] if fact else []


def stack_ideas(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> ideas stacked under the first one's card, all kept; `ideas_stacked`."""
    actor = require_facilitator(actor)
    ids = _id_list(fields(payload), "idea_ids")
    if len(ids) < 2:
        raise CommandError("invalid", "Choose at least two ideas to stack.")
    for idea_id in ids:
        _idea_id(store, actor, {"idea_id": idea_id})
    top = store.get_idea(actor.workshop.id, ids[0])
    top_id = top.duplicate_of if top and top.duplicate_of is not None else ids[0]
    fact = store.stack_ideas(actor.workshop.id, top_id, [i for i in ids if i != top_id])
    return {"idea_id": top_id, "duplicate_ids": fact.payload["duplicate_ids"]}, [fact]


def unstack_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> one idea off its stack, a card of its own again; `idea_unstacked`."""
    actor = require_facilitator(actor)
    idea_id = _idea_id(store, actor, fields(payload))
    fact = store.unstack_idea(actor.workshop.id, idea_id)
    return {"idea_id": idea_id}, [fact] if fact else []
