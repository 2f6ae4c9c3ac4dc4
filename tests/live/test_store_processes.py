"""Several processes writing one database (a SQLite file, as worker processes do; or PostgreSQL, as
hosts do): sequence numbers and budgets hold."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from facilitation.errors import CommandError
from facilitation.store import Store, connect
from tests.databases import database_for

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
    path = database_for(tmp_path)
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    people = [store.join(workshop.id, None, 10)[0].id for _ in range(3)]
    run_all(post_many, [(path, workshop.id, pid, f"p{pid}-") for pid in people])
    seqs = [row["seq"] for row in store.db.query("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, 3 * POSTS + 1))
    assert store.get_workshop(workshop.code).seq == 3 * POSTS  # type: ignore[union-attr]
    assert store.db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 3 * POSTS


def test_a_dot_budget_holds_when_two_processes_spend_it_at_once(tmp_path: Path) -> None:
    path = database_for(tmp_path)
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    voter = store.join(workshop.id, None, 10)[0].id
    author = store.join(workshop.id, None, 10)[0].id
    ideas = [store.post_idea(workshop.id, author, f"c{i}", f"Idé {i}",  # the question dots go to
                             prompt_id=workshop.active_prompt_id)[0].id for i in range(12)]
    store.set_voting(workshop.id, 5, 1)
    run_all(vote_many, [(path, workshop.code, voter, ideas), (path, workshop.code, voter, ideas[::-1])])
    assert store.db.execute("SELECT count(*) FROM votes WHERE participant_id = ?",
                            [voter]).fetchone()[0] == 5


def test_changes_made_meanwhile_commit_together_and_a_failing_one_alone_is_undone(
        tmp_path: Path) -> None:
    import threading
    import time

    path = database_for(tmp_path)
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    voters = [store.join(workshop.id, None, 20)[0].id for _ in range(12)]
    idea = store.post_idea(workshop.id, voters[0], "c", "Idé", prompt_id=workshop.active_prompt_id)[0].id
    store.set_voting(workshop.id, 1, 1, "both")
    current = store.get_workshop(workshop.code)
    assert current is not None
    store.cast_vote(current, voters[0], "idea_id", idea)  # voter 0 has spent its one dot
    commits = []

    def slow_commit(commit, *args):  # type: ignore[no-untyped-def]
        commits.append(1)
        time.sleep(0.05)  # a slow disk: changes pile up behind the sync
        return commit(*args)

    store.run_commit = slow_commit
    refused = []

    def cast(voter: int) -> None:
        try:
            store.cast_vote(current, voter, "idea_id", idea)
        except CommandError as error:
            refused.append(error.code)

    threads = [threading.Thread(target=cast, args=(voter,)) for voter in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert refused == ["no_dots_left"]  # undone alone; the others' dots stand
    assert len(commits) < 11  # eleven changes, fewer disk syncs
    again = Store(connect(path))  # what another process sees
    assert again.db.execute("SELECT count(*) FROM votes").fetchone()[0] == 12
