"""The Socket.IO namespace: a thin map from events to commands, acks, and one broadcast helper."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, request
from flask_socketio import Namespace, SocketIO, join_room, leave_room

from . import commands
from .model import Actor, CommandError, Fact, TokenBucket, facilitator_cookie, normalize_code
from .store import Store

log = logging.getLogger(__name__)

# A person types an idea in seconds; an outbox flushed after a reconnect sends a burst.
IDEA_RATE, IDEA_BURST = 0.5, 10
# Any client: enough for a facilitator clicking fast, too few to flood the server.
EVENT_RATE, EVENT_BURST = 20.0, 60
# Participant counts go out at most this often per workshop, however fast a hall joins.
COUNT_INTERVAL = 1.0


def room(code: str) -> str:
    """The Socket.IO room every screen of one workshop is in."""
    return f"workshop:{code}"


def broadcast(socketio: SocketIO, code: str, facts: Iterable[Fact]) -> None:
    """Send facts to every screen of a workshop: the one way state changes leave the server."""
    for fact in facts:
        socketio.emit(fact.type, fact.to_dict(), to=room(code))


class WorkshopNamespace(Namespace):
    """Phones, walls and facilitator consoles of every workshop, on the default namespace."""

    def __init__(self, socketio: SocketIO, namespace: str = "/") -> None:
        super().__init__(namespace)
        self.socketio = socketio
        self.actors: dict[str, Actor] = {}
        self.event_buckets: dict[str, TokenBucket] = {}
        self.idea_buckets: dict[int, TokenBucket] = {}
        self.count_sent: dict[str, float] = {}
        self.count_pending: set[str] = set()

    @property
    def store(self) -> Store:
        return current_app.extensions["facilitation.store"]  # type: ignore[no-any-return]

    def _run(self, command: Callable[[], tuple[dict[str, Any], list[Fact]]]) -> dict[str, Any]:
        """Run a command for the current client and turn its outcome into an ack."""
        bucket = self.event_buckets.setdefault(request.sid, TokenBucket(EVENT_RATE, EVENT_BURST))
        try:
            if not bucket.allow(time.monotonic()):
                raise CommandError("rate_limited", "Too many messages. Wait a moment, then try again.")
            ack, facts = command()
        except CommandError as error:
            return {"ok": False, "error": error.to_dict()}
        except Exception:
            log.exception("command failed")
            return {"ok": False, "error": {"code": "server_error",
                                           "message": "Something went wrong on the server. Try again."}}
        actor = self.actors.get(request.sid)
        if actor is not None:
            broadcast(self.socketio, actor.workshop.code, facts)
        return {"ok": True, **ack}

    def on_disconnect(self, reason: Any = None) -> None:
        """Socket.IO -> forget the connection's actor and rate limits."""
        self.actors.pop(request.sid, None)
        self.event_buckets.pop(request.sid, None)

    def on_join(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Any client -> ack with role, participant token and snapshot; a new participant's arrival
        updates `participant_count` in the room (coalesced)."""
        def command() -> tuple[dict[str, Any], list[Fact]]:
            code = normalize_code(payload.get("code")) if isinstance(payload, dict) else None
            previous = self.actors.pop(request.sid, None)
            if previous is not None:
                leave_room(room(previous.workshop.code))
            if code is None:
                raise CommandError("not_found", "There is no workshop with that code. Check the code.")
            # In the room before the snapshot is read: a fact can then arrive twice, never be missed.
            join_room(room(code))
            try:
                actor, (ack, facts) = commands.join(self.store, payload,
                                                    request.cookies.get(facilitator_cookie(code)))
            except CommandError:
                leave_room(room(code))
                raise
            self.actors[request.sid] = actor
            if ack["role"] == "participant" and ack["participant_token"] != payload.get("participant_token"):
                self._announce_count(actor)
            return ack, facts
        return self._run(command)

    def _announce_count(self, actor: Actor) -> None:
        """Send the room the participant count soon, once per interval however many joined."""
        code, store = actor.workshop.code, self.store
        if code in self.count_pending:
            return
        self.count_pending.add(code)
        wait = max(0.0, self.count_sent.get(code, 0.0) + COUNT_INTERVAL - time.monotonic())

        def send() -> None:
            if wait:
                self.socketio.sleep(wait)
            self.count_pending.discard(code)
            self.count_sent[code] = time.monotonic()
            count = store.participant_count(actor.workshop.id)
            self.socketio.emit("participant_count", {"participant_count": count}, to=room(code))

        self.socketio.start_background_task(send)

    def on_post_idea(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Participant -> ack with the stored idea; `idea_posted` to the room."""
        def command() -> tuple[dict[str, Any], list[Fact]]:
            actor = self.actors.get(request.sid)
            if actor is not None and actor.participant_id is not None:
                bucket = self.idea_buckets.setdefault(actor.participant_id,
                                                      TokenBucket(IDEA_RATE, IDEA_BURST))
                if not bucket.allow(time.monotonic()):
                    raise CommandError("rate_limited",
                                       "You are sending ideas very fast. Wait a few seconds.")
            return commands.post_idea(self.store, actor, payload)
        return self._run(command)

    def on_suggest_clusters(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Facilitator -> ack with suggested themes and duplicates; the engine runs off the event loop."""
        run = current_app.config["RUN_BLOCKING"]
        return self._run(lambda: commands.suggest_clusters(
            self.store, self.actors.get(request.sid), payload, run))

    def on_sync(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Any joined client -> ack with the facts it missed, or a snapshot."""
        return self._run(lambda: (commands.sync(
            self.store, self.actors.get(request.sid), payload), []))


# Commands that need nothing from the connection but its actor: event name -> command.
ACTOR_COMMANDS: dict[str, Callable[[Store, Actor | None, Any], commands.Result]] = {
    "hide_idea": lambda store, actor, payload: commands.set_idea_hidden(store, actor, payload, True),
    "show_idea": lambda store, actor, payload: commands.set_idea_hidden(store, actor, payload, False),
    "set_posting": commands.set_posting,
    "create_cluster": commands.create_cluster,
    "rename_cluster": commands.rename_cluster,
    "move_idea": commands.move_idea,
    "merge_clusters": commands.merge_clusters,
    "delete_cluster": commands.delete_cluster,
    "reorder_clusters": commands.reorder_clusters,
    "apply_suggestions": commands.apply_suggestions,
    "stack_ideas": commands.stack_ideas,
    "unstack_idea": commands.unstack_idea,
}


def _actor_handler(event: str, command: Callable[[Store, Actor | None, Any], commands.Result]) -> Any:
    def handler(self: WorkshopNamespace, payload: Any = None, *_: Any) -> dict[str, Any]:
        return self._run(lambda: command(self.store, self.actors.get(request.sid), payload))

    handler.__name__ = f"on_{event}"
    handler.__doc__ = f"{event}: see docs/protocol.md; facts go to the workshop's room."
    return handler


for _event, _command in ACTOR_COMMANDS.items():
    setattr(WorkshopNamespace, f"on_{_event}", _actor_handler(_event, _command))
