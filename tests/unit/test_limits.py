"""Transport limits in-process: a client that stops reading has a bounded send queue (facilitation/limits.py)."""

from __future__ import annotations

import logging
from typing import Any


def test_a_client_that_stops_reading_is_dropped_not_queued_for() -> None:
    import engineio
    from engineio import packet
    from engineio import socket as eio_socket

    from facilitation.limits import MAX_QUEUED_PACKETS, bound_send_queues

    bound_send_queues()
    server = engineio.Server(async_mode="threading")
    client = eio_socket.Socket(server, "slow")
    sent = 0
    while not client.closed and sent < MAX_QUEUED_PACKETS + 100:
        client.send(packet.Packet(packet.MESSAGE, data="x" * 100))
        sent += 1
    assert client.closed and sent == MAX_QUEUED_PACKETS + 1
    assert client.queue.qsize() <= MAX_QUEUED_PACKETS + 1


def test_a_client_that_stops_reading_is_dropped_past_its_bytes_with_one_log_line(caplog: Any) -> None:
    import engineio
    from engineio import packet
    from engineio import socket as eio_socket

    from facilitation.limits import MAX_QUEUED_BYTES, bound_send_queues, count_queued_bytes

    bound_send_queues()
    server = engineio.Server(async_mode="threading")
    count_queued_bytes(server)
    client = eio_socket.Socket(server, "slow-reader")
    snapshot = "x" * 300_000  # a 1,000-idea snapshot, asked for again and again
    sent = 0
    with caplog.at_level(logging.WARNING, logger="facilitation.limits"):
        while not client.closed and sent < 100:
            client.send(packet.Packet(packet.MESSAGE, data=snapshot))
            sent += 1
    assert client.closed and sent == MAX_QUEUED_BYTES // len(snapshot) + 1  # 28 kept, the 29th drops
    assert client.queue.queued_bytes <= MAX_QUEUED_BYTES
    lines = [r.getMessage() for r in caplog.records if "reads too slowly" in r.getMessage()]
    assert len(lines) == 1 and "slow-reader" in lines[0], lines
    reader = eio_socket.Socket(server, "reader")  # one that reads: its count goes down again
    for _ in range(3):
        reader.send(packet.Packet(packet.MESSAGE, data=snapshot))
    reader.queue.get()
    assert reader.queue.queued_bytes == 2 * len(snapshot)


def test_the_patched_libraries_are_the_versions_the_patches_were_written_for() -> None:
    """Each patch of facilitation/limits.py reaches into internals of these versions (pinned in
    requirements.txt): a new version must be checked against the patch, then the pin moved."""
    from importlib.metadata import version

    assert version("python-engineio").startswith("4.15."), version("python-engineio")
    assert version("gevent-websocket") == "0.10.1"
    assert version("eventlet").startswith("0.41."), version("eventlet")
