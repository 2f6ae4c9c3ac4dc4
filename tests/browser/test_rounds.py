"""Two questions in one evening, each its own round, on real screens: two phones, the console and
the wall go through round one (ideas, a theme, a vote, results), then the facilitator makes a second
question active and the round starts afresh on every screen: its own ideas, its own themes (a theme
of the same name is a new theme), a full dot budget, "0 of 2 have voted", and its own results, while
the API and the console can still look back at round one. Screenshots: test-artifacts/screenshots/
(prefix "rounds-")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.browser.pages import (
    CONSOLE_EN,
    EN,
    PHONE_EN,
    PROJECTOR,
    cards,
    command,
    console_group,
    expect,
    facilitator,
    online,
    post_from_phone,
)

FIRST, SECOND = "What should we do about the parks?", "What should we do about traffic?"
ROUND_ONE = ["More benches in the park", "A dog run by the lake", "Meetings in the park pavilion"]
ROUND_TWO = ["Slower traffic in side streets", "Meetings about traffic on Saturdays"]
THEME = "Meetings"


def api(server: Any, workshop: dict[str, Any], path: str = "") -> Any:
    response = requests.get(f"{server.url}/api/workshops/{workshop['code']}{path}",
                            headers={"Authorization": f"Bearer {workshop['facilitator_token']}"}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def vote_on(phone: Any, text: str) -> None:
    phone.get_by_role("button", name=f"Add a dot: {text}", exact=True).tap()


def test_two_rounds_each_their_own(live_server: Any, new_page: Callable[..., Any],
                                   peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop("Neighbourhood evening", FIRST)
    fac = facilitator(live_server, peers, workshop)
    console = new_page(workshop["facilitator_url"], **CONSOLE_EN)
    wall = new_page(workshop["wall_url"] + "?lang=en", **{**PROJECTOR, **EN})
    phones = [new_page(workshop["join_url"], **PHONE_EN) for _ in range(2)]
    for page in [console, wall, *phones]:
        online(page)

    # Round one: three ideas, a theme shown on the wall, two dots each, phone 1 votes.
    for n, text in enumerate(ROUND_ONE):
        post_from_phone(phones[n % 2], text)
    expect(wall.locator("#idea-count")).to_have_text("3")
    ids = {i["text"]: i["id"] for i in api(live_server, workshop)["ideas"]}
    old_theme = command(fac, "create_cluster", {"label": THEME})["cluster"]["id"]
    command(fac, "move_idea", {"idea_id": ids[ROUND_ONE[2]], "cluster_id": old_theme})
    # Phones follow "Show themes on the wall": a draft theme reaches them only once it is shown.
    expect(console.locator("#groups section.group.theme")).to_have_count(1)
    expect(phones[0].locator("#themes-section")).to_be_hidden()
    command(fac, "set_themes_on_wall", {"themes_on_wall": True})
    expect(phones[0].locator("#phone-themes li")).to_have_text([f"{THEME} (1)"])
    command(fac, "set_voting", {"dots": 2, "max_per_item": 1})
    command(fac, "set_phase", {"phase": "vote"})
    vote_on(phones[0], THEME)
    vote_on(phones[0], ROUND_ONE[0])
    expect(phones[0].locator("#dots-left")).to_have_text("All 2 dots placed")
    expect(wall.locator("#banner-count")).to_have_text("1 of 2 participants have voted")
    command(fac, "set_phase", {"phase": "results"})
    for phone in phones:
        expect(phone.locator("#results-list .result-text")).to_have_text(
            [THEME, ROUND_ONE[0], ROUND_ONE[1], ROUND_ONE[2]])

    # Round two, from the console: a new question, made active, back to collecting.
    command(fac, "set_phase", {"phase": "collect"})
    command(fac, "add_prompt", {"text": SECOND})
    console.locator("details.settings summary").click()
    console.get_by_role("button", name=f"Make active: {SECOND}").click()
    for page, selector in [(phones[0], "#phone h1.question"), (wall, ".wall-header .question"),
                           (console, ".console-header .question")]:
        expect(page.locator(selector)).to_have_text(SECOND)
    for n, text in enumerate(ROUND_TWO):
        post_from_phone(phones[n], text)
    expect(wall.locator("#idea-count")).to_have_text("2")
    expect(wall.locator("#ideas .idea .idea-text")).to_have_text(ROUND_TWO[::-1])  # newest first
    # Round one's theme is neither on the wall nor on the console; the unsorted ideas are round two's.
    expect(wall.locator("#ideas h2")).to_have_count(0)
    expect(console.locator("#groups section.group.theme")).to_have_count(0)
    expect(console_group(console, None).locator(".idea-text")).to_have_text(ROUND_TWO)

    # A theme of the same name is round two's own; round one's cannot take its ideas.
    ids = {i["text"]: i["id"] for i in api(live_server, workshop)["ideas"]}
    refused = fac.call("move_idea", {"idea_id": ids[ROUND_TWO[1]], "cluster_id": old_theme})
    assert refused["error"]["code"] == "other_question", refused
    new_theme = command(fac, "create_cluster", {"label": THEME})["cluster"]["id"]
    command(fac, "move_idea", {"idea_id": ids[ROUND_TWO[1]], "cluster_id": new_theme})
    expect(console.locator("#groups section.group.theme")).to_have_count(1)
    expect(console_group(console, new_theme).locator(".idea-text")).to_have_text([ROUND_TWO[1]])
    expect(wall.locator("#ideas h2 > span:first-child")).to_have_text([THEME, "Unsorted"])
    console.screenshot(animations="disabled", path=shots / "rounds-console-round-two.png", full_page=True)

    # Round two's vote: a full budget on every phone, nobody has voted yet, only its items.
    command(fac, "set_phase", {"phase": "vote"})
    expect(wall.locator("#banner-count")).to_have_text("0 of 2 participants have voted")
    for phone in phones:
        expect(phone.locator("#dots-left")).to_have_text("You have 2 dots left")
        expect(phone.locator("#vote-list .vote-item .vote-text")).to_have_text(
            [THEME, ROUND_TWO[1], ROUND_TWO[0]])
    vote_on(phones[1], ROUND_TWO[0])
    expect(phones[1].locator("#dots-left")).to_have_text("You have 1 dot left")
    expect(wall.locator("#banner-count")).to_have_text("1 of 2 participants have voted")
    wall.screenshot(animations="disabled", path=shots / "rounds-wall-vote-two.png")
    phones[0].screenshot(animations="disabled", path=shots / "rounds-phone-vote-two.png")

    # Round two's results on the phones; round one's still there for whoever asks.
    command(fac, "set_phase", {"phase": "results"})
    for phone in phones:
        expect(phone.locator("#results-list .result-text")).to_have_text([THEME, ROUND_TWO[0], ROUND_TWO[1]])
    prompts = {p["text"]: p["id"] for p in api(live_server, workshop)["prompts"]}
    now = api(live_server, workshop, "/results")
    assert now["prompt_id"] == prompts[SECOND]
    assert [(t["label"], t["votes"]) for t in now["themes"]] == [(THEME, 0)]
    before = api(live_server, workshop, f"/results?prompt_id={prompts[FIRST]}")
    assert [(t["id"], t["votes"]) for t in before["themes"]] == [(old_theme, 1)]
    assert {i["text"] for i in before["ideas"]} == set(ROUND_ONE)
    phones[0].screenshot(animations="disabled", path=shots / "rounds-phone-results-two.png", full_page=True)

    # The console looks back at round one: its themes and ideas, then the active question again.
    console.get_by_role("button", name=f"Look back: {FIRST}").click()
    expect(console.locator("#groups section.group.theme .idea-text")).to_have_text([ROUND_ONE[2]])
    expect(console.locator("#look-back")).to_be_visible()
    expect(console.locator("#look-back")).to_be_in_viewport()
    console.screenshot(animations="disabled", path=shots / "rounds-console-look-back.png")
    console.get_by_role("button", name="Back to the active question").click()
    expect(console_group(console, new_theme).locator(".idea-text")).to_have_text([ROUND_TWO[1]])
    expect(cards(wall, ROUND_ONE[0])).to_have_count(0)
    for page in [console, wall, *phones]:
        assert page.errors == [], page.errors
