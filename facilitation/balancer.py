"""HAProxy in front of the workers: its configuration, and its runtime API for moving a worker.

Each worker is a `server` line with a health check every 500 ms: a worker that stops answering is
out of rotation within about a second, and `option redispatch` sends a phone whose cookie names it
to another worker instead of failing (the phone makes a new Engine.IO session there). The runtime
API (a Unix socket in the data dir, mode 0600) lets the supervisor point a server line at a new
worker process during a rolling upgrade without reloading HAProxy.
"""

from __future__ import annotations

import csv
import socket
from pathlib import Path

BACKEND = "workers"
CHECK = "check inter 500ms fall 2 rise 1"  # down after ~1 s of refusals, up at the first answer


def runtime_socket(data_dir: Path) -> Path:
    """Where HAProxy listens for runtime commands."""
    return data_dir / "haproxy.sock"


def server_name(index: int) -> str:
    """The `server` (and cookie) name of worker slot `index`."""
    return f"w{index}"


def config(host: str, port: int, workers: list[int], max_connections: int, secret: str,
           data_dir: Path, trusted: list[str] | None = None, header_timeout: float = 10,
           per_address: int = 2500) -> str:
    """HAProxy in front of the workers: cookie stickiness, health checks and redispatch, WebSocket
    tunnels, the phone's address, and the secret header by which the workers know their balancer
    (see proxy.py). Behind a trusted TLS proxy (X-Forwarded-Proto https), its own cookie is Secure
    too. The workers see only HAProxy, so it holds the slowloris bounds: a request's headers within
    `header_timeout` seconds, at most `per_address` connections from one client address (this
    machine and trusted proxies not counted), as one worker would (servers.py)."""
    servers = "\n".join(f"  server {server_name(i)} 127.0.0.1:{p} cookie {server_name(i)} {CHECK}"
                        for i, p in enumerate(workers))
    https, secure = "", ""
    if trusted:
        https = ("\n  http-request set-var(txn.https) bool(1) if { req.hdr(X-Forwarded-Proto) -m str https }"
                 f" {{ src {' '.join(trusted)} }}")
        secure = ("\n  http-after-response replace-header Set-Cookie '^(ideafactory_worker=.*)$' '\\1; Secure'"
                  " if { var(txn.https) -m found }")
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    exempt = " ".join(["127.0.0.0/8", "::1", *(trusted or [])])
    return f"""global
  maxconn {max_connections}
  stats socket {runtime_socket(data_dir)} mode 600 level admin
defaults
  mode http
  option forwardfor
  option redispatch
  option http-ignore-probes
  retries 2
  timeout connect 5s
  timeout client 70s
  timeout server 70s
  timeout tunnel 2h
  timeout http-request {header_timeout:g}s
  maxconn {max_connections}
frontend ideafactory
  bind {bind} backlog 4096
  stick-table type ipv6 size 200k expire 10m store conn_cur
  tcp-request connection track-sc0 src
  tcp-request connection reject if {{ sc0_conn_cur gt {per_address} }} !{{ src {exempt} }}
  http-request set-header X-Idea-Factory-Balancer {secret}{https}
  default_backend {BACKEND}
backend {BACKEND}
  balance leastconn
  cookie ideafactory_worker insert indirect nocache httponly{secure}
{servers}
"""


def command(data_dir: Path, line: str, timeout: float = 5.0) -> str:
    """Send one runtime API command to HAProxy; its answer."""
    return ask(runtime_socket(data_dir), line, timeout)


def ask(socket_path: Path, line: str, timeout: float = 5.0) -> str:
    """Send one runtime API command to the HAProxy listening at `socket_path`; its answer."""
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(timeout)
        conn.connect(str(socket_path))
        conn.sendall(line.encode() + b"\n")
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return answer.decode(errors="replace").strip()


def move(data_dir: Path, index: int, port: int) -> None:
    """Send worker slot `index`'s new connections (and health checks) to 127.0.0.1:port."""
    answer = command(data_dir, f"set server {BACKEND}/{server_name(index)} addr 127.0.0.1 port {port}")
    if "changed" not in answer and "no need to change" not in answer:
        raise RuntimeError(f"HAProxy refused to move {server_name(index)}: {answer}")


def server_up(data_dir: Path, index: int) -> bool:
    """Whether HAProxy's health check sees worker slot `index` answering."""
    answer = command(data_dir, f"show servers state {BACKEND}")
    for line in answer.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[3] == server_name(index):
            return fields[5] == "2"  # srv_op_state 2: running
    return False


# HAProxy's frontend counters that /metrics reports (metrics.py): `dcon`, connections refused by
# the per-address rule (the only `tcp-request connection reject`); `ereq`, requests begun whose
# headers did not come in time, or came malformed (silent connections are not counted:
# `option http-ignore-probes`); and `scur`, `smax`, `slim`: open, most at once, the cap.
STATS = ("dcon", "ereq", "scur", "smax", "slim")


def frontend_stats(socket_path: Path) -> dict[str, int]:
    """The frontend's counters in STATS, read from HAProxy's runtime API at `socket_path`."""
    rows = list(csv.DictReader(ask(socket_path, "show stat -1 1 -1", 2.0).lstrip("# ").splitlines()))
    front = next(row for row in rows if row.get("svname") == "FRONTEND")
    return {name: int(front.get(name) or 0) for name in STATS}
