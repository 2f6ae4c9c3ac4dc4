"""Several hosts on one machine: each server in a network namespace of its own (`ip netns`, a veth
pair to the root namespace), PostgreSQL and Redis in the root namespace listening on the hosts'
links, and HAProxy in front on loopback with health checks; for a bench, a namespace of client
addresses, the venue's phones. Used by tests/live/test_hosts.py and bench/hall.py; needs root, iproute2, haproxy, redis-server and Debian's PostgreSQL binaries.

Every name carries the issue number and this process's id (`i22-<pid>-a`), so two runs never meet;
`Hall.close()` removes the namespaces (and with them their links) whatever happened.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def pg_bin(name: str) -> str | None:
    """A binary of Debian's PostgreSQL (the newest installed)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def missing() -> str | None:
    """What this machine lacks to build a hall, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "haproxy", "redis-server", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if pg_bin("initdb") is None:
        return "PostgreSQL's binaries are not installed"
    return None


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def spawn(command: list[str], log: Path, **options) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    """Start a process writing to `log` (the child keeps its own copy of the file)."""
    with open(log, "ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **options)


def wait_until(check, what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:  # type: ignore[no-untyped-def, type-arg]
    """Poll `check()` until it is true (a deadline, not a bare sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s")



def process_tree(roots: list[int]) -> list[int]:
    """The processes `roots` and every descendant of theirs still running (Linux's /proc)."""
    todo, found = list(roots), []
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    return found

class Hall:
    """PostgreSQL, Redis, `hosts` servers in namespaces and HAProxy in front; with `clients`, a
    namespace for the phones' side of the venue holding that many client addresses (at most
    4 x 253, in as many /24 networks as they need)."""

    # HAProxy's health checks: quick, for a test that kills a host and counts; a bench loads the
    # hosts as a hall does and uses docs/deploy.md's (a 300 ms check marked a host busy with a
    # 2,000-phone reconnect storm down, and closed every connection it had).
    QUICK = "inter 300ms fall 2 rise 2"
    PRODUCTION = "inter 1s fall 3 rise 2"

    def __init__(self, workdir: Path, hosts: int = 2, mode: str = "gevent",
                 cookie: str = "ideafactory_host", clients: int = 0, checks: str = QUICK) -> None:
        self.workdir, self.mode, self.cookie, self.checks = workdir, mode, cookie, checks
        if not 0 <= clients <= 4 * 253:
            raise ValueError("a client namespace holds 1 to 1,012 addresses")
        self.clients = clients
        self.tag = f"i22-{os.getpid() % 100000}"
        self.net = 100 + os.getpid() % 150  # 10.222.<net>.0/24, cut into /30 links
        self.names = [f"{self.tag}-{chr(97 + i)}" for i in range(hosts)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.servers: dict[str, subprocess.Popen[bytes]] = {}
        self.made: list[str] = []
        self.port = self.free_port()
        self.pg_port, self.redis_port, self.app_port = 55432, 56379, 5000
        self.pg_data: Path | None = None

    @staticmethod
    def free_port() -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    def gateway(self, i: int) -> str:
        """The root namespace's end of host i's link (where PostgreSQL and Redis listen)."""
        return f"10.222.{self.net}.{4 * i + 1}"

    def address(self, i: int) -> str:
        """Host i's own address."""
        return f"10.222.{self.net}.{4 * i + 2}"

    @property
    def database(self) -> str:
        return f"postgresql://postgres@{self.gateway(0)}:{self.pg_port}/ideas"

    def start(self) -> None:
        """Links, PostgreSQL, Redis, the servers and HAProxy, each waited for."""
        self.pg_port, self.redis_port = self.free_port(), self.free_port()
        for i, name in enumerate(self.names):
            self._link(i, name)
        if self.clients:
            self._client_link()
        self._postgres()
        self._redis()
        for i in range(len(self.names)):
            self.start_host(i)
        self._haproxy()

    def _veth(self, name: str, outer: str, inner: str, gateway: str) -> None:
        """A new namespace `name` linked to this one by a veth pair: `inner` in it, `outer` here with
        the address `gateway` (CIDR), up."""
        run("ip", "netns", "add", name)
        self.made.append(name)
        run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        run("ip", "link", "set", inner, "netns", name)
        run("ip", "addr", "add", gateway, "dev", outer)
        run("ip", "link", "set", outer, "up")

    def _link(self, i: int, name: str) -> None:
        outer, inner = f"v{self.tag[4:]}{chr(97 + i)}0", f"v{self.tag[4:]}{chr(97 + i)}1"
        self._veth(name, outer, inner, f"{self.gateway(i)}/30")
        run("ip", "netns", "exec", name, "ip", "addr", "add", f"{self.address(i)}/30", "dev", inner)
        run("ip", "netns", "exec", name, "ip", "link", "set", inner, "up")
        run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
        run("ip", "netns", "exec", name, "ip", "route", "add", "default", "via", self.gateway(i))

    @property
    def client_namespace(self) -> str:
        return f"{self.tag}-phones"

    @property
    def client_gateway(self) -> str:
        """The root namespace's end of the clients' link, where HAProxy listens for them."""
        return f"10.223.{self.net}.1"

    def client_addresses(self) -> list[str]:
        """The clients' own addresses: each phone process binds its sockets to some of them, so
        the hosts see (through HAProxy's X-Forwarded-For) a venue of many devices."""
        return [f"10.{223 + i // 253}.{self.net}.{2 + i % 253}" for i in range(self.clients)]

    def _client_link(self) -> None:
        name, tag = self.client_namespace, self.tag[4:]
        outer, inner = f"v{tag}p0", f"v{tag}p1"
        self._veth(name, outer, inner, f"{self.client_gateway}/24")
        for k in range(1, (self.clients + 252) // 253):  # the root's end of each further /24
            run("ip", "addr", "add", f"10.{223 + k}.{self.net}.1/24", "dev", outer)
        batch = "".join(f"addr add {address}/24 dev {inner}\n" for address in self.client_addresses())
        subprocess.run(["ip", "-n", name, "-batch", "-"], input=batch.encode(), check=True,
                       capture_output=True, timeout=60)
        run("ip", "-n", name, "link", "set", inner, "up")
        run("ip", "-n", name, "link", "set", "lo", "up")

    def _postgres(self) -> None:
        import tempfile

        # Outside the test's own folder: the postgres user must reach it.
        data = self.pg_data = Path(tempfile.mkdtemp(prefix=f"{self.tag}-pg-"))
        shutil.chown(data, "postgres", "postgres")
        run("runuser", "-u", "postgres", "--", pg_bin("initdb") or "", "-D", str(data), "-A", "trust",
            "-U", "postgres", "--no-sync")
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write("host all all 10.222.0.0/16 trust\n")
        listen = ",".join(self.gateway(i) for i in range(len(self.names)))
        self.procs["postgres"] = spawn(
            ["runuser", "-u", "postgres", "--", pg_bin("postgres") or "", "-D", str(data),
             "-p", str(self.pg_port), "-k", str(data), "-c", f"listen_addresses={listen}",
             "-c", "max_connections=200"], self.workdir / "postgres.log")
        admin = f"postgresql://postgres@{self.gateway(0)}:{self.pg_port}/postgres"

        def created() -> bool:
            import psycopg

            with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
                conn.execute("CREATE DATABASE ideas")
            return True

        wait_until(created, "PostgreSQL", proc=self.procs["postgres"])

    def _redis(self) -> None:
        binds = [self.gateway(i) for i in range(len(self.names))]
        self.procs["redis"] = spawn(
            ["redis-server", "--port", str(self.redis_port), "--bind", *binds, "--save", "",
             "--appendonly", "no", "--protected-mode", "no"], self.workdir / "redis.log")
        import redis

        wait_until(lambda: redis.Redis(host=binds[0], port=self.redis_port).ping(), "Redis",
                   proc=self.procs["redis"])

    def host_url(self, i: int) -> str:
        return f"http://{self.address(i)}:{self.app_port}"

    def start_host(self, i: int) -> None:
        """Start (or start again) the server of host i inside its namespace."""
        name = self.names[i]
        data = self.workdir / name
        data.mkdir(exist_ok=True)
        env = {**os.environ, "IDEA_FACTORY_DATABASE": self.database}
        self.servers[name] = spawn(
            ["ip", "netns", "exec", name, sys.executable, "app.py", "--host", self.address(i),
             "--port", str(self.app_port), "--data-dir", str(data), "--async-mode", self.mode,
             "--message-queue", f"redis://{self.gateway(i)}:{self.redis_port}",
             "--public-url", f"http://127.0.0.1:{self.port}", "--trusted-proxy", self.gateway(i)],
            data / "server.log", cwd=ROOT, env=env)
        wait_until(lambda: requests.get(self.host_url(i) + "/healthz", timeout=2).ok, f"host {name}",
                   proc=self.servers[name])

    def kill_host(self, i: int) -> None:
        """kill -9 host i's server, as a machine that dies would."""
        proc = self.servers[self.names[i]]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def _haproxy(self) -> None:
        servers = "\n".join(
            f"  server {name[-1]} {self.address(i)}:{self.app_port} check cookie w{i}"
            for i, name in enumerate(self.names))
        config = self.workdir / "haproxy.cfg"
        config.write_text(f"""global
  maxconn 9000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  option redispatch
  retries 2
frontend hall
  bind 127.0.0.1:{self.port}
{f"  bind {self.client_gateway}:{self.port}" if self.clients else ""}
  default_backend hosts
backend hosts
  balance roundrobin
  option forwardfor
  option httpchk GET /healthz
  timeout check {"3s" if self.checks == self.PRODUCTION else "300ms"}
  default-server {self.checks} on-marked-down shutdown-sessions
  cookie {self.cookie} insert indirect nocache httponly
{servers}
""")
        self.procs["haproxy"] = spawn(["haproxy", "-db", "-f", str(config)], self.workdir / "haproxy.log")
        wait_until(lambda: requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).ok,
                   "HAProxy", proc=self.procs["haproxy"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop everything started here and remove the namespaces and their links."""
        for proc in [*self.servers.values(), *self.procs.values()]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.servers.values(), *self.procs.values()]:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.pg_data is not None:  # runuser may not pass the signal on: ask PostgreSQL itself
            subprocess.run(["runuser", "-u", "postgres", "--", pg_bin("pg_ctl") or "", "-D",
                            str(self.pg_data), "stop", "-m", "immediate"], capture_output=True, timeout=30)
            shutil.rmtree(self.pg_data, ignore_errors=True)
        for name in self.made:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)
        self.made.clear()

    def parts(self) -> dict[str, list[int]]:
        """The processes of each part of the hall: the servers ("hosts"), PostgreSQL with its
        backends, Redis and HAProxy."""
        roots = {"hosts": list(self.servers.values()), **{k: [p] for k, p in self.procs.items()}}
        return {part: process_tree([p.pid for p in procs if p.poll() is None])
                for part, procs in roots.items()}

    def pids(self) -> list[int]:
        """Every process of the hall (servers, PostgreSQL with its backends, Redis, HAProxy)."""
        return [pid for pids in self.parts().values() for pid in pids]
