"""What an operator's monitoring reads at /metrics: connections, commands, refusals, queues and the
store's commits, in the Prometheus text format. With `--workers`, each worker writes its figures to
files in PROMETHEUS_MULTIPROC_DIR (set by workers.py) and any worker answers for all of them."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
BALANCER_STATS = "IDEA_FACTORY_BALANCER_STATS"  # the workers' HAProxy runtime socket (workers.py)
log = logging.getLogger(__name__)
SAMPLE_INTERVAL = 5.0  # seconds between readings of the gauges below

COMMANDS = Counter("idea_factory_commands", "Commands handled, by command and outcome (ok or the"
                   " error code)", ["command", "outcome"])
COMMAND_SECONDS = Histogram("idea_factory_command_seconds", "Time from a command's arrival to its ack",
                            ["command"], buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
IDEAS = Counter("idea_factory_ideas_posted", "Ideas posted from phones (rate(): ideas per second)")
VOTES = Counter("idea_factory_votes_cast", "Dots placed (rate(): votes per second)")
REFUSED = Counter("idea_factory_rate_limited", "Requests refused by a rate limit, by kind: the"
                  " command, `join`, or the HTTP endpoint", ["kind"])
REFUSED_CONNECTIONS = ("idea_factory_connections_refused", "Connections closed by a bound below the"
                       " application, by reason: per_address (one past --max-connections-per-address),"
                       " header_timeout (a request begun whose line and headers were not in within"
                       " --header-timeout; with --workers, HAProxy's malformed requests too)")
CONNECTIONS_REFUSED = Counter(*REFUSED_CONNECTIONS, ["reason"])
CONNECTIONS_FULL = Counter("idea_factory_connections_full", "Times every one of --max-connections was"
                           " in use: newer connections wait in the listen backlog until one closes")
COMMIT_SECONDS = Histogram("idea_factory_store_commit_seconds", "Time a store commit (a disk sync)"
                           " takes", buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1))
VACUUMS = Counter("idea_factory_store_vacuums", "PostgreSQL: background VACUUM (FULL) runs that"
                  " rewrote tables erasures left text in, by outcome (done, or failed: tried again"
                  " later)", ["outcome"])
VACUUM_SECONDS = Counter("idea_factory_store_vacuum_seconds", "PostgreSQL: seconds the background"
                         " VACUUM (FULL) statements took, their wait (1 s at most) for the table locks"
                         " included: every statement on those tables waits meanwhile. Its waits"
                         " before (for another host's rewrite, older transactions) hold nobody up"
                         " and are not counted")
VACUUM_PENDING = Gauge("idea_factory_store_vacuum_pending", "PostgreSQL: tables holding erased text"
                       " that wait for the background VACUUM (FULL)", multiprocess_mode="livesum")
CONNECTED = Gauge("idea_factory_connected", "Joined Socket.IO connections by screen", ["screen"],
                  multiprocess_mode="livesum")
WORKSHOPS = Gauge("idea_factory_workshops_active", "Workshops with at least one joined connection"
                  " (summed over workers: one served by two counts twice)", multiprocess_mode="livesum")
OPEN = Gauge("idea_factory_connections_open", "Open Socket.IO connections, joined or not",
             multiprocess_mode="livesum")
QUEUED = Gauge("idea_factory_send_queue_packets", "Packets waiting to be sent, summed over"
               " connections", multiprocess_mode="livesum")
SCREENS = {"participant": "phone", "viewer": "wall", "facilitator": "console"}
REFUSALS = ("rate_limited", "too_many_attempts")


def command_done(name: str, outcome: str, seconds: float) -> None:
    """Count one handled command: `outcome` is "ok" or its error code."""
    COMMANDS.labels(name, outcome).inc()
    COMMAND_SECONDS.labels(name).observe(seconds)
    if outcome in REFUSALS:
        REFUSED.labels(name).inc()
    elif outcome == "ok" and name == "post_idea":
        IDEAS.inc()
    elif outcome == "ok" and name == "cast_vote":
        VOTES.inc()


def timed_commits(run: Callable[..., Any]) -> Callable[..., Any]:
    """The store's `run_commit`, observing how long each commit takes."""
    def run_timed(function: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return run(function, *args)
        finally:
            COMMIT_SECONDS.observe(time.perf_counter() - started)
    return run_timed


def watch_vacuum(vacuum: Any) -> None:
    """Count the store's background rewrites (store/vacuum.py) and the tables waiting for one."""
    def ran(outcome: str, seconds: float) -> None:
        VACUUMS.labels(outcome).inc()
        VACUUM_SECONDS.inc(seconds)
    vacuum.on_run, vacuum.on_pending = ran, VACUUM_PENDING.set


def sample(actors: dict[str, Any], eio_sockets: dict[str, Any]) -> None:
    """Read the gauges: joined connections by screen, active workshops, queued packets (from
    python-engineio's `sockets` and their send `queue`, which it offers no other way: see
    shutdown.close_sessions)."""
    counts = dict.fromkeys(SCREENS.values(), 0)
    workshops = set()
    for actor in list(actors.values()):
        counts[SCREENS.get(actor.role, "phone")] += 1
        workshops.add(actor.workshop.id)
    for screen, count in counts.items():
        CONNECTED.labels(screen).set(count)
    WORKSHOPS.set(len(workshops))
    OPEN.set(len(eio_sockets))
    QUEUED.set(sum(getattr(s.queue, "qsize", lambda: 0)() for s in list(eio_sockets.values())))


def start_sampler(socketio: Any, namespace: Any) -> None:
    """Read the gauges every few seconds in the background (a scrape reads files, not this process)."""
    def loop() -> None:
        while True:
            sample(namespace.actors, getattr(socketio.server.eio, "sockets", {}))
            socketio.sleep(SAMPLE_INTERVAL)
    socketio.start_background_task(loop)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type: this process's, or every worker's summed."""
    folder = os.environ.get(MULTIPROCESS)
    if not folder:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    for file in Path(folder).glob("gauge_live*_*.db"):  # a worker that died leaves its gauges
        pid = int(file.stem.rsplit("_", 1)[1])
        if not alive(pid):
            multiprocess.mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    registry.register(Workers(folder, os.environ.get(BALANCER_STATS)))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class Workers(Collector):
    """Every worker's figures summed, and what their HAProxy (the socket named by BALANCER_STATS)
    refused before a worker saw it: with --workers it holds the connection bounds."""

    def __init__(self, folder: str, balancer_socket: str | None) -> None:
        self.folder, self.balancer_socket = folder, balancer_socket

    def collect(self) -> Iterable[Metric]:
        """The workers' metrics, with HAProxy's refusals added to `connections_refused`."""
        families = list(multiprocess.MultiProcessCollector(None, self.folder).collect())  # type: ignore[no-untyped-call]
        if not self.balancer_socket:
            return families
        from .balancer import frontend_stats

        try:
            stats = frontend_stats(Path(self.balancer_socket))
        except (OSError, StopIteration, ValueError) as error:  # HAProxy restarting: the rest stands
            log.warning("HAProxy's counters are not in /metrics: %s", error)
            return families
        name = REFUSED_CONNECTIONS[0]
        refused = next((f for f in families if f.name == name), None)
        counts = {s.labels["reason"]: s.value for s in refused.samples} if refused else {}
        counts["per_address"] = counts.get("per_address", 0) + stats["dcon"]
        counts["header_timeout"] = counts.get("header_timeout", 0) + stats["ereq"]
        merged = CounterMetricFamily(*REFUSED_CONNECTIONS, labels=["reason"])
        for reason, value in sorted(counts.items()):
            merged.add_metric([reason], value)
        balancer = GaugeMetricFamily("idea_factory_balancer_connections", "HAProxy's connections"
                                     " (with --workers it holds --max-connections): open, the most"
                                     " at once since it started, and its cap", labels=["measure"])
        for measure, field in (("open", "scur"), ("peak", "smax"), ("limit", "slim")):
            balancer.add_metric([measure], stats[field])
        return [f for f in families if f.name != name] + [merged, balancer]


def alive(pid: int) -> bool:
    """Whether a process of that id runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
