"""One way in for every command, by Socket.IO or HTTP: rate limits, `execute`, the one error body,
and the one broadcast helper through which every fact leaves the server."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import format_number, get_translations, gettext
from flask_socketio import SocketIO

from . import metrics
from .clustering import meaning
from .commands import COMMANDS, Result, execute
from .commands.registry import Parsed, parse
from .coordination import Coordination
from .errors import N_, CommandError, RateLimited, server_error
from .facts import (
    ALL_PHONES, AUTHOR, BATCH, OWN, PHONES, SCREENS, Event, Fact, IdeaPosted, IdeaQueued, IdeasPosted,
    ParticipantCount, PhoneBoard, VoteTotals,
)
from .model import Actor, TokenBucket, Workshop
from .security import PHONE_SNAPSHOT_BURST, PHONE_SNAPSHOT_RATE, SNAPSHOT_BURST, SNAPSHOT_RATE
from .store import Store

log = logging.getLogger(__name__)

# Any client: enough for a facilitator clicking fast, too few to flood the server.
EVENT_RATE, EVENT_BURST = 20.0, 60
# Participant counts and vote totals go out at most this often per workshop, however fast a hall
# joins or votes.
COALESCE_INTERVAL = 1.0
# Participants' own facts sent with the command's ack at most; more (a merge telling a hall of
# voters) go after it, this many between two yields to the other connections.
OWN_BATCH = 200
STORAGE_WARNING_INTERVAL = 5.0  # seconds between "the disk is full" warnings to a console

# Batches of others' ideas (`phones_see_ideas`) cost every phone a message: at most this many a
# second in all, so a large hall gets them less often and posting stays quick.
BATCH_MESSAGES_PER_SECOND = 4000


def batch_interval(phones: int) -> float:
    """Seconds between batches of ideas for `phones` phones: 1, or more above 4,000 phones."""
    return max(COALESCE_INTERVAL, phones / BATCH_MESSAGES_PER_SECOND)


# Signals a command may ask to refresh (`refreshes=`): what they say, read when they are sent.
def results_shown(workshop: Workshop | None) -> bool:
    """Whether everyone may now see the dots per idea and theme."""
    return workshop is not None and workshop.phase in ("results", "closed")


def vote_totals(store: Store, workshop: Workshop) -> VoteTotals:
    """The workshop's vote totals as they are now, knowing whether its phase shows the results."""
    return VoteTotals(**store.vote_totals(workshop.id),
                      results_shown=results_shown(store.get_workshop(workshop.code)))


SIGNALS: dict[str, Callable[[Store, Workshop], Event]] = {
    "vote_totals": vote_totals,
    "participant_count": lambda store, workshop: ParticipantCount(**store.presence(workshop.id)),
}


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


def participant_room(code: str, participant_id: int) -> str:
    """The room of one participant's phones (tabs): facts about its own ideas."""
    return f"workshop:{code}:participant:{participant_id}"


def broadcast(socketio: SocketIO, code: str, facts: Iterable[Event]) -> None:
    """Send facts to whom their `audience` names: the one way state changes leave the server.
    Walls and consoles get every fact but phone-only ones; phones get the phone form of a logged
    fact where the store routed it (all phones, its author, or the next batch of ideas)."""
    for fact in facts:
        if isinstance(fact, VoteTotals):
            send_totals(socketio, code, fact)
        elif fact.audience in (SCREENS, PHONES):
            socketio.emit(fact.type, fact.to_dict(),
                          to=screens_room(code) if fact.audience == SCREENS else phones_room(code))
        elif not isinstance(fact, Fact):  # a signal for everyone (workshop_deleted)
            socketio.emit(fact.type, fact.to_dict(), to=room(code))
        elif fact.workshop_id is None:
            send_fact(socketio, code, fact)
        else:  # logged by this process: after the earlier ones it logged
            turns = current_app.extensions["facilitation.store"].turns
            turns.wait(fact.workshop_id, fact.seq)
            try:
                send_fact(socketio, code, fact)
            finally:
                turns.sent(fact.workshop_id, fact.seq)


def send_totals(socketio: SocketIO, code: str, totals: VoteTotals) -> None:
    """Vote totals to the consoles; to the walls only how many voted until the results."""
    if totals.results_shown:
        socketio.emit(totals.type, totals.to_dict(), to=screens_room(code))
    else:
        socketio.emit(totals.type, totals.to_dict(), to=facilitators_room(code))
        socketio.emit(totals.type, totals.wall_dict(), to=walls_room(code))


def send_fact(socketio: SocketIO, code: str, fact: Fact) -> None:
    """A logged fact to walls and consoles in full or public form, and to its phones."""
    if fact.audience == OWN:
        pass  # one participant's own: its phones alone
    elif fact.private:
        socketio.emit(fact.type, fact.screen_dict(fact.to_dict()), to=facilitators_room(code))
        socketio.emit(fact.type, fact.screen_dict(fact.public_dict()), to=walls_room(code))
    else:
        socketio.emit(fact.type, fact.screen_dict(fact.to_dict()), to=screens_room(code))
    to_phones(socketio, code, fact)


def _workshop_id(store: Store, code: str) -> int:
    workshop = store.get_workshop(code)
    return workshop.id if workshop is not None else 0


def to_phones(socketio: SocketIO, code: str, fact: Fact) -> None:
    """A logged fact's phone form to the phones its route names."""
    route = fact.route
    if route is None:
        return
    if route.stream == ALL_PHONES:
        socketio.emit(fact.type, fact.phone_dict(), to=phones_room(code))
        if route.refresh:  # phones now show every idea: the board, once for all of them
            # First let every phone's writer send the fact (a phase change is a few bytes, the
            # board of 1,000 ideas 100 KB): 10,000 phones then learn the phase before any board.
            socketio.sleep(0)
            store: Store = current_app.extensions["facilitation.store"]
            board = PhoneBoard(snapshot=store.phone_snapshot(fact.workshop_id or _workshop_id(store, code)))
            socketio.emit(board.type, board.to_dict(), to=phones_room(code))
    elif route.stream == AUTHOR and route.recipient is not None:
        socketio.emit(fact.type, fact.phone_dict(), to=participant_room(code, route.recipient))
    elif route.stream == BATCH:
        store = current_app.extensions["facilitation.store"]
        workshop = store.get_workshop(code)
        if workshop is None:
            return

        def send() -> None:
            ideas = store.ideas_batch(workshop.id)
            if ideas:
                broadcast(socketio, code, [IdeasPosted(ideas=ideas)])
        current_app.extensions["facilitation.coordination"].coalesce(
            f"ideas_posted:{code}", batch_interval(store.phone_count(workshop.id)), send)


def error_body(error: CommandError) -> dict[str, Any]:
    """The JSON body of every refusal, HTTP or ack: `{"error": {"code", "message"}}`, the message
    in the request's language, its numbers written as that language writes them."""
    return {"error": error.to_dict(gettext, format_number, _plural)}


def _plural(singular: str, plural: str, count: int) -> str:
    """A counted message's form for `count` in the request's language, its values not yet filled in
    (Flask-Babel's ngettext fills in `num` alone)."""
    return str(get_translations().ngettext(singular, plural, count))


def error_response(error: CommandError) -> tuple[Response, int]:
    """A refusal as an HTTP response: its JSON body with its code's status."""
    return jsonify(error_body(error)), error.status


def http_answer(ack: dict[str, Any], status: int, created: bool = False) -> tuple[Response, int]:
    """A command's ack as an HTTP response: its fields (an error as `{"error": ...}` alone) with its
    status; 201 for a success that `created` something."""
    body = {key: value for key, value in ack.items() if key != "ok"}
    return jsonify(body), 201 if created and ack["ok"] else status


class Dispatcher:
    """Runs commands for Socket.IO connections and HTTP requests alike, and keeps their rate limits."""

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio
        self.buckets: dict[Hashable, TokenBucket] = {}  # per connection, which lives in this process
        self.in_flight = 0  # commands running now, in every green thread of this process
        self.warned: dict[str, float] = {}  # workshop code -> when its facilitators were told the disk is full

    @property
    def store(self) -> Store:
        return current_app.extensions["facilitation.store"]  # type: ignore[no-any-return]

    @property
    def shared(self) -> Coordination:
        """Coalescing and per-participant limits, agreed with the other worker processes."""
        return current_app.extensions["facilitation.coordination"]  # type: ignore[no-any-return]

    def call(self, sender: Hashable, actor: Actor | None, name: str, payload: object) -> tuple[dict[str, Any], int]:
        """Run command `name` from `sender` (a connection or an address): the ack and its HTTP status."""
        spec = COMMANDS[name]

        def run() -> Result:
            message: object = payload
            # Per participant, whichever process its connections (one per tab) reached; parsed
            # first (once), so that an invalid message costs nothing of the allowance.
            if spec.rate and actor is not None and actor.participant_id is not None:
                message = Parsed(parse(spec.payload, payload))
                if not self.shared.allow(f"{name}:{actor.participant_id}", *spec.rate):
                    raise RateLimited("rate_limited", N_("You are sending that very fast. Wait a few seconds."))
            return execute(self.store, actor, name, message, run=current_app.config["RUN_BLOCKING"],
                           gettext=gettext, admit_snapshot=lambda: self.admit_snapshot(actor))

        ack, status = self.answer(sender, run, actor.workshop.code if actor else None, name)
        if ack["ok"] and actor is not None:
            for signal in spec.refreshes:
                self.refresh(signal, actor.workshop)
        return ack, status

    def answer(self, sender: Hashable | None, run: Callable[[], Result],
               code: str | None, name: str = "join") -> tuple[dict[str, Any], int]:
        """Run command `name` within the sender's rate limit (None: a route with limits of its
        own); broadcast its facts; the ack and status (each counted and timed for /metrics)."""
        # A graceful stop (shutdown.py) waits until no command is in flight: its facts and its
        # ack included, so a stop never closes a socket between the commit and the broadcast.
        self.in_flight += 1
        try:
            return self._answer(sender, run, code, name)
        finally:
            self.in_flight -= 1

    def _answer(self, sender: Hashable | None, run: Callable[[], Result],
                code: str | None, name: str) -> tuple[dict[str, Any], int]:
        started, outcome = time.perf_counter(), "ok"
        try:
            if sender is not None:
                self.limit(sender, EVENT_RATE, EVENT_BURST)
            ack, facts = run()
        except CommandError as error:
            outcome = error.code
            if error.code == "storage_full" and code is not None:
                self.warn_storage_full(code)
            return {"ok": False, **error_body(error)}, error.status
        except Exception:
            outcome = "server_error"
            log.exception("command failed")
            return {"ok": False, **error_body(server_error())}, 500
        finally:
            metrics.command_done(name, outcome, time.perf_counter() - started)
        if code is not None:
            own = [fact for fact in facts if fact.audience == OWN]
            if len(own) > OWN_BATCH:  # a merge telling every voter: its phones hear after its ack
                broadcast(self.socketio, code, [fact for fact in facts if fact.audience != OWN])
                self.send_later(code, own)
            else:
                broadcast(self.socketio, code, facts)
        self.embed_later(facts)
        return {"ok": True, **ack}, 200

    def send_later(self, code: str, facts: list[Event]) -> None:
        """Participants' own facts after the command's ack, in a task of their own that lets every
        other connection of this process be served between batches of OWN_BATCH (a merge of a theme
        with 20,000 voters' dots tells 20,000 phones and, in table mode, their table-mates). A
        graceful stop waits for it as for a command; each phone still gets them in `oseq` order."""
        app, socketio = current_app._get_current_object(), self.socketio  # type: ignore[attr-defined]
        self.in_flight += 1

        def send() -> None:
            try:
                with app.app_context():
                    for start in range(0, len(facts), OWN_BATCH):
                        socketio.sleep(0)
                        broadcast(socketio, code, facts[start:start + OWN_BATCH])
            except Exception:
                log.exception("sending participants' own facts failed")  # sync brings them
            finally:
                self.in_flight -= 1
        socketio.start_background_task(send)

    def warn_storage_full(self, code: str) -> None:
        """Tell the workshop's facilitators that the disk is full (at most every few seconds): their
        phones' ideas wait in the phones' outboxes until the organiser frees space."""
        now = time.monotonic()
        if now - self.warned.get(code, float("-inf")) >= STORAGE_WARNING_INTERVAL:
            self.warned[code] = now
            self.socketio.emit("storage_full", {}, to=facilitators_room(code))

    def embed_later(self, facts: Iterable[Event]) -> None:
        """Hand new ideas to the background thread that computes what they mean for theme
        suggestions: ~11 ms of CPU an idea at the lowest priority, once per text (cached)."""
        texts = [fact.idea["text"] for fact in facts if isinstance(fact, (IdeaPosted, IdeaQueued))]
        if texts:
            meaning.embed_soon(texts)

    def limit(self, key: Hashable, rate: float, burst: int, message: str | None = None) -> None:
        """Take one token of `key`'s bucket, or refuse with `rate_limited`."""
        bucket = self.buckets.setdefault(key, TokenBucket(rate, burst))
        if not bucket.allow(time.monotonic()):
            raise RateLimited("rate_limited", message)

    def admit_snapshot(self, actor: Actor | None = None) -> None:
        """Let a phone (per participant) or a wall (per address) have one more whole snapshot,
        or refuse with `rate_limited` (see security.SNAPSHOT_RATE); one budget in all workers."""
        if actor is not None and actor.participant_id is not None:
            allowed = self.shared.allow(f"phone-snapshot:{actor.participant_id}", PHONE_SNAPSHOT_RATE,
                                        PHONE_SNAPSHOT_BURST)
        else:
            allowed = self.shared.allow(f"snapshot:{request.remote_addr}", SNAPSHOT_RATE, SNAPSHOT_BURST)
        if not allowed:
            raise RateLimited("rate_limited")

    def forget(self, sender: Hashable) -> None:
        """Drop a closed connection's rate limit."""
        self.buckets.pop(sender, None)

    def refresh(self, signal: str, workshop: Workshop) -> None:
        """Send a signal to the workshop's screens soon, at most once per interval per workshop in
        all processes together; what it says is read when it is sent."""
        store, socketio = self.store, self.socketio
        self.shared.coalesce(f"{signal}:{workshop.code}", COALESCE_INTERVAL, lambda: broadcast(
            socketio, workshop.code, [SIGNALS[signal](store, workshop)]))
