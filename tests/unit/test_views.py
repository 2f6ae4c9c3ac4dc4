"""Pages, the JSON API, the facilitator cookie and exports, through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from typing import Any

from facilitation import commands
from facilitation.views import CREATE_BURST
from tests.apps import form_token


def create(client: Any) -> dict[str, Any]:
    response = client.post("/api/workshops", json={"title": "Borgermøde", "prompt": "Hvad nu?"})
    assert response.status_code == 201
    return response.get_json()  # type: ignore[no-any-return]


def test_home_creates_a_workshop_and_opens_the_console(client: Any) -> None:
    assert client.post("/", data={"title": "Idea Factory", "prompt": "Hvordan?"}).status_code == 400
    token = form_token(client)
    response = client.post("/", data={"title": "Idea Factory", "prompt": "Hvordan?", "csrf": token})
    # The token goes straight into the cookie: it is in no URL, so not in the browser's history.
    assert response.status_code == 303 and "token" not in response.headers["Location"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    console = client.get(response.headers["Location"])
    assert console.status_code == 200 and b"Idea Factory" in console.data
    assert console.headers["Cache-Control"] == "no-store"
    refused = client.post("/", data={"title": "", "prompt": "x", "csrf": token}, headers={"Accept-Language": "en"})
    assert refused.status_code == 400 and "The title is empty. Write something first." in refused.data.decode()


def test_console_needs_the_token(client: Any) -> None:
    code = create(client)["code"]
    assert client.get(f"/w/{code}/facilitate").status_code == 403
    assert client.get(f"/w/{code}/facilitate?token=wrong").status_code == 403


def test_typed_codes_find_their_workshop(client: Any) -> None:
    code = create(client)["code"]
    response = client.get(f"/join?code={code.lower()[:3]}-{code.lower()[3:]}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{code}")
    unknown = client.get("/join?code=ZZZZZZ")
    assert unknown.status_code == 404 and b"aria-invalid" in unknown.data
    assert client.get("/join/ZZZZZZ").status_code == 404
    assert b"Traceback" not in client.get("/w/nonsense/wall").data


def test_user_text_is_escaped(client: Any) -> None:
    response = client.post("/api/workshops", json={"title": "<script>alert(1)</script>",
                                                   "prompt": "<b>hej</b>"})
    code = response.get_json()["code"]
    page = client.get(f"/join/{code}").data
    assert b"<script>alert(1)</script>" not in page and b"&lt;script&gt;" in page


def test_language_follows_browser_and_choice(client: Any) -> None:
    assert b'lang="en"' in client.get("/", headers={"Accept-Language": "en-GB,en"}).data
    assert b'lang="da"' in client.get("/", headers={"Accept-Language": "da"}).data
    switched = client.get("/lang/en?next=/")
    assert switched.status_code == 302 and "lang=en" in switched.headers["Set-Cookie"]
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"


def test_hidden_ideas_stay_in_the_archive_and_out_of_public_formats(app: Any, client: Any,
                                                                    tmp_path: Any) -> None:
    created = create(client)
    code, token = created["code"], created["facilitator_token"]
    store = app.extensions["facilitation.store"]
    actor, _ = commands.join(store, {"code": code})
    for n, text in enumerate(["Grønne tage på Amager", "Flere bænke", "Skjult idé"]):
        commands.post_idea(store, actor, {"text": text, "client_id": str(n)})
    hidden_id = store.snapshot(actor.workshop.id, True)["ideas"][2]["id"]
    store.set_hidden(actor.workshop.id, hidden_id, True)
    auth = {"Authorization": f"Bearer {token}"}

    for fmt in ("sqlite", "csv", "json"):
        assert client.get(f"/w/{code}/export.{fmt}").status_code == 401
    assert client.get(f"/w/{code}/export.xml", headers=auth).status_code == 404

    csv_body = client.get(f"/w/{code}/export.csv", headers=auth).data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert [r["text"] for r in rows] == ["Grønne tage på Amager", "Flere bænke"]
    json_body = client.get(f"/w/{code}/export.json", headers=auth).data.decode()
    assert len(json.loads(json_body)["ideas"]) == 2 and "Skjult" not in json_body
    path = tmp_path / "archive.sqlite"
    path.write_bytes(client.get(f"/w/{code}/export.sqlite", headers=auth).data)
    archive = sqlite3.connect(path)
    assert archive.execute("SELECT text, hidden FROM ideas ORDER BY id").fetchall()[2] == ("Skjult idé", 1)


def test_sqlite_export_is_standalone_with_keys(app: Any, client: Any, tmp_path: Any) -> None:
    created = create(client)
    store = app.extensions["facilitation.store"]
    actor, _ = commands.join(store, {"code": created["code"]})
    commands.post_idea(store, actor, {"text": "Æbletræer i gårdene", "client_id": "1"})
    body = client.get(f"/w/{created['code']}/export.sqlite",
                      headers={"Authorization": f"Bearer {created['facilitator_token']}"}).data
    path = tmp_path / "export.sqlite"
    path.write_bytes(body)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[0] for r in db.execute("SELECT text FROM ideas")] == ["Æbletræer i gårdene"]
    assert db.execute("PRAGMA foreign_key_list(ideas)").fetchall()
    assert "token" not in " ".join(r[0] for r in db.execute("SELECT sql FROM sqlite_master"
                                                           " WHERE sql IS NOT NULL"))


def test_exports_carry_themes_and_stacks(app: Any, client: Any, tmp_path: Any) -> None:
    created = create(client)
    store = app.extensions["facilitation.store"]
    actor, _ = commands.join(store, {"code": created["code"]})
    ids = [commands.post_idea(store, actor, {"text": t, "client_id": t})[0]["idea"]["id"]
           for t in ("Cykelsti", "cykelsti!", "Bibliotek")]
    facilitator = commands.join(store, {"code": created["code"],
                                        "facilitator_token": created["facilitator_token"]})[0]
    theme = commands.create_cluster(store, facilitator, {"label": "Trafik"})[0]["cluster"]["id"]
    commands.move_idea(store, facilitator, {"idea_id": ids[0], "cluster_id": theme})
    commands.stack_ideas(store, facilitator, {"idea_ids": ids[:2]})
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/w/{created['code']}/export.csv",
                                                      headers=auth).data.decode("utf-8-sig"))))
    assert [(r["text"], r["theme"], r["duplicate_of"]) for r in rows] == [
        ("Cykelsti", "Trafik", ""), ("cykelsti!", "Trafik", str(ids[0])), ("Bibliotek", "", "")]
    path = tmp_path / "x.sqlite"
    path.write_bytes(client.get(f"/w/{created['code']}/export.sqlite", headers=auth).data)
    db = sqlite3.connect(path)
    assert db.execute("SELECT label FROM clusters").fetchall() == [("Trafik",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    document = json.loads(client.get(f"/w/{created['code']}/export.json", headers=auth).data)
    assert [t["label"] for t in document["themes"]] == ["Trafik"]


def test_workshop_creation_is_rate_limited_per_address(client: Any) -> None:
    stranger = {"REMOTE_ADDR": "10.1.2.3"}
    statuses = [client.post("/api/workshops", json={"title": "T", "prompt": "Q"},
                            environ_base=stranger).status_code for _ in range(CREATE_BURST + 2)]
    assert statuses[:CREATE_BURST] == [201] * CREATE_BURST and statuses[-1] == 429
    refused = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}, environ_base=stranger)
    assert refused.get_json()["error"]["code"] == "rate_limited"
    form = client.post("/", data={"title": "T", "prompt": "Q", "csrf": form_token(client)},
                       environ_base=stranger)
    assert form.status_code == 429
    other = client.post("/api/workshops", json={"title": "T", "prompt": "Q"},
                        environ_base={"REMOTE_ADDR": "10.1.2.4"})
    assert other.status_code == 201
    assert all(client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).status_code == 201
               for _ in range(25))  # the server's own machine is not limited


def test_exports_carry_questions_tables_votes_and_the_moderation_log(app: Any, client: Any,
                                                                     tmp_path: Any) -> None:
    created = create(client)
    store = app.extensions["facilitation.store"]
    fac = commands.join(store, {"code": created["code"],
                                "facilitator_token": created["facilitator_token"]})[0]
    phone = commands.join(store, {"code": created["code"]})[0]
    table = commands.set_tables(store, fac, {"tables": ["Bord 7"]})[0]["tables"][0]["id"]
    commands.set_table(store, phone, {"table_id": table})
    second = commands.add_prompt(store, fac, {"text": "Runde to?"})[0]["prompt"]["id"]
    commands.set_active_prompt(store, fac, {"prompt_id": second})
    idea = commands.post_idea(store, phone, {"text": "Åbne skolegårde", "client_id": "1"})[0]["idea"]
    commands.set_phase(store, fac, {"phase": "vote"})
    commands.cast_vote(store, phone, {"idea_id": idea["id"]})
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/w/{created['code']}/export.csv",
                                                      headers=auth).data.decode("utf-8-sig"))))
    assert [(r["text"], r["question"], r["table"], r["votes"]) for r in rows] == [
        ("Åbne skolegårde", "Runde to?", "Bord 7", "1")]
    path = tmp_path / "x.sqlite"
    path.write_bytes(client.get(f"/w/{created['code']}/export.sqlite", headers=auth).data)
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM votes").fetchone() == (1,)
    assert [r[0] for r in db.execute("SELECT text FROM prompts ORDER BY position")] == ["Hvad nu?", "Runde to?"]
    assert ("phase_changed",) in db.execute("SELECT type FROM events").fetchall()
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_csv_cells_never_run_as_formulas(app: Any, client: Any) -> None:
    created = create(client)
    store = app.extensions["facilitation.store"]
    actor, _ = commands.join(store, {"code": created["code"]})
    commands.post_idea(store, actor, {"text": "=HYPERLINK(\"http://x\")", "client_id": "1"})
    commands.post_idea(store, actor, {"text": "- flere træer", "client_id": "2"})
    body = client.get(f"/w/{created['code']}/export.csv",
                      headers={"Authorization": f"Bearer {created['facilitator_token']}"}).data.decode("utf-8-sig")
    assert [r["text"] for r in csv.DictReader(io.StringIO(body))] == ["'=HYPERLINK(\"http://x\")", "'- flere træer"]


def test_every_script_and_file_a_template_names_exists() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for template in sorted((root / "templates").glob("*.html")):
        html = template.read_text(encoding="utf-8")
        for name in re.findall(r"url_for\('static', filename='([^']+)'\)", html):
            assert (root / "static" / name).is_file(), f"{template.name}: static/{name}"
        for tag in re.findall(r"<script[^>]*filename='js/[^>]*>", html):
            assert 'type="module"' in tag, f"{template.name}: {tag} (static/js holds ES modules)"
