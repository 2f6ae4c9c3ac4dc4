"""Before and after the evening in a real browser (issue 24): the frame on the phone (390x844) before
its first idea and on the wall's invitation; "About you" with a background question; an answer
written on the console reaching a closed phone live; the wall's closing screen with the outcome
page's QR code; the console's answers view and "Who took part" with the under-5 rule; the outcome
page (axe 0, Danish and English). Screenshots go to test-artifacts/screenshots/ ("after-")."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.pages import A4, PHONE, axe_violations, command, expect, facilitator, my_ideas, online, post_from_phone, printed_pages

FRAME = ("Budgettet for 2027 er vedtaget. I kan påvirke, hvordan pengene til byrum bruges. "
         "Teknik- og Miljøudvalget beslutter i marts, og I hører fra os senest 1. april.")
IDEA = "Flere bænke ved søerne"
ANSWER = "Udvalget sætter 20 bænke op i foråret."
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}
CONSOLE = {"viewport": {"width": 1440, "height": 900}, "locale": "da-DK"}


def create(server: Any, language: str = "da") -> dict[str, Any]:
    response = requests.post(server.url + "/api/workshops", timeout=5, json={
        "title": "Idéfabrikken på Østerbro", "prompt": "Hvordan gør vi byrummet bedre?", "language": language,
        "frame": FRAME})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_frame_background_and_an_answer_reaching_a_closed_phone(live_server: Any, new_page: Callable[..., Any],
                                                              peers: Callable[..., Any], shots: Path) -> None:
    home = new_page(live_server.url + "/", **PHONE)  # the frame is asked for when creating one
    expect(home.get_by_label("Rammen (valgfri)")).to_be_visible()
    home.screenshot(path=shots / "after-home-frame-390.png", full_page=True)
    workshop = create(live_server)
    code = workshop["code"]
    boss = facilitator(live_server, peers, workshop)
    command(boss, "set_background", {"questions": [
        {"label": "Jeg deltager som", "options": ["borger", "medarbejder", "politiker", "forening"]}]})
    wall = new_page(f"{live_server.url}/w/{code}/wall", viewport={"width": 1920, "height": 1080})
    expect(wall.locator("#invite-frame-text")).to_have_text(FRAME)
    wall.screenshot(path=shots / "after-wall-frame-1920.png")
    wall.set_viewport_size({"width": 1280, "height": 720})
    wall.wait_for_timeout(300)
    wall.screenshot(path=shots / "after-wall-frame-1280.png")

    phone = new_page(f"{live_server.url}/join/{code}", **PHONE)
    online(phone)
    frame = phone.locator("#frame-section")
    expect(frame).to_be_visible()
    expect(phone.locator("#frame-text")).to_have_text(FRAME)
    assert frame.evaluate("node => node.open")  # before the first idea: open
    phone.locator("#profile-section summary").click()
    phone.get_by_label("medarbejder").check()
    expect(phone.locator("#profile-status")).to_have_text("Gemt")
    phone.screenshot(path=shots / "after-phone-frame-about-you-390.png", full_page=True)
    post_from_phone(phone, IDEA)
    expect(my_ideas(phone, IDEA)).to_have_count(1)
    # Folded once the server has its first idea, and still there to open.
    phone.wait_for_function("() => !document.getElementById('frame-section').open")
    expect(frame).to_be_visible()

    small = new_page(f"{live_server.url}/join/{code}", **SMALL_PHONE)
    online(small)
    small.screenshot(path=shots / "after-phone-frame-360.png")

    ideas = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()["ideas"]
    theme = command(boss, "create_cluster", {"label": "Bænke og byrum"})["cluster"]["id"]
    command(boss, "move_idea", {"idea_id": ideas[0]["id"], "cluster_id": theme})
    command(boss, "set_phase", {"phase": "vote"})
    voter = peers(live_server.url)
    assert voter.call("join", {"code": code})["ok"]
    command(voter, "cast_vote", {"idea_id": ideas[0]["id"]})
    command(boss, "set_phase", {"phase": "closed"})
    heading = phone.locator("#mine-heading")
    expect(heading).to_have_text("Dine idéer og hvad der blev af dem")
    entry = my_ideas(phone, IDEA)
    expect(entry.locator(".answer-status")).to_have_text("Intet svar endnu")
    expect(entry).to_contain_text("Tema: Bænke og byrum · 1 prik")

    # The console writes the theme's answer; the closed phone shows it without a reload. Every
    # question's themes are there to answer, not only the active one's.
    command(boss, "add_prompt", {"text": "Hvad mangler i gårdene?"})
    console = new_page(workshop["facilitator_url"], **CONSOLE)
    online(console)
    console.locator("#after-toggle").click()
    expect(console.locator(".answer-question")).to_have_text([
        "Spørgsmål 1: Hvordan gør vi byrummet bedre?", "Spørgsmål 2: Hvad mangler i gårdene?"])
    console.get_by_label("Status: Bænke og byrum").select_option("adopted")
    console.get_by_label("Svar: Bænke og byrum").fill(ANSWER)
    console.get_by_role("button", name="Gem svaret").first.click()
    expect(console.locator(".answer-theme .saved").first).to_have_text("Gemt")
    expect(entry.locator(".answer-status")).to_have_text("Vedtaget")
    expect(entry.locator(".answer-text")).to_have_text(ANSWER)
    assert phone.errors == []  # type: ignore[attr-defined]
    phone.screenshot(path=shots / "after-phone-closed-answer-390.png", full_page=True)
    assert axe_violations(phone, "phone after closing") == []
    small.reload()
    online(small)
    small.screenshot(path=shots / "after-phone-closed-360.png", full_page=True)

    # Who took part: one employee is a group under 5, never a number.
    counts = console.locator("#background-counts")
    expect(counts).to_contain_text("Jeg deltager som")
    row = counts.locator("tr", has=console.locator("th", has_text="medarbejder"))
    expect(row.locator("td").first).to_have_text("færre end 5")
    assert not re.search(r"medarbejder\s*1\b", counts.inner_text())
    console.screenshot(path=shots / "after-console-answers-1440.png", full_page=True)
    assert axe_violations(console, "console answers") == []
    report = console.context.new_page()  # the facilitator's report: the frame, who took part
    report.goto(f"{live_server.url}/w/{code}/report")
    expect(report.locator("#report-background")).to_have_text("Hvem deltog")
    expect(report.locator(".background-counts td").first).to_have_text("færre end 5")
    report.screenshot(path=shots / "after-report-1440.png", full_page=True)
    assert axe_violations(report, "report") == []  # two questions: each part's headings are its own
    report.close()
    console.locator("#before-after summary").click()
    expect(console.locator("#frame-text")).to_have_value(FRAME)
    assert axe_violations(console, "console frame and background forms") == []
    console.screenshot(path=shots / "after-console-frame-1440.png")
    assert console.errors == []  # type: ignore[attr-defined]

    # The wall's closing screen: keep the page or scan again; the outcome page's code once published.
    wall.set_viewport_size({"width": 1920, "height": 1080})
    expect(wall.locator("#wall-closing")).to_be_visible()
    expect(wall.locator("#closing-outcome")).to_be_hidden()
    console.locator("#outcome-public").check()
    expect(wall.locator("#closing-outcome")).to_be_visible()
    expect(phone.locator("#outcome-link")).to_be_visible()
    wall.screenshot(path=shots / "after-wall-closing-1920.png")
    wall.set_viewport_size({"width": 1280, "height": 720})
    # Both QR codes and their captions whole on a 720p projector.
    wall.wait_for_function("""() => [...document.querySelectorAll('#wall-closing figure')].every(node => {
        const box = node.getBoundingClientRect();
        return box.height > 0 && box.bottom <= innerHeight && box.right <= innerWidth; })""")
    wall.screenshot(path=shots / "after-wall-closing-1280.png")
    assert wall.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_outcome_page_passes_axe_and_prints(live_server: Any, new_page: Callable[..., Any],
                                                peers: Callable[..., Any], shots: Path, language: str) -> None:
    workshop = create(live_server, language)
    code = workshop["code"]
    boss = facilitator(live_server, peers, workshop)
    phone = peers(live_server.url)
    assert phone.call("join", {"code": workshop["code"]})["ok"]
    ids = [command(phone, "post_idea", {"text": text, "client_id": text})["idea"]["id"]
           for text in (IDEA, "Træer i Fælledparken", "Skjult idé 4711")]
    command(boss, "hide_idea", {"idea_id": ids[2]})
    theme = command(boss, "create_cluster", {"label": "Bænke og byrum"})["cluster"]["id"]
    command(boss, "move_idea", {"idea_id": ids[0], "cluster_id": theme})
    command(boss, "set_phase", {"phase": "vote"})
    command(phone, "cast_vote", {"cluster_id": theme})
    command(boss, "set_phase", {"phase": "closed"})
    command(boss, "set_answer", {"cluster_id": theme, "status": "adopted", "text": ANSWER})
    command(boss, "set_answer", {"idea_id": ids[1], "status": "considering", "text": "Vi ser på det i 2027."})
    assert requests.get(f"{live_server.url}/w/{code}/outcome", timeout=5).status_code == 404
    command(boss, "set_rules", {"outcome_public": True})
    page = new_page(f"{live_server.url}/w/{code}/outcome", viewport={"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.lang") == language
    expect(page.locator("h1")).to_have_text("Idéfabrikken på Østerbro")
    expect(page.locator(".answer-adopted")).to_contain_text(ANSWER)
    assert "4711" not in page.content()
    assert axe_violations(page, f"outcome-{language}") == []
    page.screenshot(path=shots / f"after-outcome-{language}-390.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=shots / f"after-outcome-{language}-1440.png")
    page.emulate_media(media="print")
    assert page.locator(".report-tools").evaluate("node => getComputedStyle(node).display") == "none"
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_door_poster_carries_the_frame_on_one_page(live_server: Any, new_page: Callable[..., Any],
                                                       shots: Path) -> None:

    workshop = create(live_server)
    long_frame = (FRAME + " ") * 4 + "Spørgsmål til rammen: skriv til byrum@kk.dk."  # ~950 characters
    boss_page = new_page(workshop["facilitator_url"], **CONSOLE)
    online(boss_page)
    boss_page.locator("#before-after summary").click()
    boss_page.locator("#frame-text").fill(long_frame)
    boss_page.get_by_role("button", name="Gem rammen").click()
    expect(boss_page.locator('[data-saved-for="frame-form"]')).to_have_text("Gemt")
    page = boss_page  # the kit is the facilitator's (its cookie)
    page.goto(f"{live_server.url}/w/{workshop['code']}/print")
    page.wait_for_function("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    poster = printed_pages(pdf, shots)[0]
    (shots / "print-page-1.png").rename(shots / "after-poster-frame.png")
    assert abs(poster["size"][1] - A4[1]) < 1
    assert "Det kan du få indflydelse på" in poster["text"] and "byrum@kk.dk" in poster["text"]
    assert [c["text"] for c in poster["codes"]] == [workshop["join_url"]]
    assert poster["codes"][0]["mm"] >= 60
    assert "Scan, skriv, send" in poster["text"]  # the steps still on the same page


def test_an_answer_chosen_but_not_saved_survives_the_board_changing(live_server: Any, new_page: Callable[..., Any],
                                                                   peers: Callable[..., Any]) -> None:
    """A status chosen, the focus gone elsewhere, then a change on the board (another console adds a
    theme) draws the answers again: the status and text stay until they are saved."""
    workshop = create(live_server)
    boss = facilitator(live_server, peers, workshop)
    command(boss, "create_cluster", {"label": "Bænke og byrum"})
    console = new_page(workshop["facilitator_url"], **CONSOLE)
    online(console)
    console.locator("#after-toggle").click()
    console.get_by_label("Status: Bænke og byrum").select_option("adopted")
    console.get_by_label("Svar: Bænke og byrum").fill(ANSWER)
    console.evaluate("document.activeElement.blur()")
    command(boss, "create_cluster", {"label": "Legepladser"})
    expect(console.get_by_label("Status: Legepladser")).to_be_visible()  # drawn again
    expect(console.get_by_label("Status: Bænke og byrum")).to_have_value("adopted")
    expect(console.get_by_label("Svar: Bænke og byrum")).to_have_value(ANSWER)
    console.get_by_role("button", name="Gem svaret").first.click()
    expect(console.locator(".answer-theme .saved").first).to_have_text("Gemt")
    assert console.errors == []  # type: ignore[attr-defined]


def test_an_answer_draft_shows_a_newer_answer_saved_on_another_console(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Path) -> None:
    """A draft begun on this console, then another console saves an answer for the same theme: the
    draft stays, and a note beside it says what was saved (with the focus in the form, and after
    the list is drawn again). Save keeps this console's answer (its own answer_set is no news);
    "Brug det nyere svar" takes the other one instead. The old console hid it without a word."""
    workshop = create(live_server)
    boss = facilitator(live_server, peers, workshop)
    theme = command(boss, "create_cluster", {"label": "Bænke og byrum"})["cluster"]["id"]
    console = new_page(workshop["facilitator_url"], **CONSOLE)
    online(console)
    console.locator("#after-toggle").click()
    status, text = console.get_by_label("Status: Bænke og byrum"), console.get_by_label("Svar: Bænke og byrum")
    form = console.locator(".answer-theme .answer-form").first
    note = form.locator(".newer-answer")
    status.select_option("adopted")
    text.fill(ANSWER)  # the focus stays in the form
    command(boss, "set_answer", {"cluster_id": theme, "status": "declined", "text": "Ikke i år"})
    expect(note.locator("p")).to_have_text(
        "En anden konsol har gemt et nyere svar: Afvist, “Ikke i år”. Gemmer du dit eget, overskriver du det.")
    expect(text).to_have_value(ANSWER)
    console.evaluate("document.activeElement.blur()")
    command(boss, "create_cluster", {"label": "Legepladser"})
    expect(console.get_by_label("Status: Legepladser")).to_be_visible()  # drawn again
    expect(note.locator("p")).to_contain_text("“Ikke i år”")
    expect(status).to_have_value("adopted")
    expect(text).to_have_value(ANSWER)
    form.scroll_into_view_if_needed()
    console.screenshot(animations="disabled", path=shots / "after-console-newer-answer-1440x900.png")
    form.get_by_role("button", name="Gem svaret").click()
    expect(form.locator(".saved")).to_have_text("Gemt")
    expect(note).to_have_count(0)
    text.fill(ANSWER + " Og flere træer.")  # a new draft, begun from the answer just saved: no news
    expect(note).to_have_count(0)
    command(boss, "set_answer", {"cluster_id": theme, "status": "done", "text": ""})
    expect(note.locator("p")).to_have_text(
        "En anden konsol har gemt et nyere svar: Gennemført. Gemmer du dit eget, overskriver du det.")
    note.get_by_role("button", name="Brug det nyere svar").click()
    expect(note).to_have_count(0)
    expect(status).to_have_value("done")
    expect(text).to_have_value("")
    assert console.errors == []  # type: ignore[attr-defined]
