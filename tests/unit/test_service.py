"""What monitoring reads: /healthz, /metrics (trusted addresses only) and JSON logs without secrets,
in-process (tests/live/test_service.py runs the real server)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from facilitation.logs import JsonFormatter, redact


def test_healthz_answers_ok_while_the_store_answers(app: Any) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "store": "ok", "coordination": "ok"}


def test_healthz_says_503_and_why_when_the_store_fails(app: Any) -> None:
    store = app.extensions["facilitation.store"]
    store.health()  # on PostgreSQL this opens /healthz's own connection
    for db in (store.db, store.reader, store.prober):  # closed, as a vanished database's would be
        if db is not None:
            db.conn.close()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["store"].startswith(("ProgrammingError", "OperationalError"))  # sqlite3, psycopg


def metrics(client: Any, peer: str, **headers: str) -> Any:
    return client.get("/metrics", environ_base={"REMOTE_ADDR": peer}, headers=headers)


def test_metrics_are_for_this_machine_and_named_addresses_only(tmp_path: Path) -> None:
    from facilitation import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
                      "TRUSTED_PROXIES": ["10.0.0.5"], "METRICS_FROM": ["192.0.2.0/28"]})
    client = app.test_client()
    own = metrics(client, "127.0.0.1")
    assert own.status_code == 200 and own.content_type.startswith("text/plain")
    assert "idea_factory_store_commit_seconds_bucket" in own.text
    assert metrics(client, "192.0.2.9").status_code == 200  # the Prometheus server
    assert metrics(client, "192.0.2.99").status_code == 403  # a phone on the venue Wi-Fi
    # Through the proxy, the client's own address decides, and "this machine" never does.
    assert metrics(client, "10.0.0.5", **{"X-Forwarded-For": "127.0.0.1"}).status_code == 403
    assert metrics(client, "10.0.0.5", **{"X-Forwarded-For": "192.0.2.3"}).status_code == 200


def test_json_logs_are_one_object_a_line_without_secrets() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "GET /w/ABC/facilitate?token=%s Authorization:"
                               " Bearer %s {'facilitator_token': 'abc123'} password=hemmelig", ("t0k3n", "b34r3r"),
                               None)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "warning" and entry["logger"] == "x" and entry["time"].endswith("+00:00")
    for secret in ("t0k3n", "b34r3r", "abc123", "hemmelig"):
        assert secret not in line
    assert redact("?code=AB&token=xyz&x=1") == "?code=AB&token=[hidden]&x=1"
