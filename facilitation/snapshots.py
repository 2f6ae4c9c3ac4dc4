"""Snapshots made once and shared: a workshop's snapshot is read and encoded as JSON at most once
per sequence number (and second) for each kind of screen, and every client asking for it then gets
the same text spliced into its message, however many ask.

A 1,000-idea snapshot is ~270 KB of JSON and cost the event loop 40-180 ms to read and encode;
two viewers asking 20 times a second held up everyone else's messages by seconds.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import weakref
from typing import Any

from .model import Workshop
from .store import Store

# Counts in a snapshot (participants, the timer's view) change without a new sequence number:
# a kept snapshot is made again after this long, as often as the screens' counts are sent.
MAX_AGE = 1.0


class Encoded(dict):  # type: ignore[type-arg]
    """A snapshot that encodes itself once: its JSON text is made on first use and kept."""

    text: str | None = None

    def json(self) -> str:
        """The snapshot as compact JSON, made once."""
        if self.text is None:
            self.text = json.dumps(self, separators=(",", ":"), ensure_ascii=False)
        return self.text


class Kept:
    """The latest snapshot of each workshop and kind of screen, with its sequence number and age."""

    def __init__(self) -> None:
        self.kept: dict[tuple[int, str], tuple[int, float, Encoded]] = {}
        self.lock = threading.Lock()

    def get(self, workshop: Workshop, kind: str, make: Any) -> Encoded:
        """The kept snapshot if it is of `workshop.seq` and fresh, else a new one from `make()`."""
        key, now = (workshop.id, kind), time.monotonic()
        found = self.kept.get(key)
        if found is not None and found[0] == workshop.seq and now - found[1] < MAX_AGE:
            return found[2]
        made = Encoded(make())
        with self.lock:
            self.kept[key] = (made["seq"], now, made)
        return made


_KEPT: weakref.WeakKeyDictionary[Store, Kept] = weakref.WeakKeyDictionary()


def snapshot(store: Store, workshop: Workshop, kind: str) -> Encoded:
    """The workshop's snapshot for a `facilitator`, a `wall` or a `phone`, shared while current."""
    kept = _KEPT.get(store)
    if kept is None:
        kept = _KEPT.setdefault(store, Kept())
    # Read now, after the caller joined its rooms: a fact since then is in the snapshot or comes.
    workshop = store.get_workshop(workshop.code) or workshop
    if kind == "phone":
        return kept.get(workshop, kind, lambda: store.phone_snapshot(workshop.id))
    return kept.get(workshop, kind, lambda: store.snapshot(workshop.id, kind == "facilitator"))


# Where an encoded snapshot goes in a message being encoded: a mark no user text can hold (user
# text never keeps a control character), replaced by the snapshot's text afterwards.
MARK = "\x00snapshot-" + secrets.token_hex(8) + "-"


def _swap(value: Any, found: list[Encoded], depth: int = 0) -> Any:
    """`value` with each Encoded (within the first levels, where messages carry them) as a mark."""
    if isinstance(value, Encoded):
        found.append(value)
        return f"{MARK}{len(found) - 1}"
    if depth >= 3:
        return value
    if isinstance(value, dict):
        return {k: _swap(v, found, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_swap(v, found, depth + 1) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """JSON of `value` whose Encoded snapshots are spliced in as they were encoded once."""
    found: list[Encoded] = []
    swapped = _swap(value, found)
    text = json.dumps(swapped, **options)
    for n, encoded in enumerate(found):
        text = text.replace(json.dumps(f"{MARK}{n}"), encoded.json(), 1)
    return text


class SharedJSON:
    """The JSON module Socket.IO encodes messages with (its `json` option)."""

    dumps = staticmethod(dumps)
    loads = staticmethod(json.loads)
