"""Bounds on the work and storage one stranger can cause (issue 19), over an in-memory store."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation import commands
from facilitation.model import FACILITATOR, Actor
from tests.unit.commanding import do, refused


@pytest.fixture
def w(new_store: Any) -> dict[str, Any]:
    store = new_store()
    store.max_ideas = 5
    workshop, _ = store.create_workshop("T", "Hvad skal vi gøre?")
    a, _ = commands.join(store, {"code": workshop.code})
    return {"store": store, "fac": Actor(workshop, FACILITATOR), "a": a, "id": workshop.id}


def test_a_workshop_stores_at_most_its_maximum_of_ideas(w: dict[str, Any]) -> None:
    assert do(w, "import_ideas", {"texts": ["en", "to", "tre"]})["imported"] == 3
    with pytest.raises(commands.registry.CommandError) as error:
        do(w, "import_ideas", {"texts": ["fire", "fem", "seks"]})
    assert error.value.code == "ideas_full" and "2" in error.value.render(lambda s: s)
    assert do(w, "post_idea", {"text": "fire", "client_id": "4"}, "a")["idea"]["text"] == "fire"
    assert do(w, "post_idea", {"text": "fem", "client_id": "5"}, "a")["idea"]["text"] == "fem"
    assert refused(w, "post_idea", {"text": "seks", "client_id": "6"}, "a") == "ideas_full"
    assert refused(w, "import_ideas", {"texts": ["syv"]}) == "ideas_full"
    # a resend of an idea already stored is answered as before
    assert do(w, "post_idea", {"text": "fem", "client_id": "5"}, "a")["idea"]["text"] == "fem"
    assert w["store"].ideas_posted_by("workshop_id", w["id"]) == 5


def test_a_snapshot_is_encoded_once_per_sequence_number_and_shared(w: dict[str, Any]) -> None:
    import json

    from facilitation import snapshots

    store = w["store"]
    workshop = store.get_workshop(w["fac"].workshop.code)
    wall = snapshots.snapshot(store, workshop, "wall")
    assert snapshots.snapshot(store, workshop, "wall") is wall  # the same object, the same text
    assert snapshots.snapshot(store, workshop, "facilitator") is not wall  # hidden ideas differ
    message = snapshots.dumps([{"ok": True, "snapshot": wall, "seq": wall["seq"]}], separators=(",", ":"))
    assert wall.json() in message and json.loads(message)[0]["snapshot"] == dict(wall)
    do(w, "post_idea", {"text": "ny", "client_id": "ny"}, "a")  # a new seq: a new snapshot
    fresh = snapshots.snapshot(store, store.get_workshop(workshop.code), "wall")
    assert fresh is not wall and [i["text"] for i in fresh["ideas"]] == ["ny"]
