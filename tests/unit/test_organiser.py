"""The organiser: /admin sign-in, erasure, retention, the password on creation, paper imports."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from facilitation import commands
from tests.apps import ADMIN_PASSWORD, form_token
from tests.databases import ON_POSTGRES

PASSWORD = ADMIN_PASSWORD


def signed_in(client: Any) -> Any:
    page = client.get("/admin").data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/admin/login", data={"password": PASSWORD, "csrf": csrf}).status_code == 303
    page = client.get("/admin").data.decode()  # signing in starts a new session, with a new token
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_admin_is_off_without_a_password(client: Any) -> None:
    assert client.get("/admin").status_code == 403


def test_password_guards_creation_and_admin(admin_app: Any) -> None:
    client = admin_app.test_client()
    body = {"title": "Borgermøde", "prompt": "Hvad nu?"}
    assert client.post("/api/workshops", json=body).status_code == 401
    assert client.post("/api/workshops", json=body,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/workshops", json=body,
                       headers={"Authorization": f"Bearer {PASSWORD}"}).status_code == 201
    assert b'name="admin_password"' in client.get("/").data
    token = form_token(client)
    assert client.post("/", data={**body, "admin_password": "nope", "csrf": token}).status_code == 401
    assert client.post("/", data={**body, "admin_password": PASSWORD, "csrf": token}).status_code == 303
    page = client.get("/admin").data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/admin/login", data={"password": "x", "csrf": csrf}).status_code == 401
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 400  # no CSRF token
    assert client.post("/admin/login", data={"password": PASSWORD, "csrf": csrf}).status_code == 303
    listing = client.get("/admin").data.decode()
    assert listing.count('<th scope="row">Borgermøde</th>') == 2 and "Hvad nu?" not in listing


def test_erasure_leaves_nothing_of_the_workshop(admin_app: Any) -> None:
    client = admin_app.test_client()
    auth = {"Authorization": f"Bearer {PASSWORD}"}
    keep = client.post("/api/workshops", json={"title": "Beholdes", "prompt": "?"}, headers=auth).get_json()
    gone = client.post("/api/workshops", json={"title": "Slettes", "prompt": "?"}, headers=auth).get_json()
    store = admin_app.extensions["facilitation.store"]
    for created in (keep, gone):
        fac = commands.join(store, {"code": created["code"], "facilitator_token": created["facilitator_token"]})[0]
        phone = commands.join(store, {"code": created["code"]})[0]
        idea = commands.post_idea(store, phone, {"text": "Personlig idé", "client_id": "1"})[0]["idea"]
        theme = commands.create_cluster(store, fac, {"label": "Tema"})[0]["cluster"]["id"]
        commands.move_idea(store, fac, {"idea_id": idea["id"], "cluster_id": theme})
        commands.set_tables(store, fac, {"tables": ["Bord 1"]})
        commands.set_phase(store, fac, {"phase": "vote"})
        commands.cast_vote(store, phone, {"idea_id": idea["id"]})
    # The organiser may open and export any workshop, without its facilitator token.
    assert client.get(f"/w/{gone['code']}/export.csv", headers=auth).status_code == 200
    csrf = signed_in(client)
    assert client.post(f"/admin/w/{gone['code']}/delete").status_code == 400  # no CSRF token
    assert client.post(f"/admin/w/{gone['code']}/delete", data={"csrf": csrf}).status_code == 303
    db = store.db
    gone_id = None
    assert db.execute("SELECT count(*) FROM workshops WHERE code = ?", [gone["code"]]).fetchone()[0] == 0
    for table in ("prompts", "tables", "participants", "ideas", "clusters", "votes", "events"):
        ids = {r[0] for r in db.execute(f"SELECT DISTINCT workshop_id FROM [{table}]").fetchall()}
        assert gone_id not in ids and len(ids) == 1, table  # only the kept workshop's rows remain
    assert db.execute("SELECT count(*) FROM ideas").fetchone()[0] == 1
    if not ON_POSTGRES:  # PostgreSQL checks every foreign key as it goes; SQLite is asked here
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    log = store.erasures()
    assert [(e["code"], e["reason"], e["ideas"]) for e in log] == [(gone["code"], "admin", 1)]
    assert "Personlig" not in str(log)
    assert client.get(f"/w/{gone['code']}/wall").status_code == 404
    assert "Slettes" in client.get("/admin").data.decode()  # in the erasure log


def test_retention_finds_only_idle_closed_workshops(admin_app: Any) -> None:
    store = admin_app.extensions["facilitation.store"]
    old, _ = store.create_workshop("Gammel", "?")
    open_, _ = store.create_workshop("Åben", "?")
    store.set_phase(old.id, "closed")
    store.set_phase(open_.id, "cluster")
    store.db.execute("UPDATE events SET created_at = '2020-01-01T00:00:00.000Z'")
    store.db.execute("UPDATE workshops SET created_at = '2020-01-01T00:00:00.000Z'")
    assert [w["code"] for w in store.expired_workshops("2025-01-01T00:00:00.000Z")] == [old.code]
    assert store.expired_workshops("2019-01-01T00:00:00.000Z") == []


def test_paper_ideas_are_imported_once_into_the_active_question(app: Any, client: Any,
                                                                 monkeypatch: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    url = f"/w/{created['code']}/import"
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    assert client.post(url, data={"text": "x"}).status_code == 400  # no CSRF token
    assert client.post(url, data={"text": "x", "csrf": form_token(client)}).status_code == 401
    pasted = "Flere bænke\n\n  Grønne gårde  \n" + "x" * 501 + "\n"
    result = client.post(url, data={"text": pasted}, headers=auth).get_json()
    assert (result["imported"], result["already_there"]) == (2, 0)
    assert result["skipped"] == [{"line": 3, "reason": result["skipped"][0]["reason"]}]
    again = client.post(url, data={"text": "Flere bænke"}, headers=auth).get_json()
    assert (again["imported"], again["already_there"]) == (0, 1)
    danish_csv = "Bord;Idé\n7;Åbne skolegårde\n8;Læsehaver\n".encode("cp1252")
    upload = {"file": (io.BytesIO(danish_csv), "papir.csv")}
    result = client.post(url, data=upload, headers=auth, content_type="multipart/form-data").get_json()
    assert result["imported"] == 2
    snapshot = client.get(f"/api/workshops/{created['code']}").get_json()
    assert [i["text"] for i in snapshot["ideas"]] == ["Flere bænke", "Grønne gårde", "Åbne skolegårde", "Læsehaver"]
    assert snapshot["workshop"]["participant_count"] == 0  # paper is not a person
    assert all(i["author"] is None for i in snapshot["ideas"])
    assert client.post(url, data={"text": ""}, headers=auth).status_code == 400
    monkeypatch.setattr("facilitation.organiser.MAX_IMPORT_BYTES", 1000)  # a small limit, a small file
    huge = {"file": (io.BytesIO(b"a\n" * 1000), "big.txt")}
    refused = client.post(url, data=huge, headers=auth, content_type="multipart/form-data")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "too_long"


def test_a_connection_to_an_erased_workshop_gets_a_clear_error(admin_app: Any) -> None:
    store = admin_app.extensions["facilitation.store"]
    workshop, _ = store.create_workshop("Slettes", "?")
    phone, _ = commands.join(store, {"code": workshop.code})
    store.delete_workshop(workshop.id, "admin")
    for command, payload in [(commands.sync, {"since": 0}),
                             (commands.post_idea, {"text": "x", "client_id": "1"})]:
        with pytest.raises(commands.core.CommandError) as error:
            command(store, phone, payload)
        assert (error.value.code, error.value.message) == ("not_found", "This workshop has been deleted.")


def test_admin_names_phases_in_the_readers_language_and_links_the_report(admin_app: Any) -> None:
    client = admin_app.test_client()
    code = client.post("/api/workshops", json={"title": "Borgermøde", "prompt": "Hvad nu?"},
                       headers={"Authorization": f"Bearer {PASSWORD}"}).get_json()["code"]
    store = admin_app.extensions["facilitation.store"]
    workshop = store.get_workshop(code)
    store.set_phase(workshop.id, "cluster")
    store.db.execute("UPDATE workshops SET created_at = '2026-07-01T12:05:00.000Z'")
    signed_in(client)
    british = client.get("/admin", headers={"Accept-Language": "en-GB"}).data.decode()
    assert "<td>Sort</td>" in british and "cluster" not in british
    assert f'href="/w/{code}/report">Report</a>' in british
    assert "01/07/2026, 14:05" in british  # Copenhagen summer time, 24-hour as in Britain
    american = client.get("/admin", headers={"Accept-Language": "en-US"}).data.decode()
    assert "7/1/26, 2:05" in american and "PM" in american
    danish = client.get("/admin", headers={"Accept-Language": "da"}).data.decode()
    assert "<td>Sortering</td>" in danish and ">Rapport</a>" in danish and "14.05" in danish


def test_signing_out_or_a_new_password_revokes_every_copy_of_the_cookie(admin_app: Any, tmp_path: Any) -> None:
    from facilitation import create_app

    client = admin_app.test_client()
    csrf = signed_in(client)
    stolen = client.get_cookie("session").value  # a copy, as a thief or a shared computer keeps it
    thief = admin_app.test_client()
    thief.set_cookie("session", stolen)
    assert b"/admin/logout" in thief.get("/admin").data  # the copy works while the organiser is in
    stranger = admin_app.test_client()  # signing out a session that is not signed in revokes nothing
    assert stranger.post("/admin/logout", data={"csrf": form_token(stranger, "/admin")}).status_code == 303
    assert b"/admin/logout" in thief.get("/admin").data
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    assert b"/admin/logout" not in thief.get("/admin").data  # revoked on the server, not only here

    signed_in(client)
    kept = client.get_cookie("session").value
    moved = create_app({"DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
                        "ADMIN_PASSWORD": "et-nyt-kodeord", "SECRET_KEY": admin_app.config["SECRET_KEY"]})
    after = moved.test_client()
    after.set_cookie("session", kept)
    assert b"/admin/logout" not in after.get("/admin").data  # a new password: old cookies are out
