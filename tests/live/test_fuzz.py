"""Fuzz every Socket.IO command (from the registry) and every HTTP route (from the URL map) of a real
server with wrong types, huge and odd Unicode values, missing and extra fields. The suite fails on
any `server_error`, any traceback in the server log, or any change to stored data: every input here
is invalid, so each must be refused with a clear error and leave the database as it was."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from typing import Any, Union
from urllib.parse import quote

import pytest
import requests

from facilitation.commands import COMMANDS
from facilitation.model import FACILITATOR, PARTICIPANT
from tests.servers import LiveServer, Peer

SURROGATE = "\ud800"
DEEP: Any = [[[[[[[[[[1]]]]]]]]]]
# Invalid whatever the field: the server must refuse these before any command looks at them.
ALWAYS_BAD: list[Any] = [SURROGATE, "ok" + SURROGATE, 2**70, -(2**70), {SURROGATE: 1}, DEEP, 1.5]
BAD_INT: list[Any] = ["1", True, [], {}, "", 2**64]
BAD_BOOL: list[Any] = [1, 0, "true", [], {}]
BAD_TEXT: list[Any] = [5, True, [], {}, "", " \t\n ", "\x00\x01", "x" * 5000, "é" * 5000]  # < 64 KB as JSON
BAD_LIST: list[Any] = ["x", 5, {}, [1.5], [SURROGATE], [2**70], list(range(6000))]
EXTRA = {"zzz": "🙂" * 1000, "\u0301" * 50: ["\u202e", "\U0010ffff"], "idea_id_": 2**62}
NOT_OBJECTS: list[Any] = ["x", 5, [], True, [{"a": 1}], "🙂" * 2000]
RULES = ["names", "pre_moderation", "idea_cap", "table_mode", "language", "phones_see_ideas"]


def bad_values(hint: Any) -> list[Any]:
    """Values that no field of type `hint` accepts."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        base = args[0]
        kind = next((a for a in typing.get_args(base) if a is not type(None)), base)
        return ALWAYS_BAD + (BAD_INT if kind is int else BAD_TEXT if kind is str else [])
    if origin in (Union, types.UnionType):
        return bad_values(next(a for a in args if a is not type(None)))
    if hint is int:
        return ALWAYS_BAD + BAD_INT
    if hint is bool:
        return ALWAYS_BAD + BAD_BOOL
    if hint is str:
        return ALWAYS_BAD + BAD_TEXT
    if origin is list:
        return ALWAYS_BAD + BAD_LIST
    return ALWAYS_BAD


def payloads(name: str) -> Iterator[Any]:
    """Invalid payloads for command `name`: not an object, one bad field (with and without extra
    fields), a required field missing."""
    spec = COMMANDS[name]
    yield from NOT_OBJECTS
    yield {SURROGATE: SURROGATE}
    yield {"a": DEEP}
    if spec.payload is None:
        return
    if spec.payload is dict:  # set_rules: the rules are checked by the command
        for rule in RULES:
            for value in ALWAYS_BAD + ["maybe", -1, 10**6, [], {}]:
                yield {rule: value}
        return
    hints = typing.get_type_hints(spec.payload, include_extras=True)
    fields = dataclasses.fields(spec.payload)
    for field in fields:
        for value in bad_values(hints[field.name]):
            yield {field.name: value}
            yield {**EXTRA, field.name: value}
    required = [f for f in fields if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    if required:
        yield {}
        yield dict(EXTRA)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, so that its log and database hold only this module's doings."""
    live = LiveServer(tmp_path_factory.mktemp("fuzz"), "eventlet")
    live.start()
    yield live
    live.kill()


@pytest.fixture(scope="module")
def workshop(server: LiveServer) -> dict[str, Any]:
    """A workshop with ideas, a theme, tables and a participant, as the fuzz finds it."""
    created = server.create_workshop()
    console = Peer(server.url)
    assert console.call("join", {"code": created["code"], "facilitator_token": created["facilitator_token"]})["ok"]
    phone = Peer(server.url)
    joined = phone.call("join", {"code": created["code"]})
    for n in range(3):
        assert phone.call("post_idea", {"text": f"Idé {n}", "client_id": str(n)})["ok"]
    assert console.call("create_cluster", {"label": "Tema"})["ok"]
    assert console.call("set_tables", {"tables": ["Bord 1"]})["ok"]
    console.close()
    phone.close()
    return {**created, "participant_token": joined["participant_token"]}


class Sender:
    """A role's connection, renewed before the per-connection rate limit would refuse it."""

    def __init__(self, server: LiveServer, join: dict[str, Any]) -> None:
        self.server, self.join, self.peer, self.used = server, join, None, 0
        self.renew()

    def renew(self) -> None:
        if self.peer is not None:
            self.peer.close()
        self.peer = Peer(self.server.url)
        assert self.peer.call("join", self.join)["ok"]
        self.used = 0

    def call(self, event: str, payload: Any) -> Any:
        if self.used >= 50:
            self.renew()
        self.used += 1
        assert self.peer is not None
        return self.peer.call(event, payload)


@pytest.mark.timeout(900)
def test_every_command_refuses_every_bad_payload(server: LiveServer, workshop: dict[str, Any]) -> None:
    before = server.stored()
    senders = {FACILITATOR: Sender(server, {"code": workshop["code"],
                                            "facilitator_token": workshop["facilitator_token"]}),
               PARTICIPANT: Sender(server, {"code": workshop["code"],
                                            "participant_token": workshop["participant_token"]})}
    problems, sent = [], 0
    for name, spec in sorted(COMMANDS.items()):
        if not spec.socket:
            continue
        roles = [FACILITATOR, PARTICIPANT] if spec.who not in (FACILITATOR, PARTICIPANT) else [spec.who]
        for role in roles:
            for payload in payloads(name):
                try:
                    ack = senders[role].call(name, payload)
                except Exception as error:  # no answer at all: as bad as a crash
                    problems.append((name, role, repr(payload)[:80], repr(error)))
                    senders[role].renew()
                    continue
                sent += 1
                if ack.get("ok") or ack["error"]["code"] in ("server_error", "rate_limited"):
                    problems.append((name, role, repr(payload)[:80], ack))
    for bad_join in [{"code": SURROGATE}, {"code": 2**70}, {"code": "ZZZZZZ"}, {"code": ["A"]},
                     {"code": "A" * 30_000}, "x", 5, [], {"code": DEEP}, {"code": None, **EXTRA}]:
        ack = senders[PARTICIPANT].call("join", bad_join)
        sent += 1
        if ack.get("ok") or ack["error"]["code"] == "server_error":
            problems.append(("join", "anyone", repr(bad_join)[:80], ack))
    for sender in senders.values():
        assert sender.peer is not None
        sender.peer.close()
    log = server.log.read_text()
    assert problems == [], f"{len(problems)} of {sent}: {problems[:5]}"
    assert "Traceback" not in log and "command failed" not in log, log[-3000:]
    assert server.stored() == before
    assert sent > 1500  # the registry was really walked


@pytest.mark.timeout(900)
def test_every_http_route_answers_bad_input_clearly(server: LiveServer, workshop: dict[str, Any],
                                                    app: Any) -> None:
    before = server.stored()
    code = workshop["code"]
    odd = [quote(SURROGATE.encode("utf-8", "surrogatepass")), "%00", "%ff%fe", "A" * 5000,
           quote("🙂\u202e\u0301" * 50), "..%2F..%2Fetc%2Fpasswd", code]
    query = ("?token=%ED%A0%80&next=%ED%A0%80&table=" + str(2**70) + "&lang=%00&code=%ED%A0%80"
             "&v=" + "9" * 3000)
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    problems, sent = [], 0
    for rule in app.url_map.iter_rules():
        for value in odd:
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<{argument}>", value).replace(f"<path:{argument}>", value)
            for method in sorted(rule.methods & {"GET", "POST"}):
                for headers, body in [({}, None), (auth, None), (auth, {"text": ""}),
                                      ({"Content-Type": "application/json"}, b'{"title": "\\ud800"}'),
                                      (auth, b"\xff\xfe not json"),
                                      ({"Content-Type": "application/x-www-form-urlencoded"},
                                       b"csrf=%ED%A0%80&text=%ED%A0%80&title=%00")]:
                    response = requests.request(method, server.url + path + query, headers=headers,
                                                data=body if method == "POST" else None, timeout=10,
                                                allow_redirects=False)
                    sent += 1
                    if response.status_code >= 500:
                        problems.append((method, path[:60], response.status_code))
    for body in [{"title": SURROGATE, "prompt": "x"}, {"title": "x", "prompt": 2**70},
                 {"title": ["x"], "prompt": "y"}, {"title": "x" * 200, "prompt": "y"}, {"title": "x"},
                 [1], "x", {"title": "x", "prompt": "y", "language": SURROGATE}]:
        response = requests.post(server.url + "/api/workshops", json=body, timeout=10)
        sent += 1
        if response.status_code != 400 or "error" not in response.json():
            problems.append(("POST", "/api/workshops", body, response.status_code))
    log = server.log.read_text()
    assert problems == [], f"{len(problems)} of {sent}: {problems[:5]}"
    assert "Traceback" not in log, log[-3000:]
    assert server.stored() == before
