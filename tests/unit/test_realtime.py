"""The Socket.IO namespace reaches commands through Flask-SocketIO's public API only."""

from __future__ import annotations

from typing import Any

import flask_socketio

from facilitation import socketio
from facilitation.commands import COMMANDS
from facilitation.realtime import WorkshopNamespace


def test_every_command_has_an_event_handler_of_its_own(app: Any) -> None:
    handlers = socketio.server.handlers["/"]
    assert sorted(name for name, spec in COMMANDS.items() if spec.socket and name not in handlers) == []
    assert WorkshopNamespace.trigger_event is flask_socketio.Namespace.trigger_event  # not overridden


def test_a_command_answers_through_its_handler_and_ignores_extra_arguments(app: Any) -> None:
    created = app.test_client().post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = socketio.test_client(app)
    assert phone.emit("join", {"code": created["code"]}, callback=True)["ok"]
    ack = phone.emit("post_idea", {"text": "Flere bænke", "client_id": "a"}, "extra", callback=True)
    assert ack["ok"] and ack["idea"]["text"] == "Flere bænke"
    assert phone.emit("post_idea", "not an object", callback=True)["error"]["code"] == "invalid"
    phone.disconnect()
