"""The `--workers K` supervisor: it starts Redis, K workers and HAProxy, keeps them running, replaces
the workers one at a time on SIGHUP, and stops them all gracefully on SIGTERM or SIGINT.

- A child that dies is started again: at once the first time, then after 1, 2, 4, 8, 16 and at most
  30 s while it keeps dying within a minute of its start (RESTART_DELAYS, STABLE). A worker comes back
  on its own port; HAProxy's health checks take it out of rotation meanwhile and redispatch its phones.
  Redis and HAProxy come back within POLL seconds plus their start-up (a few hundred ms).
- SIGHUP: for each worker in turn, a new one is started on a new port; once it answers, HAProxy's
  server line is pointed at it (runtime API) and the old one is stopped gracefully (its phones
  reconnect through HAProxy at once). The address never stops answering.
- SIGTERM/SIGINT: HAProxy stops listening, every worker stops gracefully (shutdown.py), then HAProxy
  and Redis; one log line; exit 0 within STOP_BOUND seconds.
- Every child dies with the supervisor (PR_SET_PDEATHSIG), so its own death leaves no orphans.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import balancer
from .shutdown import BOUND as WORKER_BOUND

RESTART_DELAYS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # seconds before the n-th restart in a row
STABLE = 60.0  # a child that ran this long starts counting its restarts again
POLL = 0.1  # seconds between looks at the children
WORKER_START = 60.0  # seconds a new worker gets to answer (a loaded machine imports slowly)
STOP_BOUND = WORKER_BOUND + 4.0  # seconds a graceful stop of the whole group takes at most


class Child:
    """One supervised process: how to start it, the process now, and its restarts in a row."""

    def __init__(self, name: str, launch: Callable[[], subprocess.Popen[bytes]]) -> None:
        self.name, self.launch = name, launch
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.restarts = 0  # in a row, each within STABLE seconds of the start before
        self.due: float | None = None  # when a restart is scheduled

    def start(self) -> None:
        self.proc = self.launch()
        self.started = time.monotonic()

    def exited(self) -> int | None:
        """Its exit status, if it has exited and no restart is scheduled yet."""
        if self.proc is None or self.due is not None:
            return None
        return self.proc.poll()

    def schedule(self) -> float:
        """Plan the restart after a death; the delay."""
        if time.monotonic() - self.started >= STABLE:
            self.restarts = 0
        delay = RESTART_DELAYS[min(self.restarts, len(RESTART_DELAYS) - 1)]
        self.restarts += 1
        self.due = time.monotonic() + delay
        return delay

    def stop(self, timeout: float) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


class Supervisor:
    """Redis (unless given), K workers and HAProxy, kept running until told to stop."""

    def __init__(self, data_dir: Path, launch_redis: Callable[[], subprocess.Popen[bytes]] | None,
                 launch_worker: Callable[[int, int], subprocess.Popen[bytes]],
                 ports: list[int], write_config: Callable[[list[int]], None],
                 launch_haproxy: Callable[[], subprocess.Popen[bytes]]) -> None:
        self.data_dir = data_dir
        self.launch_worker, self.ports, self.write_config = launch_worker, ports, write_config
        self.redis = Child("redis-server", launch_redis) if launch_redis else None
        self.workers = [self.worker(i, port) for i, port in enumerate(ports)]
        self.haproxy = Child("haproxy", self.restarted_haproxy(launch_haproxy))
        self.asked: list[str] = []  # signals not yet acted on: "stop" or "reload"
        # One line of the supervisor's log; workers.py makes it follow --log-format.
        self.tell: Callable[[str], None] = lambda text: print(f"supervisor: {text}",
                                                              file=sys.stderr, flush=True)

    def worker(self, index: int, port: int) -> Child:
        return Child(f"worker {balancer.server_name(index)} (port {port})",
                     lambda: self.launch_worker(index, port))

    def restarted_haproxy(self, launch: Callable[[], subprocess.Popen[bytes]]
                          ) -> Callable[[], subprocess.Popen[bytes]]:
        def start() -> subprocess.Popen[bytes]:
            self.write_config(self.ports)  # the workers' ports now (an upgrade may have moved them)
            return launch()
        return start

    def children(self) -> list[Child]:
        return [c for c in (self.redis, *self.workers, self.haproxy) if c is not None]

    def listen(self) -> None:
        """Signals only note what to do; the loop does it."""
        signal.signal(signal.SIGTERM, lambda n, _f: self.asked.append(signal.Signals(n).name))
        signal.signal(signal.SIGINT, lambda n, _f: self.asked.append(signal.Signals(n).name))
        signal.signal(signal.SIGHUP, lambda n, _f: self.asked.append("reload"))

    def stop_asked(self) -> str | None:
        return next((a for a in self.asked if a != "reload"), None)

    def run(self) -> int:
        """Supervise until SIGTERM or SIGINT; the exit status."""
        while True:
            name = self.stop_asked()
            if name:
                return self.stop(name)
            if "reload" in self.asked:
                self.asked.remove("reload")
                self.reload()
                continue
            self.tend()
            time.sleep(POLL)  # supervising: look again shortly

    def tend(self) -> None:
        """Restart the children that died, each after its backoff."""
        for child in self.children():
            status = child.exited()
            if status is not None:
                delay = child.schedule()
                when = "now" if not delay else f"in {delay:.0f} s"
                self.tell(f"{child.name} exited with {status}; restarting it {when}"
                    f" (restart {child.restarts} in a row)")
            if child.due is not None and time.monotonic() >= child.due:
                child.due = None
                try:
                    child.start()
                except OSError as error:  # cannot even start it: try again later
                    self.tell(f"{child.name} could not start: {error}")
                    child.schedule()

    def wait(self, check: Callable[[], bool], seconds: float) -> bool:
        """Tend the children until `check()` or `seconds` pass or a stop is asked; whether it held."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stop_asked():
            try:
                if check():
                    return True
            except OSError:
                pass
            self.tend()
            time.sleep(POLL)  # polling with a deadline
        return False

    def reload(self) -> None:
        """Replace the workers one at a time (new code, new options); the address keeps answering."""
        started = time.monotonic()
        self.tell(f"SIGHUP: replacing {len(self.workers)} workers one at a time")
        for index in range(len(self.workers)):
            try:
                replaced = self.replace(index)
            except (OSError, RuntimeError) as error:  # HAProxy away or refusing: try a later SIGHUP
                self.tell(f"upgrade stopped at worker {balancer.server_name(index)}: {error}")
                replaced = False
            if not replaced:
                return
        self.tell(f"upgrade done: {len(self.workers)} workers replaced in {time.monotonic() - started:.1f} s")

    def replace(self, index: int) -> bool:
        """Start a new worker for slot `index`, point HAProxy at it, stop the old one gracefully."""
        from .workers import free_port, listening

        port = free_port()
        new, old = self.worker(index, port), self.workers[index]
        new.start()
        proc = new.proc
        assert proc is not None
        if not self.wait(lambda: proc.poll() is not None or listening("127.0.0.1", port),
                         WORKER_START) or proc.poll() is not None:
            self.tell(f"the new {new.name} did not start; keeping the old one, upgrade stopped")
            new.stop(WORKER_BOUND)
            return False
        try:
            balancer.move(self.data_dir, index, port)
        except (OSError, RuntimeError):
            new.stop(WORKER_BOUND)  # the old one keeps serving
            raise
        self.ports[index] = port
        self.write_config(self.ports)
        self.workers[index] = new
        self.wait(lambda: balancer.server_up(self.data_dir, index), 5.0)
        old.stop(WORKER_BOUND + 2)  # graceful: its phones reconnect through HAProxy at once
        return True

    def stop(self, name: str) -> int:
        """Stop every child gracefully: HAProxy stops listening, workers drain, then the rest."""
        started = time.monotonic()
        haproxy = self.haproxy.proc
        if haproxy is not None and haproxy.poll() is None:
            haproxy.send_signal(signal.SIGUSR1)  # soft stop: no new connections
        for child in self.workers:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + WORKER_BOUND + 2
        for child in self.workers:
            if child.proc is not None:
                try:
                    child.proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.proc.kill()
                    child.proc.wait(5)
        self.haproxy.stop(1.0)
        if self.redis is not None:
            self.redis.stop(1.0)
        codes = [c.proc.returncode for c in self.workers if c.proc is not None]
        self.tell(f"stopped on {name} in {time.monotonic() - started:.1f} s (workers exited with"
            f" {', '.join(map(str, codes))})")
        return 0
