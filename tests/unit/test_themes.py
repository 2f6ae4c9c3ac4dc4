"""Theme commands over an in-memory store: rules, authorization, facts, and what suggestions touch."""

from __future__ import annotations

import functools
import pytest
from typing import Any
from sqlite_utils import Database

from facilitation import commands
from facilitation.errors import CommandError
from facilitation.model import FACILITATOR, Actor
from facilitation.store import Store
from tests.unit.commanding import refused

IDEAS = [
    "Flere cykelstier på Nørrebro", "Bredere cykelstier langs søerne", "Sikre cykelstier til skolebørn",
    "Længere åbningstider på biblioteket", "Biblioteket skal have åbent om søndagen",
    "Flere bøger på biblioteket om byens historie", "Gratis kaffe til alle",
]


@pytest.fixture
def setup(new_store: Any) -> dict[str, Any]:
    store = new_store()
    workshop, _ = store.create_workshop("T", "Q")
    participant, _ = commands.join(store, {"code": workshop.code})
    ideas = [commands.post_idea(store, participant, {"text": t, "client_id": str(n)})[0]["idea"]
             for n, t in enumerate(IDEAS)]
    return {"store": store, "fac": Actor(workshop, FACILITATOR), "participant": participant,
            "ideas": [i["id"] for i in ideas]}


def run(setup: dict[str, Any], name: str, payload: Any, actor: str = "fac") -> commands.Result:
    return getattr(commands, name)(setup["store"], setup[actor], payload)  # type: ignore[no-any-return]


def snapshot(setup: dict[str, Any]) -> dict[str, Any]:
    return setup["store"].snapshot(setup["fac"].workshop.id, include_hidden=True)  # type: ignore[no-any-return]


def test_participants_get_forbidden_for_every_theme_command(setup: dict[str, Any]) -> None:
    for name, payload in [("create_cluster", {"label": "x"}), ("rename_cluster", {"cluster_id": 1, "label": "y"}),
                          ("move_idea", {"idea_id": setup["ideas"][0], "cluster_id": None}),
                          ("move_ideas", {"idea_ids": setup["ideas"][:2], "cluster_id": None}),
                          ("merge_clusters", {"source_id": 1, "target_id": 2}),
                          ("delete_cluster", {"cluster_id": 1}), ("suggest_clusters", {}),
                          ("suggest_fits", {}), ("set_themes_on_wall", {"themes_on_wall": True}),
                          ("apply_suggestions", {"suggestions": []}),
                          ("reorder_clusters", {"cluster_ids": []}),
                          ("stack_ideas", {"idea_ids": setup["ideas"][:2]})]:
        assert refused(setup, name, payload, who="participant") == "forbidden", name


def test_create_move_rename_and_snapshot(setup: dict[str, Any]) -> None:
    ack, facts = run(setup, "create_cluster", {"label": "  Cykler "})
    cluster = ack["cluster"]
    assert cluster["label"] == "Cykler" and facts[0].type == "cluster_created"
    assert set(cluster) == {"id", "label", "position", "prompt_id"}  # the ack docs/protocol.md gives
    idea = setup["ideas"][0]
    _, facts = run(setup, "move_idea", {"idea_id": idea, "cluster_id": cluster["id"]})
    assert facts[0].type == "idea_moved" and facts[0].payload["cluster_id"] == cluster["id"]
    assert run(setup, "move_idea", {"idea_id": idea, "cluster_id": cluster["id"]})[1] == []
    _, facts = run(setup, "rename_cluster", {"cluster_id": cluster["id"], "label": "Cykelstier"})
    assert facts[0].payload == {"cluster_id": cluster["id"], "label": "Cykelstier"}
    state = snapshot(setup)
    assert state["clusters"] == [{"id": cluster["id"], "label": "Cykelstier", "position": 0,
                                 "prompt_id": state["workshop"]["active_prompt_id"]}]
    assert [i["cluster_id"] for i in state["ideas"]][:2] == [cluster["id"], None]
    run(setup, "move_idea", {"idea_id": idea, "cluster_id": None})
    assert snapshot(setup)["ideas"][0]["cluster_id"] is None


def test_bad_input_and_unknown_ids(setup: dict[str, Any]) -> None:
    assert refused(setup, "create_cluster", {"label": ""}) == "empty"
    assert refused(setup, "create_cluster", {"label": "x" * 81}) == "too_long"
    assert refused(setup, "create_cluster", ["label"]) == "invalid"
    assert refused(setup, "rename_cluster", {"cluster_id": 999, "label": "x"}) == "theme_not_found"
    assert refused(setup, "move_idea", {"idea_id": 999, "cluster_id": None}) == "idea_not_found"
    assert refused(setup, "move_idea", {"idea_id": setup["ideas"][0]}) == "invalid"
    assert refused(setup, "move_idea", {"idea_id": setup["ideas"][0], "cluster_id": 999}) == "theme_not_found"
    assert refused(setup, "move_idea", {"idea_id": "1", "cluster_id": None}) == "invalid"
    assert refused(setup, "delete_cluster", {"cluster_id": True}) == "invalid"
    assert refused(setup, "apply_suggestions", {"suggestions": "x"}) == "invalid"
    assert refused(setup, "apply_suggestions", {"suggestions": [{"label": "x", "idea_ids": ["a"]}]}) == "invalid"


def test_theme_of_another_workshop_is_not_found(setup: dict[str, Any]) -> None:
    store = setup["store"]
    other, _ = store.create_workshop("Other", "Q")
    foreign = commands.create_cluster(store, Actor(other, FACILITATOR), {"label": "Fremmed"})[0]
    payload = {"idea_id": setup["ideas"][0], "cluster_id": foreign["cluster"]["id"]}
    assert refused(setup, "move_idea", payload) == "theme_not_found"


def test_merge_and_delete_return_ideas(setup: dict[str, Any]) -> None:
    a = run(setup, "create_cluster", {"label": "A"})[0]["cluster"]["id"]
    b = run(setup, "create_cluster", {"label": "B"})[0]["cluster"]["id"]
    ids = setup["ideas"]
    run(setup, "move_idea", {"idea_id": ids[0], "cluster_id": a})
    run(setup, "move_idea", {"idea_id": ids[1], "cluster_id": b})
    assert refused(setup, "merge_clusters", {"source_id": a, "target_id": a}) == "invalid"
    _, facts = run(setup, "merge_clusters", {"source_id": a, "target_id": b})
    assert facts[0].payload == {"source_id": a, "target_id": b, "idea_ids": [ids[0]]}
    state = snapshot(setup)
    assert [c["id"] for c in state["clusters"]] == [b]
    assert [i["cluster_id"] for i in state["ideas"][:2]] == [b, b]
    _, facts = run(setup, "delete_cluster", {"cluster_id": b})
    assert facts[0].payload["idea_ids"] == [ids[0], ids[1]]
    state = snapshot(setup)
    assert state["clusters"] == [] and all(i["cluster_id"] is None for i in state["ideas"])


def test_reorder_needs_every_theme(setup: dict[str, Any]) -> None:
    ids = [run(setup, "create_cluster", {"label": label})[0]["cluster"]["id"] for label in "ABC"]
    assert refused(setup, "reorder_clusters", {"cluster_ids": ids[:2]}) == "invalid"
    run(setup, "reorder_clusters", {"cluster_ids": ids[::-1]})
    assert [c["label"] for c in snapshot(setup)["clusters"]] == ["C", "B", "A"]


def test_suggestions_touch_only_unsorted_ideas(setup: dict[str, Any]) -> None:
    ids = setup["ideas"]
    placed = run(setup, "create_cluster", {"label": "Mine"})[0]["cluster"]["id"]
    run(setup, "move_idea", {"idea_id": ids[0], "cluster_id": placed})
    ack, facts = run(setup, "suggest_clusters", {})
    assert facts == []  # suggesting changes nothing
    suggested = {i for s in ack["suggestions"] for i in s["idea_ids"]}
    assert ids[0] not in suggested
    assert any(set(s["idea_ids"]) >= {ids[3], ids[4]} for s in ack["suggestions"])

    # The facilitator placed an idea after asking: applying the old suggestion leaves it put.
    run(setup, "move_idea", {"idea_id": ids[3], "cluster_id": placed})
    ack, facts = run(setup, "apply_suggestions", {"suggestions": [
        {"label": "Bibliotek", "idea_ids": [ids[0], ids[3], ids[4], ids[5]]},
        {"label": "Tom", "idea_ids": [ids[0]]}]})
    assert [c["label"] for c in ack["clusters"]] == ["Bibliotek"]
    assert [f.type for f in facts] == ["clusters_created"]  # one action, one fact
    assert facts[0].payload["clusters"] == [{**ack["clusters"][0], "idea_ids": [ids[4], ids[5]]}]
    by_id = {i["id"]: i["cluster_id"] for i in snapshot(setup)["ideas"]}
    assert by_id[ids[0]] == placed and by_id[ids[3]] == placed
    assert by_id[ids[4]] == by_id[ids[5]] == ack["clusters"][0]["id"]


def test_suggestions_carry_shared_words_and_skip_the_question_words(new_store: Any) -> None:
    store = new_store()
    workshop, _ = store.create_workshop("Cykelstier i byen", "Hvad skal kommunen gøre for cyklisterne?")
    participant, _ = commands.join(store, {"code": workshop.code})
    texts = ["Kommunen skal bygge flere cykelstier ved skolerne", "Sikre cykelstier ved skolerne",
             "Cykelstier og skolerne: bedre overgange", "Kommunen skal åbne biblioteket om søndagen",
             "Biblioteket skal have flere bøger", "Gratis kaffe på biblioteket"]
    for n, text in enumerate(texts):
        commands.post_idea(store, participant, {"text": text, "client_id": str(n)})
    fac = Actor(workshop, FACILITATOR)
    ack, _ = commands.suggest_clusters(store, fac, {})
    labels = sorted(s["label"] for s in ack["suggestions"])
    # Not "Cykelstier", the title's word; headings in the indefinite form, not "Skolerne".
    assert labels == ["Bibliotek", "Skoler"], labels
    school = next(s for s in ack["suggestions"] if s["label"] == "Skoler")
    # The preview highlights the spelling the members wrote.
    assert school["words"] == ["skoler"] and school["forms"] == ["skolerne"]
    assert ack["granularity"] == 0
    assert commands.suggest_clusters(store, fac, {"granularity": -2})[0]["granularity"] == -2
    for bad in (3, -3, 1.5, True, "more"):
        with pytest.raises(CommandError) as error:
            commands.suggest_clusters(store, fac, {"granularity": bad})
        assert error.value.code == "invalid"


def test_fits_name_an_existing_theme_for_unsorted_ideas_and_change_nothing(setup: dict[str, Any]) -> None:
    ids = setup["ideas"]
    assert run(setup, "suggest_fits", {}) == ({"fits": []}, [])  # no themes yet: nothing to fit
    bikes = run(setup, "create_cluster", {"label": "Cykelstier"})[0]["cluster"]["id"]
    books = run(setup, "create_cluster", {"label": "Biblioteket"})[0]["cluster"]["id"]
    run(setup, "move_ideas", {"idea_ids": ids[:2], "cluster_id": bikes})
    run(setup, "move_ideas", {"idea_ids": ids[3:5], "cluster_id": books})
    before = snapshot(setup)
    ack, facts = run(setup, "suggest_fits", {})
    assert facts == [] and snapshot(setup) == before  # a hint never moves anything by itself
    fits = {f["idea_id"]: f["cluster_id"] for f in ack["fits"]}
    assert fits.get(ids[2]) == bikes and fits.get(ids[5]) == books
    assert ids[6] not in fits  # "Gratis kaffe til alle" fits neither: no hint
    run(setup, "move_ideas", {"idea_ids": ids, "cluster_id": books})  # nothing left unsorted
    assert run(setup, "suggest_fits", {}) == ({"fits": []}, [])  # was 'IN ()' on PostgreSQL: a 500


def test_stacked_duplicates_move_as_one_card_and_are_kept(setup: dict[str, Any]) -> None:
    store, ids = setup["store"], setup["ideas"]
    participant = setup["participant"]
    dup = commands.post_idea(store, participant, {"text": "flere cykelstier på nørrebro!",
                                                  "client_id": "dup"})[0]["idea"]["id"]
    ack, _ = run(setup, "suggest_clusters", {})
    assert [ids[0], dup] in ack["duplicates"]
    _, facts = run(setup, "stack_ideas", {"idea_ids": [ids[0], dup]})
    assert facts[0].payload == {"idea_id": ids[0], "duplicate_ids": [dup], "cluster_id": None}
    theme = run(setup, "create_cluster", {"label": "Cykler"})[0]["cluster"]["id"]
    run(setup, "move_idea", {"idea_id": dup, "cluster_id": theme})  # moving a duplicate moves its card
    by_id = {i["id"]: i for i in snapshot(setup)["ideas"]}
    assert by_id[ids[0]]["cluster_id"] == by_id[dup]["cluster_id"] == theme
    assert by_id[dup]["duplicate_of"] == ids[0] and len(by_id) == len(IDEAS) + 1
    assert dup not in {i for s in run(setup, "suggest_clusters", {})[0]["suggestions"] for i in s["idea_ids"]}
    run(setup, "unstack_idea", {"idea_id": dup})
    assert snapshot(setup)["ideas"][-1]["duplicate_of"] is None
    assert refused(setup, "stack_ideas", {"idea_ids": [ids[0]]}) == "invalid"


def test_themes_reach_the_wall_only_when_the_facilitator_shows_them(setup: dict[str, Any]) -> None:
    assert snapshot(setup)["workshop"]["themes_on_wall"] is False  # a new workshop keeps drafts off
    assert refused(setup, "set_themes_on_wall", {"themes_on_wall": True}, who="participant") == "forbidden"
    assert refused(setup, "set_themes_on_wall", {"themes_on_wall": "yes"}) == "invalid"
    assert refused(setup, "set_themes_on_wall", {}) == "invalid"
    ack, facts = run(setup, "set_themes_on_wall", {"themes_on_wall": True})
    assert ack == {"themes_on_wall": True}
    assert [(f.type, f.payload) for f in facts] == [("themes_on_wall_changed", {"themes_on_wall": True})]
    assert snapshot(setup)["workshop"]["themes_on_wall"] is True
    assert run(setup, "set_themes_on_wall", {"themes_on_wall": True})[1] == []  # no change, no fact
    _, facts = run(setup, "set_themes_on_wall", {"themes_on_wall": False})
    assert facts[0].payload == {"themes_on_wall": False}


@pytest.mark.sqlite_only  # a SQLite migration before PostgreSQL's baseline
def test_workshops_from_before_the_switch_keep_their_themes_on_the_wall() -> None:
    from facilitation.store.schema import m007_themes_on_wall, migrations

    db = Database(memory=True)
    migrations.apply(db, stop_before=m007_themes_on_wall.__name__)
    db.table("workshops").insert({"code": "OLD234", "title": "Old", "prompt": "Q",
                                  "facilitator_token_hash": "x", "seq": 0})
    migrations.apply(db)
    store = Store(db)
    assert store.get_workshop("OLD234").themes_on_wall is True  # type: ignore[union-attr]
    new, _ = store.create_workshop("New", "Q")
    assert new.themes_on_wall is False


def test_a_selection_moves_as_one_fact(setup: dict[str, Any]) -> None:
    store, ids = setup["store"], setup["ideas"]
    theme = run(setup, "create_cluster", {"label": "Cykler"})[0]["cluster"]["id"]
    run(setup, "stack_ideas", {"idea_ids": [ids[0], ids[1]]})
    run(setup, "move_idea", {"idea_id": ids[2], "cluster_id": theme})
    # The stacked duplicate stands for its card; an idea already there does not count as moved.
    ack, facts = run(setup, "move_ideas", {"idea_ids": [ids[1], ids[2], ids[3]], "cluster_id": theme})
    assert ack == {"idea_ids": [ids[0], ids[1], ids[3]], "cluster_id": theme}
    assert [f.type for f in facts] == ["idea_moved"] and facts[0].payload["idea_ids"] == ack["idea_ids"]
    assert run(setup, "move_ideas", {"idea_ids": [ids[3]], "cluster_id": theme})[1] == []
    ack, facts = run(setup, "move_ideas", {"idea_ids": [ids[0], ids[3]], "cluster_id": None})
    assert ack["idea_ids"] == [ids[0], ids[1], ids[3]] and len(facts) == 1
    assert refused(setup, "move_ideas", {"idea_ids": [], "cluster_id": None}) == "invalid"
    assert refused(setup, "move_ideas", {"idea_ids": [ids[0]]}) == "invalid"
    assert refused(setup, "move_ideas", {"idea_ids": [99999], "cluster_id": None}) == "idea_not_found"
    assert refused(setup, "move_ideas", {"idea_ids": [ids[0]], "cluster_id": 99999}) == "theme_not_found"
    assert store.get_idea(setup["fac"].workshop.id, ids[2]).cluster_id == theme


def test_undo_of_a_merge_returns_its_dots_within_the_limits(app: Any, client: Any) -> None:
    """Over Socket.IO, as the console undoes a merge: the theme made again, then the dots the merge
    moved off it returned there, one transaction; nobody's dots change in number, and a participant
    who put a dot on the new theme meanwhile keeps within the most on one item."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console = socketio.test_client(app)
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    a, b, c = (socketio.test_client(app) for _ in range(3))
    for phone in (a, b, c):
        assert phone.emit("join", {"code": code}, callback=True)["ok"]

    def fac(event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = console.emit(event, payload, callback=True)
        assert ack["ok"], ack
        return ack  # type: ignore[no-any-return]

    def vote(phone: Any, theme: int) -> None:
        assert phone.emit("cast_vote", {"cluster_id": theme}, callback=True)["ok"]

    def mine(phone: Any) -> dict[str, Any]:
        return phone.emit("my_votes", {}, callback=True)["votes"]  # type: ignore[no-any-return]

    bikes, cars = (fac("create_cluster", {"label": label})["cluster"]["id"] for label in ("Cykler", "Trafik"))
    fac("set_voting", {"dots": 3, "max_per_item": 1, "vote_on": "both"})
    fac("set_phase", {"phase": "vote"})
    for phone, themes in ((a, [bikes, cars]), (b, [bikes]), (c, [cars])):
        for theme in themes:
            vote(phone, theme)
    merged = fac("merge_clusters", {"source_id": bikes, "target_id": cars})
    store = app.extensions["facilitation.store"]
    workshop_id = store.get_workshop(code).id
    assert store.vote_totals(workshop_id)["clusters"] == {str(cars): 4}
    again = fac("create_cluster", {"label": "Cykler"})["cluster"]["id"]  # the undo's first step
    vote(b, again)  # meanwhile: b's dot from the merge may not make two on one theme
    assert b.emit("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again},
                  callback=True)["error"]["code"] == "forbidden"
    back = fac("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again})
    assert (back["dots"], back["kept"]) == (1, 1)
    assert store.vote_totals(workshop_id)["clusters"] == {str(again): 2, str(cars): 3}
    assert mine(a) == {"ideas": {}, "clusters": {str(again): 1, str(cars): 1}, "dots_left": 1}
    assert mine(b) == {"ideas": {}, "clusters": {str(again): 1, str(cars): 1}, "dots_left": 1}
    assert mine(c) == {"ideas": {}, "clusters": {str(cars): 1}, "dots_left": 2}
    assert fac("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again})["dots"] == 0


def test_undoing_two_merges_in_turn_returns_each_dot_to_its_theme(setup: dict[str, Any]) -> None:
    """A into B, then B into C: undone in turn, each dot is back on the theme it was on, though
    the first merge gave one participant two dots on B where one is the most."""
    store = setup["store"]
    setup["b"], _ = commands.join(store, {"code": setup["fac"].workshop.code})
    themes = {label: run(setup, "create_cluster", {"label": label})[0]["cluster"]["id"] for label in "ABC"}
    run(setup, "set_voting", {"dots": 3, "max_per_item": 1})
    run(setup, "set_phase", {"phase": "vote"})
    for who, label in (("participant", "A"), ("participant", "B"), ("b", "A"), ("b", "C")):
        run(setup, "cast_vote", {"cluster_id": themes[label]}, who)
    first = run(setup, "merge_clusters", {"source_id": themes["A"], "target_id": themes["B"]})[0]
    second = run(setup, "merge_clusters", {"source_id": themes["B"], "target_id": themes["C"]})[0]
    workshop_id = setup["fac"].workshop.id
    assert store.vote_totals(workshop_id)["clusters"] == {str(themes["C"]): 4}
    b_again = run(setup, "create_cluster", {"label": "B"})[0]["cluster"]["id"]
    back = run(setup, "return_merged_dots", {"merge_seq": second["merge_seq"], "cluster_id": b_again})[0]
    assert (back["dots"], back["kept"]) == (2, 1)  # the participant's dot from A waits on C
    a_again = run(setup, "create_cluster", {"label": "A"})[0]["cluster"]["id"]
    back = run(setup, "return_merged_dots", {"merge_seq": first["merge_seq"], "cluster_id": a_again})[0]
    assert (back["dots"], back["kept"]) == (2, 0)
    assert store.vote_totals(workshop_id)["clusters"] == {str(a_again): 2, str(b_again): 1, str(themes["C"]): 1}
    assert run(setup, "return_merged_dots", {"merge_seq": 10**6, "cluster_id": a_again})[0]["dots"] == 0
    with pytest.raises(CommandError):
        run(setup, "return_merged_dots", {"merge_seq": first["merge_seq"], "cluster_id": 10**6})


def test_a_merges_dots_wait_for_an_undo_in_their_own_question(setup: dict[str, Any]) -> None:
    """Undone while another question is active, a merge's dots are refused with `other_question`
    and nothing changes, its record included: undone in their question, they go back."""
    store, workshop_id = setup["store"], setup["fac"].workshop.id
    first = store.get_workshop(setup["fac"].workshop.code).active_prompt_id
    themes = [run(setup, "create_cluster", {"label": label})[0]["cluster"]["id"] for label in "AB"]
    run(setup, "set_voting", {"dots": 3, "max_per_item": 1})
    run(setup, "set_phase", {"phase": "vote"})
    run(setup, "cast_vote", {"cluster_id": themes[0]}, "participant")
    merged = run(setup, "merge_clusters", {"source_id": themes[0], "target_id": themes[1]})[0]
    second = run(setup, "add_prompt", {"text": "Og hvad så?"})[0]["prompt"]["id"]
    run(setup, "set_active_prompt", {"prompt_id": second})
    elsewhere = run(setup, "create_cluster", {"label": "A"})[0]["cluster"]["id"]
    with pytest.raises(CommandError) as error:
        run(setup, "return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": elsewhere})
    assert error.value.code == "other_question" and "another question" in error.value.message
    assert store.vote_totals(workshop_id, first)["clusters"] == {str(themes[1]): 1}
    run(setup, "set_active_prompt", {"prompt_id": first})
    again = run(setup, "create_cluster", {"label": "A"})[0]["cluster"]["id"]
    back = run(setup, "return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again})[0]
    assert (back["dots"], back["kept"]) == (1, 0)
    assert store.vote_totals(workshop_id, first)["clusters"] == {str(again): 1}


def test_a_theme_deleted_before_the_dots_return_is_not_found(setup: dict[str, Any]) -> None:
    """Checked in the transaction that moves the dots: a theme deleted meanwhile (another console)
    is `theme_not_found`, not a server error."""
    themes = [run(setup, "create_cluster", {"label": label})[0]["cluster"]["id"] for label in "AB"]
    merged = run(setup, "merge_clusters", {"source_id": themes[0], "target_id": themes[1]})[0]
    with pytest.raises(CommandError) as error:
        setup["store"].return_merged_dots(setup["fac"].workshop.id, merged["merge_seq"], themes[0])
    assert error.value.code == "theme_not_found"


def _command(console: Any, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A facilitator's command over a Socket.IO test client; its ack, which must be ok."""
    ack = console.emit(event, payload, callback=True)
    assert ack["ok"], ack
    return ack  # type: ignore[no-any-return]


def heard(phone: Any) -> list[dict[str, Any]]:
    """The `my_votes_changed` a Socket.IO test client received since it was last asked."""
    return [m["args"][0] for m in phone.get_received() if m["name"] == "my_votes_changed"]


def test_phones_whose_dots_a_theme_change_moves_hear_where_they_now_are(app: Any, client: Any) -> None:
    """Over Socket.IO: a merge, its undo, a theme's deletion and an idea's each send `my_votes_changed`
    with its new dots to the phones of the participant whose dots moved (own stream, `oseq`), and to its
    table-mates in table mode; a phone without dots there, the walls and the consoles hear nothing
    of it, live or on `sync`."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console, wall, a, b = (socketio.test_client(app) for _ in range(4))
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    assert wall.emit("join", {"code": code, "viewer": True}, callback=True)["ok"]
    oseq = {phone: phone.emit("join", {"code": code}, callback=True)["oseq"] for phone in (a, b)}

    fac = functools.partial(_command, console)

    def told(votes: dict[str, Any]) -> None:
        got = heard(a)
        oseq[a] += 1
        assert [(m["votes"], m["oseq"]) for m in got] == [(votes, oseq[a])], got
        asked = a.emit("my_votes", {}, callback=True)  # the same dots, at the same seq
        assert (asked["votes"], asked["seq"]) == (votes, got[0]["seq"])
        assert heard(b) == [] and heard(console) == [] and heard(wall) == []

    first, second = (fac("create_cluster", {"label": label})["cluster"]["id"] for label in ("A", "B"))
    fac("set_voting", {"dots": 2, "max_per_item": 1, "vote_on": "both"})
    fac("set_phase", {"phase": "vote"})
    cast = a.emit("cast_vote", {"cluster_id": first}, callback=True)
    assert cast["dots_left"] == 1
    oseq[a] += 1  # its own my_votes_changed (its other tabs hear it: test_a_table_hears_each_dot)
    assert [m["oseq"] for m in heard(a)] == [oseq[a]]
    merged = fac("merge_clusters", {"source_id": first, "target_id": second})
    assert merged["merge_seq"] > cast["seq"]  # a phone orders the fact after its dot by seq
    told({"ideas": {}, "clusters": {str(second): 1}, "dots_left": 1})
    again = fac("create_cluster", {"label": "A"})["cluster"]["id"]  # the console's undo
    fac("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again})
    told({"ideas": {}, "clusters": {str(again): 1}, "dots_left": 1})
    fac("delete_cluster", {"cluster_id": again})
    told({"ideas": {}, "clusters": {}, "dots_left": 2})
    # An author deleting its idea (posting open again after a vote) gives the dots on it back.
    fac("set_phase", {"phase": "collect"})
    idea = b.emit("post_idea", {"text": "Flere bænke", "client_id": "1"}, callback=True)["idea"]["id"]
    fac("set_phase", {"phase": "vote"})
    assert a.emit("cast_vote", {"idea_id": idea}, callback=True)["ok"]
    oseq[a] += 1
    fac("set_phase", {"phase": "collect"})
    for phone in (a, b, console, wall):
        phone.get_received()
    assert b.emit("delete_idea", {"idea_id": idea}, callback=True)["ok"]
    told({"ideas": {}, "clusters": {}, "dots_left": 2})
    fac("set_phase", {"phase": "vote"})
    for screen in (wall, console):  # who placed which dot stays with the phones
        replay = screen.emit("sync", {"since": 0}, callback=True)
        assert replay["facts"] and all(f["event"] != "my_votes_changed" for f in replay["facts"])

    # In table mode the table's phones share one budget: each of them hears where it now stands.
    table = fac("set_tables", {"tables": ["Bord 1"]})["tables"][0]["id"]
    fac("set_rules", {"table_mode": True})
    for phone in (a, b):
        assert phone.emit("set_table", {"table_id": table}, callback=True)["ok"]
    third = fac("create_cluster", {"label": "C"})["cluster"]["id"]
    assert b.emit("cast_vote", {"cluster_id": third}, callback=True)["ok"]
    for phone in (a, b, console, wall):
        phone.get_received()
    fac("merge_clusters", {"source_id": third, "target_id": second})
    shared = {"ideas": {}, "clusters": {str(second): 1}, "dots_left": 1}
    assert [m["votes"] for m in heard(a)] == [shared] == [m["votes"] for m in heard(b)]
    assert heard(console) == [] and heard(wall) == []


def test_a_table_hears_each_dot_its_phones_place_or_take_back(app: Any, client: Any) -> None:
    """Over Socket.IO, table mode: B's dot placed and taken back reach A (same table, one budget)
    as `my_votes_changed` with the table's dots left, in the vote's transaction (its seq is after
    the ack's), and B's other tab hears its own dot; in participant mode A hears nothing of a
    stranger's dot, and no wall or console hears either."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console, wall, a, b, stranger = (socketio.test_client(app) for _ in range(5))
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    assert wall.emit("join", {"code": code, "viewer": True}, callback=True)["ok"]
    joined = {phone: phone.emit("join", {"code": code}, callback=True) for phone in (a, b, stranger)}
    b_tab = socketio.test_client(app)  # B's second tab: the same participant
    assert b_tab.emit("join", {"code": code, "participant_token": joined[b]["participant_token"]},
                      callback=True)["ok"]

    fac = functools.partial(_command, console)

    theme = fac("create_cluster", {"label": "A"})["cluster"]["id"]
    fac("set_voting", {"dots": 3, "max_per_item": 2, "vote_on": "both"})
    fac("set_phase", {"phase": "vote"})
    # Participant mode: a stranger's dot is its own; A hears nothing of it.
    for phone in (a, b, b_tab, stranger, console, wall):
        phone.get_received()
    assert stranger.emit("cast_vote", {"cluster_id": theme}, callback=True)["dots_left"] == 2
    assert heard(a) == [] and heard(b) == [] and heard(console) == [] and heard(wall) == []
    assert [m["votes"]["dots_left"] for m in heard(stranger)] == [2]  # its own phone, as all of them
    assert b.emit("cast_vote", {"cluster_id": theme}, callback=True)["dots_left"] == 2
    assert [m["votes"]["dots_left"] for m in heard(b_tab)] == [2]  # its other tab follows
    assert heard(a) == [] and heard(stranger) == []
    assert b.emit("retract_vote", {"cluster_id": theme}, callback=True)["dots_left"] == 3
    assert [m["votes"]["dots_left"] for m in heard(b_tab)] == [3]

    table = fac("set_tables", {"tables": ["Bord 1"]})["tables"][0]["id"]
    fac("set_rules", {"table_mode": True})
    for phone in (a, b):
        assert phone.emit("set_table", {"table_id": table}, callback=True)["ok"]
    for phone in (a, b, b_tab, stranger, console, wall):
        phone.get_received()
    cast = b.emit("cast_vote", {"cluster_id": theme}, callback=True)
    assert cast["dots_left"] == 2
    told = heard(a)
    assert [m["votes"] for m in told] == [{"ideas": {}, "clusters": {str(theme): 1}, "dots_left": 2}], told
    assert told[0]["seq"] > cast["seq"]  # written with the dot, after the ack's seq
    assert a.emit("my_votes", {}, callback=True)["votes"] == told[0]["votes"]  # what A would ask
    assert heard(stranger) == [] and heard(console) == [] and heard(wall) == []
    mine = [m["votes"] for m in told]
    assert [m["votes"] for m in heard(b)] == mine == [m["votes"] for m in heard(b_tab)]  # B's phones too
    assert a.emit("cast_vote", {"cluster_id": theme}, callback=True)["dots_left"] == 1  # the table's budget
    assert [m["votes"]["dots_left"] for m in heard(b)] == [1] == [m["votes"]["dots_left"] for m in heard(b_tab)]
    assert [m["votes"]["dots_left"] for m in heard(a)] == [1]
    back = b.emit("retract_vote", {"cluster_id": theme}, callback=True)
    assert back["dots_left"] == 2
    told = heard(a)
    assert [m["votes"] for m in told] == [{"ideas": {}, "clusters": {str(theme): 1}, "dots_left": 2}], told
    assert told[0]["seq"] > back["seq"]
    assert heard(stranger) == [] and heard(console) == [] and heard(wall) == []
    replay = wall.emit("sync", {"since": 0}, callback=True)  # nor on a wall's sync
    assert all(f["event"] != "my_votes_changed" for f in replay["facts"])
    # Each dot tells the table: a participant places (and takes back) 20 at once, then one per 5 s.
    codes = [b.emit(name, {"cluster_id": theme}, callback=True).get("error", {}).get("code")
             for _ in range(24) for name in ("retract_vote", "cast_vote")]  # B has sent 2 of each
    assert codes[:36] == [None] * 36 and set(codes[36:]) >= {"rate_limited"}, codes


def test_a_screen_syncing_after_a_merge_of_many_voters_dots_gets_facts_not_a_snapshot(app: Any, client: Any) -> None:
    """Over Socket.IO: a merge of a theme carrying 600 participants' dots logs 600 `my_votes_changed`
    (more than sync's 500 facts), which no screen receives: a console and a wall that `sync` from
    before the merge get its fact and what followed it, not a whole snapshot, with `seq` past the
    phones' own facts (else the next fact would look like a gap again); none of those is among them."""
    from facilitation import socketio
    from facilitation.commands.core import SYNC_LIMIT

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console, wall = socketio.test_client(app), socketio.test_client(app)
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    assert wall.emit("join", {"code": code, "viewer": True}, callback=True)["ok"]
    fac = functools.partial(_command, console)
    source, target = (fac("create_cluster", {"label": label})["cluster"]["id"] for label in ("A", "B"))
    fac("set_voting", {"dots": 2, "max_per_item": 1})
    fac("set_phase", {"phase": "vote"})
    store = app.extensions["facilitation.store"]  # the voters as the command runs them, without 600 sockets
    for _ in range(SYNC_LIMIT + 100):
        phone, _ = commands.join(store, {"code": code})
        commands.cast_vote(store, phone, {"cluster_id": source})
    since = store.get_workshop(code).seq
    merged = fac("merge_clusters", {"source_id": source, "target_id": target})
    told = store.get_workshop(code).seq
    assert told - merged["merge_seq"] == SYNC_LIMIT + 100  # the phones' facts took their numbers
    for screen in (console, wall):
        ack = screen.emit("sync", {"since": since}, callback=True)
        assert ack["ok"] and "snapshot" not in ack, sorted(ack)
        assert [(f["event"], f["data"]["seq"]) for f in ack["facts"]] == [("clusters_merged", merged["merge_seq"])]
        assert ack["seq"] == told
    after = fac("create_cluster", {"label": "C"})["cluster"]["id"]
    for screen in (console, wall):
        ack = screen.emit("sync", {"since": since}, callback=True)
        assert [f["event"] for f in ack["facts"]] == ["clusters_merged", "cluster_created"], ack["facts"]
        assert ack["facts"][1]["data"]["cluster"]["id"] == after and ack["seq"] == told + 1


def test_a_merge_telling_hundreds_of_voters_routes_them_in_one_pass_and_tells_them_after_its_ack(
        app: Any, client: Any) -> None:
    """Over Socket.IO: a merge of a theme with 300 participants' dots numbers their 300
    `my_votes_changed` on their own streams with a few statements (one UPDATE ... RETURNING per 500
    participants, not a read of the workshop and an UPDATE each), and sends them after the ack (more
    than OWN_BATCH): each phone still hears its own, in `oseq` order, and so does its undo; no
    screen hears any."""
    import time

    from facilitation import socketio
    from facilitation.dispatch import OWN_BATCH

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console, wall, a = (socketio.test_client(app) for _ in range(3))
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    assert wall.emit("join", {"code": code, "viewer": True}, callback=True)["ok"]
    oseq = a.emit("join", {"code": code}, callback=True)["oseq"]
    fac = functools.partial(_command, console)
    source, target = (fac("create_cluster", {"label": label})["cluster"]["id"] for label in ("A", "B"))
    fac("set_voting", {"dots": 2, "max_per_item": 1})
    fac("set_phase", {"phase": "vote"})
    assert a.emit("cast_vote", {"cluster_id": source}, callback=True)["ok"]
    oseq += 1  # its own my_votes_changed
    store = app.extensions["facilitation.store"]
    for _ in range(OWN_BATCH + 100):
        phone, _ = commands.join(store, {"code": code})
        commands.cast_vote(store, phone, {"cluster_id": source})
    for screen in (a, console, wall):
        screen.get_received()

    def hear(votes: dict[str, Any]) -> None:
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            got = heard(a)
            time.sleep(0.05)
        assert [(m["votes"], m["oseq"]) for m in got] == [(votes, oseq + 1)], got

    statements: list[str] = []
    execute = store.db.execute
    store.db.execute = lambda sql, *args: (statements.append(sql), execute(sql, *args))[1]
    try:
        merged = fac("merge_clusters", {"source_id": source, "target_id": target})
    finally:
        del store.db.execute
    assert len(statements) < 40, len(statements)  # 2 a phone told before: more than 600
    hear({"ideas": {}, "clusters": {str(target): 1}, "dots_left": 1})
    oseq += 1
    again = fac("create_cluster", {"label": "A"})["cluster"]["id"]
    fac("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again})
    hear({"ideas": {}, "clusters": {str(again): 1}, "dots_left": 1})
    time.sleep(0.2)  # the rest of the batch, had it reached a screen
    assert heard(console) == [] and heard(wall) == []


def test_screens_hear_which_fact_they_received_before_so_phones_own_facts_are_no_gap(
        app: Any, client: Any) -> None:
    """Over Socket.IO: participants' own facts (a dot's `my_votes_changed`, a merge's hundreds) take
    `seq` numbers no wall or console receives; the next fact a screen does receive carries
    `prev_seq`, the seq of the one it received before, so it needs no `sync`. Without own facts
    between them it has none (its payload as it always was)."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    console, wall, a = (socketio.test_client(app) for _ in range(3))
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    assert wall.emit("join", {"code": code, "viewer": True}, callback=True)["ok"]
    assert a.emit("join", {"code": code}, callback=True)["ok"]
    fac = functools.partial(_command, console)

    def screens_heard(event: str) -> list[tuple[int, int]]:
        """(seq, prev_seq) of each `event` the console heard, checked the same on the wall."""
        got = [[(m["args"][0]["seq"], m["args"][0].get("prev_seq")) for m in screen.get_received()
                if m["name"] == event] for screen in (console, wall)]
        assert got[0] == got[1], got
        return got[0]

    source, target = (fac("create_cluster", {"label": label})["cluster"]["id"] for label in ("A", "B"))
    fac("set_voting", {"dots": 2, "max_per_item": 1})
    fac("set_phase", {"phase": "vote"})
    (phase_seq, phase_prev), = screens_heard("phase_changed")
    assert phase_prev is None
    assert a.emit("cast_vote", {"cluster_id": source}, callback=True)["ok"]  # its own fact: one number
    store = app.extensions["facilitation.store"]
    for _ in range(3):
        phone, _ = commands.join(store, {"code": code})
        commands.cast_vote(store, phone, {"cluster_id": source})
    third = fac("create_cluster", {"label": "C"})["cluster"]["id"]
    assert screens_heard("cluster_created") == [(phase_seq + 5, phase_seq)]
    merged = fac("merge_clusters", {"source_id": source, "target_id": target})
    assert screens_heard("clusters_merged") == [(merged["merge_seq"], None)]  # right after C
    fac("rename_cluster", {"cluster_id": third, "label": "D"})  # after the 4 voters' facts
    assert screens_heard("cluster_renamed") == [(merged["merge_seq"] + 5, merged["merge_seq"])]
    fac("rename_cluster", {"cluster_id": third, "label": "E"})
    assert screens_heard("cluster_renamed") == [(merged["merge_seq"] + 6, None)]
