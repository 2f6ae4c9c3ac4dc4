"""The store over an in-memory database: every write is one transaction with its event row."""

from __future__ import annotations

import json
import sqlite3

from typing import Any

import pytest

from facilitation.errors import CommandError
from facilitation.store import Store, connect
from tests.databases import scrub_plan


@pytest.fixture
def store(new_store: Any) -> Store:
    return new_store()


def test_create_workshop_keeps_only_a_hash_of_the_token(store: Store) -> None:
    workshop, token = store.create_workshop("Idea Factory", "Hvad nu?")
    assert store.get_workshop(workshop.code) == workshop
    row = next(store.db["workshops"].rows)
    assert token not in json.dumps(row)
    assert store.is_facilitator(workshop, token)
    assert not store.is_facilitator(workshop, token + "x")
    assert not store.is_facilitator(workshop, None)


def test_every_change_advances_seq_and_logs_an_event(store: Store) -> None:
    workshop, _ = store.create_workshop("T", "Q")
    participant, token, new = store.join(workshop.id, None, 10)
    idea, posted = store.post_idea(workshop.id, participant.id, "c1", "Bænke")
    hidden = store.set_hidden(workshop.id, idea.id, True)
    closed = store.set_posting(workshop.id, False)
    assert new and [f.seq for f in (posted, hidden, closed)] == [1, 2, 3]  # type: ignore[union-attr]
    events = list(store.db.query("SELECT seq, type, actor FROM events ORDER BY seq"))
    assert events == [
        {"seq": 1, "type": "idea_posted", "actor": f"participant:{participant.id}"},
        {"seq": 2, "type": "idea_hidden", "actor": "facilitator"},
        {"seq": 3, "type": "posting_closed", "actor": "facilitator"},
    ]
    assert store.get_workshop(workshop.code).seq == 3  # type: ignore[union-attr]


def test_unchanged_state_makes_no_fact(store: Store) -> None:
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    idea, _ = store.post_idea(workshop.id, participant.id, "c1", "x")
    assert store.set_hidden(workshop.id, idea.id, False) is None
    assert store.set_posting(workshop.id, True) is None
    again, fact = store.post_idea(workshop.id, participant.id, "c1", "x")
    assert again == idea and fact is None
    assert store.db["ideas"].count == 1


def test_returning_participant_is_recognised_only_in_its_workshop(store: Store) -> None:
    first, _ = store.create_workshop("A", "Q")
    second, _ = store.create_workshop("B", "Q")
    participant, token, _ = store.join(first.id, None, 10)
    same, same_token, new = store.join(first.id, token, 10)
    assert (same.id, same_token, new) == (participant.id, token, False)
    other, other_token, _ = store.join(second.id, token, 10)
    assert other.id != participant.id and other_token != token


def test_snapshot_and_facts_since(store: Store) -> None:
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    a, _ = store.post_idea(workshop.id, participant.id, "a", "Synlig")
    b, _ = store.post_idea(workshop.id, participant.id, "b", "Skjult")
    store.set_hidden(workshop.id, b.id, True)
    public = store.snapshot(workshop.id, include_hidden=False)
    assert [i["text"] for i in public["ideas"]] == ["Synlig"]
    assert public["workshop"]["idea_count"] == 1 and public["workshop"]["participant_count"] == 1
    assert len(store.snapshot(workshop.id, include_hidden=True)["ideas"]) == 2
    facts = store.facts_since(workshop.id, 0, limit=10)
    assert [f.type for f in facts] == ["idea_posted", "idea_posted", "idea_hidden"]  # type: ignore[union-attr]
    assert store.facts_since(workshop.id, 0, limit=2) is None


@pytest.mark.sqlite_only
def test_file_database_uses_wal_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = connect(tmp_path / "live.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store = Store(db)
    workshop, _ = store.create_workshop("T", "Q")
    with pytest.raises(sqlite3.IntegrityError):
        store.post_idea(workshop.id, 999, "c", "no such participant")
    assert db["ideas"].count == 0 and db["events"].count == 0  # the failed write left nothing
    assert Store(connect(tmp_path / "live.db")).get_workshop(workshop.code) == workshop


def test_joins_stop_at_the_limit(store: Store) -> None:
    workshop, _ = store.create_workshop("T", "Q")
    first, token, _ = store.join(workshop.id, None, 2)
    store.join(workshop.id, None, 2)
    with pytest.raises(CommandError) as error:
        store.join(workshop.id, None, 2)
    assert error.value.code == "full"
    assert store.join(workshop.id, token, 2)[0] == first  # a returning phone still gets in
    assert store.participant_count(workshop.id) == 2


@pytest.mark.sqlite_only
def test_erased_text_does_not_linger_in_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "live.db"
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    store.post_idea(workshop.id, participant.id, "c", "Hemmelig borgeridé 4711")
    store.delete_workshop(workshop.id, "admin")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"4711" not in path.read_bytes()


def test_an_edit_finds_the_ideas_facts_by_index_not_by_reading_the_log(store: Store) -> None:
    """Without the index an edit's scrub read the workshop's whole log (11 ms at 20,000 facts)."""
    plan = scrub_plan(store.db)
    assert "idx_events_workshop_id_idea_id" in plan, plan
    # Both of its columns are the search key, the idea's id included (PostgreSQL: Index Cond).
    assert "(workshop_id=? AND <expr>=?)" in plan or "#>> '{idea,id}'" in plan.split("Index Cond")[1]


def test_the_organisers_list_counts_people_and_wall_ideas_as_every_screen_does(store: Store) -> None:
    """/admin's counts follow docs/glossary.md: no paper stand-in, no hidden or waiting idea."""
    workshop, _ = store.create_workshop("T", "Q?")
    person, _, _ = store.join(workshop.id, None, 100)
    paper = store.paper_participant(workshop.id)
    shown, _ = store.post_idea(workshop.id, person.id, "a", "Vist")
    hidden, _ = store.post_idea(workshop.id, person.id, "b", "Skjult")
    store.set_hidden(workshop.id, hidden.id, True)
    store.post_idea(workshop.id, person.id, "c", "Venter", pending=True)
    store.import_ideas(workshop.id, paper, workshop.active_prompt_id, [("p1", "Fra papir")])
    row = next(w for w in store.list_workshops() if w["code"] == workshop.code)
    assert (row["participants"], row["ideas"]) == (1, 2)
    assert store.presence(workshop.id)["participant_count"] == 1
    assert store.snapshot(workshop.id, include_hidden=False)["workshop"]["idea_count"] == 2


@pytest.mark.sqlite_only
def test_an_edits_checkpoint_runs_off_the_event_loop_as_commits_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Every participant's edit or deletion copies SQLite's log into the file and syncs it: on the
    # event loop, that stalled every phone of the process for the sync.
    import threading

    from facilitation import create_app

    ran: list[tuple[str, bool]] = []

    def pool(function, *args):  # type: ignore[no-untyped-def]  # app.py's thread pool, recording
        result: list[Any] = []
        thread = threading.Thread(target=lambda: result.append(function(*args)))
        thread.start()
        thread.join(30)
        ran.append((getattr(function, "__name__", ""), thread.ident != threading.get_ident()))
        return result[0]

    app = create_app({"DATA_DIR": str(tmp_path), "ASYNC_MODE": "threading", "TESTING": True,
                      "RUN_BLOCKING": pool})
    store = app.extensions["facilitation.store"]
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    idea, _ = store.post_idea(workshop.id, participant.id, "s", "Hemmelig borgeridé 4718")
    ran.clear()
    store.edit_idea(workshop.id, idea.id, "Offentlig", f"participant:{participant.id}")
    assert ("_wal_checkpoint", True) in ran  # before: run in the caller's thread, not the pool's
    assert (tmp_path / "facilitation.db-wal").stat().st_size == 0  # and it did empty the log
    assert b"4718" not in (tmp_path / "facilitation.db").read_bytes()
    store.close()


def test_turns_let_facts_leave_in_seq_order_a_batch_of_thousands_included() -> None:
    """Turns (the send order of the facts this process logged): a fact waits for earlier unsent
    ones only; sending one passes every earlier one; a rolled-back fact is not waited for; a
    batch logged at once (a merge telling 20,000 phones) leaves in order, each turn immediate."""
    import threading

    from facilitation.store.core import Turns

    turns = Turns()
    turns.WAIT = 5.0  # a wait in vain would show as a slow test, not pass by timing out
    for seq in range(1, 20_001):
        turns.logged(1, seq)
    turns.logged(2, 7)
    for seq in range(1, 20_001):  # in order, no fact waits: the whole batch without a timeout
        turns.wait(1, seq)
        turns.sent(1, seq)
    assert 1 not in turns.unsent and list(turns.unsent[2]) == [7]
    for seq in (10, 11, 12, 13):
        turns.logged(3, seq)
    turns.dropped([(3, 11)])
    turns.sent(3, 10)
    turns.wait(3, 12)  # 11 rolled back: 12 is next
    left: list[int] = []
    later = threading.Thread(target=lambda: (turns.wait(3, 13), left.append(13)))
    later.start()
    later.join(0.1)
    assert left == []  # 13 waits for 12
    turns.sent(3, 12)
    later.join(5)
    assert left == [13]
    turns.sent(3, 13)
    turns.logged(4, 5)
    turns.logged(4, 3)  # out of order (never in practice): still sorted
    assert list(turns.unsent[4]) == [3, 5] and 3 not in turns.unsent
