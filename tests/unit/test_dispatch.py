"""The registry and the one dispatcher: shared checks, payload parsing, error bodies in both languages,
and Socket.IO events routed by name (Flask-SocketIO's test client: in-process, no server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from facilitation import commands, socketio
from facilitation.commands import COMMANDS
from facilitation.commands.registry import JOINED, parse
from facilitation.errors import CATALOGUE, CommandError
from facilitation.model import FACILITATOR, PARTICIPANT, Actor

# A payload each command would accept on a live workshop: erasure must refuse it anyway.
GOOD = {"idea_id": 1, "cluster_id": 1, "text": "x", "client_id": "1", "open": True, "since": 0,
        "label": "x", "source_id": 1, "target_id": 2, "cluster_ids": [], "suggestions": [],
        "idea_ids": [1, 2], "phase": "vote", "seconds": 60, "dots": 3, "prompt_id": 1,
        "tables": [], "table_id": None, "name": None, "texts": ["x"]}


def test_every_command_on_an_erased_workshop_is_not_found(new_store: Any) -> None:
    store = new_store()
    workshop, _ = store.create_workshop("T", "Q")
    phone, _ = commands.join(store, {"code": workshop.code})
    store.delete_workshop(workshop.id, "test")
    actors = {FACILITATOR: Actor(workshop, FACILITATOR), PARTICIPANT: phone, JOINED: phone}
    for name, spec in COMMANDS.items():
        with pytest.raises(CommandError) as error:
            commands.execute(store, actors[spec.who], name, GOOD)
        assert error.value.code == "not_found", name


def test_every_command_declares_who_and_documents_itself() -> None:
    for name, spec in COMMANDS.items():
        assert spec.who in (FACILITATOR, PARTICIPANT, JOINED), name
        assert spec.__doc__ and spec.__doc__.strip(), name


@dataclass(frozen=True)
class Sample:
    count: int
    ids: list[int]
    maybe: int | None
    flag: bool = False


def test_payloads_are_parsed_into_their_types() -> None:
    assert parse(Sample, {"count": 2, "ids": [3, 3, 1], "maybe": None}) == Sample(2, [3, 1], None)
    for bad in ({"count": True, "ids": [], "maybe": 1}, {"count": 1, "ids": [1.5], "maybe": 1},
                {"count": 1, "ids": [], "maybe": 1, "flag": "yes"}, {"count": 1, "ids": []}, [1]):
        with pytest.raises(CommandError) as error:
            parse(Sample, bad)
        assert error.value.code == "invalid" and error.value.status == 400


def test_every_code_has_a_status_and_a_message() -> None:
    for code, (kind, message, _) in CATALOGUE.items():
        assert 400 <= CommandError(code).status <= 507 and message, code
        assert isinstance(CommandError(code), CommandError) and kind.status == CommandError(code).status


def test_http_errors_speak_the_readers_language(client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    url = f"/api/workshops/{created['code']}/results"
    danish = client.get(url, headers={"Accept-Language": "da"})
    english = client.get(url, headers={"Accept-Language": "en"})
    assert danish.status_code == english.status_code == 403
    assert danish.get_json() == {"error": {"code": "wrong_phase",
                                           "message": "Resultaterne vises efter afstemningen."}}
    assert english.get_json()["error"]["message"] == "The results are shown after the vote."
    empty = client.post("/api/workshops", json={"title": " ", "prompt": "Q"},
                        headers={"Accept-Language": "da"})
    assert empty.status_code == 400
    assert empty.get_json()["error"] == {"code": "empty", "message": "Titlen er tom. Skriv noget først."}


def sockets(app: Any, code: str, **join: Any) -> Any:
    """A Socket.IO test client that has joined workshop `code`."""
    peer = socketio.test_client(app, headers={"Accept-Language": "en"})
    assert peer.emit("join", {"code": code, **join}, callback=True)["ok"]
    return peer


def test_commands_are_routed_by_name_with_the_shared_checks(app: Any, client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    stranger = socketio.test_client(app)
    for event in ("hide_idea", "post_idea"):
        assert stranger.emit(event, {"idea_id": 1}, callback=True)["error"]["code"] == "not_joined"
    phone = sockets(app, created["code"])
    console = sockets(app, created["code"], facilitator_token=created["facilitator_token"])
    refused = phone.emit("set_phase", {"phase": "vote"}, callback=True)
    assert refused == {"ok": False, "error": {"code": "forbidden",
                                              "message": "Only the facilitator can do this."}}
    missing = console.emit("hide_idea", {"idea_id": 99}, callback=True)
    assert missing["error"]["code"] == "idea_not_found"
    for bad in ("text", [1], {"idea_id": "1"}, {"idea_id": True}, {}):
        assert console.emit("hide_idea", bad, callback=True)["error"]["code"] == "invalid", bad
    assert console.emit("set_phase", {"phase": "vote"}, callback=True) == {"ok": True, "phase": "vote"}
    phone.get_received()
    assert not console.emit("unknown_command", {}, callback=True)  # not an event of ours


def test_a_flood_from_one_connection_is_rate_limited(app: Any, client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = sockets(app, created["code"])
    codes = {phone.emit("sync", {"since": 0}, callback=True).get("error", {}).get("code")
             for _ in range(250)}  # 60 at once, then 20 a second: 250 within 9 s outrun it
    assert codes == {None, "rate_limited"}


def test_http_only_commands_are_not_socket_events(app: Any, client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    console = sockets(app, created["code"], facilitator_token=created["facilitator_token"])
    assert not console.emit("import_ideas", {"texts": ["x"]}, callback=True)
    assert client.get(f"/api/workshops/{created['code']}").get_json()["ideas"] == []


# Bad input over Socket.IO, in-process: the same event routing and acks as a live server gives.

@pytest.mark.parametrize("payload, code", [
    ({"text": "", "client_id": "a"}, "empty"),
    ({"text": " \n\t ", "client_id": "a"}, "empty"),
    ({"text": "x" * 501, "client_id": "a"}, "too_long"),
    ({"text": 42, "client_id": "a"}, "invalid"),
    ({"text": "ok"}, "invalid"),
    ({"text": "ok", "client_id": ["a"]}, "invalid"),
    (["not", "an", "object"], "invalid"),
    ("a string", "invalid"),
])
def test_bad_ideas_are_refused_with_a_message(app: Any, client: Any, payload: Any, code: str) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = sockets(app, created["code"])
    ack = phone.emit("post_idea", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert phone.emit("post_idea", {"text": "x" * 500, "client_id": "b"}, callback=True)["ok"]


def test_participants_cannot_facilitate_or_sort(app: Any, client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = sockets(app, created["code"])
    assert not phone.emit("post_idea", {"text": "Hej", "client_id": "x"}, callback=True).get("error")
    for event, payload in [("hide_idea", {"idea_id": 1}), ("show_idea", {"idea_id": 1}),
                           ("set_posting", {"open": False}), ("create_cluster", {"label": "x"}),
                           ("suggest_clusters", {}), ("apply_suggestions", {"suggestions": []}),
                           ("move_idea", {"idea_id": 1, "cluster_id": None}),
                           ("move_ideas", {"idea_ids": [1], "cluster_id": None})]:
        ack = phone.emit(event, payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", event
    guess = socketio.test_client(app).emit("join", {"code": created["code"], "facilitator_token": "guess"},
                                           callback=True)
    assert guess["ok"] is False and guess["error"]["code"] == "forbidden"


def test_batches_of_ideas_keep_phones_under_4000_messages_a_second() -> None:
    from facilitation.dispatch import batch_interval

    assert batch_interval(0) == batch_interval(2000) == batch_interval(4000) == 1.0
    assert batch_interval(10_000) == 2.5
    for phones in (5000, 10_000, 20_000):
        assert phones / batch_interval(phones) <= 4000


def test_one_handler_answers_every_refusal_as_json_or_a_page(client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code = created["code"]
    for path, status, error in [("/api/workshops/NOPE99", 404, "not_found"),
                                (f"/api/workshops/{code}/results", 403, "wrong_phase"),
                                (f"/api/workshops/{code}/results?prompt_id=x", 400, "invalid"),
                                (f"/w/{code}/export.csv", 401, "unauthorized")]:
        response = client.get(path)
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, error), path
    page = client.get(f"/w/{code}/report", headers={"Accept-Language": "en"})
    assert page.status_code == 401 and "This page is for the facilitator" in page.data.decode()
    missing = client.get("/w/NOPE99/wall", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and "We could not find that workshop" in missing.data.decode()


def test_a_rate_limited_payload_is_parsed_once(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from facilitation import dispatch
    from facilitation.commands import registry

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = sockets(app, created["code"])
    calls: list[object] = []

    def counted(kind: Any, payload: object) -> Any:
        calls.append(payload)
        return parse(kind, payload)
    monkeypatch.setattr(registry, "parse", counted)  # in `execute`
    monkeypatch.setattr(dispatch, "parse", counted)  # in the dispatcher, before the rate limit
    assert phone.emit("post_idea", {"text": "Flere bænke", "client_id": "a"}, callback=True)["ok"]
    assert calls == [{"text": "Flere bænke", "client_id": "a"}]
    phone.disconnect()
