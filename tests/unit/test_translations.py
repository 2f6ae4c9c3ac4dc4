"""Every interface text has a Danish translation, and the compiled catalogue is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "da" / "LC_MESSAGES"


def test_compiled_catalogue_matches_the_po_file() -> None:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        danish = {m.id: m.string for m in read_po(handle) if m.id and m.string}
    compiled = Translations.load(str(ROOT / "translations"), ["da"])

    def translated(key: str | tuple[str, str]) -> str | tuple[str, str]:
        if isinstance(key, tuple):  # a plural: Danish has one form for 1 and one for the rest
            return compiled.ngettext(key[0], key[1], 1), compiled.ngettext(key[0], key[1], 5)
        return compiled.gettext(key)

    assert {k: translated(k) for k in danish} == danish, "run `make translations`"


def test_pages_speak_danish_by_default_and_english_on_request(client) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    danish = client.get(f"/join/{created['code']}", headers={"Accept-Language": "da"}).data.decode()
    assert "Send idé" in danish and "Dine idéer" in danish and "tegn tilbage" in danish
    english = client.get(f"/join/{created['code']}", headers={"Accept-Language": "en"}).data.decode()
    assert "Send idea" in english and "Your ideas" in english


def test_the_wall_speaks_its_workshops_language(client) -> None:  # type: ignore[no-untyped-def]
    english = client.post("/api/workshops", json={"title": "T", "prompt": "Q", "language": "en"}).get_json()
    danish = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    browser = {"Accept-Language": "da"}
    assert 'lang="en"' in client.get(f"/w/{english['code']}/wall", headers=browser).data.decode()
    assert 'lang="da"' in client.get(f"/w/{danish['code']}/wall", headers={"Accept-Language": "en"}).data.decode()
    assert 'lang="da"' in client.get(f"/join/{english['code']}", headers=browser).data.decode()  # phones: their own
    bad = client.post("/api/workshops", json={"title": "T", "prompt": "Q", "language": "fr"})
    assert bad.status_code == 400


def test_the_phone_refuses_an_idea_in_the_servers_words(client) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    for language, empty, too_long in (
            ("en", "The idea is empty. Write something first.",
             "The idea is {length} characters; at most {n} are allowed."),
            ("da", "Idéen er tom. Skriv noget først.", "Idéen er {length} tegn; højst {n} er tilladt.")):
        page = client.get(f"/join/{created['code']}", headers={"Accept-Language": language}).data.decode()
        strings = json.loads(re.search(r'id="strings">(.*?)</script>', page, re.S).group(1))
        assert (strings["empty_idea"], strings["too_long"]) == (empty, too_long)
