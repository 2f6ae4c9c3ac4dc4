"""The WSGI servers of both async modes, bounded in connections and in how long a request's
headers may take (slowloris: a stranger trickling header bytes to hold connections open).

- every request's line and headers must arrive within HEADER_TIMEOUT seconds of the server
  starting to wait for them (a keep-alive connection waiting for its next request too): a
  trickled byte no longer resets anything;
- at most `max_connections` at once in all (a full server waits to accept, it never runs out of
  file handles), and at most `per_address` from one client address: one laptop cannot take them
  all. The server's own machine (a local TLS proxy, the load balancer of `--workers`) and the
  trusted proxies (`--trusted-proxy`) are exempt: they carry every phone's connection.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any

from .limits import IDLE_TIMEOUT, PING_INTERVAL, PING_TIMEOUT, READ_BUFFER
from .metrics import CONNECTIONS_FULL, CONNECTIONS_REFUSED

log = logging.getLogger(__name__)

# A phone sends its request line and headers in one packet; 10 s covers a poor Wi-Fi retrying.
HEADER_TIMEOUT = 10.0
# A hall of 2,000 behind one NAT (a hosted server without a proxy of ours) still fits.
MAX_CONNECTIONS_PER_ADDRESS = 2500
# File handles kept for the database, its log, Redis and the listening socket.
RESERVED_FILES = 64


def connection_cap(wanted: int, open_files: int) -> int:
    """At most `wanted` connections, and never more than the open-files limit leaves room for."""
    return max(1, min(wanted, open_files - RESERVED_FILES))


class AddressCounter:
    """Open connections per client address, refusing one past `per_address`."""

    def __init__(self, per_address: int, exempt: tuple[str, ...] = ()) -> None:
        self.per_address = per_address
        self.exempt = [ipaddress.ip_network(a, strict=False) for a in exempt]  # --trusted-proxy
        self.counts: dict[str, int] = {}
        self.logged_at = 0.0

    def enter(self, address: str) -> bool:
        """Count a new connection from `address`, or say it is one too many."""
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback or any(ip in network for network in self.exempt):
            return True
        count = self.counts.get(address, 0)
        if count >= self.per_address:
            CONNECTIONS_REFUSED.labels("per_address").inc()
            now = time.monotonic()
            if now - self.logged_at > 10:  # one line, not one per refused connection
                self.logged_at = now
                log.warning("%s holds %d connections, the most one address may: refusing more",
                            address, count)
            return False
        self.counts[address] = count + 1
        return True

    def leave(self, address: str) -> None:
        """Count a closed connection."""
        count = self.counts.get(address, 0) - 1
        if count > 0:
            self.counts[address] = count
        else:
            self.counts.pop(address, None)


def headers_too_slow(begun: bool) -> None:
    """A connection closed at the header deadline: counted when a request had begun (its first
    line in). One that sent nothing is closed the same way, uncounted: browsers' keep-alive and
    speculative connections wait like that innocently."""
    if begun:
        CONNECTIONS_REFUSED.labels("header_timeout").inc()


RAW_SOCKET = "idea_factory.socket"  # the WSGI environ key of a request's TCP socket


def cut(environ: dict[str, Any] | None) -> None:
    """Shut down the TCP connection a request came on: a send blocked on a reader that stopped
    reading fails at once, and the connection and its kernel buffers are let go."""
    import socket

    raw = (environ or {}).get(RAW_SOCKET)
    if raw is None:
        return
    try:
        raw.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone


def gevent_server(app: Any, host: str, port: int, backlog: int, idle_timeout: float = IDLE_TIMEOUT,
                  header_timeout: float = HEADER_TIMEOUT, max_connections: int = 20000,
                  per_address: int = MAX_CONNECTIONS_PER_ADDRESS, exempt: tuple[str, ...] = ()) -> Any:
    """A gevent WSGI server with WebSocket support: idle connections time out, headers have a
    deadline, connections are capped in all and per address."""
    import gevent
    from gevent import pywsgi
    from gevent.pool import Pool
    from geventwebsocket.handler import WebSocketHandler

    class Handler(WebSocketHandler):  # type: ignore[misc]
        def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
            # From the start, so every handler shares one attribute layout: set later, it made
            # each handler's attributes a dict of their own (1.6 KB per phone).
            self.message_bytes = 0
            self.deadline: Any = None
            self.begun = False  # whether the request under way has sent its first line
            # A phone's requests and frames are small: a 2 KB read buffer, not 8 KB per phone.
            super().__init__(sock, address, server,
                             rfile if rfile is not None else sock.makefile("rb", READ_BUFFER))

        def handle(self) -> None:
            self.socket.settimeout(idle_timeout)
            super().handle()

        def handle_one_request(self) -> Any:
            self.deadline = gevent.Timeout.start_new(header_timeout)
            self.begun = False
            try:
                return super().handle_one_request()
            except gevent.Timeout as expired:
                if expired is not self.deadline:
                    raise
                headers_too_slow(self.begun)
                return None
            finally:
                self.deadline.cancel()

        def read_request(self, raw_requestline: str) -> Any:
            self.begun = True
            try:
                return super().read_request(raw_requestline)
            finally:
                self.deadline.cancel()  # the request is read: the application takes its time

        def upgrade_websocket(self) -> Any:
            self.environ[RAW_SOCKET] = self.socket  # for cut(): a dropped slow reader
            result = super().upgrade_websocket()
            if getattr(self, "websocket", None) is not None:  # pings keep it busy: a longer wait
                self.socket.settimeout(PING_INTERVAL + PING_TIMEOUT + 5)
            return result

    addresses = AddressCounter(per_address, exempt)

    class Server(pywsgi.WSGIServer):  # type: ignore[misc]
        def handle(self, sock: Any, address: Any) -> None:
            if not addresses.enter(address[0]):
                sock.close()
                return
            if self.pool.full():  # this one took the last place: the server stops accepting
                CONNECTIONS_FULL.inc()
            try:
                super().handle(sock, address)
            finally:
                addresses.leave(address[0])

    return Server((host, port), app, handler_class=Handler, log=None, backlog=backlog,
                  spawn=Pool(max_connections))


def eventlet_protocol(header_timeout: float = HEADER_TIMEOUT,
                      per_address: int = MAX_CONNECTIONS_PER_ADDRESS, exempt: tuple[str, ...] = (),
                      pool: Any = None) -> Any:
    """eventlet.wsgi's connection handler with a deadline on headers and a cap per address
    (`pool`, the server's GreenPool of --max-connections, caps connections in all)."""
    import eventlet
    import eventlet.wsgi

    addresses = AddressCounter(per_address, exempt)

    class Protocol(eventlet.wsgi.HttpProtocol):  # type: ignore[misc]
        deadline: Any = None

        def handle(self) -> None:
            address = self.client_address[0]
            if not addresses.enter(address):
                self.close_connection = 1
                return
            if pool is not None and pool.free() == 0:  # the last place: the server stops accepting
                CONNECTIONS_FULL.inc()
            try:
                super().handle()
            finally:
                addresses.leave(address)

        def handle_one_request(self) -> None:
            self.deadline = eventlet.Timeout(header_timeout)
            self.raw_requestline = b""
            try:
                super().handle_one_request()
            except eventlet.Timeout as expired:
                if expired is not self.deadline:
                    raise
                headers_too_slow(bool(self.raw_requestline))
                self.close_connection = 1
            finally:
                self.deadline.cancel()

        def get_environ(self) -> Any:
            environ = super().get_environ()
            environ[RAW_SOCKET] = self.connection  # for cut(): a dropped slow reader
            return environ

        def parse_request(self) -> bool:
            try:
                return bool(super().parse_request())
            finally:
                self.deadline.cancel()  # the request is read: the application takes its time

    return Protocol
