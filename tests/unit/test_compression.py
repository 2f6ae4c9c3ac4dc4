"""Static files and public pages go gzip-compressed to clients that accept it, and the phone's first
load stays within 60 KB as sent."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from typing import Any

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
PHONE_BUDGET = 60 * 1024


def workshop(client: Any) -> dict[str, Any]:
    return client.post("/api/workshops", json={"title": "Byens rum", "prompt": "Hvad mangler?"}).get_json()


def static_urls(html: str, client: Any = None) -> list[str]:
    """The static files a page loads: its tags', and (given a client) every module they import, as
    the page's import map versions them."""
    urls = [u.replace("&amp;", "&") for u in re.findall(r'(?:src|href)="(/static/[^"]+)"', html)]
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    if client is None or found is None:
        return urls
    versions = json.loads(found.group(1))["imports"]
    todo = [u for u in urls if u.endswith(".js") or ".js?" in u]
    while todo:
        url = todo.pop()
        with client.get(url) as response:
            source = response.get_data(as_text=True)
        for name in re.findall(r'^import .* from "(\.[^"]+)";$', source, re.M):
            imported = versions[posixpath.normpath(posixpath.join(posixpath.dirname(url.split("?")[0]), name))]
            if imported not in urls:
                urls.append(imported)
                todo.append(imported)
    return urls


def test_static_files_are_compressed_once_and_cached_for_a_year(client: Any, app: Any) -> None:
    page = client.get(f"/join/{workshop(client)['code']}").data.decode()
    url = next(u for u in static_urls(page) if "socket.io.min.js" in u)
    with client.get(url) as plain, client.get(url, headers=GZIP) as packed:
        check_static(plain, packed)
    unversioned = client.get("/static/vendor/socket.io.min.js", headers=GZIP)
    assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")
    assert client.get("/static/js/nothing.js", headers=GZIP).status_code == 404


def check_static(plain: Any, packed: Any) -> None:
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2  # 47 KB -> ~15 KB
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "public, max-age=31536000"  # a hashed URL


def test_public_pages_are_compressed_and_pages_with_secrets_are_not(client: Any) -> None:
    created = workshop(client)
    code = created["code"]
    for path in (f"/join/{code}", f"/w/{code}/wall"):
        response = client.get(path, headers=GZIP)
        assert response.headers["Content-Encoding"] == "gzip", path
        assert b"<!doctype html>" in gzip.decompress(response.data)
        assert "Content-Encoding" not in client.get(path).headers
    # The console carries the facilitator's data and a CSRF token: compressing it next to text an
    # attacker chooses would leak them through the size (BREACH).
    console = client.get(f"/w/{code}/facilitate",
                         headers={**GZIP, "Authorization": f"Bearer {created['facilitator_token']}"})
    assert console.status_code == 200 and "Content-Encoding" not in console.headers
    assert "Content-Encoding" not in client.get("/", headers=GZIP).headers


def test_the_phone_page_and_its_files_weigh_at_most_60_kb_as_sent(client: Any) -> None:
    page = client.get(f"/join/{workshop(client)['code']}", headers=GZIP)
    sent = len(page.data)
    for url in static_urls(gzip.decompress(page.data).decode(), client):
        sent += len(client.get(url, headers=GZIP).data)
    assert sent <= PHONE_BUDGET, sent
