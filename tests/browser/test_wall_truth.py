"""The wall shows what the phone promised, at 1920x1080 and 1280x720: a new idea is on a paging wall
at once whatever page is showing (three times, at different points of the cycle), a 500-character
idea lies inside the screen (shortened in the columns, in full on a page of its own), a themed wall
opens with an overview of every theme and its count (11 and 19 themes), a theme that fits one
column is never continued, and long Danish words are hyphenated, offline. Screenshots:
test-artifacts/screenshots/ (prefix "wall-truth-")."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.browser.pages import expect

VIEWPORTS = {"1080p": {"width": 1920, "height": 1080}, "720p": {"width": 1280, "height": 720}}
WORDS = ["handicaporganisationerne", "borgerinddragelsesprocesserne", "kommunalbestyrelsen",
         "cykelparkeringspladser", "lokaludvalgene", "trafiksikkerheden", "fritidsordningerne"]
THEMES = ["Inddragelse tidligt", "Tilbagemelding", "Mødesteder i bydelene", "Digitale veje",
          "Mangfoldighed og sprog", "Unge og skoler", "Samarbejde på tværs", "Budget og puljer",
          "Forsøg og læring", "Politikere til stede", "Kort og klart sprog", "Åbne data",
          "Foreninger og civilsamfund", "Tid og mandat", "Fejring af resultater", "Borgerpaneler",
          "Byvandringer", "Høringer i nye former", "Tilgængelighed for alle"]
LONG = ("Borgerinddragelse skal begynde, før planerne er lagt fast: kommunen bør invitere "
        "handicaporganisationerne, lokaludvalgene, de unge og foreningerne til værksteder i bydelene, "
        "lytte til dem, der sjældent kommer til borgermøder, og bagefter fortælle tydeligt, hvad der "
        "blev til af forslagene, og hvorfor nogle ikke blev til noget. Det kræver tid, mandat og penge "
        "til medarbejderne, og det kræver, at politikerne selv er til stede og svarer på spørgsmål, "
        "også når svaret er et nej. Slut med lange høringer.")[:499] + "."
INSIDE = """() => [...document.querySelectorAll('#wall .idea, #wall .overview-theme')].filter(e => e.checkVisibility())
  .map(e => { const r = e.getBoundingClientRect(), b = document.querySelector('.board').getBoundingClientRect();
    return {text: e.textContent.slice(0, 30), inside: r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5
            && r.left >= b.left - 0.5 && r.right <= b.right + 0.5 && r.bottom <= innerHeight && r.right <= innerWidth}; })"""


def texts(count: int, start: int = 0) -> list[str]:
    return [f"Idé {n}: mere plads til {WORDS[n % len(WORDS)]} i bydelen" for n in range(start, start + count)]


class Room:
    """A workshop with imported ideas and a facilitator socket."""

    def __init__(self, server: Any, peers: Callable[..., Any], ideas: list[str]) -> None:
        created = server.create_workshop("Idéfabrikken", "Hvordan inddrager vi borgerne bedre?")
        self.server, self.code, self.token = server, created["code"], created["facilitator_token"]
        self.wall_url = created["wall_url"]
        if ideas:
            imported = requests.post(f"{server.url}/w/{self.code}/import", timeout=30,
                                     headers={"Authorization": f"Bearer {self.token}"},
                                     data={"text": "\n".join(ideas)})
            assert imported.status_code == 200, imported.text
        self.facilitator = peers(server.url)
        assert self.facilitator.call("join", {"code": self.code, "facilitator_token": self.token})["ok"]
        self.phone = peers(server.url)
        assert self.phone.call("join", {"code": self.code})["ok"]
        self.sent = 0

    def command(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.facilitator.call(event, payload)
        assert ack["ok"], (event, ack)
        return ack  # type: ignore[no-any-return]

    def post(self, text: str) -> float:
        """Post from a phone; the moment its ack arrived."""
        self.sent += 1
        ack = self.phone.call("post_idea", {"text": text, "client_id": f"new-{self.sent}"})
        assert ack["ok"], ack
        return time.monotonic()

    def ids(self) -> list[int]:
        snapshot = requests.get(f"{self.server.url}/api/workshops/{self.code}", timeout=5).json()
        return [i["id"] for i in snapshot["ideas"]]


def page_number(wall: Any) -> tuple[int, int]:
    found = re.search(r"(\d+)/(\d+)", wall.locator("#page-indicator").text_content() or "")
    assert found, "the wall is not paging"
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_new_idea_is_on_a_paging_wall_at_once(live_server: Any, new_page: Callable[..., Any],
                                                peers: Callable[..., Any], shots: Any, name: str) -> None:
    room = Room(live_server, peers, texts(120))
    # Pages turn every 60 s: a new idea that shows up sooner did not wait for its page.
    wall = new_page(f"{room.wall_url}?page_seconds=60", viewport=VIEWPORTS[name], locale="da-DK")
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side 1/\d+$"))
    _, total = page_number(wall)
    assert total >= 3
    delays = []
    for point, target in enumerate([1, total // 2 + 1, total]):  # the first, a middle, the last page
        while page_number(wall)[0] != target:
            wall.evaluate("() => turnWallPage()")  # the next page, as the clock would
        text = f"Nyt forslag {point}: bænke ved {WORDS[point]}"
        acked = room.post(text)
        strip = wall.locator("#wall-new .idea-text").filter(has_text=text.split(":")[0])
        expect(strip).to_be_visible()
        delays.append(time.monotonic() - acked)
        assert page_number(wall)[0] == target  # no page turn was needed
        box = wall.locator("#wall-new .idea").filter(has_text=text.split(":")[0]).bounding_box()
        assert box and box["y"] + box["height"] <= VIEWPORTS[name]["height"], box
        size = float(wall.locator("#wall-new .idea-text").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= round(0.03 * VIEWPORTS[name]["height"]), size
        wall.screenshot(animations="disabled", path=shots / f"wall-truth-new-{point}-{name}.png")
    print(f"\n{name}: new idea on the wall {', '.join(f'{d:.2f}' for d in delays)} s after its ack")
    assert all(d <= 3.0 for d in delays), delays
    assert all(r["inside"] for r in wall.evaluate(INSIDE))
    assert wall.errors == []


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_500_character_idea_lies_inside_the_screen(live_server: Any, new_page: Callable[..., Any],
                                                     peers: Callable[..., Any], shots: Any, name: str) -> None:
    assert len(LONG) == 500, len(LONG)
    room = Room(live_server, peers, texts(30))
    room.post(LONG)
    wall = new_page(f"{room.wall_url}?page_seconds=60", viewport=VIEWPORTS[name], locale="da-DK")
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side 1/\d+$"))
    seen_full = False
    for _ in range(page_number(wall)[1]):
        outside = [r for r in wall.evaluate(INSIDE) if not r["inside"]]
        assert outside == [], outside
        full = wall.locator("#ideas .idea.full-idea")
        if full.count():
            seen_full = True
            whole = full.locator(".idea-text").evaluate("e => e.textContent.replaceAll('\u00ad', '')")
            assert whole == LONG
            wall.screenshot(animations="disabled", path=shots / f"wall-truth-long-full-{name}.png")
        long_card = wall.locator("#ideas .idea.clamped")
        if long_card.count():
            wall.screenshot(animations="disabled", path=shots / f"wall-truth-long-clamped-{name}.png")
        wall.evaluate("() => turnWallPage()")
    assert seen_full, "the long idea never had a page of its own"
    size = wall.locator("#ideas .idea-text").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= round(0.03 * VIEWPORTS[name]["height"])
    assert wall.errors == []


@pytest.mark.parametrize("themes", [11, 19])
def test_a_themed_wall_opens_with_an_overview(live_server: Any, new_page: Callable[..., Any],
                                              peers: Callable[..., Any], shots: Any, themes: int) -> None:
    # The first theme holds 30 ideas (more than a column); the others 3 or 4 each (a column each);
    # ten stay unsorted.
    small = 4 if themes == 11 else 3
    room = Room(live_server, peers, texts(30 + small * (themes - 1) + 10))
    ids = room.ids()
    members: list[list[int]] = [ids[:30]] + [ids[30 + small * k:30 + small * (k + 1)] for k in range(themes - 1)]
    ack = room.command("apply_suggestions", {"suggestions": [
        {"label": THEMES[k], "idea_ids": members[k]} for k in range(themes)]})
    sizes = {c["label"]: len(members[k]) for k, c in enumerate(ack["clusters"])}
    room.command("set_themes_on_wall", {"themes_on_wall": True})
    room.command("set_phase", {"phase": "cluster"})
    for name, viewport in VIEWPORTS.items():
        wall = new_page(f"{room.wall_url}?page_seconds=60", viewport=viewport, locale="da-DK")
        expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side 1/\d+$"))
        overview = wall.locator("#ideas .overview-theme")
        expect(overview).to_have_count(themes + 1)  # every theme, and the unsorted ideas
        labels = overview.locator(".overview-label").all_text_contents()
        counts = overview.locator(".overview-count").all_text_contents()
        assert [label.replace("\u00ad", "") for label in labels] == [*THEMES[:themes], "Ikke sorteret"]
        assert counts == [str(sizes[label]) for label in THEMES[:themes]] + ["10"]
        assert all(r["inside"] for r in wall.evaluate(INSIDE)), wall.evaluate(INSIDE)
        size = overview.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= round(0.03 * viewport["height"]), size
        wall.screenshot(animations="disabled", path=shots / f"wall-truth-overview-{themes}-{name}.png")
        # Then the ideas theme by theme: a theme that fits one column is never "(fortsat)".
        _, total = page_number(wall)
        continued = set()
        for turn in range(total - 1):
            wall.evaluate("() => turnWallPage()")
            if turn == 1:
                wall.screenshot(animations="disabled", path=shots / f"wall-truth-themes-{themes}-{name}.png")
            for heading in wall.locator("#ideas section.theme h2 > span:first-child").all_text_contents():
                if heading.endswith("(fortsat)"):
                    continued.add(heading.replace(" (fortsat)", "").replace("\u00ad", ""))
            outside = [r for r in wall.evaluate(INSIDE) if not r["inside"]]
            assert outside == [], outside
        assert continued <= {THEMES[0], "Ikke sorteret"}, continued  # only those taller than a column
        assert wall.errors == []


def test_long_danish_words_are_hyphenated(live_server: Any, new_page: Callable[..., Any],
                                          peers: Callable[..., Any], shots: Any) -> None:
    ideas = [f"Spørg {word} først" for word in WORDS] + ["Invite the neighbourhood associations early"]
    room = Room(live_server, peers, ideas * 3)
    for name, viewport in VIEWPORTS.items():
        wall = new_page(f"{room.wall_url}?page_seconds=60", viewport=viewport, locale="da-DK")
        expect(wall.locator("#ideas .idea").first).to_be_visible()
        # With breaks allowed only where the text allows them (no overflow-wrap), nothing overflows:
        # each long word fits its line whole or breaks at a soft hyphen, where a hyphen shows.
        lines = wall.evaluate("""() => [...document.querySelectorAll('#ideas .idea-text')].map(e => {
            e.style.overflowWrap = 'normal';
            const overflow = e.scrollWidth > e.clientWidth + 1, text = e.textContent, node = e.firstChild;
            const half = parseFloat(getComputedStyle(e).lineHeight) / 2, range = document.createRange();
            const top = i => { range.setStart(node, i); range.setEnd(node, i + 1); return range.getClientRects()[0].top; };
            const broken = [];
            let start = 0;
            for (const word of text.split(' ')) {
              if (word.length > 1 && top(start + word.length - 1) > top(start) + half) broken.push(word);
              start += word.length + 1;
            }
            e.style.overflowWrap = '';
            return {text, overflow, broken}; })""")
        assert lines and all(not line["overflow"] for line in lines), lines
        broken = [word for line in lines for word in line["broken"]]
        assert broken, "no long word needed a break: the test shows nothing"
        assert all("\u00ad" in word for word in broken), broken
        assert any("han\u00addi\u00adca\u00adpor\u00adga" in line["text"] for line in lines), lines
        wall.screenshot(animations="disabled", path=shots / f"wall-truth-hyphens-{name}.png")
        assert wall.errors == []
