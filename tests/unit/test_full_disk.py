"""A full disk in the store: a database at its size limit refuses every change with `storage_full`
and takes them again when there is room, and no change is acknowledged that SQLite undid (issue 26,
item 5; the real server on a full tmpfs is in tests/live/test_full_disk.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from facilitation.errors import CommandError
from facilitation.store import Store, connect


def test_a_database_at_its_size_limit_refuses_every_change_and_takes_them_again(tmp_path: Path) -> None:
    store = Store(connect(str(tmp_path / "facilitation.db")))
    workshop, _ = store.create_workshop("T", "Q")
    author = store.join(workshop.id, None, 100)[0].id
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    answers: list[str] = []

    def post(i: int) -> None:
        try:
            store.post_idea(workshop.id, author, f"c{i}", "Idé " + "x" * 400)
            answers.append("ok")
        except CommandError as error:
            answers.append(error.code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 40, "a change was left waiting for its group's commit"
    assert "storage_full" in answers and set(answers) <= {"ok", "storage_full"}
    store.db.execute("PRAGMA max_page_count = 1073741823")  # room again
    for i in range(40):  # the phones' outboxes send the same client_ids again
        store.post_idea(workshop.id, author, f"c{i}", "Idé " + "x" * 400)
    assert store.db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 40
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_change_never_acknowledges_what_sqlite_undid_with_another(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk may make SQLite undo the whole open transaction, changes that joined it included:
    they must be refused, not acknowledged by a commit of nothing."""
    from facilitation.store import core

    store = Store(connect(str(tmp_path / "facilitation.db")))
    workshop, _ = store.create_workshop("T", "Q")
    author = store.join(workshop.id, None, 100)[0].id
    gate = threading.Event()
    real_sleep = time.sleep

    class Clock:  # the group's leader waits before its commit until the test lets it go on
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            if threading.current_thread() is threading.main_thread():
                real_sleep(seconds)
            else:
                gate.wait(10)

    monkeypatch.setattr(core, "time", Clock())
    outcome: list[object] = []

    def post() -> None:
        try:
            outcome.append(store.post_idea(workshop.id, author, "first", "Idé"))
        except CommandError as error:
            outcome.append(error.code)

    leader = threading.Thread(target=post)
    leader.start()
    deadline = time.monotonic() + 10
    while (store._group is None or store._group.members < 1) and time.monotonic() < deadline:
        real_sleep(0.01)  # until the leader's change has joined the open transaction
    with pytest.raises(CommandError) as refused:
        with store._transaction() as db:
            db.execute("INSERT INTO ideas (workshop_id, participant_id, client_id, text, created_at)"
                       " VALUES (?, ?, 'second', 'x', 'now')", [workshop.id, author])
            db.conn.rollback()  # what SQLite does to the whole transaction when the disk is full
            raise sqlite3.OperationalError("database or disk is full")
    assert refused.value.code == "storage_full"
    gate.set()
    leader.join(10)
    assert outcome == ["storage_full"]
    assert store.db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 0
    store.post_idea(workshop.id, author, "first", "Idé")  # sent again: stored now
    assert store.db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 1
