"""Both backends hold the same schema; a SQLite database moves into PostgreSQL whole; hosts on one
PostgreSQL share the signing key; a lost PostgreSQL connection is opened again; erased and edited
text leaves PostgreSQL's files by a rewrite in the background, which an ack never waits for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tests.databases import DATABASES, ON_POSTGRES, scrub_plan
from tests.hosts import wait_until
from tests.servers import LiveServer, Peer
from facilitation import commands, export
from facilitation.shutdown import BOUND
from facilitation.store import Store, connect
from facilitation.store import postgres_schema
from facilitation.store.postgres import translate
from facilitation.store.schema import migrations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> str:
    """A fresh PostgreSQL schema, on either pass (CI always has the server; a laptop may not)."""
    try:
        return DATABASES.new()
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server here ({error})")


def columns(db: Any) -> dict[str, set[str]]:
    """Every table's column names, from the backend's own catalogue."""
    if hasattr(db, "raw"):
        rows = db.execute("SELECT table_name, column_name FROM information_schema.columns"
                          " WHERE table_schema = current_schema()").fetchall()
    else:
        rows = [(t, c[1]) for t in db.table_names() for c in db.execute(f"PRAGMA table_info([{t}])")]
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        if not table.startswith("_"):
            tables.setdefault(table, set()).add(column)
    return tables


def test_both_backends_have_the_same_tables_and_columns(pg_url: str) -> None:
    sqlite, pg = Database(memory=True), connect(pg_url)
    migrations.apply(sqlite)
    assert columns(sqlite) == columns(pg)
    # Every SQLite migration since PostgreSQL's baseline has its PostgreSQL twin, under its name.
    names = [m.name for m in migrations._migrations]  # sqlite-utils keeps them in order here
    baseline = names.index(postgres_schema.MIGRATIONS[0][0])
    assert [name for name, _ in postgres_schema.MIGRATIONS] == names[baseline:]
    pg.conn.close()


def test_sqlite_statements_are_translated_once_outside_string_literals() -> None:
    assert translate("SELECT 'a?%' FROM [tables] WHERE x = ? AND y IS NOT ? AND z IS NULL") == \
        "SELECT 'a?%%' FROM \"tables\" WHERE x = %s AND y IS DISTINCT FROM %s AND z IS NULL"
    assert translate("SELECT 1 WHERE p IS (SELECT q FROM t) AND r IS NOT NULL") == \
        "SELECT 1 WHERE p IS NOT DISTINCT FROM (SELECT q FROM t) AND r IS NOT NULL"
    assert translate("INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id") == \
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING RETURNING id"
    assert "#>> '{idea,id}'" in translate("SELECT json_extract(payload, '$.idea.id') FROM events")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_from_before_the_index_gets_it(backend: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    """schema.py's m017 and its PostgreSQL twin index the facts an existing database holds."""
    if ON_POSTGRES:  # the first pass ran it on PostgreSQL already
        pytest.skip("runs on the first pass, against PostgreSQL too")
    url = str(tmp_path / "old.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    old = Store(connect(url))
    workshop, _ = old.create_workshop("T", "Q")
    participant, _, _ = old.join(workshop.id, None, 10)
    idea, _ = old.post_idea(workshop.id, participant.id, "c", "Hemmelig borgeridé 4718")
    # As the database stood before m017: the index, and the record of its migration, absent.
    old.db.execute("DROP INDEX idx_events_workshop_id_idea_id")
    log = "_sqlite_migrations" if backend == "sqlite" else "_migrations"
    old.db.execute(f"DELETE FROM {log} WHERE name = 'm017_events_by_idea'")
    if backend == "sqlite":
        old.db.conn.commit()
    assert "idx_events_workshop_id_idea_id" not in scrub_plan(old.db)
    old.close()
    store = Store(connect(url))
    assert "idx_events_workshop_id_idea_id" in scrub_plan(store.db)
    store.edit_idea(workshop.id, idea.id, "Offentlig borgeridé", "participant")
    assert not [row for row in store.db.execute("SELECT payload FROM events") if "4718" in row[0]]
    store.close()

def workshop_with_everything(store: Store) -> str:
    """A workshop with a question, a table, a theme, a stack, votes and a hidden idea."""
    workshop, _ = store.create_workshop("Borgermøde", "Hvad skal vi gøre?")
    phone, _ = commands.join(store, {"code": workshop.code})
    ideas = [commands.post_idea(store, phone, {"text": text, "client_id": str(n)})[0]["idea"]["id"]
             for n, text in enumerate(["Flere bænke", "Flere bænke!", "Grønne gårde", "Skjult"])]
    store.add_prompt(workshop.id, "Og så?")
    store.set_tables(workshop.id, ["Bord 1"])
    theme = store.create_cluster(workshop.id, "Byrum").payload["cluster"]["id"]
    store.move_ideas(workshop.id, ideas[:2], theme)
    store.stack_ideas(workshop.id, ideas[0], [ideas[1]])
    store.set_hidden(workshop.id, ideas[3], True)
    store.set_phase(workshop.id, "vote")
    current = store.get_workshop(workshop.code)
    assert current is not None
    store.cast_vote(current, phone.participant_id, "idea_id", ideas[2])
    return workshop.code


def test_migrate_store_copies_a_sqlite_folder_into_postgresql(tmp_path: Path, pg_url: str) -> None:
    source = Store(connect(tmp_path / "facilitation.db"))
    code = workshop_with_everything(source)
    before = source.export_rows(None, export.COLUMNS)
    result = subprocess.run([sys.executable, "app.py", "migrate-store", "--from", f"sqlite:{tmp_path}",
                             "--to", pg_url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Copied 1 workshop(s) and 4 ideas" in result.stdout
    target = Store(connect(pg_url))
    assert target.export_rows(None, export.COLUMNS) == before  # ids, texts, stacks, votes, events
    # The archive an organiser downloads is the same file from either store.
    assert export.to_sqlite(target.export_rows(None, export.COLUMNS)) == export.to_sqlite(before)
    workshop = target.get_workshop(code)
    assert workshop is not None
    participant = target.join(workshop.id, None, 10)[0]  # new rows continue after the copied ids
    idea, fact = target.post_idea(workshop.id, participant.id, "new", "Efter flytningen")
    assert idea.id == 5 and fact is not None and fact.seq == workshop.seq + 1
    again = subprocess.run([sys.executable, "app.py", "migrate-store", "--from", f"sqlite:{tmp_path}",
                            "--to", pg_url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already has workshops" in again.stderr  # never merged
    target.close()
    back = subprocess.run([sys.executable, "app.py", "migrate-store", "--from", pg_url, "--to",
                           f"sqlite:{tmp_path / 'back.db'}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert back.returncode == 0, back.stderr  # and back again, the new idea with it
    assert Store(connect(tmp_path / "back.db")).export_rows(None, export.COLUMNS)["ideas"][-1]["text"] \
        == "Efter flytningen"


def test_hosts_on_one_postgresql_share_the_signing_key(tmp_path: Path, pg_url: str) -> None:
    from facilitation import create_app

    config = {"ASYNC_MODE": "threading", "TESTING": True, "DATABASE": pg_url}
    first = create_app({**config, "DATA_DIR": str(tmp_path / "a")})
    second = create_app({**config, "DATA_DIR": str(tmp_path / "b")})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert not (tmp_path / "a" / "secret_key").exists()  # nothing host-local to copy around


def test_a_lost_connection_is_opened_again(pg_url: str) -> None:
    store = Store(connect(pg_url))
    workshop, _ = store.create_workshop("T", "Q")
    store.db.raw.execute("SELECT 1")  # type: ignore[attr-defined]
    pid = store.db.raw.info.backend_pid  # type: ignore[attr-defined]
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:  # as a restarted server would
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(psycopg.OperationalError):
        store.set_posting(workshop.id, False)  # the change in flight fails, and says so
    assert store.set_posting(workshop.id, False) is not None  # the next one reconnects
    # The reads have a connection of their own, and /healthz another: each comes back as well, or
    # after a failover every read (or every health check) would fail until the host restarted.
    store.health()
    for conn in (store.reader.raw, store.prober.raw):  # type: ignore[attr-defined, union-attr]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [conn.info.backend_pid])
    with pytest.raises(psycopg.OperationalError):
        store.snapshot(workshop.id, include_hidden=True)
    with pytest.raises(psycopg.OperationalError):
        store.health()
    store.health()
    assert store.snapshot(workshop.id, include_hidden=True)["workshop"]["code"] == workshop.code
    store.close()


def test_a_store_dropped_unclosed_hangs_up_before_psycopg_can_warn(pg_url: str) -> None:
    import gc
    import warnings
    import weakref

    db = connect(pg_url)
    gc.collect()  # the store and its connection in the oldest generation
    box = [db]  # an app holding the store, made after it (the store has no other holder now)
    raw = weakref.ref(db.raw)  # type: ignore[attr-defined]
    running = db.raw  # type: ignore[attr-defined]  # as a statement under way holds it
    del db
    # A collection now finds the store only through the younger box and moves it behind its
    # connection in the collector's list: in the garbage below, psycopg's __del__ came first.
    gc.collect()
    del running
    box.append(box)  # the app becomes cyclic garbage, as a test's app does
    del box
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
        gc.collect()  # what the first one freed
    assert raw() is None
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], caught[0].message
    DATABASES.release(pg_url)


def relation_bytes(url: str) -> bytes:
    """Every file of this store's tables, their TOAST and their indexes, as PostgreSQL has written
    them to disk (after a CHECKPOINT): where an erased text could still be read."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        data_dir = Path(conn.execute("SHOW data_directory").fetchone()[0])  # type: ignore[index]
        paths = [row[0] for row in conn.execute(
            "SELECT pg_relation_filepath(oid) FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
            " AND relkind IN ('r', 'i') UNION SELECT pg_relation_filepath(reltoastrelid) FROM pg_class"
            " WHERE relnamespace = current_schema()::regnamespace AND reltoastrelid != 0")]
    if not os.access(data_dir, os.R_OK):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL's {data_dir} must be readable here (CI runs as root)")
        pytest.skip(f"PostgreSQL's {data_dir} is not readable here")
    # A relation is its file and, past 1 GB, segments named <file>.1, <file>.2, ...
    return b"".join(segment.read_bytes() for path in paths if path
                    for segment in [data_dir / path, *(data_dir / path).parent.glob(Path(path).name + ".*")]
                    if segment.exists())


def test_erased_text_is_in_no_file_of_the_postgresql_store(pg_url: str) -> None:
    store = Store(connect(pg_url))
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    for n in range(5):
        store.post_idea(workshop.id, participant.id, f"c{n}", f"Idé {n}")
    # The newest row of its page: plain VACUUM leaves such a row's bytes in the page's free space.
    secret, _ = store.post_idea(workshop.id, participant.id, "s", "Hemmelig borgeridé 4711")
    assert b"4711" in relation_bytes(pg_url)  # the reader sees what is there
    store.delete_idea(workshop.id, secret.id, "facilitator")
    assert store.vacuum is not None and store.vacuum.pending == ["events", "ideas"]
    assert store.vacuum.wait(60)  # the background rewrite, a few seconds after the erasure
    assert b"4711" not in relation_bytes(pg_url)
    store.post_idea(workshop.id, participant.id, "t", "Hemmelig borgeridé 4712")
    store.delete_workshop(workshop.id, "admin")
    assert store.vacuum.wait(60)
    left = relation_bytes(pg_url)
    assert b"4712" not in left and "Idé 3".encode() not in left
    store.close()


def test_an_edited_ideas_old_text_is_in_no_file_of_the_postgresql_store(pg_url: str) -> None:
    store = Store(connect(pg_url))
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    idea, _ = store.post_idea(workshop.id, participant.id, "s", "Hemmelig borgeridé 4713")
    store.post_idea(workshop.id, participant.id, "t", "Idé bagefter")  # the edited row is not the newest
    store.edit_idea(workshop.id, idea.id, "Offentlig borgeridé", f"participant:{participant.id}")
    assert store.vacuum is not None and store.vacuum.wait(60)
    left = relation_bytes(pg_url)
    assert b"4713" not in left and "Offentlig borgeridé".encode() in left
    # The logged facts carry the new text: a screen that syncs sees no gap in it.
    posted = store.facts_since(workshop.id, 0, 100)
    assert [f.idea["text"] for f in posted or [] if f.type == "idea_posted"][0] == "Offentlig borgeridé"  # type: ignore[attr-defined]
    store.close()


def vacuums(url: str, outcome: str) -> float:
    """How many background rewrites a server has run with this outcome (done, failed)."""
    import requests

    line = f'idea_factory_store_vacuums_total{{outcome="{outcome}"}} '
    text = requests.get(url + "/metrics", timeout=10).text
    return sum(float(row[len(line):]) for row in text.splitlines() if row.startswith(line))


def gauge(url: str, name: str) -> float:
    """A server's gauge without labels, from /metrics."""
    import requests

    text = requests.get(url + "/metrics", timeout=10).text
    return sum(float(row[len(name) + 1:]) for row in text.splitlines() if row.startswith(name + " "))


# The worker is a green thread in both modes; under eventlet the rewrite runs in its thread pool.
@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_a_deletion_is_acknowledged_while_its_rewrite_waits_for_a_lock(
        mode: str, tmp_path: Path, pg_url: str, peers: Any) -> None:
    import psycopg

    if ON_POSTGRES:  # the first pass ran it on PostgreSQL already: 12 s are not spent twice in CI
        pytest.skip("runs on the first pass, against PostgreSQL too")
    server = LiveServer(tmp_path / "data", mode, "--database", pg_url)
    server.start()
    try:
        phone: Peer = peers(server.url)
        assert phone.call("join", {"code": server.create_workshop()["code"]})["ok"]
        for n in range(3):
            phone.call("post_idea", {"text": f"Idé {n}", "client_id": str(n)})
        secret = phone.call("post_idea", {"text": "Hemmelig borgeridé 4714", "client_id": "s"})
        with psycopg.connect(pg_url) as holder:
            # VACUUM's own lock (a long export would hold a weaker one): changes go on, rewrites wait.
            holder.execute("LOCK TABLE ideas IN SHARE UPDATE EXCLUSIVE MODE")
            assert phone.call("delete_idea", {"idea_id": secret["idea"]["id"]}, timeout=60)["ok"]
            wait_until(lambda: vacuums(server.url, "failed") >= 1, "a rewrite giving up on its lock")
            edited = phone.call("post_idea", {"text": "Idé 3", "client_id": "3"}, timeout=60)
            assert phone.call("edit_idea", {"idea_id": edited["idea"]["id"], "text": "Idé 3b"},
                              timeout=60)["ok"]
            assert b"4714" in relation_bytes(pg_url) and vacuums(server.url, "done") == 0
            holder.rollback()
        wait_until(lambda: vacuums(server.url, "done") >= 1, "the rewrite once the lock is free")
        assert b"4714" not in relation_bytes(pg_url)
        log = server.log.read_text()
        assert log.count("VACUUM (FULL) of events, ideas failed") == 1, log  # once per outage
        # A graceful stop right after a deletion runs the rewrite it would have run 2 s later.
        gone = phone.call("post_idea", {"text": "Hemmelig borgeridé 4715", "client_id": "g"})
        assert phone.call("delete_idea", {"idea_id": gone["idea"]["id"]})["ok"]
        assert server.proc is not None
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(BOUND + 10) == 0
        assert b"4715" not in relation_bytes(pg_url)
    finally:
        server.kill()


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_erasures_and_ideas_while_a_rewrite_runs_neither_hang_nor_get_lost(
        mode: str, tmp_path: Path, pg_url: str, peers: Any) -> None:
    import threading

    import psycopg

    from facilitation.store.postgres import REWRITE_LOCK

    if ON_POSTGRES:  # the first pass ran it on PostgreSQL already
        pytest.skip("runs on the first pass, against PostgreSQL too")
    server = LiveServer(tmp_path / "data", mode, "--database", pg_url)
    server.start()
    try:
        code = server.create_workshop()["code"]
        phones: list[Peer] = [peers(server.url) for _ in range(3)]
        assert all(phone.call("join", {"code": code}, timeout=60)["ok"] for phone in phones)
        first = phones[0].call("post_idea", {"text": "Hemmelig borgeridé 4720", "client_id": "s"}, timeout=60)
        kept: list[str] = []
        with psycopg.connect(pg_url, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [REWRITE_LOCK])  # another host's rewrite
            assert phones[0].call("delete_idea", {"idea_id": first["idea"]["id"]}, timeout=60)["ok"]
            wait_until(lambda: last_query(pg_url, "pg_try_advisory_lock"), "the rewrite waiting its turn")

            def hall(n: int, phone: Peer) -> None:  # posting, deleting and editing meanwhile
                ideas = [phone.call("post_idea", {"text": text, "client_id": text}, timeout=60)["idea"]["id"]
                         for text in [f"Hemmelig borgeridé 473{n}", f"Idé {n}.0", f"Idé {n}.1", f"Idé {n}.2"]]
                assert phone.call("delete_idea", {"idea_id": ideas[0]}, timeout=60)["ok"]
                assert phone.call("edit_idea", {"idea_id": ideas[1], "text": f"Idé {n}.0b"}, timeout=60)["ok"]
                kept.extend([f"Idé {n}.0b", f"Idé {n}.1", f"Idé {n}.2"])

            threads = [threading.Thread(target=hall, args=(n, phone)) for n, phone in enumerate(phones)]
            for thread in threads:
                thread.start()
            while any(thread.is_alive() for thread in threads):
                assert gauge(server.url, "idea_factory_store_vacuum_pending") >= 0  # /metrics answers
                for thread in threads:
                    thread.join(0.2)
            assert len(kept) == 9  # every phone's commands were acknowledged
            assert vacuums(server.url, "done") == 0 and gauge(server.url, "idea_factory_store_vacuum_pending") == 2
            other.execute("SELECT pg_advisory_unlock(%s)", [REWRITE_LOCK])
        wait_until(lambda: vacuums(server.url, "done") >= 1, "the rewrite once its turn came")
        left = relation_bytes(pg_url)  # it wrote the tables anew: the later erasures' rows too
        secrets = [f"Hemmelig borgeridé {number}" for number in (4720, 4730, 4731, 4732)]
        assert [secret for secret in secrets if secret.encode() in left] == []
        assert sorted(row["text"] for row in server.stored("ideas")["ideas"]) == sorted(kept)
        with psycopg.connect(pg_url, autocommit=True) as other:
            # The later erasures' rewrite (due after the spacing) waits its turn at a graceful
            # stop: the stop still ends in time, and says what it left.
            other.execute("SELECT pg_advisory_lock(%s)", [REWRITE_LOCK])
            assert server.proc is not None
            server.proc.send_signal(signal.SIGTERM)
            assert server.proc.wait(BOUND + 10) == 0
        assert "VACUUM (FULL) of events, ideas not done before the exit" in server.log.read_text()
    finally:
        server.kill()


def last_query(url: str, part: str) -> bool:
    """Whether another session of the database last ran a statement with `part` in it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                 " AND pid <> pg_backend_pid() AND strpos(query, %s) > 0",
                                 [part]).fetchone()[0])  # type: ignore[index]


def test_one_rewrite_runs_at_a_time_among_the_hosts_of_a_database(pg_url: str) -> None:
    import threading

    import psycopg

    from facilitation.store.postgres import REWRITE_LOCK

    store = Store(connect(pg_url))
    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    done = threading.Event()
    with psycopg.connect(pg_url, autocommit=True) as other:  # another host's rewrite is running
        other.execute("SELECT pg_advisory_lock(%s)", [REWRITE_LOCK])
        locked: list[float] = []  # the metrics' seconds: the VACUUM statement's, not the wait's
        threading.Thread(target=lambda: (store.db.vacuum_tables(["ideas"], locked=locked.append), done.set()),  # type: ignore[attr-defined]
                         daemon=True).start()
        wait_until(lambda: last_query(pg_url, "pg_try_advisory_lock"), "a rewrite waiting its turn")
        store.post_idea(workshop.id, participant.id, "c", "Idé")  # it holds no change up meanwhile
        assert not done.is_set()
        other.execute("SELECT pg_advisory_unlock(%s)", [REWRITE_LOCK])
        assert done.wait(60) and len(locked) == 1 and locked[0] > 0
    store.close()


def test_a_rewrite_whose_host_went_silent_gives_its_lock_up(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import psycopg

    from facilitation.store import postgres
    from facilitation.store.postgres import REWRITE_LOCK

    monkeypatch.setattr(postgres, "IDLE_WAIT", 1)
    store = Store(connect(pg_url))
    frozen = threading.Event()  # the host stops between two looks, REWRITE_LOCK taken

    def rewrite() -> None:
        try:
            store.db.vacuum_tables(["ideas"], lambda seconds: frozen.wait(60))  # type: ignore[attr-defined]
        except Exception:  # its session was ended meanwhile: it fails, to be tried again
            pass

    with psycopg.connect(pg_url, autocommit=True) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM pg_class")  # a snapshot from before the change below
        store.create_workshop("T", "Q")  # the rewrite waits (frozen) for the reader, its lock taken
        threading.Thread(target=rewrite, daemon=True).start()
        wait_until(lambda: last_query(pg_url, "age(backend_xmin)"), "the rewrite's look")
        with psycopg.connect(pg_url, autocommit=True) as other:  # another host's turn: free again
            wait_until(lambda: other.execute("SELECT pg_try_advisory_lock(%s)",  # type: ignore[index]
                                             [REWRITE_LOCK]).fetchone()[0], "the lock given up")
        reader.execute("ROLLBACK")
    frozen.set()
    store.close()


def rewrite_waits_for_a_reader(reader_url: str, store: Store, secret_text: str) -> None:
    """Post `secret_text`, open a reader's snapshot on `reader_url`, delete the idea: the rewrite
    waits while the reader may still see it (VACUUM would keep its rows, the text in them)."""
    import threading

    import psycopg

    workshop, _ = store.create_workshop("T", "Q")
    participant, _, _ = store.join(workshop.id, None, 10)
    secret, _ = store.post_idea(workshop.id, participant.id, "s", secret_text)
    store.post_idea(workshop.id, participant.id, "t", "Idé bagefter")
    done = threading.Event()
    with psycopg.connect(reader_url) as reader:  # a long export, say, reading at one moment
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        # Its snapshot sees the idea from now on, though it holds no lock on `ideas` or `events`.
        reader.execute("SELECT count(*) FROM pg_class")
        store.delete_idea(workshop.id, secret.id, "facilitator")
        threading.Thread(target=lambda: (store.db.vacuum_tables(["ideas", "events"]), done.set()),
                         daemon=True).start()
        wait_until(lambda: last_query(reader_url, "age(backend_xmin)"), "the rewrite's look")
        assert not done.is_set()
        reader.commit()
        assert done.wait(60)


def test_a_rewrite_waits_for_a_transaction_that_still_sees_the_erased_text(pg_url: str) -> None:
    store = Store(connect(pg_url))
    rewrite_waits_for_a_reader(pg_url, store, "Hemmelig borgeridé 4716")
    assert b"4716" not in relation_bytes(pg_url)
    store.close()


def test_a_plain_roles_rewrite_waits_for_another_roles_transaction(pg_url: str) -> None:
    """The app's role as docs/deploy.md creates it (no superuser, no pg_read_all_stats) sees
    another role's session (an organiser's pg_dump as postgres, say) without its backend_type."""
    import uuid

    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    role, password = f"if_test_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(pg_url, autocommit=True) as admin:
        if not admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:  # type: ignore[index]
            pytest.skip("creating a role needs a superuser (CI runs as one)")
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        admin.execute(f"CREATE SCHEMA {role} AUTHORIZATION {role}")
        host, port = admin.info.host, admin.info.port
    database = conninfo_to_dict(pg_url)["dbname"]
    host = "127.0.0.1" if host.startswith("/") else host  # a password over TCP: not the OS user
    store = Store(connect(f"postgresql://{role}:{password}@{host}:{port}/{database}"
                          f"?options=-csearch_path%3D{role}%20-csynchronous_commit%3Doff"))
    try:  # before the fix: rewritten at once, the text kept for the reader
        rewrite_waits_for_a_reader(pg_url, store, "Hemmelig borgeridé 4717")
    finally:
        store.close()
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {role} CASCADE")
            admin.execute(f"DROP ROLE {role}")


@pytest.mark.parametrize(("user", "query", "vacuuming", "counts"), [
    (None, "autovacuum: ANALYZE s1.events", False, True),  # a snapshot VACUUM (FULL) keeps rows for
    (None, "autovacuum: VACUUM ANALYZE pg_catalog.pg_class", False, True),  # in its ANALYZE
    (None, "<insufficient privilege>", False, True),  # what a plain role sees of a worker
    (None, "autovacuum: VACUUM s1.ideas", True, False),  # VACUUM's snapshot is ignored by VACUUM
    (None, "<insufficient privilege>", True, False),  # a plain role sees its progress
    (10, "SELECT 1", False, True),
    (10, "VACUUM s1.ideas", True, True),  # a person's VACUUM: counted, on the safe side
])
def test_a_rewrite_waits_for_what_holds_rows_back_and_only_that(
        pg_url: str, user: int | None, query: str, vacuuming: bool, counts: bool) -> None:
    """The sessions the rewrite waits for (postgres.OLDER), over rows standing in for
    pg_stat_activity: an autovacuum worker (no user) running ANALYZE across an erasure kept the
    erased text in VACUUM (FULL)'s new files, seen as a flaky failure of the test above."""
    import psycopg

    from facilitation.store.postgres import OLDER

    with psycopg.connect(pg_url, autocommit=True) as conn:
        horizon = int(conn.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0])  # type: ignore[index]
        found = []
        for xmin in (horizon - 3, horizon):  # older than the erasure, then not
            activity = ("WITH pg_stat_progress_vacuum AS (SELECT -1 AS pid WHERE %s),"
                        " pg_stat_activity AS (SELECT current_database() AS datname, -1 AS pid,"
                        " %s::oid AS usesysid, %s::text AS backend_type, %s::text AS query,"
                        " %s::text::xid AS backend_xmin, NULL::xid AS backend_xid) ")
            kind = "client backend" if user else "autovacuum worker"
            found.append(conn.execute(activity + OLDER, [vacuuming, user, kind, query, str(xmin % 2**32),
                                                         str(horizon % 2**32), str(horizon % 2**32)]
                                      ).fetchone()[0])  # type: ignore[index]
    assert found == [1 if counts else 0, 0]


def test_health_does_not_wait_behind_the_reads(pg_url: str) -> None:
    import threading

    store = Store(connect(pg_url))
    answered = threading.Event()
    with store.read_lock:  # every read of this host waits behind one that takes long
        threading.Thread(target=lambda: (store.health(), answered.set()), daemon=True).start()
        assert answered.wait(10)
    store.close()
