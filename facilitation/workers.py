"""Several worker processes behind one address: a private Redis, HAProxy, and K copies of app.py.

`python app.py --workers K` runs this supervisor instead of a server. It starts, in order:
- Redis (Debian's `redis-server`) on a Unix socket in the data dir, unless `--message-queue` names
  one: the workers share rooms (Flask-SocketIO's message queue), coalescing and rate limits there;
- K workers, each `app.py` on its own loopback port with `--message-queue`, one SQLite file in WAL;
- HAProxy (Debian's `haproxy`) on the public address, balancing new connections to the worker with
  the fewest, and keeping each client on its worker by a cookie it inserts (long-polling sends
  every request anew, and only the worker that made an Engine.IO session knows it).
Each child dies with the supervisor (PR_SET_PDEATHSIG); the supervisor stops all when one dies.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child before exec: receive SIGTERM when the supervisor dies, even by SIGKILL."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def need(program: str, package: str) -> str:
    """The path of a system program, or exit with the package that provides it."""
    path = shutil.which(program) or (f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists()
                                     else None)
    if path is None:
        sys.exit(f"--workers needs {program}: install the Debian package {package}")
    return path


def wait_until(check, what: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Poll `check()` until true; exit if `proc` died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)  # a start-up poll with a deadline
    sys.exit(f"{what} did not start within {timeout:.0f} s")


def listening(host: str, port: int) -> bool:
    """Whether something accepts TCP connections there."""
    with socket.create_connection((host, port), 1):
        return True


def start_redis(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server on a Unix socket, keeping nothing on disk; its URL."""
    path = data_dir / "redis.sock"
    path.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [need("redis-server", "redis-server"), "--port", "0", "--unixsocket", str(path),
         "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--daemonize", "no",
         "--dir", str(data_dir), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, preexec_fn=die_with_parent)

    def answers() -> bool:
        with socket.socket(socket.AF_UNIX) as probe:
            probe.settimeout(1)
            probe.connect(str(path))
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    wait_until(answers, "redis-server", proc)
    return proc, f"unix://{path}"


def proxy_connections(wanted: int) -> int:
    """How many connections HAProxy can hold: each takes two descriptors (phone and worker side),
    and it cannot raise the hard open-files limit it inherits."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        return wanted
    return max(100, min(wanted, (hard - 500) // 2))


def haproxy_config(host: str, port: int, workers: list[int], max_connections: int, secret: str,
                   trusted: list[str] | None = None, header_timeout: float = 10,
                   per_address: int = 2500) -> str:
    """HAProxy in front of the workers: cookie stickiness, WebSocket tunnels, the phone's address,
    and the secret header by which the workers know their balancer (see proxy.py). Behind a
    trusted TLS proxy (X-Forwarded-Proto https), its own cookie is Secure too. The workers see
    only HAProxy, so it holds the slowloris bounds: a request's headers within `header_timeout`
    seconds, at most `per_address` connections from one client address (this machine and trusted
    proxies not counted), as one worker would (servers.py)."""
    servers = "\n".join(f"  server w{i} 127.0.0.1:{p} cookie w{i}" for i, p in enumerate(workers))
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
defaults
  mode http
  option forwardfor
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
  default_backend workers
backend workers
  balance leastconn
  cookie ideafactory_worker insert indirect nocache httponly{secure}
{servers}
"""


def worker_argv(argv: list[str]) -> list[str]:
    """The supervisor's options for a worker, without an organiser password (it goes by environment)."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg.startswith("--admin-password="):
            skip = False
            continue
        if arg == "--admin-password":
            skip = True
            continue
        kept.append(arg)
    return kept


def worker_environment(args) -> dict[str, str]:
    """The workers' environment: the secrets no command line may show (organiser password, the
    balancer's header)."""
    import os
    import secrets

    from . import credentials

    env = dict(os.environ)
    password = credentials.admin_password(args.admin_password, args.admin_password_file)
    if password:
        env[credentials.ADMIN_PASSWORD_ENV] = password
    env[credentials.BALANCER_SECRET_ENV] = secrets.token_urlsafe(24)
    # Each worker writes its /metrics figures here; any of them answers for all (metrics.py).
    metrics = Path(args.data_dir) / "metrics"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(mode=0o700)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    return env


def run(argv: list[str], args) -> None:
    """Supervise Redis, K workers and HAProxy until interrupted or until one of them dies."""
    from .launch import public_url

    from . import credentials, database, secret_key
    from .logs import announce
    from .store import connect

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    # Once, before the workers race for them: the schema's migrations and the session key.
    connect(database({"DATA_DIR": data_dir, "DATABASE": args.database})).conn.close()
    secret_key(data_dir)
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object, status: int = 0) -> None:
        for proc in reversed(children):
            if proc.poll() is None:
                proc.terminate()
        for proc in children:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(status)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url = args.message_queue
    if not url:
        redis, url = start_redis(data_dir)
        children.append(redis)
    base = public_url(args.host, args.port, args.public_url)
    env = worker_environment(args)
    ports = [free_port() for _ in range(args.workers)]
    for index, port in enumerate(ports):
        extra = [] if index == 0 else ["--no-demo"]  # one worker makes the demo and prints links
        children.append(subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent.parent / "app.py"), *worker_argv(argv),
             "--workers", "1", "--host", "127.0.0.1", "--port", str(port), "--message-queue", url,
             "--public-url", base, *extra], env=env, preexec_fn=die_with_parent))
    for port, proc in zip(ports, children[-len(ports):]):
        wait_until(lambda port=port: listening("127.0.0.1", port), f"worker on port {port}", proc, 60)
    config = data_dir / "haproxy.cfg"
    connections = proxy_connections(args.max_connections)
    if connections < args.max_connections:
        announce(args.log_format, f"HAProxy holds at most {connections} connections here (two open"
                 " files each; raise the hard open-files limit for more)", error=True)
    config.touch(mode=0o600)  # it holds the balancer's secret
    config.chmod(0o600)
    config.write_text(haproxy_config(args.host, args.port, ports, connections,
                                     env[credentials.BALANCER_SECRET_ENV], args.trusted_proxy,
                                     args.header_timeout, args.max_connections_per_address))
    haproxy = subprocess.Popen([need("haproxy", "haproxy"), "-db", "-f", str(config)],
                               preexec_fn=die_with_parent)
    children.append(haproxy)
    probe_host = "127.0.0.1" if args.host in ("0.0.0.0", "", "::") else args.host
    wait_until(lambda: listening(probe_host, args.port), "haproxy", haproxy)
    announce(args.log_format, f"Idea Factory on {base}/ ({args.workers} workers behind HAProxy, Redis {url})")
    while all(proc.poll() is None for proc in children):
        time.sleep(0.5)  # supervising: nothing else to do until a child exits
    dead = next(proc for proc in children if proc.poll() is not None)
    announce(args.log_format, f"{Path(str(dead.args[0])).name} exited with {dead.returncode}; stopping",
             error=True)
    stop(status=1)
