"""`python app.py export`: one workshop by suffix, or all of them in one database."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

from facilitation import commands
from facilitation.store import Store, connect
from facilitation.store.core import is_postgres
from tests.databases import database_for

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    data = Path(args[args.index("--data-dir") + 1]) if "--data-dir" in args else None
    return subprocess.run([sys.executable, "app.py", "export", *args, *STORES.get(data, [])],  # type: ignore[arg-type]
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


STORES: dict[Path, list[str]] = {}  # a data folder -> the options naming its store


def seed(data: Path) -> list[str]:
    """Two workshops with an idea each, on the store under test (the export then names it)."""
    data.mkdir()
    database = database_for(data)
    STORES[data] = ["--database", database] if is_postgres(database) else []
    store = Store(connect(database))
    codes = []
    for title in ("Første", "Anden"):
        workshop, _ = store.create_workshop(title, "Hvad nu?")
        actor, _ = commands.join(store, {"code": workshop.code})
        commands.post_idea(store, actor, {"text": f"Idé fra {title} – æøå", "client_id": "1"})
        codes.append(workshop.code)
    store.close()
    return codes


def test_export_one_workshop_in_each_format(tmp_path: Path) -> None:
    codes = seed(tmp_path / "data")
    for suffix in ("sqlite", "db", "csv", "json"):
        out = tmp_path / f"one.{suffix}"
        result = run(codes[0].lower(), "--out", str(out), "--data-dir", str(tmp_path / "data"))
        assert result.returncode == 0, result.stderr
        assert "1 ideas" in result.stdout
    rows = csv.DictReader((tmp_path / "one.csv").read_text(encoding="utf-8-sig").splitlines())
    assert [r["text"] for r in rows] == ["Idé fra Første – æøå"]
    assert json.loads((tmp_path / "one.json").read_text())["workshop"]["title"] == "Første"
    with Database(tmp_path / "one.db") as db:
        assert db["ideas"].count == 1


def test_export_all_workshops_into_one_database(tmp_path: Path) -> None:
    seed(tmp_path / "data")
    out = tmp_path / "all.db"
    result = run("--all", "--out", str(out), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(out)
    assert sorted(r[0] for r in db.execute("SELECT title FROM workshops")) == ["Anden", "Første"]
    assert db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 2
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "token" not in " ".join(r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    db.close()


def test_export_refuses_bad_requests_clearly(tmp_path: Path) -> None:
    seed(tmp_path / "data")
    data = ["--data-dir", str(tmp_path / "data")]
    unknown = run("ZZZZZZ", "--out", str(tmp_path / "x.csv"), *data)
    assert unknown.returncode == 2 and "no workshop" in unknown.stderr
    assert run("ZZZZZZ", "--out", str(tmp_path / "x.pdf"), *data).returncode == 2
    assert run("--all", "--out", str(tmp_path / "x.csv"), *data).returncode == 2
    assert run("--out", str(tmp_path / "x.csv"), *data).returncode == 2
    missing = run("--all", "--out", str(tmp_path / "x.db"), "--data-dir", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no database" in missing.stderr
