"""Several worker processes behind one address: a private Redis, HAProxy, and K copies of app.py.

`python app.py --workers K` runs this supervisor instead of a server. It starts, in order:
- Redis (Debian's `redis-server`) on a Unix socket in the data dir, unless `--message-queue` names
  one: the workers share rooms (Flask-SocketIO's message queue), coalescing and rate limits there;
- K workers, each `app.py` on its own loopback port with `--message-queue`, one SQLite file in WAL;
- HAProxy (Debian's `haproxy`) on the public address, balancing new connections to the worker with
  the fewest, and keeping each client on its worker by a cookie it inserts (long-polling sends
  every request anew, and only the worker that made an Engine.IO session knows it).
supervisor.py keeps them running: a child that dies is restarted, SIGHUP replaces the workers one at
a time, SIGTERM stops the group gracefully; each child dies with the supervisor (PR_SET_PDEATHSIG).
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


def redis_process(data_dir: Path) -> subprocess.Popen[bytes]:
    """A private redis-server on a Unix socket in the data dir, keeping nothing on disk."""
    path = redis_socket(data_dir)
    path.unlink(missing_ok=True)
    return subprocess.Popen(
        [need("redis-server", "redis-server"), "--port", "0", "--unixsocket", str(path),
         "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--daemonize", "no",
         "--dir", str(data_dir), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, preexec_fn=die_with_parent)


def redis_socket(data_dir: Path) -> Path:
    return data_dir / "redis.sock"


def redis_answers(path: Path) -> bool:
    """Whether Redis answers PING on its Unix socket."""
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(1)
        probe.connect(str(path))
        probe.sendall(b"PING\r\n")
        return probe.recv(16).startswith(b"+PONG")


def proxy_connections(wanted: int) -> int:
    """How many connections HAProxy can hold: each takes two descriptors (phone and worker side),
    and it cannot raise the hard open-files limit it inherits."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        return wanted
    return max(100, min(wanted, (hard - 500) // 2))


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
    from .balancer import runtime_socket
    from .metrics import BALANCER_STATS

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
    env[BALANCER_STATS] = str(runtime_socket(Path(args.data_dir)))  # HAProxy's refusals too
    return env




def refuse(error: BaseException, args) -> None:
    """Exit 2 with the one sentence the single server gives for the same trouble."""
    from .launch import explain

    print(f"Idea Factory cannot start: {explain(error, args.data_dir, args.host, args.port)}",
          file=sys.stderr, flush=True)
    sys.exit(2)


def check_port(host: str, port: int) -> None:
    """Raise OSError (EADDRINUSE) if the public address is taken, before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def run(argv: list[str], args) -> None:
    """Check the data folder and the address, start Redis, K workers and HAProxy, and supervise
    them until SIGTERM or SIGINT."""
    from . import balancer, credentials, database, secret_key
    from .launch import public_url, startup_checks
    from .logs import announce
    from .store import connect
    from .supervisor import Supervisor

    data_dir = Path(args.data_dir)
    try:
        startup_checks(args.data_dir, args.database)
        check_port(args.host, args.port)
    except Exception as error:  # each is answered with one sentence, never a traceback
        refuse(error, args)
    # Once, before the workers race for them: the schema's migrations and the session key.
    connect(database({"DATA_DIR": data_dir, "DATABASE": args.database})).conn.close()
    secret_key(data_dir)
    url = args.message_queue or f"unix://{redis_socket(data_dir)}"
    base = public_url(args.host, args.port, args.public_url)
    env = worker_environment(args)
    app_py = Path(__file__).resolve().parent.parent / "app.py"

    def launch_worker(index: int, port: int) -> subprocess.Popen[bytes]:
        extra = [] if index == 0 else ["--no-demo"]  # one worker makes the demo and prints links
        return subprocess.Popen(
            [sys.executable, str(app_py), *worker_argv(argv), "--workers", "1", "--host",
             "127.0.0.1", "--port", str(port), "--message-queue", url, "--public-url", base,
             *extra], env=env, preexec_fn=die_with_parent)

    config = data_dir / "haproxy.cfg"
    connections = proxy_connections(args.max_connections)
    if connections < args.max_connections:
        announce(args.log_format, f"HAProxy holds at most {connections} connections here (two open"
                 " files each; raise the hard open-files limit for more)", error=True)

    def write_config(ports: list[int]) -> None:
        config.touch(mode=0o600)  # it holds the balancer's secret
        config.chmod(0o600)
        config.write_text(balancer.config(args.host, args.port, ports, connections,
                                          env[credentials.BALANCER_SECRET_ENV], data_dir,
                                          args.trusted_proxy, args.header_timeout,
                                          args.max_connections_per_address))

    haproxy = need("haproxy", "haproxy")
    supervisor = Supervisor(
        data_dir, None if args.message_queue else lambda: redis_process(data_dir), launch_worker,
        [free_port() for _ in range(args.workers)], write_config,
        lambda: subprocess.Popen([haproxy, "-db", "-f", str(config)], preexec_fn=die_with_parent))
    supervisor.tell = lambda text: announce(args.log_format, f"supervisor: {text}", error=True)
    supervisor.listen()
    if supervisor.redis is not None:
        supervisor.redis.start()
        assert supervisor.redis.proc is not None
        wait_until(lambda: redis_answers(redis_socket(data_dir)), "redis-server", supervisor.redis.proc)
    for worker in supervisor.workers:
        worker.start()
    for port, worker in zip(supervisor.ports, supervisor.workers):
        assert worker.proc is not None
        wait_until(lambda port=port: listening("127.0.0.1", port), worker.name, worker.proc, 60)
    supervisor.haproxy.start()
    assert supervisor.haproxy.proc is not None
    probe_host = "127.0.0.1" if args.host in ("0.0.0.0", "", "::") else args.host
    wait_until(lambda: listening(probe_host, args.port), "haproxy", supervisor.haproxy.proc)
    announce(args.log_format, f"Idea Factory on {base}/ ({args.workers} workers behind HAProxy, Redis {url})")
    sys.exit(supervisor.run())
