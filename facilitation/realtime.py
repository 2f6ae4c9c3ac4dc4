"""The Socket.IO namespace: `join`, and every registered command by its event name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room
from werkzeug.exceptions import HTTPException

from . import commands
from .auth import is_admin
from .commands import COMMANDS
from .dispatch import (
    Dispatcher, broadcast, facilitators_room, participant_room, phones_room, room,
    screens_room, vote_totals, walls_room,
)
from .errors import N_, CommandError, NotFound, RateLimited
from .model import Actor, facilitator_cookie, normalize_code
from .security import (
    BARE_JOIN_BURST, BARE_JOIN_RATE, DEVICE_COOKIE, JOIN_BURST, JOIN_RATE, NEWCOMER_BURST,
    NEWCOMER_RATE, device_of,
    own_machine, secret_failed, throttle,
)
from .store import Store

__all__ = ["WorkshopNamespace", "broadcast", "room"]


def organiser_here() -> bool:
    """Whether the connection is the organiser's; a throttled address is told to wait."""
    try:
        return is_admin()
    except HTTPException as error:
        raise CommandError("too_many_attempts") from error


class WorkshopNamespace(Namespace):
    """Phones, walls and facilitator consoles of every workshop, on the default namespace.

    Each command event (a name in `commands.COMMANDS`) gets a handler of its own from
    `register_commands` (Flask-SocketIO's public `on_event`), which calls `on_command`; `join` and
    `disconnect` are this class's `on_<event>` methods.
    """

    def __init__(self, socketio: SocketIO, dispatcher: Dispatcher, namespace: str = "/") -> None:
        super().__init__(namespace)
        self.socketio = socketio
        self.dispatcher = dispatcher
        self.actors: dict[str, Actor] = {}

    @property
    def store(self) -> Store:
        return current_app.extensions["facilitation.store"]  # type: ignore[no-any-return]

    def register_commands(self) -> None:
        """Handle every Socket.IO command of the registry on this namespace: an event handler
        each, which python-socketio calls before it looks for an `on_<event>` method here."""
        for name, spec in COMMANDS.items():
            if spec.socket:
                self.socketio.on_event(name, self.command_handler(name), namespace=self.namespace)

    def command_handler(self, event: str) -> Callable[..., dict[str, Any]]:
        """The handler of the command `event`: any extra arguments a client sends are ignored."""
        def handler(payload: Any = None, *_: Any) -> dict[str, Any]:
            return self.on_command(event, payload)
        handler.__name__ = f"on_{event}"
        return handler

    def on_command(self, event: str, payload: Any = None) -> dict[str, Any]:
        """Any joined client -> the ack of the command `event` (see docs/protocol.md); its facts go
        to the workshop's screens."""
        ack, _ = self.dispatcher.call(request.sid, self.actors.get(request.sid), event, payload)
        return ack

    def on_disconnect(self, reason: Any = None) -> None:
        """Socket.IO -> forget the connection's actor and rate limits."""
        self.actors.pop(request.sid, None)
        self.dispatcher.forget(request.sid)
        collector = current_app.extensions.get("facilitation.collector")
        if collector is not None:  # the server's (app.py); tests' apps collect as Python does
            collector.connection_closed()

    def on_join(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Any client -> ack with role, participant token and snapshot; a new participant's arrival
        updates `participant_count` in the room (coalesced)."""
        code = normalize_code(payload.get("code")) if isinstance(payload, dict) else None

        def run() -> commands.Result:
            previous = self.actors.pop(request.sid, None)
            if previous is not None:
                self._leave(previous)
            if code is None:
                raise NotFound("not_found")
            join_room(room(code))
            presented = isinstance(payload, dict) and payload.get("facilitator_token") is not None
            if presented and throttle().blocked(request.remote_addr or ""):
                leave_room(room(code))
                raise CommandError("too_many_attempts")
            try:
                actor, (ack, facts) = commands.join(self.store, payload,
                                                    request.cookies.get(facilitator_cookie(code)),
                                                    organiser=organiser_here(),
                                                    device=device_of(request.cookies.get(DEVICE_COOKIE)),
                                                    admit=self._admit,
                                                    limit=current_app.config["MAX_PARTICIPANTS"],
                                                    enter=self._enter,
                                                    admit_snapshot=self.dispatcher.admit_snapshot)
            except Exception as error:
                leave_room(room(code))
                if presented and getattr(error, "code", None) == "forbidden":
                    secret_failed()  # a wrong facilitator token, guessed over the socket
                raise
            self._joined(actor, ack, payload)
            return ack, facts
        ack, _ = self.dispatcher.answer(request.sid, run, code)
        return ack

    @staticmethod
    def _rooms(actor: Actor) -> list[str]:
        """The rooms of a joined connection, by role: what reaches it."""
        code = actor.workshop.code
        if actor.participant_id is not None:
            return [phones_room(code), participant_room(code, actor.participant_id)]
        rooms = [screens_room(code)]
        return rooms + [facilitators_room(code) if actor.is_facilitator else walls_room(code)]

    def _enter(self, actor: Actor) -> None:
        """Into its rooms before its snapshot is read: a fact can then arrive twice, never be missed."""
        for name in self._rooms(actor):
            join_room(name)

    def _leave(self, actor: Actor) -> None:
        for name in [room(actor.workshop.code), *self._rooms(actor)]:
            leave_room(name)

    def _admit(self) -> None:
        """Let a new participant in within its address's join limit (see security.py)."""
        if own_machine():
            return  # the server's own machine is the operator's, as for creating workshops
        device = device_of(request.cookies.get(DEVICE_COOKIE))
        rate, burst = (JOIN_RATE, JOIN_BURST) if device else (BARE_JOIN_RATE, BARE_JOIN_BURST)
        kind = "join" if device else "bare-join"
        if not self.dispatcher.shared.allow(f"{kind}:{request.remote_addr}", rate, burst):
            raise RateLimited("rate_limited", N_("Many phones are joining at once. Wait a moment."))
        # In, but past a hall's pace from this address: held until the facilitator decides.
        g.newcomer_held = not self.dispatcher.shared.allow(f"pace:{request.remote_addr}",
                                                           NEWCOMER_RATE, NEWCOMER_BURST)

    def _joined(self, actor: Actor, ack: dict[str, Any], payload: dict[str, Any]) -> None:
        """Remember the connection's actor; a screen gets the totals it missed; count a new
        participant."""
        self.actors[request.sid] = actor
        if actor.participant_id is not None and g.pop("newcomer_held", False):
            self.store.hold(actor.participant_id)
            ack["profile"]["held"] = True
        if actor.participant_id is None:
            totals = vote_totals(self.store, actor.workshop)
            full = actor.is_facilitator or totals.results_shown
            emit(totals.type, totals.to_dict() if full else totals.wall_dict())  # what it missed
        elif ack["participant_token"] != payload.get("participant_token"):
            self.dispatcher.refresh("participant_count", actor.workshop)
