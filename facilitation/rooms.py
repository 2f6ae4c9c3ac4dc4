"""Socket.IO room bookkeeping that stays cheap with 10,000 phones in one process.

python-socketio's managers find a client's rooms by scanning every room of the namespace (and
copying the table first) on each disconnect and each `rooms()` call. Every connection has a room of
its own (its sid) and every phone one more (its participant's), so with N phones a disconnect costs
O(N) and a hall reconnecting at once O(N²): 10,000 phones returning took 52 s of CPU. These
managers keep an index from each client to its rooms, so both cost O(rooms of that client).

A manager of our own, given as the documented `client_manager` option, is python-socketio's public
way in; but no public hook reaches the bookkeeping, so the methods below replace BaseManager's and
read its attributes `rooms`, `callbacks`, `pending_connect` and `pending_disconnect`. They are
written for python-socketio 5.18, which requirements.txt pins. tests/unit/test_rooms.py drives this
manager and python-socketio's own through the same random joins, leaves, room closes and
disconnects and requires the same rooms throughout, so an upgrade that changes the bookkeeping fails
there first. No upstream issue asks for an index by client yet; BaseManager keeping rooms by client
as well as by name would remove this module.
"""

from __future__ import annotations

from typing import Any

import socketio


class IndexedRooms:
    """A mixin for a python-socketio manager: rooms by client, kept beside rooms by name."""

    rooms: dict[Any, dict[Any, Any]]
    callbacks: dict[Any, Any]
    pending_connect: dict[Any, list[Any]]
    pending_disconnect: dict[Any, list[Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[Any, dict[Any, set[Any]]] = {}  # namespace -> sid -> room names

    def basic_enter_room(self, sid: Any, namespace: Any, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self.rooms_of.setdefault(namespace, {}).setdefault(sid, set()).add(room)

    def basic_leave_room(self, sid: Any, namespace: Any, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        by_sid = self.rooms_of.get(namespace, {})
        names = by_sid.get(sid)
        if names is not None:
            names.discard(room)
            if not names:
                del by_sid[sid]

    def basic_disconnect(self, sid: Any, namespace: Any, **kwargs: Any) -> None:
        """As python-socketio's, with the client's rooms read from the index."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get(namespace, {}).get(sid, ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: Any, namespace: Any) -> list[Any]:
        """The rooms a client is in (its own sid room included, as python-socketio's)."""
        return [r for r in self.rooms_of.get(namespace, {}).get(sid, ()) if r is not None]


class Rooms(IndexedRooms, socketio.Manager):
    """Rooms of one process."""


class RedisRooms(IndexedRooms, socketio.RedisManager):
    """Rooms of one process, sharing emits, joins and leaves with the other workers through Redis."""
