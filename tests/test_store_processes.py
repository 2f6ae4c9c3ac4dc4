"""Several processes writing one SQLite file, as worker processes do: sequence numbers and budgets hold."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from facilitation.model import CommandError
from facilitation.store import Store, connect

pytestmark = pytest.mark.slow  # a process of its own: not in `make test-fast`

POSTS = 60


def post_many(path: str, workshop_id: int, participant_id: int, prefix: str) -> None:
    """One process: post ideas as fast as it can through its own connection."""
    store = Store(connect(path))
    for i in range(POSTS):
        store.post_idea(workshop_id, participant_id, f"{prefix}{i}", f"Idé {prefix}{i}")


def vote_many(path: str, code: str, participant_id: int, idea_ids: list[int]) -> None:
    """One process: try to place a dot on every idea; the budget refuses the rest."""
    store = Store(connect(path))
    workshop = store.get_workshop(code)
    assert workshop is not None
    for idea_id in idea_ids:
        try:
            store.cast_vote(workshop, participant_id, "idea_id", idea_id)
        except CommandError:
            pass


def run_all(target, argument_lists: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for args in argument_lists]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0


def test_sequence_numbers_stay_unique_and_gapless_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "facilitation.db")
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    people = [store.join(workshop.id, None, 10)[0].id for _ in range(3)]
    run_all(post_many, [(path, workshop.id, pid, f"p{pid}-") for pid in people])
    seqs = [row["seq"] for row in store.db.query("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, 3 * POSTS + 1))
    assert store.get_workshop(workshop.code).seq == 3 * POSTS  # type: ignore[union-attr]
    assert store.db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 3 * POSTS


def test_a_dot_budget_holds_when_two_processes_spend_it_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "facilitation.db")
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    voter = store.join(workshop.id, None, 10)[0].id
    author = store.join(workshop.id, None, 10)[0].id
    ideas = [store.post_idea(workshop.id, author, f"c{i}", f"Idé {i}")[0].id for i in range(12)]
    store.set_voting(workshop.id, 5, 1)
    run_all(vote_many, [(path, workshop.code, voter, ideas), (path, workshop.code, voter, ideas[::-1])])
    assert store.db.execute("SELECT count(*) FROM votes WHERE participant_id = ?",
                            [voter]).fetchone()[0] == 5
