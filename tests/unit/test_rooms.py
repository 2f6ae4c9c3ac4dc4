"""Room bookkeeping indexed by client (facilitation/rooms.py) and the garbage collector's rounds
(facilitation/memory.py)."""

from __future__ import annotations

import gc
import itertools
import random
import weakref
from types import SimpleNamespace
from typing import Any

import pytest
import socketio

from facilitation import memory
from facilitation.rooms import Rooms


def manager(kind: type) -> Any:
    """A manager of `kind` with just enough server for connecting clients."""
    ids = itertools.count(1)
    found = kind()
    found.set_server(SimpleNamespace(eio=SimpleNamespace(generate_id=lambda: f"s{next(ids)}"),
                                     packet_class=socketio.packet.Packet))
    return found


def test_rooms_agree_with_python_socketio_through_random_joins_leaves_and_disconnects() -> None:
    plain, indexed = manager(socketio.Manager), manager(Rooms)
    rng = random.Random(7)
    sids: list[str] = []
    for step in range(3000):
        action = rng.random()
        if action < 0.25 or not sids:
            sid = plain.connect(f"e{step}", "/")
            assert indexed.connect(f"e{step}", "/") == sid
            sids.append(sid)
        elif action < 0.55:
            sid, room = rng.choice(sids), f"room{rng.randrange(40)}"
            plain.basic_enter_room(sid, "/", room)
            indexed.basic_enter_room(sid, "/", room)
        elif action < 0.75:
            sid, room = rng.choice(sids), f"room{rng.randrange(40)}"
            plain.basic_leave_room(sid, "/", room)
            indexed.basic_leave_room(sid, "/", room)
        elif action < 0.8:
            room = f"room{rng.randrange(40)}"
            plain.basic_close_room(room, "/")
            indexed.basic_close_room(room, "/")
        else:
            sid = sids.pop(rng.randrange(len(sids)))
            plain.basic_disconnect(sid, "/")
            indexed.basic_disconnect(sid, "/")
            assert indexed.get_rooms(sid, "/") == []
        for sid in rng.sample(sids, min(5, len(sids))):
            assert sorted(indexed.get_rooms(sid, "/")) == sorted(plain.get_rooms(sid, "/"))
        assert {k: dict(v) for k, v in indexed.rooms.get("/", {}).items()} == \
            {k: dict(v) for k, v in plain.rooms.get("/", {}).items()}
    for sid in sids:  # the index keeps nothing of clients that left
        indexed.basic_disconnect(sid, "/")
    assert indexed.rooms_of.get("/", {}) == {}


class Watched(dict):  # type: ignore[type-arg]
    """A namespace's table of rooms that counts every pass over the whole table."""

    scans = 0

    def _scan(self) -> None:
        Watched.scans += 1

    def copy(self) -> dict[Any, Any]:
        self._scan()
        return dict(super().items())

    def items(self) -> Any:
        self._scan()
        return super().items()

    def keys(self) -> Any:
        self._scan()
        return super().keys()

    def values(self) -> Any:
        self._scan()
        return super().values()

    def __iter__(self) -> Any:
        self._scan()
        return super().__iter__()


@pytest.mark.parametrize("kind,scanned", [(Rooms, False), (socketio.Manager, True)])
def test_a_disconnect_reads_only_the_clients_own_rooms(kind: type, scanned: bool) -> None:
    """With 20,000 phones (each in a room of its own) a disconnect never passes over the whole
    table of rooms: python-socketio's own manager copies and scans all 40,000 per disconnect."""
    rooms = manager(kind)
    sids = [rooms.connect(f"e{i}", "/") for i in range(20000)]
    for i, sid in enumerate(sids):
        rooms.basic_enter_room(sid, "/", f"participant:{i}")
        rooms.basic_enter_room(sid, "/", "phones")
    rooms.rooms["/"] = Watched(rooms.rooms["/"])
    Watched.scans = 0
    for sid in sids[:20]:  # python-socketio's scans all 40,000 rooms for each one
        rooms.basic_disconnect(sid, "/")
    assert (Watched.scans >= 20) is scanned and (Watched.scans == 0) is not scanned, Watched.scans
    assert "participant:0" not in rooms.rooms["/"] and len(rooms.rooms["/"]["phones"]) == 19980


@pytest.fixture
def frozen_state() -> Any:
    yield
    gc.unfreeze()  # the test process collects as Python does again


ALIVE: weakref.WeakSet[Any] = weakref.WeakSet()


class Cycle:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self
        ALIVE.add(self)


def live_cycles() -> int:
    return len(ALIVE)  # frozen objects too (gc.get_objects() leaves them out)


def test_each_round_frees_new_cycles_and_freezes_survivors(frozen_state: Any) -> None:
    collector = memory.Collector(lambda: 10_000)
    kept = [Cycle() for _ in range(10)]  # long-lived: survive and get frozen
    for _ in range(20):
        Cycle()  # garbage of this round
    collector.round()
    assert live_cycles() == 10
    assert gc.get_freeze_count() > 0
    del kept  # frozen cycles wait: closing a few connections is not worth a full scan
    collector.round()
    assert live_cycles() == 10


def test_a_full_collection_after_many_connections_closed(frozen_state: Any) -> None:
    collector = memory.Collector(lambda: 100)
    kept = [Cycle() for _ in range(10)]
    collector.round()
    del kept
    for _ in range(memory.FULL_AFTER_CLOSED - 1):
        collector.connection_closed()
    collector.round()
    assert live_cycles() == 10
    collector.connection_closed()
    assert collector.due_full()
    collector.round()
    assert live_cycles() == 0
    assert collector.closed == 0 and gc.get_freeze_count() > 0


def test_the_full_collection_waits_for_half_of_a_large_hall(frozen_state: Any) -> None:
    collector = memory.Collector(lambda: 10_000)
    collector.closed = 4999
    assert not collector.due_full()
    collector.closed = 5000
    assert collector.due_full()
