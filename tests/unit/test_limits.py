"""Transport limits in-process: a client that stops reading has a bounded send queue (facilitation/limits.py)."""

from __future__ import annotations


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
