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


def test_the_per_item_cap_is_counted_in_the_readers_language(app, client) -> None:  # type: ignore[no-untyped-def]
    """Every participant meets it at the default cap of 1: "Højst 1 prik", "At most 1 dot"."""
    from facilitation import socketio

    created = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()
    console = socketio.test_client(app)
    assert console.emit("join", {"code": created["code"], "facilitator_token": created["facilitator_token"]},
                        callback=True)["ok"]
    phones = {language: socketio.test_client(app, headers={"Accept-Language": language}) for language in ("da", "en")}
    for phone in phones.values():
        assert phone.emit("join", {"code": created["code"]}, callback=True)["ok"]
    idea = phones["da"].emit("post_idea", {"text": "Flere træer", "client_id": "1"}, callback=True)["idea"]["id"]
    assert console.emit("set_phase", {"phase": "vote"}, callback=True)["ok"]
    said = {}
    for cap in (1, 2):
        assert console.emit("set_voting", {"dots": 3, "max_per_item": cap}, callback=True)["ok"]
        for language, phone in phones.items():
            while (ack := phone.emit("cast_vote", {"idea_id": idea}, callback=True))["ok"]:
                pass  # up to the cap (of 3 dots)
            assert ack["error"]["code"] == "max_per_item"
            said[language, cap] = ack["error"]["message"]
    assert said == {("da", 1): "Højst 1 prik kan gives til én idé eller ét tema.",
                    ("en", 1): "At most 1 dot can go on one idea or theme.",
                    ("da", 2): "Højst 2 prikker kan gives til én idé eller ét tema.",
                    ("en", 2): "At most 2 dots can go on one idea or theme."}
