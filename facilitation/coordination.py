"""What worker processes must agree on: coalesced sends, rate limits and once-only jobs.

One process keeps this in memory (`Local`); several processes serving one workshop share it through
Redis (`Shared`), the same Redis that carries their Socket.IO messages. Both offer the same three
operations, so the namespace and the organiser's jobs never ask how many processes there are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from redis.exceptions import RedisError

from .model import TokenBucket

log = logging.getLogger(__name__)
T = TypeVar("T")


class Coordination(Protocol):
    """The operations the realtime layer needs agreed between processes."""

    def coalesce(self, key: str, interval: float, send: Callable[[], None]) -> None:
        """Run `send` soon, at most once per `interval` for this key however often asked; `send`
        reads what it sends when it runs, so every change asked for before it is included."""

    def allow(self, key: str, rate: float, burst: int) -> bool:
        """Take one action from the token bucket `key` (burst at once, refilled at rate per second)."""

    def has(self, key: str, rate: float, burst: int) -> bool:
        """Whether the token bucket `key` holds an action now, without taking it."""

    def claim(self, key: str, seconds: float) -> bool:
        """Whether this process is the one to run the job `key` now (at most once per `seconds`)."""

    def health(self) -> None:
        """Raise if what the processes share does not answer now (/healthz)."""


class Local:
    """One process: timers and buckets in memory; the first request of a quiet key goes out at once."""

    def __init__(self, socketio: Any) -> None:
        self.socketio = socketio
        self.sent_at: dict[str, float] = {}
        self.pending: set[str] = set()
        self.buckets: dict[str, TokenBucket] = {}

    def coalesce(self, key: str, interval: float, send: Callable[[], None]) -> None:
        """See `Coordination.coalesce`."""
        if key in self.pending:
            return
        self.pending.add(key)
        wait = max(0.0, self.sent_at.get(key, 0.0) + interval - time.monotonic())

        def later() -> None:
            if wait:
                self.socketio.sleep(wait)
            self.pending.discard(key)
            self.sent_at[key] = time.monotonic()
            send()

        self.socketio.start_background_task(later)

    def allow(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.allow`."""
        return self.buckets.setdefault(key, TokenBucket(rate, burst)).allow(time.monotonic())

    def has(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.has`."""
        bucket = self.buckets.get(key)
        return bucket is None or bucket.has(time.monotonic())

    def claim(self, key: str, seconds: float) -> bool:
        """See `Coordination.claim`: the only process always runs its jobs."""
        return True

    def health(self) -> None:
        """See `Coordination.health`: memory always answers."""


# A token bucket kept in a Redis hash, on Redis's clock: its tokens as of now.
REFILL = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(kept[1]) or burst
if kept[2] then tokens = math.min(burst, tokens + (now - tonumber(kept[2])) * rate) end
"""
# Take a token, atomically.
BUCKET_SCRIPT = REFILL + """
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed
"""
# The same bucket, read without taking from it.
PEEK_SCRIPT = REFILL + """
if tokens >= 1 then return 1 end
return 0
"""


class Shared:
    """Several processes: Redis keys decide which process sends, allows or runs.

    Coalescing is trailing-edge: the process that sets the key `SET NX PX` sends one interval later,
    reading the database then; a request from any process while the key lives is covered by that
    send, because its change was committed before it asked (the key expires just before the send)."""

    def __init__(self, socketio: Any, url: str, prefix: str = "ideafactory:", timeout: float = 2.0) -> None:
        import redis

        self.socketio = socketio
        # A Redis that hangs must not hang every command: give up after 2 s (see Resilient).
        self.redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.url = url
        self.probe: Any = None  # a client of its own with a short timeout, for health()
        self.prefix = prefix
        self.bucket = self.redis.register_script(BUCKET_SCRIPT)
        self.peek = self.redis.register_script(PEEK_SCRIPT)

    def coalesce(self, key: str, interval: float, send: Callable[[], None]) -> None:
        """See `Coordination.coalesce`."""
        ttl = max(1, int(interval * 1000) - 50)
        if not self.redis.set(self.prefix + "coalesce:" + key, 1, nx=True, px=ttl):
            return

        def later() -> None:
            self.socketio.sleep(interval)
            send()

        self.socketio.start_background_task(later)

    def allow(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.allow`."""
        return bool(self.bucket(keys=[self.prefix + "bucket:" + key], args=[rate, burst]))

    def has(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.has`."""
        return bool(self.peek(keys=[self.prefix + "bucket:" + key], args=[rate, burst]))

    def claim(self, key: str, seconds: float) -> bool:
        """See `Coordination.claim`."""
        return bool(self.redis.set(self.prefix + "claim:" + key, 1, nx=True,
                                   px=max(1, int(seconds * 1000))))

    def health(self) -> None:
        """See `Coordination.health`: Redis answers PING within two seconds."""
        import redis

        if self.probe is None:
            self.probe = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        self.probe.ping()


class Resilient:
    """Shared through Redis while it answers; while it is away (killed, restarting, hung), each
    process coalesces and limits on its own and runs no once-only job, so commands still commit.

    After a failure Redis is left alone for RETRY_AFTER seconds (on the monotonic clock), then asked
    again by one call while the others go on locally: a Redis that hangs rather than refuses costs a
    call Shared's 2 s timeout once per back-off, not every call (a hall's votes would each wait 2 s).
    One log line when Redis goes away, one when it is back."""

    RETRY_AFTER = 5.0

    def __init__(self, shared: Shared, local: Local, clock: Callable[[], float] = time.monotonic) -> None:
        self.shared, self.local, self.clock = shared, local, clock
        self.away = False
        self.retry_at = float("-inf")  # while away: when Redis is asked again
        self.asking = False  # a call is finding out whether Redis is back

    def _resting(self) -> bool:
        """Whether to leave Redis alone now: it failed less than RETRY_AFTER ago, or another call is
        asking it whether it is back."""
        return self.away and (self.asking or self.clock() < self.retry_at)

    def _away(self, error: Exception) -> None:
        if not self.away:
            log.warning("Redis is away (%s): this worker limits and coalesces on its own, and asks"
                        " Redis again every %g s", error, self.RETRY_AFTER)
        self.away, self.retry_at = True, self.clock() + self.RETRY_AFTER

    def _shared(self, ask: Callable[[Shared], T]) -> T:
        """`ask` of Redis; a RedisError starts (or prolongs) the back-off."""
        self.asking = self.away
        try:
            answer = ask(self.shared)
        except RedisError as error:
            self._away(error)
            raise
        finally:
            self.asking = False
        if self.away:
            self.away = False
            log.warning("Redis is back: this worker shares limits and coalescing again")
        return answer

    def _either(self, ask: Callable[[Shared | Local], T]) -> T:
        """`ask` of Redis, or of this process while Redis is away."""
        if self._resting():
            return ask(self.local)
        try:
            return self._shared(ask)
        except RedisError:
            return ask(self.local)

    def coalesce(self, key: str, interval: float, send: Callable[[], None]) -> None:
        """See `Coordination.coalesce`."""
        self._either(lambda by: by.coalesce(key, interval, send))

    def allow(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.allow`."""
        return self._either(lambda by: by.allow(key, rate, burst))

    def has(self, key: str, rate: float, burst: int) -> bool:
        """See `Coordination.has`."""
        return self._either(lambda by: by.has(key, rate, burst))

    def health(self) -> None:
        """See `Coordination.health`: Redis away is reported, not ridden out."""
        self.shared.health()

    def claim(self, key: str, seconds: float) -> bool:
        """See `Coordination.claim`: no process claims a job while Redis is away (it runs later)."""
        if self._resting():
            return False
        try:
            return self._shared(lambda shared: shared.claim(key, seconds))
        except RedisError:
            return False


def coordination(socketio: Any, url: str | None) -> Local | Resilient:
    """Shared through Redis when there is a message queue, else in this process."""
    return Resilient(Shared(socketio, url), Local(socketio)) if url else Local(socketio)
