"""The SQLite export served by Datasette (a process of its own), with full-text search over the ideas."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.full_workshop import HIDDEN, PENDING, Workshop, download, full_workshop
from tests.servers import free_port


@pytest.fixture
def workshop(app: Any, client: Any) -> Workshop:
    """Two questions, tables, tied themes, a stack, a hidden idea and a waiting one (full_workshop.py)."""
    return full_workshop(app, client)


def test_datasette_serves_the_archive_with_full_text_search(client: Any, workshop: Workshop,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "workshop.sqlite"
    path.write_bytes(download(client, workshop, "sqlite"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "datasette.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(path),
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"datasette exited: {log.read_text()}"
            try:
                if requests.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"datasette did not start: {log.read_text()}"
            time.sleep(0.1)  # polling a condition with a deadline, not a bare sleep

        def search(query: str, **params: str) -> list[str]:
            response = requests.get(f"{base}/workshop/ideas.json", timeout=10,
                                    params={"_search": query, "_shape": "array", **params})
            assert response.status_code == 200, response.text
            return sorted(row["text"] for row in response.json())

        assert search("cykel") == ["Plads til din cykel ved Nørreport"]
        assert search("cykel*", _searchmode="raw") == sorted([
            "Cykelstier på Åboulevarden", "Plads til din cykel ved Nørreport",
            "cykelstier på åboulevarden!", HIDDEN, PENDING])
        assert search("Nørreport") == ["Plads til din cykel ved Nørreport"]
        assert search("gården") == ["Bænke og æbletræer i gården", 'Ølbar "=1+1" i gården']
        assert search("æbletræer") == ["Bænke og æbletræer i gården"]
        overview = requests.get(f"{base}/workshop/idea_overview.json", timeout=10,
                                params={"_shape": "array", "hidden": "0", "pending": "0"}).json()
        assert {row["text"]: row["votes"] for row in overview}["Grønne tage på Amager"] == 1
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    assert proc.poll() is not None
