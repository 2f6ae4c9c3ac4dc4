"""The phone at 390x844 in a real browser: voting on a long list, and the small things around it.

Voting on 300 ideas in 12 themes: the dot bar stays in the viewport at the bottom of the list and
never covers the last row; themes fold their ideas; a search box finds ideas; voted rows are marked;
the per-item cap is said; "My dots" takes a dot back; "All 5 dots placed" says the budget is spent;
the console's "vote on" setting (ideas, themes, both) changes the phone live; in table mode the bar
speaks of the table's dots. Then the fixes: an edit
box ends when posting closes, ideas held back by the rate limit are "waiting" (not offline), typed text
survives a language switch, "About you" shows only while collecting, and a phone says what comes next
once posting closes. Danish and English; axe-core (WCAG 2.1 AA and best practices) on the vote screen.
Browser helpers come from pages.py; screenshots go to test-artifacts/screenshots/ ("phone-").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.pages import (CONSOLE_EN, PHONE, PHONE_EN, axe_violations, command, expect, facilitator, my_ideas,
                                 online, post_from_phone)

TOPICS = ["cykelstier", "træer i gaderne", "bænke ved søerne", "legepladser", "busser om natten",
          "affaldssortering", "lys på stierne", "fællesspisning", "grønne tage", "skolevejen",
          "biblioteket", "svømmehallen"]
SEARCH_WORD = "badebro"  # in exactly three ideas


def big_workshop(server: Any, peers: Callable[..., Any], count: int = 300) -> tuple[dict[str, Any], Any, list[dict[str, Any]]]:
    """A workshop with `count` ideas from paper, two thirds of them in 12 themes, in the vote phase."""
    workshop = server.create_workshop("Borgermøde om byen", "Hvad skal vi gøre for byen?")
    texts = [f"Idé {n}: mere om {TOPICS[n % len(TOPICS)]} i kvarter {n // len(TOPICS)}" for n in range(count)]
    for n in (7, count // 2, count - 1):
        texts[n] = f"Idé {n}: en {SEARCH_WORD} ved havnen"
    response = requests.post(f"{server.url}/w/{workshop['code']}/import", data={"text": "\n".join(texts)},
                             headers={"Authorization": f"Bearer {workshop['facilitator_token']}"}, timeout=30)
    assert response.status_code == 200 and response.json()["imported"] == count, response.text
    boss = facilitator(server, peers, workshop)
    ideas = requests.get(f"{server.url}/api/workshops/{workshop['code']}", timeout=5).json()["ideas"]
    themed = [i for i in ideas if int(i["text"].split(":")[0].split()[1]) < count * 2 // 3]
    suggestions = [{"label": topic.capitalize(), "idea_ids": [i["id"] for n, i in enumerate(themed) if n % 12 == k]}
                   for k, topic in enumerate(TOPICS)]
    themes = command(boss, "apply_suggestions", {"suggestions": suggestions})["clusters"]
    assert len(themes) == 12
    command(boss, "set_voting", {"dots": 5, "max_per_item": 2, "vote_on": "both"})
    command(boss, "set_phase", {"phase": "vote"})
    return workshop, boss, ideas


def in_viewport(page: Any, selector: str) -> dict[str, float]:
    """The element's box, asserted to lie wholly inside the viewport."""
    box = page.locator(selector).evaluate(
        "el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,"
        " right: r.right, height: innerHeight, width: innerWidth}; }")
    assert 0 <= box["top"] < box["bottom"] <= box["height"] and 0 <= box["left"] < box["right"] <= box["width"], box
    return box  # type: ignore[no-any-return]


def plus(phone: Any, text: str) -> Any:
    return phone.get_by_role("button", name=f"Add a dot: {text}", exact=True)


def minus(phone: Any, text: str) -> Any:
    return phone.get_by_role("button", name=f"Take a dot back: {text}", exact=True)


def row(phone: Any, text: str) -> Any:
    return phone.locator("#vote-list .vote-item").filter(has=phone.locator(".vote-text").get_by_text(text, exact=True))


def test_voting_on_300_ideas(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any],
                             shots: Path) -> None:
    workshop, boss, ideas = big_workshop(live_server, peers)
    phone = new_page(workshop["join_url"], **PHONE_EN)
    online(phone)
    expect(phone.locator("#vote-section")).to_be_visible()
    expect(phone.locator("#dots-left")).to_have_text("You have 5 dots left")
    expect(phone.locator("#dot-meter")).to_have_text("○○○○○")
    expect(phone.locator("#dot-rule")).to_have_text("at most 2 per idea or theme")
    expect(phone.locator("#vote-how")).to_contain_text("Give your 5 dots to the ideas and themes")
    expect(phone.locator("#my-dots-toggle")).to_be_hidden()  # nothing to list yet
    in_viewport(phone, "#dot-bar")
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-top.png")

    # Themes are folded: 12 theme rows and the 100 ideas outside themes, not a 30,000 px page.
    expect(phone.locator("#vote-list .vote-theme")).to_have_count(12)
    expect(phone.locator("#vote-list .vote-sublist:visible")).to_have_count(0)
    expect(phone.locator("#vote-list > li.vote-item")).to_have_count(100)
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, height

    # At the bottom of the list the dot bar is still in view, and the last row is above it.
    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = phone.locator("#vote-list > li").last
    expect(last).to_be_in_viewport()
    bar = in_viewport(phone, "#dot-bar")
    assert bar["bottom"] == pytest.approx(844, abs=1), bar
    assert last.bounding_box()["y"] + last.bounding_box()["height"] <= bar["top"], (last.bounding_box(), bar)
    last_text = last.locator(".vote-text").inner_text()
    plus(phone, last_text).tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 4 dots left")
    expect(phone.locator("#dot-meter")).to_have_text("●○○○○")
    expect(row(phone, last_text)).to_have_class(re.compile(r"\bvoted\b"))
    expect(row(phone, last_text).locator(".my-dots")).to_have_text("●")
    expect(phone.get_by_role("button", name="My dots (1)")).to_be_visible()
    in_viewport(phone, "#dot-bar")
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-bottom.png")

    # A theme unfolds to show its ideas; a dot on one of them is counted on the folded theme too.
    theme = phone.locator("#vote-list .vote-group").first
    fold = theme.locator(".fold-button")
    expect(fold).to_have_attribute("aria-expanded", "false")
    fold.tap()
    expect(fold).to_have_attribute("aria-expanded", "true")
    inside = theme.locator(".vote-sublist .vote-item")
    expect(inside).to_have_count(17)
    first_inside = inside.first.locator(".vote-text").inner_text()
    plus(phone, first_inside).tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 3 dots left")
    expect(row(phone, first_inside)).to_have_class(re.compile(r"\bvoted\b"))
    fold.tap()
    expect(fold).to_have_attribute("aria-expanded", "false")
    expect(fold).to_contain_text("1 of your dots")
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-theme.png")

    # Search: three ideas mention the word; their rows alone are left, themes opened to show them.
    search = phone.get_by_label("Find an idea")
    expect(search).to_be_visible()
    search.fill(SEARCH_WORD)
    expect(phone.locator("#vote-search-status")).to_have_text("3 found")
    texts = phone.locator("#vote-list .vote-item:not(.vote-theme) .vote-text").all_inner_texts()
    assert sorted(texts) == sorted(f"Idé {n}: en {SEARCH_WORD} ved havnen" for n in (7, 150, 299)), texts
    found = f"Idé 150: en {SEARCH_WORD} ved havnen"
    plus(phone, found).tap()
    plus(phone, found).tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 1 dot left")
    expect(plus(phone, found)).to_be_disabled()  # the cap of two on one idea
    expect(row(phone, found).locator(".my-dots")).to_have_text("●●")
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-search.png")
    search.fill("zzz-ingenting")
    expect(phone.locator("#vote-search-status")).to_have_text("Nothing found. Try another word.")
    search.fill("")
    expect(phone.locator("#vote-list > li.vote-item")).to_have_count(100)

    # The last dot: the bar says all five are placed, and every "+" rests.
    theme_label = theme.locator(".vote-theme .vote-text").inner_text()
    plus(phone, theme_label).tap()
    expect(phone.locator("#dots-left")).to_have_text("All 5 dots placed")
    expect(phone.locator("#dot-meter")).to_have_text("●●●●●")
    expect(phone.locator("#dot-bar")).to_have_class(re.compile(r"\bdone\b"))
    expect(phone.locator("#dot-rule")).to_have_text("To move a dot, take it back with −")
    expect(phone.locator("#vote-list .dot-button:not([disabled])").filter(has_text="+")).to_have_count(0)
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-done.png")

    # My dots: each placed dot with a button to take it back.
    toggle = phone.get_by_role("button", name="My dots (5)")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    entries = phone.locator("#my-dots-list li")
    expect(entries).to_have_count(4)
    expect(entries.locator(".vote-text")).to_have_text([theme_label, first_inside, found, last_text])
    expect(entries.locator(".my-dots")).to_have_text(["●", "●", "●●", "●"])
    in_viewport(phone, "#dot-bar")
    phone.screenshot(animations="disabled", path=shots / "phone-vote-300-my-dots.png")
    found_axe = axe_violations(phone, "en phone: vote, my dots open")
    phone.get_by_role("button", name=f"Remove your dot from: {last_text}").tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 1 dot left")
    expect(entries).to_have_count(3)
    expect(phone.get_by_role("button", name="My dots (4)")).to_be_focused()  # not lost with the removed button
    expect(row(phone, last_text)).not_to_have_class(re.compile(r"\bvoted\b"))
    expect(plus(phone, last_text)).to_be_enabled()

    # The server agrees with what the phone shows.
    totals = requests.get(f"{live_server.url}/api/workshops/{workshop['code']}/results", timeout=5,
                          headers={"Authorization": f"Bearer {workshop['facilitator_token']}"}).json()
    by_text = {i["text"]: i["votes"] for i in totals["ideas"]}
    assert (by_text[found], by_text[first_inside], by_text[last_text]) == (2, 1, 0)
    assert {t["label"]: t["theme_votes"] for t in totals["themes"]}[theme_label] == 1
    found_axe += axe_violations(phone, "en phone: vote")
    assert not found_axe, "\n".join(found_axe)
    assert phone.errors == []


def test_the_console_chooses_ideas_themes_or_both(live_server: Any, new_page: Callable[..., Any],
                                                 peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop()
    boss = facilitator(live_server, peers, workshop)
    participant = peers(live_server.url)
    assert participant.call("join", {"code": workshop["code"]})["ok"]
    ids = [command(participant, "post_idea", {"text": text, "client_id": f"c{n}"})["idea"]["id"]
           for n, text in enumerate(["Flere træer", "Grønne tage", "Bilfri søndage"])]
    theme = command(boss, "create_cluster", {"label": "Grønt"})["cluster"]["id"]
    command(boss, "move_idea", {"idea_id": ids[0], "cluster_id": theme})
    command(boss, "move_idea", {"idea_id": ids[1], "cluster_id": theme})
    command(boss, "set_phase", {"phase": "vote"})
    console = new_page(workshop["facilitator_url"], **CONSOLE_EN)
    phone = new_page(workshop["join_url"], **PHONE_EN)
    online(console)
    online(phone)
    expect(plus(phone, "Grønt")).to_be_visible()
    expect(plus(phone, "Bilfri søndage")).to_be_visible()

    # Themes only, chosen in the console's voting settings: ideas lose their buttons, and the
    # ideas outside any theme leave the list.
    settings = console.locator("details.settings")
    settings.locator("summary").click()
    expect(console.get_by_label("Participants give dots to")).to_have_value("both")
    console.get_by_label("Participants give dots to").select_option(label="Themes only")
    console.locator("#voting-form button[type=submit]").click()
    expect(phone.locator("#dot-rule")).to_have_text("one per theme")
    console.locator("#voting-form").screenshot(animations="disabled", path=shots / "phone-console-vote-on.png")
    expect(phone.locator("#vote-how")).to_contain_text("to the themes you like best")
    expect(plus(phone, "Grønt")).to_be_enabled()
    expect(plus(phone, "Flere træer")).to_have_count(0)
    expect(phone.locator("#vote-list .vote-text").filter(has_text="Bilfri søndage")).to_have_count(0)
    expect(phone.locator("#vote-list .vote-sublist .vote-text")).to_have_text(["Flere træer", "Grønne tage"])
    phone.screenshot(animations="disabled", path=shots / "phone-vote-themes-only.png", full_page=True)
    assert participant.call("cast_vote", {"idea_id": ids[2]})["error"]["code"] == "not_votable"

    # Ideas only: the theme is a heading that folds, without buttons of its own.
    console.get_by_label("Participants give dots to").select_option(label="Ideas only")
    console.locator("#voting-form button[type=submit]").click()
    expect(phone.locator("#dot-rule")).to_have_text("one per idea")
    expect(plus(phone, "Grønt")).to_have_count(0)
    expect(plus(phone, "Flere træer")).to_be_enabled()
    expect(plus(phone, "Bilfri søndage")).to_be_enabled()
    plus(phone, "Flere træer").tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 2 dots left")
    workshop_state = requests.get(f"{live_server.url}/api/workshops/{workshop['code']}", timeout=5).json()["workshop"]
    assert workshop_state["vote_on"] == "ideas"
    for page in (console, phone):
        assert page.errors == []


def test_danish_vote_screen(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any],
                            shots: Path) -> None:
    workshop, boss, _ = big_workshop(live_server, peers, count=40)
    command(boss, "set_voting", {"dots": 3, "max_per_item": 1})
    phone = new_page(workshop["join_url"], **PHONE)  # da-DK
    online(phone)
    expect(phone.locator("html")).to_have_attribute("lang", "da")
    expect(phone.locator("#dots-left")).to_have_text("Du har 3 prikker tilbage")
    expect(phone.locator("#dot-rule")).to_have_text("én pr. idé eller tema")
    expect(phone.get_by_label("Find en idé")).to_be_visible()
    expect(phone.locator("#vote-list .fold-button").first).to_have_text(re.compile(r"^Vis \d+ idéer$"))
    for text in phone.locator("#vote-list > li.vote-item .vote-text").all_inner_texts()[:3]:
        phone.get_by_role("button", name=f"Giv en prik: {text}", exact=True).tap()
    expect(phone.locator("#dots-left")).to_have_text("Alle 3 prikker er sat")
    expect(phone.get_by_role("button", name="Mine prikker (3)")).to_be_visible()
    phone.screenshot(animations="disabled", path=shots / "phone-vote-da-done.png")
    found = axe_violations(phone, "da phone: vote")
    assert not found, "\n".join(found)
    assert phone.errors == []


def test_phone_fixes_around_the_phases(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any],
                                       shots: Path) -> None:
    workshop = live_server.create_workshop()
    boss = facilitator(live_server, peers, workshop)
    command(boss, "set_tables", {"tables": ["Bord 1", "Bord 2"]})
    phone = new_page(workshop["join_url"], **PHONE_EN)
    online(phone)

    # A language switch keeps the text being typed (it is a new page).
    box = phone.locator("#idea-text")
    box.click()
    box.press_sequentially("Halvfærdig idé om")
    phone.get_by_role("link", name="Dansk").tap()
    expect(phone.locator("html")).to_have_attribute("lang", "da")
    online(phone)
    expect(phone.locator("#idea-text")).to_have_value("Halvfærdig idé om")
    phone.get_by_role("link", name="English").tap()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    online(phone)
    expect(phone.locator("#idea-text")).to_have_value("Halvfærdig idé om")
    phone.locator("#idea-text").press_sequentially(" bænke")
    phone.locator("#idea-send").tap()
    expect(my_ideas(phone, "Halvfærdig idé om bænke")).not_to_have_class(re.compile(r"\bpending\b"))
    phone.reload()
    online(phone)
    expect(phone.locator("#idea-text")).to_have_value("")  # sent, so no longer a draft

    # Posting fast: what the rate limit holds back is "waiting", not "offline", and goes out by itself.
    for n in range(13):
        phone.locator("#idea-text").fill(f"Hurtig idé {n}")
        phone.locator("#idea-send").click()
    waiting = phone.locator("#my-ideas .idea.pending .idea-meta")
    expect(waiting.first).to_have_text("Waiting – it is sent by itself in a few seconds")
    expect(phone.locator("#my-ideas .idea.pending").filter(has_text="when you are online again")).to_have_count(0)
    expect(phone.locator("#form-message")).to_have_text("Waiting – it is sent by itself in a few seconds")
    phone.screenshot(animations="disabled", path=shots / "phone-rate-limited.png", full_page=True)
    expect(phone.locator("#my-ideas .idea.pending")).to_have_count(0, timeout=20_000)
    expect(phone.locator("#my-ideas .idea")).to_have_count(14)

    # "About you" is there while collecting.
    expect(phone.locator("#profile-section")).to_be_visible()

    # An edit box open when posting closes ends, with a word on why; the phone says what is next.
    text = "Hurtig idé 0"
    my_ideas(phone, text).get_by_role("button", name=f"Edit: {text}").tap()
    edit_box = phone.locator("#my-ideas textarea")
    expect(edit_box).to_be_visible()
    edit_box.fill("Ændret, men ikke gemt")
    command(boss, "set_posting", {"open": False})
    expect(edit_box).to_have_count(0)
    expect(my_ideas(phone, text)).to_have_count(1)
    note = phone.locator("#phase-note")
    expect(note).to_contain_text("Editing stopped")
    expect(note).to_contain_text("What comes next: the facilitator sorts the ideas into themes, then you vote")
    expect(phone.locator("#posting-closed")).to_be_visible()
    phone.screenshot(animations="disabled", path=shots / "phone-posting-closed.png", full_page=True)
    found = axe_violations(phone, "en phone: posting closed")

    # Sorting: "About you" goes, the phone says voting comes next.
    command(boss, "set_phase", {"phase": "cluster"})
    expect(note).to_have_text("The ideas are being sorted into themes… Next, you vote here on your phone. Keep this page open.")
    expect(phone.locator("#profile-section")).to_be_hidden()
    found += axe_violations(phone, "en phone: cluster")
    command(boss, "set_phase", {"phase": "vote"})
    expect(phone.locator("#vote-section")).to_be_visible()
    expect(phone.locator("#profile-section")).to_be_hidden()
    expect(phone.locator("#mine-section")).to_be_hidden()
    command(boss, "set_phase", {"phase": "collect"})
    command(boss, "set_posting", {"open": True})
    expect(phone.locator("#profile-section")).to_be_visible()
    expect(note).to_have_text("")
    assert not found, "\n".join(found)
    assert phone.errors == []


def test_a_table_shares_its_dot_bar(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any]) -> None:
    # Table mode: the phones at a table share one budget, and their dot bar says it is the table's.
    workshop = live_server.create_workshop()
    boss = facilitator(live_server, peers, workshop)
    table = command(boss, "set_tables", {"tables": ["Bord 1"]})["tables"][0]["id"]
    command(boss, "set_rules", {"table_mode": True})
    phones = [new_page(f"{workshop['join_url']}?table={table}", **PHONE_EN) for _ in range(2)]
    for phone in phones:
        online(phone)
    post_from_phone(phones[0], "Flere træer")
    expect(my_ideas(phones[0], "Flere træer")).to_have_count(1)
    command(boss, "set_voting", {"dots": 2, "max_per_item": 1})
    command(boss, "set_phase", {"phase": "vote"})
    for phone in phones:
        expect(phone.locator("#dots-left")).to_have_text("Your table has 2 dots left")
    plus(phones[0], "Flere træer").tap()
    expect(phones[0].locator("#dots-left")).to_have_text("Your table has 1 dot left")
    phones[1].reload()
    online(phones[1])
    expect(phones[1].locator("#dots-left")).to_have_text("Your table has 1 dot left")
    expect(row(phones[1], "Flere træer")).to_have_class(re.compile(r"\bvoted\b"))
    for phone in phones:
        assert phone.errors == []


def test_a_phone_follows_its_table_mates_dots(live_server: Any, new_page: Callable[..., Any],
                                              peers: Callable[..., Any], shots: Path) -> None:
    """Table mode: phone B places a dot and takes it back; phone A at the same table follows without
    a reload (`my_votes_changed`): its dots left, the dot on the idea, and '+' off while the table
    has no dot left; B's own phone counts its dot once, and neither shows the facilitator's note."""
    workshop = live_server.create_workshop()
    boss = facilitator(live_server, peers, workshop)
    table = command(boss, "set_tables", {"tables": ["Bord 1"]})["tables"][0]["id"]
    command(boss, "set_rules", {"table_mode": True})
    a, b = (new_page(f"{workshop['join_url']}?table={table}", **PHONE_EN) for _ in range(2))
    for phone in (a, b):
        online(phone)
    post_from_phone(a, "Flere træer")
    expect(my_ideas(a, "Flere træer")).to_have_count(1)
    command(boss, "set_voting", {"dots": 2, "max_per_item": 2})
    command(boss, "set_phase", {"phase": "vote"})
    for phone in (a, b):
        expect(phone.locator("#dots-left")).to_have_text("Your table has 2 dots left")
    plus(b, "Flere træer").tap()
    plus(b, "Flere træer").tap()
    for phone in (a, b):
        expect(phone.locator("#dots-left")).to_have_text("All 2 of your table's dots placed")
        expect(phone.locator("#dot-meter")).to_have_text("●●")
        expect(row(phone, "Flere træer").locator(".my-dots")).to_have_text("●●")
    expect(plus(a, "Flere træer")).to_be_disabled()
    expect(minus(a, "Flere træer")).to_be_enabled()
    expect(a.locator("#vote-message")).to_have_text("")
    a.screenshot(animations="disabled", path=shots / "phone-table-mate-dots-390x844.png")
    minus(b, "Flere træer").tap()
    for phone in (a, b):
        expect(phone.locator("#dots-left")).to_have_text("Your table has 1 dot left")
        expect(row(phone, "Flere træer").locator(".my-dots")).to_have_text("●")
    expect(plus(a, "Flere træer")).to_be_enabled()
    plus(a, "Flere træer").tap()  # the table's last dot, from A: B follows in turn
    expect(b.locator("#dot-meter")).to_have_text("●●")
    expect(b.locator("#vote-message")).to_have_text("")
    for phone in (a, b):
        assert phone.errors == []
