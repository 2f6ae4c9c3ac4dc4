"""Security over HTTP (docs/security.md): throttled secrets on every route, no open redirect, CSRF,
headers on every response, JSON errors on the API, erasure that reaches the WAL, sync that never
reveals a hidden idea's text, a fast paper import, tokens out of logs."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest

from facilitation import commands
from tests.apps import ADMIN_PASSWORD, form_token

PASSWORD = ADMIN_PASSWORD


def test_wrong_secrets_are_throttled_per_address_on_every_route(admin_app: Any) -> None:
    client = admin_app.test_client()
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"},
                          headers={"Authorization": f"Bearer {PASSWORD}"}).get_json()
    guesser = {"REMOTE_ADDR": "10.9.8.7"}
    routes = ["/admin", "/", f"/w/{created['code']}/export.csv", f"/api/workshops/{created['code']}"]
    statuses = [client.get(routes[n % len(routes)], headers={"Authorization": f"Bearer guess{n}"},
                           environ_base=guesser).status_code for n in range(14)]
    assert 429 not in statuses[:10] and statuses[10:] == [429] * 4, statuses
    # Once used up, even the right password is refused from that address: guessing learns nothing.
    right = client.get("/admin", headers={"Authorization": f"Bearer {PASSWORD}"}, environ_base=guesser)
    assert right.status_code == 429
    assert client.get(f"/w/{created['code']}/facilitate?token=x", environ_base=guesser).status_code == 429
    assert client.post("/api/workshops", json={"title": "T", "prompt": "Q"}, environ_base=guesser,
                       headers={"Authorization": "Bearer x"}).get_json()["error"]["code"] == "too_many_attempts"
    # Another address, and requests presenting no secret, are not affected.
    other = client.get("/admin", headers={"Authorization": f"Bearer {PASSWORD}"},
                       environ_base={"REMOTE_ADDR": "10.9.8.6"})
    assert other.status_code == 200
    assert client.get("/", environ_base=guesser).status_code == 200
    # A valid facilitator token never counts as a wrong guess.
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    assert all(client.get(f"/w/{created['code']}/export.json", headers=auth,
                          environ_base={"REMOTE_ADDR": "10.9.8.5"}).status_code == 200 for _ in range(15))


@pytest.mark.parametrize("query", ["/%09/evil.example/", "/%0a/evil.example", "/%0d%0a/evil.example",
                                   "/%5Cevil.example", "//evil.example", "/%2F/evil.example",
                                   "https://evil.example", "/%20/evil.example", "javascript:alert(1)"])
def test_the_language_switch_never_leaves_the_site(client: Any, query: str) -> None:
    response = client.get("/lang/en?next=" + query)  # as typed into a link: decoded by the server
    assert response.status_code == 302 and response.headers["Location"] in ("/", query), query
    assert not response.headers["Location"].startswith("//")


def test_the_language_switch_returns_to_our_own_page(client: Any) -> None:
    response = client.get("/lang/en", query_string={"next": "/join/ABCDEF?x=1"})
    assert response.headers["Location"] == "/join/ABCDEF?x=1"


def test_every_response_carries_the_security_headers(client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code = created["code"]
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    for path in ["/", f"/join/{code}", f"/w/{code}/wall", f"/w/{code}/facilitate", "/admin",
                 f"/api/workshops/{code}", f"/w/{code}/qr.svg", "/static/js/shared/live.js", "/nowhere",
                 f"/w/{code}/report", f"/w/{code}/export.csv"]:
        response = client.get(path, headers=auth)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        response.close()
    for private in [f"/w/{code}/facilitate", f"/w/{code}/report", f"/w/{code}/export.csv"]:
        assert client.get(private, headers=auth).headers["Cache-Control"] == "no-store", private


def test_no_page_has_inline_script_or_style(client: Any) -> None:
    import base64
    import hashlib
    import json
    import re

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    code = created["code"]
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    for path in ["/", f"/join/{code}", f"/w/{code}/wall", f"/w/{code}/facilitate", f"/w/{code}/report"]:
        response = client.get(path, headers=auth)
        page = response.data.decode()
        inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
                  if "src=" not in s[0] and 'type="application/json"' not in s[0]]
        # The one inline script a screen may carry is its import map (data, not code): allowed by
        # its hash alone, and pointing at this server's static files only.
        for attributes, body in inline:
            assert attributes == ' type="importmap"', path
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"], path
            assert all(url.startswith("/static/js/") for url in json.loads(body)["imports"].values()), path
        assert len(inline) <= 1, path
        assert not re.search(r"\son[a-z]+=|\sstyle=", page), path


def test_the_paper_import_needs_the_csrf_token_with_a_cookie(client: Any) -> None:
    response = client.post("/", data={"title": "T", "prompt": "Q", "csrf": form_token(client)})
    code = response.headers["Location"].split("/w/")[1].split("/")[0]
    url = f"/w/{code}/import"
    refused = client.post(url, data={"text": "Fremmed idé"})  # the cookie alone, as another site would
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "invalid"
    token = form_token(client, f"/w/{code}/facilitate")
    assert client.post(url, data={"text": "Min idé", "csrf": token}).get_json()["imported"] == 1
    assert client.post(url, data={"text": "Min idé 2"}, headers={"X-CSRF-Token": token}).status_code == 200
    texts = [i["text"] for i in client.get(f"/api/workshops/{code}").get_json()["ideas"]]
    assert texts == ["Min idé", "Min idé 2"]


def test_one_column_csv_and_oversized_api_bodies_get_clear_answers(app: Any, client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    for body in ["text\nCykelstier\nBænke\n".encode(), "Cykelstier\nBænke\n".encode(), b"Cykelstier, og mere\n"]:
        upload = {"file": (io.BytesIO(body), "papir.csv")}
        response = client.post(f"/w/{created['code']}/import", data=upload, headers=auth,
                               content_type="multipart/form-data")
        assert response.status_code == 200, response.data
    huge = client.post("/api/workshops", data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                       content_type="application/json")
    assert huge.status_code == 413 and huge.get_json()["error"]["code"] == "request_too_large"
    too_big = client.post(f"/w/{created['code']}/import", headers=auth,
                          data={"text": "x" * (3 * 1024 * 1024)})
    assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "request_too_large"


def unique_text(store: Any, code: str, text: str) -> tuple[Any, int]:
    actor, _ = commands.join(store, {"code": code})
    ack, _ = commands.post_idea(store, actor, {"text": text, "client_id": text[:20]})
    return actor, int(ack["idea"]["id"])


@pytest.mark.sqlite_only
def test_erasure_reaches_the_write_ahead_log(admin_app: Any, tmp_path: Path) -> None:
    client, store = admin_app.test_client(), admin_app.extensions["facilitation.store"]
    kept = store.create_workshop("Bliver", "?")[0]
    erased = store.create_workshop("Slettes", "?")[0]
    unique_text(store, erased.code, "HEMMELIGHED-WORKSHOP-7f3a")
    author, idea_id = unique_text(store, kept.code, "HEMMELIGHED-IDE-91bc")
    unique_text(store, kept.code, "Bliver staaende")
    commands.delete_idea(store, author, {"idea_id": idea_id})  # the author takes it back
    ack, _ = commands.post_idea(store, author, {"text": "HEMMELIGHED-RETTET-c04d", "client_id": "r"})
    commands.edit_idea(store, author, {"idea_id": ack["idea"]["id"], "text": "Rettet idé"})  # or rewrites it
    client.post("/admin/login", data={"password": PASSWORD, "csrf": form_token(client, "/admin")})
    assert client.post(f"/admin/w/{erased.code}/delete",
                       data={"csrf": form_token(client, "/admin")}).status_code == 303
    unique_text(store, kept.code, "Mere bagefter")  # more writes after the erasure
    data = tmp_path / "data"
    files = [p for p in data.iterdir() if p.name.startswith("facilitation.db")]
    for path in files:
        content = path.read_bytes()
        assert b"HEMMELIGHED" not in content, path.name
    assert b"Mere bagefter" in b"".join(p.read_bytes() for p in files)


def test_odd_unicode_and_huge_numbers_are_refused_or_tamed() -> None:
    from facilitation.errors import CommandError
    from facilitation.model import check_sane, clean_text

    for bad in ["\ud800", {"a": ["x\udfff"]}, 2**63, -(2**63) - 1, [[[[[[[[[1]]]]]]]]]]:
        with pytest.raises(CommandError) as error:
            check_sane(bad)
        assert error.value.code == "invalid"
    check_sane({"idea_id": 2**63 - 1, "text": "Cykelstier på Nørrebro 🚲 – Việt"})
    zalgo = "a" + "\u0301" * 300 + "b"
    assert clean_text(zalgo, "idea", 500) == "\u00e1" + "\u0301" * 4 + "b"  # no longer spills over cards
    assert clean_text("Tiếng Việt", "idea", 500) == "Tiếng Việt"


def test_the_paper_stand_in_is_not_counted_as_a_person(client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    assert client.post(f"/w/{created['code']}/import", data={"text": "Fra papir"}, headers=auth).status_code == 200
    exported = client.get(f"/w/{created['code']}/export.json", headers=auth).get_json()
    assert exported["participant_count"] == 0 and [i["text"] for i in exported["ideas"]] == ["Fra papir"]
    from facilitation import export

    store = client.application.extensions["facilitation.store"]
    workshop = store.get_workshop(created["code"])
    rows = store.export_rows(workshop.id, export.COLUMNS)
    assert export.build_report(rows).participants == 0  # the report's count


def test_worker_processes_share_the_wrong_secret_budget() -> None:
    from facilitation.model import TokenBucket
    from facilitation.security import SECRET_BURST, SecretThrottle

    buckets: dict[str, TokenBucket] = {}  # one budget both "processes" see, as Redis gives them

    def shared(key: str, rate: float, burst: int) -> bool:
        return buckets.setdefault(key, TokenBucket(rate, burst)).allow(time.monotonic())

    def peek(key: str, rate: float, burst: int) -> bool:
        return key not in buckets or buckets[key].has(time.monotonic())

    workers = [SecretThrottle(shared=shared, peek=peek) for _ in range(4)]
    guesses = 0
    for n in range(200):
        worker = workers[n % 4]  # the balancer spreads one guesser's requests over the workers
        if not worker.blocked("10.0.0.9"):
            guesses += 1
            worker.failed("10.0.0.9")
    assert guesses == SECRET_BURST, guesses  # one budget, not 4 x 10


def test_facilitator_tokens_guessed_over_the_socket_are_throttled(app: Any, client: Any) -> None:
    from facilitation import socketio

    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()["code"]
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.60.0.1"
    sock = socketio.test_client(app, flask_test_client=guesser)
    codes = [sock.emit("join", {"code": code, "facilitator_token": f"guess{n}"}, callback=True)["error"]["code"]
             for n in range(13)]
    assert codes[:10] == ["forbidden"] * 10 and codes[10:] == ["too_many_attempts"] * 3, codes
    assert sock.emit("join", {"code": code}, callback=True)["ok"]  # joining as a phone still works
    sock.disconnect()


def test_each_screen_maps_every_module_to_its_versioned_url(client: Any) -> None:
    import json
    import re

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    page = client.get(f"/join/{created['code']}").data.decode()
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', page, re.S).group(1))["imports"]
    assert "/static/js/shared/live.js" in imports and "/static/js/console/console.js" in imports
    for bare, versioned in imports.items():
        assert versioned.startswith(bare + "?v="), bare
        with client.get(versioned) as response:
            assert response.status_code == 200 and response.mimetype == "text/javascript", versioned
            assert "max-age=31536000" in response.headers["Cache-Control"], versioned
        with client.get(bare) as response:  # a browser without import maps: revalidated, never stale
            assert response.headers["Cache-Control"] == "no-cache", bare
