"""The screens in a real browser: Debian's chromium driven by Playwright against the live server.

A phone posts an idea and the wall shows it; the facilitator hides one; an idea typed offline waits
in the phone's outbox and reaches the wall exactly once; a reload keeps the participant; the wall's
QR code decodes to the join address; 40 ideas fit one 1920x1080 wall. Screenshots of every screen
are saved in test-artifacts/screenshots/.

The browser is never downloaded: it is /usr/bin/chromium (Debian's `chromium` package). Without it
these tests skip on a developer's machine and fail in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.browser.pages import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    cards,
    decode_qr,
    expect,
    my_ideas,
    no_page_scroll,
    online,
    post_from_phone,
)

DANISH_IDEA = "Flere cykelstier på Nørrebro – æøå"


def snapshot(server: Any, code: str) -> dict[str, Any]:
    """The workshop's public state over the HTTP API."""
    response = requests.get(f"{server.url}/api/workshops/{code}", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def split_words(page: Any) -> list[str]:
    """The ideas on a wall or console with a word wider than its card (so broken mid-word)."""
    return page.evaluate("""() => [...document.querySelectorAll("#ideas .idea-text, #groups .idea-text")].filter(text => {
        text.style.overflowWrap = "normal";  // let a long word overflow its card, to measure it
        const split = text.scrollWidth > text.clientWidth + 1;
        text.style.overflowWrap = "";
        return split;
    }).map(text => text.textContent)""")


def test_phone_idea_appears_on_the_wall(live_server: Any, new_page: Callable[..., Any],
                                        shots: Path) -> None:
    workshop = live_server.create_workshop()
    wall = new_page(workshop["wall_url"], **PROJECTOR)
    online(wall)
    expect(wall.locator("#idea-count")).to_have_text("0")

    phone = new_page(workshop["join_url"], **PHONE)
    online(phone)
    expect(wall.locator("#participant-count")).to_have_text("1")
    post_from_phone(phone, DANISH_IDEA)

    mine = my_ideas(phone, DANISH_IDEA)
    expect(mine).to_have_count(1)
    expect(mine).not_to_have_class(re.compile(r"\bpending\b"))
    expect(phone.locator("#form-message")).to_have_class(re.compile(r"\bsuccess\b"))
    expect(phone.locator("#my-ideas-empty")).to_be_hidden()
    expect(phone.locator("#idea-text")).to_have_value("")

    expect(cards(wall, DANISH_IDEA)).to_have_count(1)
    expect(wall.locator("#idea-count")).to_have_text("1")
    assert [idea["text"] for idea in snapshot(live_server, workshop["code"])["ideas"]] == [DANISH_IDEA]

    size = no_page_scroll(phone)
    assert size["scrollWidth"] <= size["width"], f"the phone page scrolls sideways: {size}"
    size = no_page_scroll(wall)
    assert size["scrollWidth"] <= size["width"] and size["scrollHeight"] <= size["height"], size
    phone.screenshot(animations="disabled", path=shots / "phone-after-posting.png", full_page=True)
    wall.screenshot(animations="disabled", path=shots / "wall-one-idea.png")
    assert phone.errors == [] and wall.errors == []


def test_reload_keeps_the_participant(live_server: Any, new_page: Callable[..., Any]) -> None:
    workshop = live_server.create_workshop()
    phone = new_page(workshop["join_url"], **PHONE)
    online(phone)
    post_from_phone(phone, "Byttecentral for værktøj")
    expect(my_ideas(phone, "Byttecentral for værktøj")).not_to_have_class(re.compile(r"\bpending\b"))
    key = f"idea-factory:{workshop['code']}:participant"
    token = phone.evaluate("key => localStorage.getItem(key)", key)
    assert token

    phone.reload()
    online(phone)
    expect(my_ideas(phone, "Byttecentral for værktøj")).to_have_count(1)
    assert phone.evaluate("key => localStorage.getItem(key)", key) == token
    assert snapshot(live_server, workshop["code"])["workshop"]["participant_count"] == 1


def test_facilitator_link_and_hiding(live_server: Any, new_page: Callable[..., Any],
                                     peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop()
    participant = peers(live_server.url)
    assert participant.call("join", {"code": workshop["code"]})["ok"]
    for number, text in enumerate(["Fjern parkeringspladser", "Plant flere træer",
                                   "Borgerinddragelsesprocesser"]):
        assert participant.call("post_idea", {"text": text, "client_id": f"c{number}"})["ok"]
    wall = new_page(workshop["wall_url"], **PROJECTOR)
    expect(wall.locator("#idea-count")).to_have_text("3")

    console = new_page(workshop["facilitator_url"], **PROJECTOR)
    clean = workshop["facilitator_url"].split("?", 1)[0]
    assert "token" not in console.url
    assert console.url == clean
    cookies = [c for c in console.context.cookies() if c["value"] == workshop["facilitator_token"]]
    assert len(cookies) == 1, console.context.cookies()
    assert cookies[0]["httpOnly"] is True
    assert cookies[0]["sameSite"] == "Lax"
    online(console)

    unwanted = cards(console, "Fjern parkeringspladser")
    expect(unwanted).to_have_count(1)
    unwanted.locator(".card-tools button").first.click()
    expect(cards(wall, "Fjern parkeringspladser")).to_have_count(0)
    expect(cards(wall, "Plant flere træer")).to_have_count(1)
    expect(wall.locator("#idea-count")).to_have_text("2")
    # Long Danish compounds shrink the text rather than break mid-word.
    assert split_words(wall) == [] and split_words(console) == []
    # The console keeps the hidden idea, marked, with a button to show it again.
    expect(unwanted).to_have_class(re.compile(r"\bhidden-idea\b"))
    expect(console.locator("#console-message")).to_have_text("")
    console.screenshot(animations="disabled", path=shots / "console.png")

    stranger = new_page(None, **PROJECTOR)
    response = stranger.goto(clean)
    assert response is not None and response.status == 403
    assert console.errors == [] and wall.errors == []


def test_offline_idea_is_delivered_once(live_server: Any, new_page: Callable[..., Any],
                                        shots: Path) -> None:
    workshop = live_server.create_workshop()
    wall = new_page(workshop["wall_url"], **PROJECTOR)
    online(wall)
    phone = new_page(workshop["join_url"], **PHONE)
    online(phone)

    phone.context.set_offline(True)
    # Chromium's offline emulation drops the open WebSocket; the page notices and says so.
    expect(phone.locator("#connection")).to_have_class(re.compile(r"\boffline\b"))
    text = "Idé skrevet i kælderen uden net"
    post_from_phone(phone, text)
    pending = my_ideas(phone, text)
    expect(pending).to_have_count(1)
    expect(pending).to_have_class(re.compile(r"\bpending\b"))
    outbox = phone.evaluate("key => localStorage.getItem(key)", f"idea-factory:{workshop['code']}:outbox")
    assert [item["text"] for item in json.loads(outbox)] == [text]
    phone.screenshot(animations="disabled", path=shots / "phone-offline-outbox.png", full_page=True)
    expect(cards(wall, text)).to_have_count(0)

    phone.context.set_offline(False)
    online(phone)
    delivered = my_ideas(phone, text)
    expect(delivered).not_to_have_class(re.compile(r"\bpending\b"))
    expect(delivered).to_have_count(1)
    expect(cards(wall, text)).to_have_count(1)
    expect(wall.locator("#idea-count")).to_have_text("1")
    assert phone.evaluate("key => localStorage.getItem(key)", f"idea-factory:{workshop['code']}:outbox") == "[]"
    assert [idea["text"] for idea in snapshot(live_server, workshop["code"])["ideas"]] == [text]
    wall.reload()
    expect(wall.locator("#idea-count")).to_have_text("1")
    expect(cards(wall, text)).to_have_count(1)


def test_wall_qr_code_decodes_to_the_join_address(live_server: Any, new_page: Callable[..., Any],
                                                  shots: Path) -> None:
    workshop = live_server.create_workshop()
    wall = new_page(workshop["wall_url"], **PROJECTOR)
    qr = wall.locator("img.qr")
    expect(qr).to_be_visible()
    wall.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    png = qr.screenshot(path=shots / "wall-qr.png")
    assert decode_qr(png) == [workshop["join_url"]]

    # The SVG itself, rendered by the browser at its own (small) size.
    svg_page = new_page(f"{live_server.url}/w/{workshop['code']}/qr.svg", **PROJECTOR,
                        device_scale_factor=2)
    assert decode_qr(svg_page.locator("svg").screenshot()) == [workshop["join_url"]]

    # A phone that scans it lands on the workshop's page, posts in Danish, and the wall shows it.
    phone = new_page(decode_qr(png)[0], **PHONE)
    expect(phone.locator("#phone")).to_have_attribute("data-code", workshop["code"])
    online(phone)
    post_from_phone(phone, "Skøn ældrepleje på Østerbro – æøå ÆØÅ")
    expect(cards(wall, "Skøn ældrepleje på Østerbro – æøå ÆØÅ")).to_have_count(1)


def test_forty_ideas_fit_the_wall(live_server: Any, new_page: Callable[..., Any],
                                  peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop(
        "Borgermøde om byens fremtid",
        "Hvordan gør vi Nørrebro til et bedre sted at bo, arbejde og leve for alle?")
    texts = ["Grønne tage på alle nye boliger", "Bilfri søndage", "Flere bænke",
             "Byhaver i gårdene med fælles kompost og et redskabsskur som beboerne selv driver",
             "Lavere husleje for studerende", "Gadefester hver sommer",
             "Bedre belysning i parkerne om aftenen", "Legepladser for større børn"]
    for first in range(0, 40, 8):  # a participant may send 10 ideas in a burst
        participant = peers(live_server.url)
        assert participant.call("join", {"code": workshop["code"]})["ok"]
        for number in range(first, first + 8):
            ack = participant.call("post_idea", {"text": f"{texts[number % 8]} ({number + 1})",
                                                 "client_id": f"idea-{number}"})
            assert ack["ok"], ack

    wall = new_page(workshop["wall_url"], **PROJECTOR)
    expect(wall.locator("#idea-count")).to_have_text("40")
    expect(wall.locator("#ideas .idea").first).to_be_visible()
    layout = wall.evaluate("""() => {
        const board = document.getElementById("ideas").getBoundingClientRect();
        const outside = [...document.querySelectorAll("#ideas .idea")].filter(card => {
            const r = card.getBoundingClientRect();
            return r.bottom > board.bottom + 1 || r.right > board.right + 1 || r.left < board.left - 1;
        }).length;
        const size = parseFloat(getComputedStyle(document.querySelector("#ideas .idea")).fontSize);
        return {outside, size};
    }""")
    assert layout["outside"] == 0, layout
    assert layout["size"] >= 0.03 * 1080, layout  # legible from the back; the rest is paged
    size = no_page_scroll(wall)
    assert size["scrollWidth"] <= size["width"] and size["scrollHeight"] <= size["height"], size
    wall.screenshot(animations="disabled", path=shots / "wall-40-ideas.png")

    # The console on a laptop scrolls rather than dropping ideas the facilitator must reach.
    console = new_page(workshop["facilitator_url"], **LAPTOP)
    expect(console.locator("#groups .idea")).to_have_count(40)
    oldest = cards(console, f"{texts[0]} (1)")
    oldest.locator(".card-tools button").first.scroll_into_view_if_needed()
    expect(oldest.locator(".card-tools button").first).to_be_in_viewport()
    console.screenshot(animations="disabled", path=shots / "console-40-ideas-1366.png")

    phone = new_page(workshop["join_url"], **PHONE)
    online(phone)
    phone.screenshot(animations="disabled", path=shots / "phone-join.png", full_page=True)
    size = no_page_scroll(phone)
    assert size["scrollWidth"] <= size["width"], f"the phone page scrolls sideways: {size}"
