"""The Socket.IO namespace: a thin map from events to commands, acks, and one broadcast helper."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, request
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room

from . import commands
from .auth import is_admin
from .coordination import Coordination
from .model import Actor, CommandError, Fact, TokenBucket, facilitator_cookie, normalize_code
from .store import Store

log = logging.getLogger(__name__)

# A person types an idea in seconds; an outbox flushed after a reconnect sends a burst.
IDEA_RATE, IDEA_BURST = 0.5, 10
# Any client: enough for a facilitator clicking fast, too few to flood the server.
EVENT_RATE, EVENT_BURST = 20.0, 60
# Participant counts and vote totals go out at most this often per workshop, however fast a hall
# joins or votes.
COALESCE_INTERVAL = 1.0


def room(code: str) -> str:
    """The Socket.IO room every screen of one workshop is in."""
    return f"workshop:{code}"


def screens_room(code: str) -> str:
    """The room of a workshop's walls and facilitator consoles: they see totals phones do not."""
    return f"workshop:{code}:screens"


def walls_room(code: str) -> str:
    """The room of a workshop's walls (projectors): what everyone may see, nothing private."""
    return f"workshop:{code}:walls"


def phones_room(code: str) -> str:
    """The room of a workshop's participants' phones."""
    return f"workshop:{code}:phones"


def facilitators_room(code: str) -> str:
    """The room of a workshop's facilitator consoles: they alone see ideas waiting for approval."""
    return f"workshop:{code}:facilitators"


def broadcast(socketio: SocketIO, code: str, facts: Iterable[Fact]) -> None:
    """Send facts to every screen of a workshop: the one way state changes leave the server."""
    for fact in facts:
        if not fact.private:
            socketio.emit(fact.type, fact.to_dict(), to=room(code))
            continue
        # Rooms, not a skip list: a skip list names only this process's connections.
        socketio.emit(fact.type, fact.to_dict(), to=facilitators_room(code))
        socketio.emit(fact.type, fact.public_dict(), to=[walls_room(code), phones_room(code)])


class WorkshopNamespace(Namespace):
    """Phones, walls and facilitator consoles of every workshop, on the default namespace."""

    def __init__(self, socketio: SocketIO, namespace: str = "/") -> None:
        super().__init__(namespace)
        self.socketio = socketio
        self.actors: dict[str, Actor] = {}
        self.event_buckets: dict[str, TokenBucket] = {}  # per connection, which lives in this process

    @property
    def store(self) -> Store:
        return current_app.extensions["facilitation.store"]  # type: ignore[no-any-return]

    @property
    def shared(self) -> Coordination:
        """Coalescing and per-participant limits, agreed with the other worker processes."""
        return current_app.extensions["facilitation.coordination"]  # type: ignore[no-any-return]

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
            store = self.store
            previous = self.actors.pop(request.sid, None)
            if previous is not None:
                for name in (room, screens_room, walls_room, phones_room, facilitators_room):
                    leave_room(name(previous.workshop.code))
            if code is None:
                raise CommandError("not_found", "There is no workshop with that code. Check the code.")
            # In the room before the snapshot is read: a fact can then arrive twice, never be missed.
            join_room(room(code))
            try:
                actor, (ack, facts) = commands.join(store, payload,
                                                    request.cookies.get(facilitator_cookie(code)),
                                                    organiser=is_admin(),
                                                    limit=current_app.config["MAX_PARTICIPANTS"])
            except CommandError:
                leave_room(room(code))
                raise
            self.actors[request.sid] = actor
            if actor.participant_id is None:
                join_room(screens_room(code))
                emit("vote_totals", store.vote_totals(actor.workshop.id))  # what it missed
            if actor.is_facilitator:
                join_room(facilitators_room(code))
            elif actor.participant_id is None:
                join_room(walls_room(code))
            else:
                join_room(phones_room(code))
            if actor.participant_id is not None and ack["participant_token"] != payload.get("participant_token"):
                self._soon(f"count:{code}", lambda: self.socketio.emit(
                    "participant_count", {"participant_count": store.participant_count(actor.workshop.id)},
                    to=room(code)))
            return ack, facts
        return self._run(command)

    def _soon(self, key: str, send: Callable[[], None]) -> None:
        """Run `send` shortly, at most once per interval per key in all processes together."""
        self.shared.coalesce(key, COALESCE_INTERVAL, send)

    def _vote(self, command: Callable[..., commands.Result], payload: Any) -> dict[str, Any]:
        actor, store = self.actors.get(request.sid), self.store
        ack = self._run(lambda: command(store, actor, payload))
        if ack["ok"] and actor is not None:
            code = actor.workshop.code
            self._soon(f"votes:{code}", lambda: self.socketio.emit(
                "vote_totals", store.vote_totals(actor.workshop.id), to=screens_room(code)))
        return ack

    def on_cast_vote(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Participant -> ack with dots left; `vote_totals` to walls and facilitators (coalesced)."""
        return self._vote(commands.cast_vote, payload)

    def on_retract_vote(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Participant -> ack with dots left; `vote_totals` to walls and facilitators (coalesced)."""
        return self._vote(commands.retract_vote, payload)

    def on_post_idea(self, payload: Any = None, *_: Any) -> dict[str, Any]:
        """Participant -> ack with the stored idea; `idea_posted` to the room."""
        def command() -> tuple[dict[str, Any], list[Fact]]:
            actor = self.actors.get(request.sid)
            if actor is not None and actor.participant_id is not None:
                # Per participant, whichever process its connections (one per tab) reached.
                if not self.shared.allow(f"ideas:{actor.participant_id}", IDEA_RATE, IDEA_BURST):
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
    "move_ideas": commands.move_ideas,
    "merge_clusters": commands.merge_clusters,
    "delete_cluster": commands.delete_cluster,
    "reorder_clusters": commands.reorder_clusters,
    "apply_suggestions": commands.apply_suggestions,
    "set_themes_on_wall": commands.set_themes_on_wall,
    "stack_ideas": commands.stack_ideas,
    "unstack_idea": commands.unstack_idea,
    "set_phase": commands.set_phase,
    "start_timer": commands.start_timer,
    "pause_timer": commands.pause_timer,
    "resume_timer": commands.resume_timer,
    "add_time": commands.add_time,
    "stop_timer": commands.stop_timer,
    "set_voting": commands.set_voting,
    "add_prompt": commands.add_prompt,
    "set_active_prompt": commands.set_active_prompt,
    "set_tables": commands.set_tables,
    "set_table": commands.set_table,
    "set_name": commands.set_name,
    "set_rules": commands.set_rules,
    "approve_idea": commands.approve_idea,
    "edit_idea": commands.edit_idea,
    "delete_idea": commands.delete_idea,
}


def _actor_handler(event: str, command: Callable[[Store, Actor | None, Any], commands.Result]) -> Any:
    def handler(self: WorkshopNamespace, payload: Any = None, *_: Any) -> dict[str, Any]:
        return self._run(lambda: command(self.store, self.actors.get(request.sid), payload))

    handler.__name__ = f"on_{event}"
    handler.__doc__ = f"{event}: see docs/protocol.md; facts go to the workshop's room."
    return handler


for _event, _command in ACTOR_COMMANDS.items():
    setattr(WorkshopNamespace, f"on_{_event}", _actor_handler(_event, _command))
