"""The projector wall as the back of the hall sees it, at 1920x1080 and 1280x720.

With 36, 150 and 300 ideas, without and with themes (6, 13 and 19), through every phase, each
assertion reads the rendered page: the smallest idea text is at least 3% of the screen's height;
every idea (or ranked row) is on the wall within one paging cycle (the cycle sped up with
?page_seconds=); no element of the wall lies outside the viewport or outside the board; a theme
heading never stands without ideas; results show the top 5 themes fully. The facilitator can hold
the paging; a table wall names its table and counts its own participants. A screenshot of every
case goes to test-artifacts/screenshots/wall-*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from facilitation.demo import IDEAS
from tests.browser.pages import axe_violations, decode_qr, expect

VIEWPORTS = {"1080p": {"width": 1920, "height": 1080}, "720p": {"width": 1280, "height": 720}}
PAGE_SECONDS = 0.4
THEMES = ["Inddragelse tidligt", "Tilbagemelding", "Mødesteder i bydelene", "Digitale veje",
          "Mangfoldighed og sprog", "Unge og skoler", "Samarbejde på tværs", "Budget og puljer",
          "Forsøg og læring", "Politikere til stede", "Kort og klart sprog", "Åbne data",
          "Foreninger og civilsamfund", "Tid og mandat", "Fejring af resultater",
          "Borgerpaneler", "Byvandringer", "Høringer i nye former", "Tilgængelighed for alle"]
THEME_COUNTS = {36: 6, 150: 13, 300: 19}


def idea_texts(count: int) -> list[str]:
    """Realistic ideas: the demo's 36, then variations of them, a few of them long."""
    texts = list(IDEAS[:count])
    for number in range(len(texts), count):
        base = IDEAS[number % len(IDEAS)]
        if number % 23 == 0:
            texts.append(f"{base}. Det kræver, at kommunens medarbejdere får tid til det, og at "
                         f"borgerne kan følge med undervejs, også dem uden smartphone (idé {number})")
        else:
            texts.append(f"{base} (idé {number})")
    return texts


class WallRoom:
    """A workshop with its ideas imported from paper, optionally sorted into themes, voted on."""

    def __init__(self, server: Any, peers: Callable[..., Any], count: int, themed: bool) -> None:
        self.server, self.peers, self.count = server, peers, count
        created = requests.post(server.url + "/api/workshops", timeout=5, json={
            "title": "Idéfabrikken", "language": "da",
            "prompt": "Hvordan kan Københavns Kommune bedre facilitere københavneridéer?"}).json()
        self.code, self.token = created["code"], created["facilitator_token"]
        self.wall_url = created["wall_url"]
        imported = requests.post(f"{server.url}/w/{self.code}/import", timeout=30,
                                 headers={"Authorization": f"Bearer {self.token}"},
                                 data={"text": "\n".join(idea_texts(count))})
        assert imported.status_code == 200 and imported.json()["imported"] == count, imported.text
        self.facilitator = peers(server.url)
        assert self.facilitator.call("join", {"code": self.code, "facilitator_token": self.token})["ok"]
        self.ideas = [i["id"] for i in self.snapshot()["ideas"]]
        self.themes: list[int] = []
        if themed:
            n = THEME_COUNTS[count]
            members: list[list[int]] = [[] for _ in range(n)]
            for index, idea in enumerate(self.ideas[: int(count * 0.95)]):  # a few stay unsorted
                members[index % n].append(idea)
            ack = self.command("apply_suggestions", {"suggestions": [
                {"label": THEMES[k], "idea_ids": members[k]} for k in range(n)]})
            self.themes = [c["id"] for c in ack["clusters"]]
            self.command("set_themes_on_wall", {"themes_on_wall": True})
        self.voters = 0

    def command(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A facilitator command; its ack must be ok."""
        ack = self.facilitator.call(event, payload)
        assert ack["ok"], (event, ack)
        return ack  # type: ignore[no-any-return]

    def snapshot(self) -> dict[str, Any]:
        """The workshop as the API shows it."""
        return requests.get(f"{self.server.url}/api/workshops/{self.code}", timeout=5).json()  # type: ignore[no-any-return]

    def vote(self) -> None:
        """Seven participants place 133 dots: distinct totals for the top themes and ideas."""
        self.command("set_voting", {"dots": 20, "max_per_item": 20})
        dots = [("cluster_id", t, max(0, 12 - k)) for k, t in enumerate(self.themes)]
        dots += [("idea_id", i, 10 - k) for k, i in enumerate(self.ideas[:10])]
        ballot = [(column, item) for column, item, n in dots for _ in range(n)]
        for start in range(0, len(ballot), 20):
            voter = self.peers(self.server.url)
            assert voter.call("join", {"code": self.code})["ok"]
            for column, item in ballot[start:start + 20]:
                assert voter.call("cast_vote", {column: item})["ok"]
            self.voters += 1


# Read from the rendered page, while the wall pages through everything once: the ids of the ideas
# and the ranks rows seen, the smallest idea text, anything outside the viewport or the board,
# theme headings with no idea under them, and the page count.
WATCH = """async ([timeoutMs]) => {
  const seen = new Set(), rows = new Set(), outside = new Set(), lonely = new Set();
  let smallest = Infinity, pages = 1, samples = 0;
  const W = innerWidth, H = innerHeight;
  const shown = e => e.checkVisibility() && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0;
  const inside = (r, b) => r.left >= b.left - 0.5 && r.top >= b.top - 0.5 && r.right <= b.right + 0.5 && r.bottom <= b.bottom + 0.5;
  const describe = e => (e.id ? "#" + e.id : e.className || e.tagName) + ": " + (e.textContent || "").slice(0, 40);
  const sample = () => {
    samples++;
    const board = document.querySelector(".board").getBoundingClientRect();
    for (const e of document.querySelectorAll("#wall *")) {
      if (!shown(e)) continue;
      const r = e.getBoundingClientRect();
      if (!inside(r, {left: 0, top: 0, right: W, bottom: H})) outside.add(describe(e));
      if (e.closest(".board") && !inside(r, board)) outside.add("off the board " + describe(e));
    }
    for (const e of document.querySelectorAll("#ideas .idea")) {
      if (!shown(e)) continue;
      seen.add(e.dataset.id);
      smallest = Math.min(smallest, parseFloat(getComputedStyle(e.querySelector(".idea-text")).fontSize));
    }
    for (const e of document.querySelectorAll("#wall-results .rank-row")) {
      if (!shown(e)) continue;
      rows.add(e.dataset.kind + "|" + e.querySelector(".rank-label").textContent);
      smallest = Math.min(smallest, parseFloat(getComputedStyle(e.querySelector(".rank-label")).fontSize));
    }
    for (const h of document.querySelectorAll("#ideas h2")) {
      if (shown(h) && !h.parentElement.querySelector(".idea")) lonely.add(h.textContent);
    }
    const m = /(\\d+)\\/(\\d+)/.exec(document.getElementById("page-indicator").textContent);
    if (m) { pages = Number(m[2]); numbers.add(m[1]); }
  };
  // One whole cycle: until every page number has been shown (and sampled), however slow the clock.
  const numbers = new Set(), start = performance.now();
  sample();
  while (pages > 1 && numbers.size < pages && performance.now() - start < timeoutMs) {
    await new Promise(r => setTimeout(r, 40));
    sample();
  }
  await new Promise(r => setTimeout(r, 100));
  sample();
  return {seen: [...seen], rows: [...rows], outside: [...outside], lonely: [...lonely],
          smallest: smallest === Infinity ? null : smallest, pages, samples, cycled: pages === 1 || numbers.size >= pages};
}"""


def pages_of(page: Any) -> int:
    """The page count the wall shows ("Side 2/8"), 1 when it shows none."""
    match = re.search(r"(\d+)/(\d+)", page.locator("#page-indicator").text_content() or "")
    return int(match.group(2)) if match else 1


def watch_cycle(page: Any) -> dict[str, Any]:
    """Watch the wall until it has shown every page once."""
    page.wait_for_timeout(300)  # let a phase change settle into its layout
    result: dict[str, Any] = page.evaluate(WATCH, [(pages_of(page) + 3) * PAGE_SECONDS * 1000 * 5])
    assert result["cycled"], result["pages"]
    return result


def check_legible(result: dict[str, Any], height: int, case: str) -> None:
    """Idea text at least 3% of the screen height; nothing outside; no lonely heading."""
    assert result["smallest"] is not None and result["smallest"] >= round(0.03 * height), (case, result["smallest"])
    assert result["outside"] == [], (case, result["outside"][:5])
    assert result["lonely"] == [], (case, result["lonely"])


FIGURES: list[str] = []


@pytest.mark.parametrize("themed", [False, True], ids=["plain", "themes"])
@pytest.mark.parametrize("count", [36, 150, 300])
def test_the_wall_through_every_phase(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any],
                                      shots: Any, count: int, themed: bool) -> None:
    room = WallRoom(live_server, peers, count, themed)
    walls = {name: new_page(f"{room.wall_url}?page_seconds={PAGE_SECONDS}", viewport=size, locale="da-DK")
             for name, size in VIEWPORTS.items()}
    for wall in walls.values():
        expect(wall.locator("#idea-count")).to_have_text(str(count))
    case = f"{count}-{'themes' if themed else 'plain'}"
    every = {str(i) for i in room.ideas}
    for phase in ["collect", "cluster", "vote", "results", "closed"]:
        if phase != "collect":
            room.command("set_phase", {"phase": phase})
        if phase == "vote":
            room.vote()
        for name, wall in walls.items():
            expect(wall.locator("#wall")).to_have_attribute("data-phase", phase)
            height = VIEWPORTS[name]["height"]
            where = f"{case} {name} {phase}"
            if phase == "vote":
                expect(wall.locator("#banner-main")).to_have_text("Stem på din telefon: du har 20 prikker (højst 20 på hver)")
                expect(wall.locator("#banner-count")).to_have_text(f"{room.voters} af {room.voters} deltagere har stemt")
            if phase == "results":
                expect(wall.locator("#wall-results .rank-row").first).to_be_visible()
            result = watch_cycle(wall)
            if phase in ("collect", "cluster", "vote"):
                check_legible(result, height, where)
                assert set(result["seen"]) == every, (where, len(every - set(result["seen"])), result["pages"])
            elif phase == "results":
                check_legible(result, height, where)
                expected = (len(room.themes) + len(room.ideas))
                assert len(result["rows"]) == expected, (where, len(result["rows"]), expected)
            else:
                assert result["outside"] == [], (where, result["outside"])
                expect(wall.locator("#closing-count")).to_have_text(f"{count} idéer fra {room.voters} deltagere.")
            if phase == "results" and themed:
                top_five_fully_visible(wall, where)
            # How to join: a corner badge once the ideas fill the wall and while voting; in the
            # sorting, the results and the closing neither QR code nor posting state.
            if phase in ("collect", "vote"):
                expect(wall.locator("#wall")).to_have_class(re.compile(r"\bjoin-badge\b"))
                expect(wall.locator("img.qr")).to_be_visible()
            else:
                expect(wall.locator("img.qr")).to_be_hidden()
                expect(wall.locator("#posting-state")).to_be_hidden()
            FIGURES.append(f"{where}: {result['pages']} pages, smallest idea text {result['smallest']} px")
            wall.screenshot(animations="disabled", path=shots / f"wall-{case}-{name}-{phase}.png")
            assert wall.errors == [], wall.errors
        if phase in ("collect", "results") and count == 150 and themed:
            for lang, wall in [("da", walls["1080p"])]:
                found = axe_violations(wall, f"{lang} wall {phase} {case}")
                assert found == [], found
    print("\n".join(FIGURES[-10:]))


def top_five_fully_visible(wall: Any, where: str) -> None:
    """Ranks 1-5 of the themes are on the first results page, whole, inside the viewport."""
    wall.wait_for_function("() => document.querySelector('#wall-results.podium')", timeout=20_000)
    ranks = wall.evaluate("""() => [...document.querySelectorAll('#wall-results.podium section:first-child .rank-row')]
        .map(r => { const b = r.getBoundingClientRect();
                    return {rank: r.querySelector('.rank').textContent, inside: b.top >= 0 && b.bottom <= innerHeight && b.right <= innerWidth}; })""")
    assert [r["rank"] for r in ranks] == ["1.", "2.", "3.", "4.", "5."], (where, ranks)
    assert all(r["inside"] for r in ranks), (where, ranks)


def test_an_empty_wall_invites_and_a_full_one_keeps_a_corner_badge(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Any) -> None:
    created = live_server.create_workshop("Idéfabrikken", "Hvad skal vi bruge havnen til?")
    for name, size in VIEWPORTS.items():
        wall = new_page(created["wall_url"], viewport=size, locale="da-DK")
        expect(wall.locator("#wall-invite")).to_be_visible()
        expect(wall.locator("#wall")).to_have_class(re.compile(r"\bjoin-big\b"))
        qr = wall.locator("img.qr").bounding_box()
        assert qr and qr["width"] >= 0.3 * size["height"], qr  # scannable from the middle of the hall
        result = watch_cycle(wall)
        assert result["outside"] == [], result["outside"]
        wall.screenshot(animations="disabled", path=shots / f"wall-empty-{name}.png")
    # Ideas arrive; once they fill the wall the QR code and code shrink to a badge, still there.
    requests.post(f"{live_server.url}/w/{created['code']}/import", timeout=30,
                  headers={"Authorization": f"Bearer {created['facilitator_token']}"},
                  data={"text": "\n".join(idea_texts(60))})
    expect(wall.locator("#wall-invite")).to_be_hidden()
    expect(wall.locator("#wall")).to_have_class(re.compile(r"\bjoin-badge\b"))
    expect(wall.locator("img.qr")).to_be_visible()
    expect(wall.locator(".join-code")).to_have_text(created["code"])
    # While posting is open the back row still scans it: 30% of the height beside the ideas.
    height = VIEWPORTS["720p"]["height"]
    qr = wall.locator("img.qr").bounding_box()
    assert qr and qr["width"] >= 0.3 * height - 1, qr
    assert decode_qr(wall.screenshot())[0].endswith(f"/join/{created['code']}")
    wall.screenshot(animations="disabled", path=shots / "wall-full-qr-720p.png")


def test_the_facilitator_holds_the_paging(live_server: Any, new_page: Callable[..., Any],
                                          peers: Callable[..., Any]) -> None:
    room = WallRoom(live_server, peers, 150, False)
    wall = new_page(f"{room.wall_url}?page_seconds=0.3", viewport=VIEWPORTS["720p"], locale="da-DK")
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side \d+/\d+$"))
    room.command("set_rules", {"wall_paused": True})
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"· på pause$"))
    held = wall.locator("#page-indicator").text_content()
    first = wall.locator("#ideas .idea").first.get_attribute("data-id")
    wall.wait_for_timeout(1500)  # five turns' worth of time: nothing may move
    assert wall.locator("#page-indicator").text_content() == held
    assert wall.locator("#ideas .idea").first.get_attribute("data-id") == first
    wall.reload()  # a rule, so a reloaded wall stays held
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side 1/\d+ · på pause$"))
    room.command("set_rules", {"wall_paused": False})
    expect(wall.locator("#page-indicator")).to_have_text(re.compile(r"^Side [2-9]\d*/\d+$"))
    assert wall.errors == []


def test_a_table_wall_names_its_table_and_counts_its_own(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Any) -> None:
    room = WallRoom(live_server, peers, 36, False)
    tables = room.command("set_tables", {"tables": ["Bord 1", "Bord 2"]})["tables"]
    first, second = tables[0]["id"], tables[1]["id"]
    wall = new_page(f"{room.wall_url}?table={first}", viewport=VIEWPORTS["1080p"], locale="da-DK")
    expect(wall.locator("#wall-table")).to_have_text(" · Bord 1")
    expect(wall.locator("#participant-count")).to_have_text("0")
    for number, table in enumerate([first, first, second]):
        phone = peers(live_server.url)
        assert phone.call("join", {"code": room.code})["ok"]
        assert phone.call("set_table", {"table_id": table})["ok"]
        assert phone.call("post_idea", {"text": f"Idé fra bord {table} nr. {number}", "client_id": "a"})["ok"]
    expect(wall.locator("#participant-count")).to_have_text("2")  # its own two, not all three
    expect(wall.locator("#idea-count")).to_have_text("2")
    expect(wall.locator("#ideas .idea")).to_have_count(2)
    room.command("set_phase", {"phase": "vote"})
    expect(wall.locator("#banner-count")).to_have_text("0 af 2 deltagere har stemt")
    wall.screenshot(animations="disabled", path=shots / "wall-table-vote.png")
    assert wall.errors == []


def test_results_are_revealed_from_fifth_to_first(live_server: Any, new_page: Callable[..., Any],
                                                   peers: Callable[..., Any]) -> None:
    room = WallRoom(live_server, peers, 36, True)
    room.command("set_phase", {"phase": "vote"})
    room.vote()
    room.command("set_phase", {"phase": "results"})
    delays = """() => [...document.querySelectorAll('#wall-results.podium section:first-child .rank-row')]
        .map(r => [r.querySelector('.rank').textContent, getComputedStyle(r).animationName,
                   parseFloat(getComputedStyle(r).animationDelay)])"""
    wall = new_page(room.wall_url, viewport=VIEWPORTS["1080p"], locale="da-DK")
    expect(wall.locator("#wall-results.podium .rank-row").first).to_be_attached()
    rows = wall.evaluate(delays)
    assert [r[0] for r in rows] == ["1.", "2.", "3.", "4.", "5."] and {r[1] for r in rows} == {"reveal"}
    assert [r[2] for r in rows] == sorted([r[2] for r in rows], reverse=True), rows  # 5th first
    still = new_page(room.wall_url, viewport=VIEWPORTS["1080p"], locale="da-DK", reduced_motion="reduce")
    expect(still.locator("#wall-results.podium .rank-row").first).to_be_attached()
    assert {r[1] for r in still.evaluate(delays)} == {"none"}  # all at once
    expect(still.locator("#wall-results.podium .rank-row").first).to_be_visible()


def test_the_closing_screen_counts_in_the_singular_too(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Any) -> None:
    created = live_server.create_workshop("Idéfabrikken", "Hvad skal vi bruge havnen til?")
    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": created["code"],
                                     "facilitator_token": created["facilitator_token"]})["ok"]
    phone = peers(live_server.url)
    assert phone.call("join", {"code": created["code"]})["ok"]
    assert phone.call("post_idea", {"text": "Badezoner i hele havnen", "client_id": "a"})["ok"]
    assert facilitator.call("set_phase", {"phase": "closed"})["ok"]
    for name, size in VIEWPORTS.items():
        danish = new_page(created["wall_url"], viewport=size, locale="da-DK")
        expect(danish.locator("#closing-count")).to_have_text("1 idé fra 1 deltager.")
        assert watch_cycle(danish)["outside"] == []
        danish.screenshot(animations="disabled", path=shots / f"wall-closing-one-{name}.png")
    english = new_page(created["wall_url"] + "?lang=en", viewport=VIEWPORTS["720p"], locale="en-GB")
    expect(english.locator("#closing-count")).to_have_text("1 idea from 1 participant.")
    assert danish.errors == [] and english.errors == []


def test_a_wall_and_a_console_follow_a_vote_without_syncing(live_server: Any, new_page: Callable[..., Any],
                                                             peers: Callable[..., Any]) -> None:
    """Every dot writes a `my_votes_changed` on the voter's own stream, with a workshop `seq` no
    screen receives: the next fact a wall or console does receive carries `prev_seq`, and live.js
    applies it without calling `sync` (before, each screen saw a gap and synced after every vote).
    Counted in the WebSocket frames the pages send."""
    created = live_server.create_workshop()
    code, token = created["code"], created["facilitator_token"]
    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": code, "facilitator_token": token})["ok"]
    theme = facilitator.call("create_cluster", {"label": "Cykler"})["cluster"]["id"]
    assert facilitator.call("set_voting", {"dots": 2, "max_per_item": 1})["ok"]
    assert facilitator.call("set_phase", {"phase": "vote"})["ok"]
    sent: dict[str, list[str]] = {"wall": [], "console": []}
    received: dict[str, list[str]] = {"wall": [], "console": []}
    pages = {}
    for name, url in (("wall", created["wall_url"]), ("console", created["facilitator_url"])):
        page = pages[name] = new_page(viewport={"width": 1440, "height": 900})
        page.on("websocket", lambda ws, name=name: (
            ws.on("framesent", lambda payload: sent[name].append(str(payload))),
            ws.on("framereceived", lambda payload: received[name].append(str(payload)))))
        page.goto(url)
    for name, page in pages.items():
        deadline = time.monotonic() + 30
        while not any('"snapshot"' in frame for frame in received[name]) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert any('"snapshot"' in frame for frame in received[name]), name  # joined
    for _ in range(2):
        phone = peers(live_server.url)
        assert phone.call("join", {"code": code})["ok"]
        assert phone.call("cast_vote", {"cluster_id": theme})["ok"]
    assert facilitator.call("rename_cluster", {"cluster_id": theme, "label": "Cykelstier"})["ok"]
    assert facilitator.call("rename_cluster", {"cluster_id": theme, "label": "Cykelstier nu"})["ok"]
    for name, page in pages.items():  # the second rename: the first was handled before it
        deadline = time.monotonic() + 30
        while not any("Cykelstier nu" in frame for frame in received[name]) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        renamed = [frame for frame in received[name] if frame.startswith('42["cluster_renamed"')]
        assert len(renamed) == 2 and '"prev_seq"' in renamed[0], (name, renamed)
        assert not [frame for frame in sent[name] if re.search(r'^\d*\["sync"', frame)], (name, sent[name])
        assert page.errors == []
