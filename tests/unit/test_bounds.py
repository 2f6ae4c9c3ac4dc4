"""Bounds on the work and storage one stranger can cause (issue 19), over an in-memory store."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation import commands
from tests.unit.commanding import do, refused, world


@pytest.fixture
def w(new_store: Any) -> dict[str, Any]:
    store = new_store()
    store.max_ideas = 5
    return world(store, "Hvad skal vi gøre?", ("a",))


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


def test_newcomers_past_a_halls_pace_are_held_until_the_facilitator_decides(app: Any, client: Any) -> None:
    from facilitation import socketio
    from facilitation.security import NEWCOMER_BURST

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    laptop = app.test_client()
    laptop.environ_base["REMOTE_ADDR"] = "10.9.9.9"  # one laptop, no join page: a script
    phones = []
    for n in range(NEWCOMER_BURST + 3):
        sock = socketio.test_client(app, flask_test_client=laptop)
        ack = sock.emit("join", {"code": code}, callback=True)
        assert ack["ok"] and ack["profile"]["held"] == (n >= NEWCOMER_BURST), n
        phones.append(sock)
    console = socketio.test_client(app)
    joined = console.emit("join", {"code": code, "facilitator_token": token}, callback=True)
    assert joined["snapshot"]["workshop"]["newcomers_held"] == 3
    assert joined["snapshot"]["workshop"]["newcomers_since"]
    posted = [p.emit("post_idea", {"text": f"Idé {n}", "client_id": "1"}, callback=True)["idea"]
              for n, p in enumerate(phones)]
    assert [i["pending"] for i in posted] == [False] * NEWCOMER_BURST + [True] * 3  # to moderation
    assert console.emit("set_phase", {"phase": "vote"}, callback=True)["ok"]
    first = posted[0]["id"]
    assert all(p.emit("cast_vote", {"idea_id": first}, callback=True)["ok"] for p in phones)
    store = app.extensions["facilitation.store"]
    workshop_id = store.get_workshop(code).id
    assert store.vote_totals(workshop_id)["ideas"] == {str(first): NEWCOMER_BURST}  # 3 wait
    let_in = console.emit("admit_newcomers", {"accept": True}, callback=True)
    assert let_in["ok"] and let_in["ideas"] == 3
    assert store.vote_totals(workshop_id)["ideas"] == {str(first): NEWCOMER_BURST + 3}
    assert store.presence(workshop_id)["newcomers_held"] == 0
    assert all(not store.get_idea(workshop_id, i["id"]).pending for i in posted)


def test_one_participants_ideas_are_hidden_at_once_and_shown_again(w: dict[str, Any]) -> None:
    b, _ = commands.join(w["store"], {"code": w["fac"].workshop.code})
    w["b"] = b
    mine = [do(w, "post_idea", {"text": f"Spam {n}", "client_id": str(n)}, "a")["idea"]["id"] for n in range(3)]
    other = do(w, "post_idea", {"text": "Cykelstier", "client_id": "x"}, "b")["idea"]["id"]
    hidden = do(w, "hide_author_ideas", {"idea_id": mine[1]})
    assert hidden["idea_ids"] == mine and hidden["changed"] == 3
    assert [i["id"] for i in w["store"].snapshot(w["id"], include_hidden=False)["ideas"]] == [other]
    shown = do(w, "hide_author_ideas", {"idea_id": mine[1], "hidden": False})  # the console's undo
    assert shown["changed"] == 3
    assert len(w["store"].snapshot(w["id"], include_hidden=False)["ideas"]) == 4
    assert refused(w, "hide_author_ideas", {"idea_id": mine[0]}, "a") == "forbidden"


@pytest.mark.parametrize("hidden", [True, False])
def test_hiding_or_showing_one_participants_ideas_is_one_transaction(
        w: dict[str, Any], hidden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure on the second idea leaves all of them as they were, not some hidden, some shown."""
    store = w["store"]
    mine = [do(w, "post_idea", {"text": f"Spam {n}", "client_id": str(n)}, "a")["idea"]["id"] for n in range(3)]
    if not hidden:  # the console's undo: they were all hidden
        do(w, "hide_author_ideas", {"idea_id": mine[0]})
    seq = store.snapshot(w["id"], include_hidden=True)["seq"]
    set_hidden, calls = store.set_hidden, []

    def fails_second(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the disk went away")
        return set_hidden(*args)
    monkeypatch.setattr(store, "set_hidden", fails_second)
    with pytest.raises((RuntimeError, commands.registry.CommandError)):
        do(w, "hide_author_ideas", {"idea_id": mine[0], "hidden": hidden})
    assert len(calls) == 2  # the first idea did change before the failure
    assert [store.get_idea(w["id"], i).hidden for i in mine] == [not hidden] * 3
    assert store.snapshot(w["id"], include_hidden=True)["seq"] == seq  # no fact logged
    monkeypatch.undo()
    ack, facts = commands.execute(store, w["fac"], "hide_author_ideas", {"idea_id": mine[0], "hidden": hidden})
    assert ack["changed"] == 3 and [store.get_idea(w["id"], i).hidden for i in mine] == [hidden] * 3
    assert [f.type for f in facts] == ["idea_hidden" if hidden else "idea_shown"] * 3


def test_a_rule_closes_the_vote_to_newcomers(w: dict[str, Any]) -> None:
    idea = do(w, "post_idea", {"text": "Bænke", "client_id": "1"}, "a")["idea"]["id"]
    do(w, "set_rules", {"vote_closed_to_newcomers": True})
    do(w, "set_phase", {"phase": "vote"})
    late, _ = commands.join(w["store"], {"code": w["fac"].workshop.code})
    w["late"] = late
    assert refused(w, "cast_vote", {"idea_id": idea}, "late") == "closed_to_newcomers"
    assert do(w, "cast_vote", {"idea_id": idea}, "a")["dots_left"] >= 0  # who was there votes


def test_the_balancer_of_workers_holds_the_slowloris_bounds(tmp_path: Any) -> None:
    import subprocess

    from facilitation.balancer import config as haproxy_config
    from tests.servers import require

    config = haproxy_config("0.0.0.0", 8000, [8001, 8002], 1000, "secret", tmp_path,
                            ["192.0.2.0/24"], 10, 25)
    assert "timeout http-request 10s" in config  # the workers see only HAProxy: it cuts trickles
    assert "reject if { sc0_conn_cur gt 25 } !{ src 127.0.0.0/8 ::1 192.0.2.0/24 }" in config
    require("haproxy")
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    checked = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("accept", [True, False])
def test_a_decision_on_newcomers_and_their_ideas_is_one_transaction(
        w: dict[str, Any], accept: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while their ideas change leaves the newcomers waiting, none of it half done."""
    store = w["store"]
    w["b"], _ = commands.join(store, {"code": w["code"]})
    store.hold(w["b"].participant_id)
    idea = do(w, "post_idea", {"text": "Bænke", "client_id": "1"}, "b")["idea"]["id"]
    seq = store.snapshot(w["id"], include_hidden=True)["seq"]

    def fails(*args: Any) -> None:
        raise RuntimeError("the disk went away")
    monkeypatch.setattr(store, "approve_idea" if accept else "set_hidden", fails)
    with pytest.raises((RuntimeError, commands.registry.CommandError)):
        do(w, "admit_newcomers", {"accept": accept})
    assert store.presence(w["id"])["newcomers_held"] == 1
    assert store.snapshot(w["id"], include_hidden=True)["seq"] == seq  # no fact logged
    waiting = store.get_idea(w["id"], idea)
    assert (waiting.pending, waiting.hidden) == (True, False)
    monkeypatch.undo()
    ack, facts = commands.execute(store, w["fac"], "admit_newcomers", {"accept": accept})
    assert ack["ideas"] == 1 and store.presence(w["id"])["newcomers_held"] == 0
    assert [f.type for f in facts] == ["newcomer_decided", "idea_approved" if accept else "idea_hidden"]
    decided = store.get_idea(w["id"], idea)
    assert (decided.pending, decided.hidden) == ((False, False) if accept else (True, True))


def _spam_and_console(app: Any, client: Any) -> tuple[str, str, Any, Any, list[int], int]:
    """A workshop over Socket.IO: a spammer's three ideas, another participant's one, a console."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code, token = created["code"], created["facilitator_token"]
    spammer, other, console = (socketio.test_client(app) for _ in range(3))
    for sock in (spammer, other):
        assert sock.emit("join", {"code": code}, callback=True)["ok"]
    assert console.emit("join", {"code": code, "facilitator_token": token}, callback=True)["ok"]
    mine = [spammer.emit("post_idea", {"text": f"Spam {n}", "client_id": str(n)}, callback=True)["idea"]["id"]
            for n in range(3)]
    theirs = other.emit("post_idea", {"text": "Cykelstier", "client_id": "x"}, callback=True)["idea"]["id"]
    return code, token, spammer, console, mine, theirs


def test_undo_of_hiding_one_persons_ideas_shows_only_those_it_hid(app: Any, client: Any) -> None:
    """Over Socket.IO, as the console does it: the ack names the ideas the hiding changed, and the
    undo shows those again, not one hidden before (nor another author's named in the undo)."""
    code, token, spammer, console, mine, theirs = _spam_and_console(app, client)
    assert console.emit("hide_idea", {"idea_id": mine[0]}, callback=True)["ok"]  # hidden before
    assert console.emit("hide_idea", {"idea_id": theirs}, callback=True)["ok"]
    hidden = console.emit("hide_author_ideas", {"idea_id": mine[1], "hidden": True}, callback=True)
    assert hidden["ok"] and hidden["idea_ids"] == mine and hidden["changed"] == 2
    assert hidden["changed_ids"] == mine[1:]
    console.get_received()
    undo = {"idea_id": mine[1], "hidden": False, "idea_ids": [*hidden["changed_ids"], theirs]}
    assert spammer.emit("hide_author_ideas", undo, callback=True)["error"]["code"] == "forbidden"
    shown = console.emit("hide_author_ideas", undo, callback=True)
    assert shown["ok"] and shown["changed_ids"] == mine[1:] and shown["changed"] == 2
    facts = [e for e in console.get_received() if e["name"] in ("idea_shown", "idea_hidden")]
    assert sorted(e["args"][0]["idea"]["id"] for e in facts) == mine[1:]
    seen = client.get(f"/api/workshops/{code}", headers={"Authorization": f"Bearer {token}"}).get_json()
    hidden_now = {i["id"] for i in seen["ideas"] if i["hidden"]}
    assert hidden_now == {mine[0], theirs}  # hidden before the command: hidden still
    refused = console.emit("hide_author_ideas", {"idea_id": mine[1], "hidden": False, "idea_ids": "all"},
                           callback=True)
    assert refused["error"]["code"] == "invalid"


def test_undo_of_hiding_one_persons_ideas_works_once_the_idea_it_names_is_deleted(app: Any, client: Any) -> None:
    """The console's undo names the idea it was made from; its author may have deleted that one
    since (posting open): the next of the ideas it hid names the author, and those come back."""
    code, token, spammer, console, mine, theirs = _spam_and_console(app, client)
    hidden = console.emit("hide_author_ideas", {"idea_id": mine[0], "hidden": True}, callback=True)
    assert hidden["changed_ids"] == mine
    assert spammer.emit("delete_idea", {"idea_id": mine[0]}, callback=True)["ok"]
    undo = {"idea_id": mine[0], "hidden": False, "idea_ids": hidden["changed_ids"]}
    shown = console.emit("hide_author_ideas", undo, callback=True)
    assert shown["ok"], shown
    assert (shown["idea_ids"], shown["changed_ids"]) == (mine[1:], mine[1:])
    seen = client.get(f"/api/workshops/{code}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {i["id"]: i["hidden"] for i in seen["ideas"]} == {mine[1]: False, mine[2]: False, theirs: False}
    for n in (1, 2):
        assert spammer.emit("delete_idea", {"idea_id": mine[n]}, callback=True)["ok"]
    gone = console.emit("hide_author_ideas", {**undo, "idea_ids": [*mine, 10**9]}, callback=True)
    assert gone["error"]["code"] == "idea_not_found"  # none left to name the author
    assert console.emit("hide_author_ideas", {"idea_id": theirs, "idea_ids": [theirs]}, callback=True)["changed"] == 1


def test_a_dot_at_a_crowded_table_tells_at_most_max_told_table_mates(new_store: Any) -> None:
    """A table a crowd joined: one dot writes a `my_votes_changed` for the voter and at most
    MAX_TOLD table-mates (those not held first), not one per phone at the table."""
    from facilitation.model import FACILITATOR, Actor
    from facilitation.store.dots import MAX_TOLD

    store = new_store()
    workshop, _ = store.create_workshop("T", "Q")
    fac = Actor(workshop, FACILITATOR)
    theme = commands.create_cluster(store, fac, {"label": "A"})[0]["cluster"]["id"]
    table = commands.set_tables(store, fac, {"tables": ["Bord 1"]})[0]["tables"][0]["id"]
    commands.set_rules(store, fac, {"table_mode": True})
    phones = [commands.join(store, {"code": workshop.code})[0] for _ in range(MAX_TOLD + 5)]
    for phone in phones:
        commands.set_table(store, phone, {"table_id": table})
    commands.set_phase(store, fac, {"phase": "vote"})
    ack, facts = commands.cast_vote(store, phones[-1], {"cluster_id": theme})
    told = [fact.payload["participant_id"] for fact in facts]
    assert told == [phones[-1].participant_id] + [p.participant_id for p in phones[:MAX_TOLD]]
    assert {fact.payload["votes"]["dots_left"] for fact in facts} == {ack["dots_left"]}
