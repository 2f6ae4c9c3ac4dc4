"""Suggestions a facilitator can judge at a glance, in a real browser: shared words highlighted in the
preview, a granularity control that asks again, and "→ Theme?" hints on unsorted cards that move
nothing until accepted (one click, the T key, or all at once). Screenshots at 1920x1080 go to
test-artifacts/screenshots/ as in test_screens.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import (BIKES, LIBRARY, OUTLIER, PROJECTOR, Room, console_card, console_group, expect, online,
                                 relayed_until)

CONSOLE = PROJECTOR  # 1920x1080, Danish
LATE = "Flere cykelstier ved skolerne"


def test_preview_highlights_shared_words_and_asks_again_at_another_granularity(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, BIKES + LIBRARY + [OUTLIER])
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    console.evaluate("""() => {  // record the commands the console sends
        const call = IdeaFactory.console.call;
        window.sent = [];
        IdeaFactory.console.call = (event, payload, wait) => { window.sent.push([event, payload]); return call(event, payload, wait); };
    }""")
    console.locator("#suggest").click()
    suggestions = console.locator("#suggestion-list fieldset.suggestion")
    expect(suggestions).to_have_count(2)
    bikes = suggestions.filter(has=console.get_by_text(BIKES[0], exact=True))
    expect(bikes.locator("input:not([type=checkbox])")).to_have_value("Cykelstier")
    expect(bikes.locator(".shared-words mark").first).to_have_text("cykelstier")
    # Every member shows the shared word marked in its own spelling.
    marked = bikes.locator(".suggestion-members label")
    for index in range(len(BIKES)):
        expect(marked.nth(index).locator("mark").first).to_have_text(re.compile(r"^[Cc]ykelstier$"))
    console.screenshot(animations="disabled", path=shots / "console-suggestions-1920.png")

    console.locator("#granularity").select_option("-1")
    expect(console.locator("#suggestion-status")).to_contain_text("foreslåede temaer")
    sent = console.evaluate("() => window.sent")
    assert ["suggest_clusters", {"granularity": 0}] in sent and sent[-1] == ["suggest_clusters", {"granularity": -1}]
    assert console.errors == []


def test_a_suggestion_slower_than_a_command_still_arrives(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any]) -> None:
    """Hundreds of new ideas on a busy server take longer than a command's 8 s: the console waits for
    the suggestion instead of saying it is not connected. The ack is held back while the page's
    clock jumps 30 s ahead: past any command's wait, with no 30 s spent."""
    room = Room(live_server, peers, BIKES + LIBRARY + [OUTLIER])
    console = new_page(None, **CONSOLE)
    held: list[str] = []
    own_pings = [0]  # pings the relay sent the page itself, not yet answered

    def relay(page_side: Any) -> None:
        server = page_side.connect_to_server()

        def to_server(message: str | bytes) -> None:
            if message == "3" and own_pings[0]:
                own_pings[0] -= 1  # the answer to the relay's own ping goes no further
            else:
                server.send(message)

        def to_page(message: str | bytes) -> None:
            if isinstance(message, str) and message.startswith("43") and '"suggestions"' in message:
                held.append(message)  # Socket.IO's ack of suggest_clusters, released below
            else:
                page_side.send(message)
        page_side.on_message(to_server)
        server.on_message(to_page)
        relays.append(page_side)

    relays: list[Any] = []
    console.route_web_socket(re.compile(r"/socket\.io/"), relay)
    console.clock.install()  # before the page's scripts take their timers
    console.goto(room.workshop["facilitator_url"])
    online(console)
    console.locator("#suggest").click()
    relayed_until(console, lambda: held, "the suggestion's ack", timeout=30_000)
    # Engine.IO drops a connection that hears no ping for 40 s (20 s interval + 20 s timeout) of the
    # page's time: a ping from the relay, answered, starts those 40 s afresh before the jump.
    own_pings[0] += 1
    relays[-1].send("2")
    relayed_until(console, lambda: not own_pings[0], "the page's answer to a ping")
    console.clock.run_for(30_000)
    expect(console.locator("#suggestion-status")).not_to_contain_text("forbindelse")
    relays[-1].send(held[0])
    expect(console.locator("#suggestion-list fieldset.suggestion")).to_have_count(2)
    expect(console.locator("#console-message")).to_have_text("")
    assert console.errors == []


def test_fits_hints_move_nothing_until_accepted(live_server: Any, new_page: Callable[..., Any],
                                                peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, BIKES[:3] + LIBRARY + [OUTLIER])
    bikes = room.theme("Cykelstier", BIKES[:2])
    books = room.theme("Biblioteket", LIBRARY[:2])
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    hints = console.locator("#groups .fits-hint")
    expect(console_card(console, BIKES[2]).locator(".fits-hint")).to_have_text("→ Cykelstier?")
    for text in LIBRARY[2:]:
        expect(console_card(console, text).locator(".fits-hint")).to_have_text("→ Biblioteket?")
    expect(console_card(console, OUTLIER).locator(".fits-hint")).to_have_count(0)  # unsure: no hint
    # An idea that arrives later gets its hint too.
    room._post(99, [LATE])
    expect(console_card(console, LATE).locator(".fits-hint")).to_have_text("→ Cykelstier?")
    expect(hints).to_have_count(5)
    expect(console.locator("#accept-fits")).to_have_text("Flyt alle til det foreslåede tema (5)")
    console.screenshot(animations="disabled", path=shots / "console-fits-hints-1920.png")
    assert all(i["cluster_id"] is None for i in room.snapshot()["ideas"]
               if i["text"] in [BIKES[2], LATE, OUTLIER, *LIBRARY[2:]])  # never moved by itself

    console_card(console, BIKES[2]).locator(".fits-hint").click()  # one click
    expect(console_group(console, bikes).locator(".idea")).to_have_count(3)
    card = console_card(console, LIBRARY[2])
    card.focus()
    console.keyboard.press("t")  # a key on the focused card
    expect(console_group(console, books).locator(".idea")).to_have_count(3)
    console.locator("#accept-fits").click()  # all the rest at once
    expect(console_group(console, books).locator(".idea")).to_have_count(5)
    expect(console_group(console, bikes).locator(".idea")).to_have_count(4)
    expect(hints).to_have_count(0)
    expect(console.locator("#accept-fits")).to_be_hidden()
    placed = {i["text"]: i["cluster_id"] for i in room.snapshot()["ideas"]}
    assert placed[LATE] == bikes and placed[LIBRARY[4]] == books and placed[OUTLIER] is None
    console.locator("#undo").click()  # "all at once" is one step back
    expect(console_group(console, books).locator(".idea")).to_have_count(3)
    assert console.errors == []


CIVIC_MIXED = [  # one subject per block, Danish and English ideas on each
    "Hold borgermøder om aftenen så folk med arbejde kan komme",
    "Gør borgermøderne kortere og med tid til spørgsmål",
    "Hav børnepasning under borgermøderne",
    "Hold public meetings in the evening so working people can attend",
    "Offer childcare during the public meetings",
    "Plant flere træer langs de store veje",
    "Flere træer og blomster i parkerne",
    "Lav lommeparker med træer på de tomme grunde",
    "Plant more trees along the main roads",
    "More trees and flowers in the parks",
    "Giv de unge et ungeråd med sit eget budget",
    "Lav et værested for unge der er åbent om aftenen",
    "Giv ungdomsklubberne længere åbningstider",
    "Give young people a youth council with its own budget",
    "Open a youth club that stays open in the evening",
    "Gør høringerne lettere at læse med et kort resumé",
    "Giv længere høringsfrister om sommeren",
    "Giv svar på hvert høringssvar så man kan se hvad der blev brugt",
    "Make consultations easier to read with a short summary",
    "Answer each consultation response so people see what was used",
]


@pytest.mark.parametrize("name", ["demo", "mixed"])
def test_suggested_names_for_the_demo_and_a_danish_english_workshop(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Path,
        name: str) -> None:
    from facilitation import demo

    texts, title, prompt = ((demo.IDEAS, demo.TITLE, demo.PROMPT) if name == "demo" else
                            (CIVIC_MIXED, "Borgerdialog", "Hvordan taler kommunen bedre med borgerne?"))
    workshop = live_server.create_workshop(title, prompt)
    for start in range(0, len(texts), 10):  # one participant's burst each
        phone = peers(live_server.url)
        assert phone.call("join", {"code": workshop["code"]})["ok"]
        for index, text in enumerate(texts[start:start + 10]):
            assert phone.call("post_idea", {"text": text, "client_id": f"{start}-{index}"})["ok"]
    console = new_page(workshop["facilitator_url"], viewport={"width": 1440, "height": 900},
                       locale="da-DK")
    online(console)
    console.locator("#suggest").click()
    suggestions = console.locator("#suggestion-list fieldset.suggestion")
    expect(suggestions.first).to_be_visible()
    labels = [suggestions.nth(i).locator("input:not([type=checkbox])").input_value()
              for i in range(suggestions.count())]
    suggestions.first.evaluate("e => e.scrollIntoView({block: 'start'})")  # the names in view
    console.screenshot(animations="disabled", path=shots / f"console-suggestions-{name}-1440.png")
    print(f"\n{name} suggestions: {labels}")
    openers = {re.findall(r"\w+", t.lower())[0] for t in texts}
    assert labels and not any(openers & set(re.findall(r"\w+", label.lower())) for label in labels)
    if name == "mixed":
        # Four subjects written in both languages: four themes, each with both, named in Danish.
        assert sorted(labels) == ["Borgermøder", "Høringer", "Træer", "Unge"], labels
        # A compound headed by the name's word is marked too ("høringssvar" under "Høringer").
        hearings = suggestions.nth(labels.index("Høringer"))
        expect(hearings.locator(".suggestion-members label mark").filter(
            has_text=re.compile("^høringssvar$"))).to_have_count(1)
        for index in range(4):
            members = suggestions.nth(index).locator(".suggestion-members label")
            shown = [members.nth(m).inner_text() for m in range(members.count())]
            assert any(t in CIVIC_MIXED[:20] and t in shown for t in CIVIC_MIXED), shown
    assert console.errors == []
