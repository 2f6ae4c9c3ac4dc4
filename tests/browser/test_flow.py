"""The evening's flow in a real browser: phones, the facilitator's console and the wall, live.

A whole mini-workshop (two phones post, the facilitator sorts, sets two dots, opens the vote, the
phones vote and the wall ranks the result); the countdown on every screen (pause, resume, a late
joiner, +1 min, stop, zero); pre-moderation with a phone editing and deleting its own idea; a second
question and tables with a wall per table; "+" disabled at the per-item dot cap. The contexts' locale is English (en-US), so every screen
speaks English. Browser, page and waiting helpers are in pages.py; screenshots go to test-artifacts/screenshots/ (prefix "flow-").
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.pages import (
    CONSOLE_EN,
    PHONE_EN,
    WALL_EN,
    cards,
    console_card,
    console_group,
    drag_with_mouse,
    expect,
    expect_wall_group,
    my_ideas,
    online,
    open_screens,
    post_from_phone,
    wall_theme,
)


BIKES = "Flere cykelstier"
SCHOOL = "Sikre cykelstier til skolebørn"
LIBRARY = "Længere åbningstider på biblioteket"
THEME = "Cykelstier"


def api(server: Any, workshop: dict[str, Any], path: str = "") -> dict[str, Any]:
    """The facilitator's view over the HTTP API (Bearer token): snapshot, or `/results`."""
    response = requests.get(f"{server.url}/api/workshops/{workshop['code']}{path}",
                            headers={"Authorization": f"Bearer {workshop['facilitator_token']}"}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def open_settings(console: Any) -> None:
    """Unfold the console's settings (voting, questions, tables, rules)."""
    settings = console.locator("details.settings")
    if not settings.evaluate("details => details.open"):
        settings.locator("summary").click()
    expect(console.locator("#voting-form")).to_be_visible()


def seconds(text: str) -> int:
    """A countdown's "m:ss" as seconds."""
    found = re.fullmatch(r"(\d+):(\d\d)", text.strip())
    assert found, f"not a countdown: {text!r}"
    return int(found.group(1)) * 60 + int(found.group(2))


def shown_time(ms: int) -> str:
    """What the screens show for `ms` milliseconds left (whole seconds, rounded up)."""
    total = math.ceil(ms / 1000)
    return f"{total // 60}:{total % 60:02d}"


def timer_value(page: Any, selector: str) -> Any:
    return page.locator(f"{selector} .timer-value")


def dot_button(phone: Any, text: str, add: bool = True) -> Any:
    """The vote screen's "+" (or "−") for the idea or theme `text`."""
    label = ("Add a dot: " if add else "Take a dot back: ") + text
    return phone.get_by_role("button", name=label, exact=True)


def vote_row(phone: Any, text: str) -> Any:
    return phone.locator("#vote-list .vote-item").filter(
        has=phone.locator(".vote-text").get_by_text(text, exact=True))


def test_whole_mini_workshop(live_server: Any, new_page: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop("Borgermøde om trafik", "Hvad skal vi gøre for cyklisterne?")
    console = new_page(workshop["facilitator_url"], **CONSOLE_EN)
    wall = new_page(workshop["wall_url"] + "?lang=en", **WALL_EN)
    phones = [new_page(workshop["join_url"], **PHONE_EN) for _ in range(2)]
    for page in [console, wall, *phones]:
        online(page)
    expect(console.locator(".phase-button[data-phase=collect]")).to_have_attribute("aria-pressed", "true")

    # Two phones post through the form.
    post_from_phone(phones[0], BIKES)
    expect(my_ideas(phones[0], BIKES)).not_to_have_class(re.compile(r"\bpending\b"))
    post_from_phone(phones[0], SCHOOL)
    expect(my_ideas(phones[0], SCHOOL)).not_to_have_class(re.compile(r"\bpending\b"))
    post_from_phone(phones[1], LIBRARY)
    expect(my_ideas(phones[1], LIBRARY)).not_to_have_class(re.compile(r"\bpending\b"))
    expect(wall.locator("#idea-count")).to_have_text("3")
    expect(console_group(console, None).locator(".idea")).to_have_count(3)

    # The facilitator makes a theme, drags one idea into it and moves another with "Move to…".
    console.locator("#new-theme-label").fill(THEME)
    console.locator("#new-theme-label").press("Enter")
    theme = console.locator("#groups section.group.theme")
    expect(theme).to_have_count(1)
    theme_id = int(theme.get_attribute("data-cluster"))
    drag_with_mouse(console, console_card(console, BIKES).locator(".idea-text"), theme.locator("header h2"))
    expect(console_group(console, theme_id).locator(".idea-text")).to_have_text([BIKES])
    card = console_card(console, SCHOOL)
    card.focus()
    console.keyboard.press("Space")
    expect(card).to_have_attribute("aria-selected", "true")
    console.locator("#move-target").select_option(label=THEME)
    console.locator("#move-selected").click()
    expect(console_group(console, theme_id).locator(".idea-text")).to_have_text([BIKES, SCHOOL])
    expect(wall.locator("#ideas h2")).to_have_count(0)  # themes reach the wall once shown
    console.get_by_role("switch", name="Show themes on the wall").check()
    expect_wall_group(wall_theme(wall, THEME), [SCHOOL, BIKES])  # newest first on the wall

    # Two dots each, both allowed on one item, set through the settings form.
    open_settings(console)
    console.locator("#voting-dots").fill("2")
    console.locator("#voting-max").fill("2")
    console.locator("#voting-form button[type=submit]").click()
    expect(console.locator("#console-message")).to_have_text("")
    console.locator("details.settings summary").click()  # fold the settings away again

    # The vote opens: both phones switch to the voting screen live.
    console.locator(".phase-button[data-phase=vote]").click()
    expect(console.locator(".phase-button[data-phase=vote]")).to_have_attribute("aria-pressed", "true")
    expect(wall.locator("#banner-main")).to_have_text("Vote on your phone: you have 2 dots (at most 2 on one)")
    for phone in phones:
        expect(phone.locator("#vote-section")).to_be_visible()
        expect(phone.locator("#idea-form")).to_be_hidden()
        expect(phone.locator("#dots-left")).to_have_text("You have 2 dots left")
        expect(phone.locator("#vote-list .vote-item .vote-text")).to_have_text([THEME, BIKES, SCHOOL, LIBRARY])
        expect(phone.locator("#vote-list .vote-theme .vote-text")).to_have_text([THEME])
    workshop_state = api(live_server, workshop)["workshop"]
    assert (workshop_state["dots"], workshop_state["max_per_item"]) == (2, 2), workshop_state

    # Phone 1 puts both dots on the theme; a third "+" is disabled everywhere.
    first = phones[0]
    dot_button(first, THEME).tap()
    expect(first.locator("#dots-left")).to_have_text("You have 1 dot left")
    expect(vote_row(first, THEME).locator(".my-dots")).to_have_text("●")
    dot_button(first, THEME).tap()
    expect(first.locator("#dots-left")).to_have_text("All 2 dots placed")
    expect(vote_row(first, THEME).locator(".my-dots")).to_have_text("●●")
    for text in [THEME, BIKES, SCHOOL, LIBRARY]:
        expect(dot_button(first, text)).to_be_disabled()
    expect(dot_button(first, THEME, add=False)).to_be_enabled()
    expect(dot_button(first, BIKES, add=False)).to_be_disabled()
    dot_button(first, THEME).tap(force=True)  # a tap on the disabled button changes nothing
    expect(first.locator("#dots-left")).to_have_text("All 2 dots placed")
    expect(first.locator("#vote-message")).to_have_text("")
    first.screenshot(animations="disabled", path=shots / "flow-phone-vote.png", full_page=True)

    # Phone 2 puts one dot on an idea in the theme and one on the unsorted idea.
    second = phones[1]
    dot_button(second, BIKES).tap()
    expect(second.locator("#dots-left")).to_have_text("You have 1 dot left")
    dot_button(second, LIBRARY).tap()
    expect(second.locator("#dots-left")).to_have_text("All 2 dots placed")
    expect(dot_button(second, THEME)).to_be_disabled()
    # The console shows the totals on the cards (vote_totals, at most once a second).
    expect(console_card(console, BIKES).locator(".vote-badge")).to_have_text("1 dot")
    console.screenshot(animations="disabled", path=shots / "flow-console-vote-1440.png")

    # Results: the wall ranks the theme and the ideas, ties marked "(tie)" as in the report.
    console.locator(".phase-button[data-phase=results]").click()
    expect(wall.locator("#wall-phase")).to_have_text("Results")
    expect(wall.locator("#wall-results")).to_be_visible()
    expect(wall.locator("#ideas")).to_be_hidden()
    rows = wall.locator("#wall-results .rank-row")
    ranked = [THEME, BIKES, LIBRARY, SCHOOL]  # the wall and every phone rank alike
    ranks = ["1.", "1. (tie)", "1. (tie)", "3."]
    dots = ["3 dots", "1 dot", "1 dot", "0 dots"]
    expect(rows.locator(".rank-label")).to_have_text(ranked)
    expect(rows.locator(".rank")).to_have_text(ranks)
    expect(rows.locator(".rank-votes")).to_have_text(dots)
    expect(wall.locator("#wall-results h2")).to_have_text(["Themes", "Ideas"])
    widths = rows.locator(".rank-bar").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
    assert widths[1] == pytest.approx(widths[0] / 3, rel=0.05) and widths[1] == pytest.approx(widths[2]), widths
    assert widths[3] < widths[1] / 2, widths
    results = api(live_server, workshop, "/results")
    assert [(t["label"], t["votes"], t["theme_votes"]) for t in results["themes"]] == [(THEME, 3, 2)]
    wall.screenshot(animations="disabled", path=shots / "flow-wall-results.png")

    for phone in phones:
        expect(phone.locator("#results-section")).to_be_visible()
        expect(phone.locator("#vote-section")).to_be_hidden()
        entries = phone.locator("#results-list li:not(.results-heading)")
        expect(entries.locator(".result-text")).to_have_text(ranked)
        expect(entries.locator(".result-votes")).to_have_text(dots)
        expect(entries.locator(".rank")).to_have_text(ranks)
    first.screenshot(animations="disabled", path=shots / "flow-phone-results.png", full_page=True)
    for page in [console, wall, *phones]:
        assert page.errors == []


def test_timer_on_every_screen(live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any],
                               shots: Path) -> None:
    workshop = live_server.create_workshop()
    console, wall, phone = open_screens(new_page, workshop)
    expect(wall.locator("#wall-timer")).to_be_hidden()
    expect(phone.locator("#timer")).to_be_hidden()
    expect(console.locator("#timer-pause")).to_be_disabled()

    console.locator("#timer-minutes").fill("1")
    console.locator("#timer-start").click()
    first_minute = re.compile(r"^(1:00|0:5\d)$")
    for page, selector in [(wall, "#wall-timer"), (phone, "#timer"), (console, "#console-timer")]:
        expect(page.locator(selector)).to_be_visible()
        expect(timer_value(page, selector)).to_have_text(first_minute)
        expect(page.locator(selector)).not_to_have_class(re.compile(r"\bpaused\b"))
    wall.screenshot(animations="disabled", path=shots / "flow-wall-timer.png")

    # Pause: every screen shows the time the server kept, and stops counting.
    console.locator("#timer-pause").click()
    expect(console.locator("#timer-pause")).to_have_text("Resume")
    for page, selector in [(wall, "#wall-timer"), (phone, "#timer"), (console, "#console-timer")]:
        expect(page.locator(selector)).to_have_class(re.compile(r"\bpaused\b"))
    timer = api(live_server, workshop)["workshop"]["timer"]
    assert not timer["running"] and 0 < timer["remaining_ms"] <= 60_000, timer
    paused_at = shown_time(timer["remaining_ms"])
    for page, selector in [(wall, "#wall-timer"), (phone, "#timer"), (console, "#console-timer")]:
        expect(timer_value(page, selector)).to_have_text(paused_at)

    # Resume, then a late joiner gets the running countdown in its snapshot.
    console.locator("#timer-pause").click()
    expect(console.locator("#timer-pause")).to_have_text("Pause")
    expect(wall.locator("#wall-timer")).not_to_have_class(re.compile(r"\bpaused\b"))
    late = new_page(workshop["join_url"], **PHONE_EN)
    online(late)
    expect(late.locator("#timer")).to_be_visible()
    expect(late.locator("#timer")).not_to_have_class(re.compile(r"\bpaused\b"))
    late_left = seconds(timer_value(late, "#timer").inner_text())
    wall_left = seconds(timer_value(wall, "#wall-timer").inner_text())
    assert abs(late_left - wall_left) <= 2, (late_left, wall_left)
    assert 0 < late_left <= seconds(paused_at), (late_left, paused_at)

    # "+1 min" adds a minute on every screen.
    before = seconds(timer_value(wall, "#wall-timer").inner_text())
    console.locator("#timer-add").click()
    expect(timer_value(wall, "#wall-timer")).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    expect(timer_value(late, "#timer")).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    after = seconds(timer_value(wall, "#wall-timer").inner_text())
    assert 55 <= after - before <= 60, (before, after)

    # Stop hides it everywhere.
    console.locator("#timer-stop").click()
    for page, selector in [(wall, "#wall-timer"), (phone, "#timer"), (late, "#timer"), (console, "#console-timer")]:
        expect(page.locator(selector)).to_be_hidden()
    expect(console.locator("#timer-pause")).to_be_disabled()

    # A two-second countdown (the form's minimum is half a minute) reaches zero and rings.
    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": workshop["code"], "facilitator_token": workshop["facilitator_token"]})["ok"]
    assert facilitator.call("start_timer", {"seconds": 2})["ok"]
    expect(wall.locator("#wall-timer")).to_be_visible()
    expect(timer_value(wall, "#wall-timer")).to_have_text("0:00")
    expect(wall.locator("#wall-timer")).to_have_class(re.compile(r"\bdone\b"))
    expect(timer_value(phone, "#timer")).to_have_text("0:00")
    expect(phone.locator("#timer")).to_have_class(re.compile(r"\bdone\b"))
    for page in [console, wall, phone, late]:
        assert page.errors == []


def test_pre_moderation_and_own_edits(live_server: Any, new_page: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop()
    console, wall, phone = open_screens(new_page, workshop)
    expect(console.locator("#queue")).to_be_hidden()

    open_settings(console)
    console.get_by_label("Approve ideas before they reach the wall").check()
    console.locator("#rules-form button[type=submit]").click()
    # The click only sends the setting: the server has it once its ack is back.
    deadline = time.monotonic() + 10
    while not api(live_server, workshop)["workshop"]["pre_moderation"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert api(live_server, workshop)["workshop"]["pre_moderation"] is True
    expect(console.locator("#queue")).to_be_hidden()  # "Waiting for approval (0)" is no news

    text = "Bænke ved søerne"
    post_from_phone(phone, text)
    queued = console.locator("#queue-list .idea").filter(has=console.get_by_text(text, exact=True))
    expect(queued).to_have_count(1)
    expect(console.locator("#queue-count")).to_have_text("1")
    expect(console_card(console, text)).to_have_count(0)  # in the queue, not among the cards to sort
    mine = my_ideas(phone, text)
    expect(mine.locator(".idea-meta")).to_have_text("Waiting for the facilitator's approval")
    # Not "Sent! Your idea is on the wall.": it is not, yet.
    expect(phone.locator("#form-message")).to_have_text("Waiting for the facilitator's approval")
    expect(cards(wall, text)).to_have_count(0)
    expect(wall.locator("#idea-count")).to_have_text("0")
    console.screenshot(animations="disabled", path=shots / "flow-console-queue-1440.png")

    queued.get_by_role("button", name=f"Approve: {text}").click()
    expect(cards(wall, text)).to_have_count(1)
    expect(wall.locator("#idea-count")).to_have_text("1")
    expect(console.locator("#queue-list .idea")).to_have_count(0)
    expect(console_card(console, text)).to_have_count(1)
    expect(mine.locator(".idea-meta")).to_have_text(re.compile(r"^Sent "))

    # "Hide" in the queue takes a waiting idea out of it, onto the console as a hidden card that
    # "Show" returns to the queue; it never reaches the wall.
    unwanted = "Gratis is til alle"
    post_from_phone(phone, unwanted)
    waiting = console.locator("#queue-list .idea").filter(has=console.get_by_text(unwanted, exact=True))
    expect(waiting).to_have_count(1)
    waiting.get_by_role("button", name=f"Hide: {unwanted}").click()
    expect(console.locator("#queue-list .idea")).to_have_count(0)
    expect(console.locator("#queue-count")).to_have_text("0")
    expect(console_card(console, unwanted)).to_have_class(re.compile(r"\bhidden-idea\b"))
    expect(my_ideas(phone, unwanted).locator(".idea-meta")).to_have_text("Hidden by the facilitator")
    console_card(console, unwanted).get_by_role("button", name=f"Show: {unwanted}").click()
    expect(waiting).to_have_count(1)
    expect(console_card(console, unwanted)).to_have_count(0)
    expect(my_ideas(phone, unwanted).locator(".idea-meta")).to_have_text("Waiting for the facilitator's approval")
    waiting.get_by_role("button", name=f"Hide: {unwanted}").click()
    expect(console_card(console, unwanted)).to_have_count(1)
    expect(cards(wall, unwanted)).to_have_count(0)
    expect(wall.locator("#idea-count")).to_have_text("1")

    # The phone edits its own idea while posting is open. Under pre-moderation the new text waits
    # for approval again: the wall drops the idea, and shows the new text once approved.
    edited = "Bænke og skygge ved søerne"
    mine.get_by_role("button", name=f"Edit: {text}").tap()
    box = phone.locator("#my-ideas textarea")
    expect(box).to_have_value(text)
    box.fill(edited)
    phone.locator("#my-ideas").get_by_role("button", name="Save", exact=True).tap()
    expect(cards(wall, text)).to_have_count(0)
    expect(cards(wall, edited)).to_have_count(0)
    expect(my_ideas(phone, edited)).to_have_count(1)
    requeued = console.locator("#queue-list .idea").filter(has=console.get_by_text(edited, exact=True))
    requeued.get_by_role("button", name=f"Approve: {edited}").click()
    expect(cards(wall, edited)).to_have_count(1)
    expect(console_card(console, edited)).to_have_count(1)

    # Delete, after the confirm dialog.
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    phone.once("dialog", accept)
    my_ideas(phone, edited).get_by_role("button", name=f"Delete: {edited}").tap()
    expect(cards(wall, edited)).to_have_count(0)
    expect(wall.locator("#idea-count")).to_have_text("0")
    expect(phone.locator("#my-ideas .idea .idea-text")).to_have_text([unwanted])
    expect(console_card(console, edited)).to_have_count(0)
    assert dialogs == ["confirm"]
    assert [i["text"] for i in api(live_server, workshop)["ideas"]] == [unwanted]
    for name, page in [("console", console), ("wall", wall), ("phone", phone)]:
        assert page.errors == [], (name, [e.stack for e in page.errors])


def test_rounds_and_tables(live_server: Any, new_page: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop("Borgermøde", "Hvad skal vi gøre ved parkerne?")
    console, wall, phone = open_screens(new_page, workshop)
    first_idea = "Flere bænke i parken"
    post_from_phone(phone, first_idea)
    expect(cards(wall, first_idea)).to_have_count(1)

    # A second question, made active: every screen asks it and shows only its ideas.
    question = "Hvad skal vi gøre ved trafikken?"
    open_settings(console)
    console.locator("#prompt-text").fill(question)
    console.get_by_role("button", name="Add question").click()
    expect(console.locator("#prompt-list li .prompt-text")).to_have_text(["Hvad skal vi gøre ved parkerne?", question])
    console.get_by_role("button", name=f"Make active: {question}").click()
    expect(console.locator("#prompt-list li").nth(1).locator(".active-prompt")).to_be_visible()
    expect(phone.locator("#phone h1.question")).to_have_text(question)
    expect(wall.locator(".wall-header .question")).to_have_text(question)
    expect(console.locator(".console-header .question")).to_have_text(question)
    expect(cards(wall, first_idea)).to_have_count(0)
    expect(wall.locator("#idea-count")).to_have_text("0")

    second_idea = "Lavere hastighed på de små veje"
    post_from_phone(phone, second_idea)
    expect(cards(wall, second_idea)).to_have_count(1)
    expect(wall.locator("#ideas .idea")).to_have_count(1)
    snapshot = api(live_server, workshop)
    prompts = {p["text"]: p["id"] for p in snapshot["prompts"]}
    by_text = {i["text"]: i for i in snapshot["ideas"]}
    assert by_text[second_idea]["prompt_id"] == prompts[question] == snapshot["workshop"]["active_prompt_id"]
    assert by_text[first_idea]["prompt_id"] != prompts[question]

    # Tables: the phone picks "Bord 2" under "About you"; its next idea carries that table.
    console.locator("#tables-names").fill("Bord 1\nBord 2")
    console.get_by_role("button", name="Save tables").click()
    links = console.locator("#table-walls a")
    expect(links).to_have_text(["Wall for Bord 1", "Wall for Bord 2"])
    tables = {t["name"]: t["id"] for t in api(live_server, workshop)["tables"]}
    assert sorted(tables) == ["Bord 1", "Bord 2"]
    profile = phone.locator("#profile-section")
    expect(profile).to_be_visible()
    if not profile.evaluate("details => details.open"):
        profile.locator("summary").tap()
    expect(phone.get_by_label("Your table")).to_be_visible()
    phone.get_by_label("Your table").select_option(label="Bord 2")
    expect(phone.locator("#profile-status")).to_have_text("Saved")
    table_idea = "Cykelbane på tværs af broen"
    post_from_phone(phone, table_idea)
    expect(my_ideas(phone, table_idea)).not_to_have_class(re.compile(r"\bpending\b"))
    by_text = {i["text"]: i for i in api(live_server, workshop)["ideas"]}
    assert by_text[table_idea]["table_id"] == tables["Bord 2"]
    assert by_text[second_idea]["table_id"] is None
    phone.screenshot(animations="disabled", path=shots / "flow-phone-about-you.png", full_page=True)

    # The wall for table 2 (the console's link) shows only that table's ideas.
    href = links.nth(1).get_attribute("href")
    assert href == f"/w/{workshop['code']}/wall?table={tables['Bord 2']}"
    table_wall = new_page(live_server.url + href, **WALL_EN)
    online(table_wall)
    expect(cards(table_wall, table_idea)).to_have_count(1)
    expect(table_wall.locator("#ideas .idea")).to_have_count(1)
    expect(cards(wall, table_idea)).to_have_count(1)
    expect(wall.locator("#ideas .idea")).to_have_count(2)
    table_wall.screenshot(animations="disabled", path=shots / "flow-wall-table-2.png")
    console.screenshot(animations="disabled", path=shots / "flow-console-settings-1440.png", full_page=True)
    for page in [console, wall, phone, table_wall]:
        assert page.errors == []


def test_plus_is_disabled_at_the_per_item_cap(live_server: Any, new_page: Callable[..., Any],
                                             peers: Callable[..., Any]) -> None:
    # The default cap is one dot per idea: "+" on an idea that has it is disabled, not refused.
    workshop = live_server.create_workshop()
    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": workshop["code"], "facilitator_token": workshop["facilitator_token"]})["ok"]
    participant = peers(live_server.url)
    assert participant.call("join", {"code": workshop["code"]})["ok"]
    for number, text in enumerate([BIKES, LIBRARY]):
        assert participant.call("post_idea", {"text": text, "client_id": f"c{number}"})["ok"]
    assert facilitator.call("set_voting", {"dots": 3, "max_per_item": 1})["ok"]
    assert facilitator.call("set_phase", {"phase": "vote"})["ok"]
    phone = new_page(workshop["join_url"], **PHONE_EN)
    online(phone)
    expect(phone.locator("#dots-left")).to_have_text("You have 3 dots left")
    dot_button(phone, BIKES).tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 2 dots left")
    expect(dot_button(phone, BIKES)).to_be_disabled()
    expect(dot_button(phone, LIBRARY)).to_be_enabled()
    # Raised to two, the same "+" works again, live.
    assert facilitator.call("set_voting", {"dots": 3, "max_per_item": 2})["ok"]
    expect(dot_button(phone, BIKES)).to_be_enabled()
    dot_button(phone, BIKES).tap()
    expect(phone.locator("#dots-left")).to_have_text("You have 1 dot left")
    expect(dot_button(phone, BIKES)).to_be_disabled()
    expect(phone.locator("#vote-message")).to_have_text("")
    assert phone.errors == []


def test_ideas_from_paper_are_imported_from_the_console(live_server: Any, new_page: Callable[..., Any],
                                                       tmp_path: Path) -> None:
    workshop = live_server.create_workshop("Borgermøde", "Hvad savner du i byen?")
    console = new_page(workshop["facilitator_url"], **CONSOLE_EN)
    wall = new_page(workshop["wall_url"] + "?lang=en", **WALL_EN)
    online(console)
    online(wall)
    open_settings(console)
    console.locator("#import-text").fill("Flere drikkefontæner\nBænke ved åen\n")
    console.get_by_role("button", name="Import into the active question").click()
    expect(console.locator("#import-status")).to_contain_text("2 ideas imported")
    expect(cards(wall, "Bænke ved åen")).to_have_count(1)
    paper = tmp_path / "papir.csv"
    paper.write_bytes("Bord;Idé\n3;Læsehaver i gården\n".encode("cp1252"))
    console.locator("#import-file").set_input_files(str(paper))
    console.get_by_role("button", name="Import into the active question").click()
    expect(console.locator("#import-status")).to_contain_text("1 ideas imported")
    expect(cards(wall, "Læsehaver i gården")).to_have_count(1)
    expect(wall.locator("#idea-count")).to_have_text("3")


def test_a_phone_learns_its_workshop_was_erased(live_server: Any, tmp_path: Path,
                                                new_page: Callable[..., Any]) -> None:
    # A server of its own, with an organiser password (live_server only picks the async mode).
    assert live_server.mode == "eventlet"
    from tests.servers import LiveServer

    server = LiveServer(tmp_path / "data", "eventlet", "--admin-password", "hemmelig")
    server.start()
    try:
        organiser = requests.Session()
        created = organiser.post(f"{server.url}/api/workshops", timeout=5,
                                 json={"title": "Slettes", "prompt": "?"},
                                 headers={"Authorization": "Bearer hemmelig"}).json()
        phone = new_page(created["join_url"], **PHONE_EN)
        online(phone)
        post_from_phone(phone, "En idé der skal slettes")
        expect(my_ideas(phone, "En idé der skal slettes")).to_have_count(1)

        def csrf() -> str:
            page = organiser.get(f"{server.url}/admin", timeout=5).text
            return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

        organiser.post(f"{server.url}/admin/login", data={"password": "hemmelig", "csrf": csrf()}, timeout=5)
        erased = organiser.post(f"{server.url}/admin/w/{created['code']}/delete",
                                data={"csrf": csrf()}, timeout=5)
        assert erased.status_code == 200 and "Slettes" in erased.text  # back on /admin, in the log
        expect(phone.locator("#connection")).to_have_text("This workshop has been deleted by the organiser.")
        expect(phone.locator("#idea-form")).to_be_hidden()
        assert phone.evaluate("() => Object.keys(localStorage).length") == 0
    finally:
        server.kill()
