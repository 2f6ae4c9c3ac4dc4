"""Themes in a real browser: the facilitator sorts ideas on the console and the wall follows.

A card dragged with the mouse or a finger lands in its theme, and a drag held at the window's edge
scrolls to a theme below it; the keyboard alone can select, move and undo; suggested themes are edited before they are accepted and never move a card the facilitator
placed; rename, merge and delete reach the wall; a phone follows its dots through merges, lost
acks and resyncs; 300 ideas in 15 themes on the console (the
wall's paging of them is tested in test_wall.py). Screenshots go to test-artifacts/screenshots/; the
browser, page and waiting helpers are in pages.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import (
    dialog_answer,
    BIKES,
    LIBRARY,
    OUTLIER,
    PHONE_EN,
    PROJECTOR,
    Room,
    console_card,
    console_group,
    drag_ends_in_view,
    drag_with_mouse,
    expect,
    expect_wall_group,
    online,
    press_until,
    relayed_until,
    wall_theme,
    wall_unsorted,
)

CONSOLE = {"viewport": {"width": 1440, "height": 900}, "locale": "da-DK"}
TOUCH_CONSOLE = {**CONSOLE, "has_touch": True}


def split_themes(page: Any) -> list[str]:
    """The wall's themes whose cards do not all sit in one column under their heading: cards at
    the top of the next column, above another theme's heading, read as belonging to no theme or
    to that one. The last group (usually the unsorted ideas) may run on when it is taller than a
    column, as nothing follows it; a group that fits a column is never split."""
    split: list[str] = page.evaluate("""() => {
        const board = document.getElementById("ideas").getBoundingClientRect();
        const sections = [...document.querySelectorAll("#ideas section.theme")];
        return sections.filter((section, index) => {
            const heading = section.querySelector("h2");
            if (!heading) { return false; }
            const top = heading.getBoundingClientRect();
            const parts = [...section.querySelectorAll(".idea")].map(p => p.getBoundingClientRect());
            const split = parts.some(r => Math.abs(r.left - top.left) > 1 || r.top < top.bottom - 1);
            const height = parts.reduce((sum, r) => sum + r.height, top.height);
            return split && (index < sections.length - 1 || height < board.height * 0.9);
        }).map(section => section.querySelector("h2").textContent);
    }""")
    return split


def drag_with_finger(page: Any, source: Any, target: Any) -> None:
    """The same with a real touch sequence (CDP Input.dispatchTouchEvent: Chromium turns it into
    pointer events of pointerType "touch", as a finger on a tablet would)."""
    start, end = drag_ends_in_view(page, source, target)
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, 11):
        x, y = x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


WORDS = ["Grønne tage", "Bilfri søndage", "Flere bænke", "Byhaver i gårdene med fælles kompost",
         "Lavere husleje for studerende", "Gadefester hver sommer", "Bedre belysning i parkerne",
         "Legepladser for større børn", "Cykelstier langs søerne", "Lektiecafé på biblioteket"]
THEMES = ["Grønt", "Trafik", "Boliger", "Kultur", "Børn og unge", "Sundhed", "Ældre", "Skoler",
          "Idræt", "Byrum", "Klima", "Handel", "Natteliv", "Fællesskab", "Tryghed"]


DRAG_IDEAS = ["Flere cykelstier på Nørrebro", "Længere åbningstid på biblioteket", "Bænke ved søerne"]


@pytest.mark.parametrize("pointer", ["mouse", "touch"])
def test_drag_a_card_onto_a_theme(pointer: str, live_server: Any, new_page: Callable[..., Any],
                                  peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, DRAG_IDEAS)
    console = new_page(room.workshop["facilitator_url"], **(TOUCH_CONSOLE if pointer == "touch" else CONSOLE))
    online(console)
    wall = new_page(room.workshop["wall_url"], **PROJECTOR)
    online(wall)
    expect(console_group(console, None).locator(".idea")).to_have_count(3)

    console.locator("#new-theme-label").fill("Trafik")
    console.locator("#new-theme-label").press("Enter")
    theme = console.locator("#groups section.group.theme")
    expect(theme).to_have_count(1)
    expect(theme.locator("h2")).to_contain_text("Trafik")
    theme_id = int(theme.get_attribute("data-cluster"))
    expect(wall.locator("#ideas h2")).to_have_count(0)  # an empty theme has no heading on the wall

    text = DRAG_IDEAS[0]
    card = console_card(console, text)
    expect(card).to_have_count(1)
    console.evaluate("""() => { window.pointerTypes = [];
        document.addEventListener("pointerdown", e => pointerTypes.push(e.pointerType), true); }""")
    drag = drag_with_finger if pointer == "touch" else drag_with_mouse
    drag(console, card.locator(".idea-text"), theme.locator("header h2"))
    assert console.evaluate("() => pointerTypes") == [pointer]  # a real finger, not a mouse

    expect(console_card(console, text)).to_have_count(1)
    expect(console_group(console, theme_id).locator(".idea-text")).to_have_text([text])
    expect(console_group(console, theme_id).locator("h2 .theme-count")).to_have_text("1")
    expect(console_group(console, None).locator(".idea")).to_have_count(2)
    # A drop is not a click: the card was not selected on the way.
    expect(console.locator("#groups .idea.selected")).to_have_count(0)
    expect(console.locator(".drag-ghost")).to_have_count(0)

    expect_wall_group(wall_theme(wall, "Trafik"), [text])
    expect_wall_group(wall_unsorted(wall), room.wall_order(DRAG_IDEAS[1:]))
    assert split_themes(wall) == []
    assert room.cluster_of(text) == theme_id
    assert [c["id"] for c in room.snapshot()["clusters"]] == [theme_id]
    console.screenshot(animations="disabled", path=shots / f"console-dragged-{pointer}-1440.png")
    if pointer == "mouse":
        wall.screenshot(animations="disabled", path=shots / "wall-one-theme.png")
    assert console.errors == [] and wall.errors == []


def test_touch_drag_scrolls_to_a_theme_below_the_window(live_server: Any, new_page: Callable[..., Any],
                                                         peers: Callable[..., Any]) -> None:
    # A finger on a card cannot scroll the page: held near the window's edge, the drag scrolls it.
    texts = [f"{WORDS[n % len(WORDS)]} ({n + 1})" for n in range(16)]
    room = Room(live_server, peers, texts)
    themes = [room.theme(label) for label in THEMES[:4]]
    tablet = new_page(room.workshop["facilitator_url"], viewport={"width": 1180, "height": 820},
                      has_touch=True, locale="da-DK")
    online(tablet)
    expect(console_group(tablet, None).locator(".idea")).to_have_count(16)
    tablet.wait_for_function("() => IdeaFactory.console.hintsSettled")  # "→ Theme?" hints drawn
    target = console_group(tablet, themes[-1])
    height = tablet.viewport_size["height"]
    card = console_card(tablet, texts[0]).locator(".idea-text")
    # The tools above the groups put the cards below the fold too: scroll (as a facilitator would)
    # until the theme is just below the window, the card the finger presses above it.
    target.evaluate("theme => window.scrollBy(0, theme.getBoundingClientRect().top - window.innerHeight - 40)")
    box, start = target.bounding_box(), card.bounding_box()
    assert box and box["y"] > height, "the theme should start below the window"
    assert start and start["y"] + start["height"] < height - 60, "the card should be in the window"
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = box["x"] + box["width"] / 2, height - 30
    cdp = tablet.context.new_cdp_session(tablet)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, 11):
        point = {"x": x0 + (x1 - x0) * step / 10, "y": y0 + (y1 - y0) * step / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    # The finger rests by the bottom edge until the page has scrolled the theme under it.
    tablet.wait_for_function("""([x, y, id]) => {
        const under = document.elementFromPoint(x, y);
        return !!under && !!under.closest(`.group.drop-target[data-cluster="${id}"]`);
    }""", arg=[x1, y1, themes[-1]])
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    expect(target.locator(".idea-text")).to_have_text([texts[0]])
    assert room.cluster_of(texts[0]) == themes[-1]
    assert tablet.errors == []


def test_keyboard_moves_and_undoes(live_server: Any, new_page: Callable[..., Any],
                                   peers: Callable[..., Any]) -> None:
    room = Room(live_server, peers, DRAG_IDEAS)
    room.theme("Trafik")
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    wall = new_page(room.workshop["wall_url"], **PROJECTOR)
    online(wall)
    expect(console_group(console, None).locator(".idea")).to_have_count(3)
    expect(wall.locator("#idea-count")).to_have_text("3")
    expect(wall_theme(wall, "Trafik")).to_have_count(0)  # no heading without ideas

    # With nothing selected the selection buttons are disabled, and look it (the white "secondary"
    # style once hid that "Clear selection" was disabled).
    look = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    expect(console.locator("#clear-selection")).to_be_disabled()
    assert console.locator("#clear-selection").evaluate(look) == console.locator("#move-selected").evaluate(look)

    # Tab from the top of the page to the first card.
    press_until(console, "Tab", "#groups .idea", 60)
    focused = console.locator("#groups .idea:focus")
    idea_id = int(focused.get_attribute("data-id"))
    text = next(t for t, i in room.ids.items() if i == idea_id)
    card = console.locator(f'#groups .idea[data-id="{idea_id}"]')
    console.keyboard.press("Space")
    expect(card).to_have_attribute("aria-selected", "true")
    expect(card).to_be_focused()  # the re-render keeps the focus on the card

    # Back to "Move to…", pick the theme with the arrow key, then Tab to "Move" and press Enter.
    press_until(console, "Shift+Tab", "#move-target", 10)
    console.keyboard.press("ArrowDown")
    expect(console.locator("#move-target option:checked")).to_have_text("Trafik")
    console.keyboard.press("Tab")
    expect(console.locator("#move-selected")).to_be_focused()
    console.keyboard.press("Enter")

    expect_wall_group(wall_theme(wall, "Trafik"), [text])
    expect(console_group(console, room.cluster_of(text)).locator(".idea-text")).to_have_text([text])
    expect(console.locator("#groups .idea.selected")).to_have_count(0)
    expect(console.locator("#undo")).to_be_enabled()

    console.keyboard.press("Control+z")
    expect(wall_theme(wall, "Trafik")).to_have_count(0)
    expect_wall_group(wall_unsorted(wall), room.wall_order(DRAG_IDEAS), heading=False)
    expect(console.locator("#undo")).to_be_disabled()
    assert room.cluster_of(text) is None
    assert console.errors == [] and wall.errors == []


PLACED = "Cykelstier hele vejen til Amager"


def test_edit_and_accept_a_suggested_theme(live_server: Any, new_page: Callable[..., Any],
                                           peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, BIKES + LIBRARY + [OUTLIER, PLACED], show_themes=False)
    manual = room.theme("Trafik", [PLACED])  # the facilitator's own placement, before suggesting
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    wall = new_page(room.workshop["wall_url"], **PROJECTOR)
    online(wall)
    expect(console_group(console, None).locator(".idea")).to_have_count(11)

    console.locator("#suggest").click()
    panel = console.locator("#suggestions")
    expect(panel).to_be_visible()
    suggestions = console.locator("#suggestion-list fieldset.suggestion")
    expect(suggestions).to_have_count(2)
    expect(console.locator("#suggestions-heading")).to_be_focused()
    proposed = [sorted(s.locator(".suggestion-members label").all_inner_texts()) for s in suggestions.all()]
    assert sorted(proposed) == sorted([sorted(BIKES), sorted(LIBRARY)]), proposed
    # Only unsorted ideas are proposed: not the placed one, and the outlier fits no theme.
    expect(panel.get_by_text(PLACED, exact=True)).to_have_count(0)
    expect(panel.get_by_text(OUTLIER, exact=True)).to_have_count(0)
    console.screenshot(animations="disabled", path=shots / "console-suggestions-1440.png")

    first = suggestions.first
    members = first.locator(".suggestion-members li")
    expect(members.locator("input[type=checkbox]:checked")).to_have_count(5)
    dropped = members.last.locator("label").inner_text()
    members.last.locator("input[type=checkbox]").uncheck()
    kept = [t for t in proposed[0] if t != dropped]
    first.locator("input:not([type=checkbox])").fill("Redigeret tema")
    first.locator("button").first.click()  # "Accept theme"

    expect(suggestions).to_have_count(1)  # the accepted one leaves the preview
    # The accepted theme stays off the projector until the facilitator shows the themes.
    expect(console_group(console, None).locator(".idea")).to_have_count(11 - len(kept))
    expect(wall.locator("#ideas .theme:not(.unsorted)")).to_have_count(0)
    expect(wall.locator("#ideas h2")).to_have_count(0)
    expect(wall.locator("#ideas .idea")).to_have_count(12)
    switch = console.get_by_role("switch", name="Vis temaer på væggen")
    expect(switch).not_to_be_checked()
    switch.check()
    theme = wall_theme(wall, "Redigeret tema")
    expect(theme).to_have_count(1)
    expect_wall_group(theme, room.wall_order(kept))
    expect_wall_group(wall_theme(wall, "Trafik"), [PLACED])
    expect_wall_group(wall_unsorted(wall), room.wall_order([dropped, OUTLIER] + [
        t for t in proposed[1]]))

    snapshot = room.snapshot()
    created = [c["id"] for c in snapshot["clusters"] if c["label"] == "Redigeret tema"]
    assert len(created) == 1
    by_text = {i["text"]: i["cluster_id"] for i in snapshot["ideas"]}
    assert sorted(t for t, c in by_text.items() if c == created[0]) == sorted(kept)
    assert by_text[dropped] is None and by_text[OUTLIER] is None and by_text[PLACED] == manual
    expect(console_group(console, created[0]).locator(".idea")).to_have_count(len(kept))
    assert split_themes(wall) == []
    wall.screenshot(animations="disabled", path=shots / "wall-suggested-theme.png")
    assert console.errors == [] and wall.errors == []


def test_rename_merge_and_delete_from_the_console(live_server: Any, new_page: Callable[..., Any],
                                                  peers: Callable[..., Any], shots: Path) -> None:
    green = ["Plant flere træer", "Byhaver i gårdene med fælles kompost", "Grønne tage på alle nye boliger",
             "Flere blomsterenge i parkerne"]
    traffic = ["Bilfri søndage", "Flere cykelstier", "Lavere hastighed på de små veje",
               "Gratis busser for børn og unge"]
    room = Room(live_server, peers, green + traffic + [OUTLIER])
    green_id = room.theme("Grønt", green)
    traffic_id = room.theme("Trafik", traffic)
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    wall = new_page(room.workshop["wall_url"], **PROJECTOR)
    online(wall)
    expect_wall_group(wall_theme(wall, "Grønt"), room.wall_order(green))

    # Rename in place: the heading becomes a field holding the name, Enter keeps the new one.
    console_group(console, green_id).locator(".theme-tools button").first.click()
    field = console_group(console, green_id).locator(".rename-form input")
    expect(field).to_have_value("Grønt")
    expect(field).to_be_focused()
    field.fill("Grønne områder")
    field.press("Enter")
    expect_wall_group(wall_theme(wall, "Grønne områder"), room.wall_order(green))
    expect(wall_theme(wall, "Grønt")).to_have_count(0)
    expect(console_group(console, green_id).locator("h2")).to_contain_text("Grønne områder")

    # Merge "Trafik" into the renamed theme.
    console_group(console, traffic_id).locator(".theme-tools select").select_option(str(green_id))
    expect(wall_theme(wall, "Trafik")).to_have_count(0)
    expect_wall_group(wall_theme(wall, "Grønne områder"), room.wall_order(green + traffic))
    # Eight cards are taller than a column at the largest text: the text shrinks so that the theme
    # stays in one column under its heading, above the unsorted idea (drawn and sized in one frame).
    expect_wall_group(wall_unsorted(wall), [OUTLIER])
    assert split_themes(wall) == []
    wall.screenshot(animations="disabled", path=shots / "wall-merged-theme.png")
    expect(console_group(console, traffic_id)).to_have_count(0)
    assert [c["id"] for c in room.snapshot()["clusters"]] == [green_id]

    # Delete: its ideas return to unsorted, and the wall drops its theme headings.
    console_group(console, green_id).locator(".theme-tools button.danger").click()
    expect(wall.locator("#ideas section.theme:not(.unsorted)")).to_have_count(0)
    expect_wall_group(wall_unsorted(wall), room.wall_order(green + traffic + [OUTLIER]), heading=False)
    expect(wall.locator("#ideas h2")).to_have_count(0)
    expect(console_group(console, None).locator(".idea")).to_have_count(9)
    snapshot = room.snapshot()
    assert snapshot["clusters"] == [] and all(i["cluster_id"] is None for i in snapshot["ideas"])
    assert console.errors == [] and wall.errors == []


def test_three_hundred_ideas_in_fifteen_themes_on_the_console(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Path) -> None:
    texts = [f"{WORDS[n % len(WORDS)]} ({n + 1})" for n in range(300)]
    room = Room(live_server, peers, texts)  # 30 participants, 10 ideas each
    for number, label in enumerate(THEMES):  # 18 ideas in each theme, 30 left unsorted
        room.theme(label, texts[number * 18:(number + 1) * 18])
    # The wall with 300 ideas in themes is tested page by page in test_wall.py.
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    expect(console.locator("#groups .idea")).to_have_count(300)
    console.locator("#groups section.group.theme h2").first.evaluate("heading => heading.scrollIntoView()")
    console.screenshot(animations="disabled", path=shots / "console-15-themes-1440.png")
    assert console.errors == []


def test_merging_and_deleting_answered_themes_keeps_or_asks(live_server: Any, new_page: Callable[..., Any],
                                                            peers: Callable[..., Any]) -> None:
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage"])
    bikes, cars = room.theme("Cykler", ["Flere cykelstier"]), room.theme("Trafik", ["Bilfri søndage"])
    for theme, text in ((bikes, "Vi bygger stien."), (cars, "Vi ser på trafikken.")):
        assert room.command("set_answer", {"cluster_id": theme, "status": "considering", "text": text})["ok"]
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    # Merge: the note says where both answers went; the surviving theme holds both texts.
    console_group(console, bikes).locator(".theme-tools select").select_option(str(cars))
    expect(console.locator("#console-message")).to_contain_text("“Trafik” har nu begge tekster")
    answers = room.snapshot()["answers"]
    assert [(a["cluster_id"], a["text"]) for a in answers] == [
        (cars, "Vi ser på trafikken.\n\nCykler: Vi bygger stien.")]
    # Delete an answered theme: the console asks; "no" keeps both, "yes" deletes both.
    questions: list[str] = []
    console.once("dialog", dialog_answer(questions, False))
    with console.expect_event("dialog"):  # the server's refusal came first; then the question
        console_group(console, cars).locator(".theme-tools button.danger").click()
    expect(console.locator("#console-message")).to_have_text("")
    snapshot = room.snapshot()
    assert "svar" in questions[0] and cars in [c["id"] for c in snapshot["clusters"]]
    assert [a["cluster_id"] for a in snapshot["answers"]] == [cars]
    console.once("dialog", dialog_answer(questions, True))
    console_group(console, cars).locator(".theme-tools button.danger").click()
    expect(console_group(console, cars)).to_have_count(0)
    assert room.snapshot()["answers"] == []
    # Undo brings the theme back with its ideas and its answer.
    console.locator("#undo").click()
    expect(console.locator("#groups section.theme h2", has_text="Trafik")).to_have_count(1)
    expect(console.locator("#console-message")).to_have_text("")
    deadline = time.monotonic() + 10
    while not room.snapshot()["answers"]:  # the answer is the undo's last step
        assert time.monotonic() < deadline, "the deleted theme's answer did not come back"
        time.sleep(0.2)
    assert [a["text"] for a in room.snapshot()["answers"]] == ["Vi ser på trafikken.\n\nCykler: Vi bygger stien."]
    assert console.errors == []


def test_a_merge_whose_answers_are_too_long_together_is_refused(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage"])
    bikes, cars = room.theme("Cykler", ["Flere cykelstier"]), room.theme("Trafik", ["Bilfri søndage"])
    for theme, length in ((bikes, 1000), (cars, 1000)):
        assert room.command("set_answer", {"cluster_id": theme, "status": "considering", "text": "x" * length})["ok"]
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    merge = console_group(console, bikes).locator(".theme-tools select")
    merge.select_option(str(cars))
    # The console says why, in Danish, and nothing changed: both themes and both answers are there.
    expect(console.locator("#console-message")).to_have_text(
        "De to temaers svar ville tilsammen fylde 2.010 tegn; et svar kan højst have 2.000. "
        "Forkort et af dem, og slå så temaerne sammen.")
    expect(merge).to_have_value("")  # the list is ready for another try
    console.screenshot(animations="disabled", path=shots / "console-merge-refused-1440.png")
    assert sorted(a["cluster_id"] for a in room.snapshot()["answers"]) == sorted([bikes, cars])
    expect(console_group(console, bikes)).to_have_count(1)
    assert console.errors == []


def test_undo_of_a_merge_gives_each_theme_its_own_answer_back(live_server: Any, new_page: Callable[..., Any],
                                                              peers: Callable[..., Any]) -> None:
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage", "Flere træer"])
    bikes = room.theme("Cykler", ["Flere cykelstier"])
    cars, parks = room.theme("Trafik", ["Bilfri søndage"]), room.theme("Parker", ["Flere træer"])
    own = {"Cykler": ("adopted", "Vi bygger stien."), "Trafik": ("considering", "Vi ser på trafikken.")}
    for theme, label in ((bikes, "Cykler"), (cars, "Trafik")):
        room.command("set_answer", {"cluster_id": theme, "status": own[label][0], "text": own[label][1]})
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)

    def answers_become(expected: dict[str, tuple[str, str]]) -> None:
        """Wait until the themes' answers (by label) are these: the undo's last step is an answer."""
        deadline, found = time.monotonic() + 20, None
        while found != expected:
            assert time.monotonic() < deadline, found
            time.sleep(0.2)
            snapshot = room.snapshot()
            labels = {c["id"]: c["label"] for c in snapshot["clusters"]}
            found = {labels[a["cluster_id"]]: (a["status"], a["text"]) for a in snapshot["answers"]}

    def merge_into(target: int) -> None:
        source = console.locator("#groups section.theme", has=console.locator("h2", has_text="Cykler"))
        source.locator(".theme-tools select").select_option(str(target))
        expect(console.locator("#groups section.theme h2", has_text="Cykler")).to_have_count(0)

    # Both answered: the target's text and status come back, and the recreated theme's own.
    merge_into(cars)
    answers_become({"Trafik": ("considering", "Vi ser på trafikken.\n\nCykler: Vi bygger stien.")})
    console.locator("#undo").click()
    answers_become(own)
    # Into a theme without an answer: the answer moves back whole, and the target has none again.
    merge_into(parks)
    answers_become({"Trafik": own["Trafik"], "Parker": own["Cykler"]})
    console.locator("#undo").click()
    answers_become(own)
    expect(console.locator("#console-message")).to_have_text("")
    assert console.errors == []


def test_a_phone_follows_its_dots_through_merge_undo_and_delete(live_server: Any, new_page: Callable[..., Any],
                                                              peers: Callable[..., Any], shots: Path) -> None:
    """The phone is told where its dots went (`my_votes_changed`): merged into "Trafik", its dot is
    shown there and '+' stays off at the most on one theme; after the console's Undo it is on the
    recreated "Cykler" and '−' takes it back; and a theme deleted with all its dots gives them back,
    so '+' works again without a reload."""
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage"])
    bikes, cars = room.theme("Cykler", ["Flere cykelstier"]), room.theme("Trafik", ["Bilfri søndage"])
    room.command("set_voting", {"dots": 2, "max_per_item": 1, "vote_on": "both"})
    room.command("set_phase", {"phase": "vote"})
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    phone = new_page(room.workshop["join_url"], **PHONE_EN)
    for page in (console, phone):
        online(page)

    def dot(sign: str, label: str) -> Any:
        verb = "Add a dot" if sign == "+" else "Take a dot back"
        return phone.get_by_role("button", name=f"{verb}: {label}", exact=True)

    def theme_row(label: str) -> Any:
        return phone.locator("#vote-list .vote-theme").filter(has=phone.locator(".vote-text").get_by_text(label, exact=True))

    meter, message = phone.locator("#dot-meter"), phone.locator("#vote-message")
    dot("+", "Cykler").tap()
    expect(meter).to_have_text("●○")
    console_group(console, bikes).locator(".theme-tools select").select_option(str(cars))
    expect(theme_row("Trafik")).to_have_class(re.compile(r"\bvoted\b"))
    expect(theme_row("Trafik").locator(".my-dots")).to_have_text("●")
    expect(dot("+", "Trafik")).to_be_disabled()  # one is the most on one theme
    expect(dot("−", "Trafik")).to_be_enabled()
    expect(meter).to_have_text("●○")
    expect(message).to_have_text("The facilitator has changed the themes. Here is where your dots are now.")
    expect(message).not_to_have_class(re.compile(r"\berror\b"))  # news, not a refusal
    phone.locator("#my-dots-toggle").tap()
    expect(phone.locator("#my-dots-list .vote-text")).to_have_text(["Trafik"])
    phone.screenshot(animations="disabled", path=shots / "phone-dot-merged-390x844.png")
    phone.locator("#my-dots-toggle").tap()

    console.locator("#undo").click()
    expect(theme_row("Cykler")).to_have_class(re.compile(r"\bvoted\b"))
    expect(theme_row("Trafik")).not_to_have_class(re.compile(r"\bvoted\b"))
    dot("−", "Cykler").tap()
    expect(theme_row("Cykler")).not_to_have_class(re.compile(r"\bvoted\b"))
    expect(meter).to_have_text("○○")
    expect(message).to_have_text("")

    room.command("set_voting", {"dots": 2, "max_per_item": 2, "vote_on": "both"})
    for _ in range(2):
        dot("+", "Trafik").tap()
    expect(meter).to_have_text("●●")
    expect(dot("+", "Cykler")).to_be_disabled()  # every dot placed
    room.command("delete_cluster", {"cluster_id": cars})
    expect(theme_row("Trafik")).to_have_count(0)
    expect(meter).to_have_text("○○")
    phone.set_viewport_size({"width": 360, "height": 640})  # the smallest phone: the note and the bar fit
    phone.screenshot(animations="disabled", path=shots / "phone-dots-given-back-360x640.png")
    dot("+", "Cykler").tap()
    expect(theme_row("Cykler")).to_have_class(re.compile(r"\bvoted\b"))
    expect(meter).to_have_text("●○")
    expect(message).to_have_text("")
    assert console.errors == [] and phone.errors == []


def _filtered_socket(page: Any, drop: Callable[[str, Any], bool]) -> dict[str, Any]:
    """Relay the page's Socket.IO WebSocket, leaving out each frame for which `drop(direction,
    message)` holds ("in": to the page, "out": from it): the frames left out, by direction, and
    both ends ("page", "server"), to send one of them late."""
    dropped: dict[str, Any] = {"in": [], "out": []}

    def relay(page_side: Any) -> None:
        server = page_side.connect_to_server()
        dropped["page"], dropped["server"] = page_side, server

        def forward(direction: str, to: Any) -> Callable[[Any], None]:
            def send(message: Any) -> None:
                if isinstance(message, str) and drop(direction, message):
                    dropped[direction].append(message)
                else:
                    to.send(message)
            return send
        server.on_message(forward("in", page_side))
        page_side.on_message(forward("out", server))

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    return dropped


def _theme_row(phone: Any, label: str) -> Any:
    return phone.locator("#vote-list .vote-theme").filter(has=phone.locator(".vote-text").get_by_text(label, exact=True))


def _voting_phone(live_server: Any, peers: Callable[..., Any], new_page: Callable[..., Any], max_per_item: int,
                  drop: Callable[[str, Any], bool]) -> tuple[Room, int, int, Any, dict[str, Any]]:
    """Themes "Cykler" and "Trafik" in a vote of two dots, and a phone (its socket relayed by
    `_filtered_socket`) that has placed one on "Cykler": the room, both themes, the phone, the relay."""
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage"])
    bikes, cars = room.theme("Cykler", ["Flere cykelstier"]), room.theme("Trafik", ["Bilfri søndage"])
    room.command("set_voting", {"dots": 2, "max_per_item": max_per_item, "vote_on": "both"})
    room.command("set_phase", {"phase": "vote"})
    phone = new_page(**PHONE_EN)
    relay = _filtered_socket(phone, drop)
    phone.goto(room.workshop["join_url"])
    online(phone)
    phone.get_by_role("button", name="Add a dot: Cykler", exact=True).tap()
    expect(phone.locator("#dot-meter")).to_have_text("●○")
    return room, bikes, cars, phone, relay


def test_a_dot_and_a_merge_that_cross_on_the_way_are_shown_once(live_server: Any, new_page: Callable[..., Any],
                                                                peers: Callable[..., Any]) -> None:
    """A dot placed on "Trafik" just as "Cykler" (with the phone's other dot) is merged into it: the
    dot's ack is held back until the merge's `my_votes_changed` has arrived, as a loaded server can
    send them. The fact already counts the dot, so adding the ack on top would show three dots on
    "Trafik"; the phone asks for its dots again and shows the two it has."""
    link: dict[str, Any] = {"hold": False}
    room, bikes, cars, phone, relay = _voting_phone(
        live_server, peers, new_page, 2, lambda direction, m: link["hold"] and direction == "in" and m.startswith("43"))
    held = relay["in"]  # the acks held back
    meter, trafik = phone.locator("#dot-meter"), _theme_row(phone, "Trafik")
    link["hold"] = True
    phone.get_by_role("button", name="Add a dot: Trafik", exact=True).tap()
    relayed_until(phone, lambda: held, "the dot on Trafik is acked (and held back)")
    link["hold"] = False
    room.command("merge_clusters", {"source_id": bikes, "target_id": cars})
    expect(phone.locator("#vote-message")).to_have_text(re.compile("changed the themes"))
    relay["page"].send(held.pop())  # the ack arrives after the fact that already counts its dot
    expect(phone.locator("#vote-message")).to_have_text("")  # the ack is in (it clears the line)
    expect(trafik.locator(".my-dots")).to_have_text("●●")
    expect(meter).to_have_text("●●")
    assert phone.errors == []


def test_a_phone_resynced_with_a_snapshot_asks_for_its_dots(live_server: Any, new_page: Callable[..., Any],
                                                           peers: Callable[..., Any]) -> None:
    """The phone misses a merge of its dot and a phase change (every event frame to it lost): the
    next fact shows a gap, and `sync` answers with a snapshot (a `phase_changed` among the missed),
    which skips the phone's own `my_votes_changed` too. It asks for its dots and shows the dot on
    "Trafik", where the merge put it."""
    deaf = {"on": False}
    room, bikes, cars, phone, dropped = _voting_phone(
        live_server, peers, new_page, 1, lambda direction, m: deaf["on"] and direction == "in" and m.startswith("42"))
    meter, trafik = phone.locator("#dot-meter"), _theme_row(phone, "Trafik")
    deaf["on"] = True
    room.command("merge_clusters", {"source_id": bikes, "target_id": cars})
    room.command("set_phase", {"phase": "cluster"})
    room.command("set_phase", {"phase": "vote"})
    relayed_until(phone, lambda: any("my_votes_changed" in m for m in dropped["in"])
                  and sum("phase_changed" in m for m in dropped["in"]) == 2, "the phone misses them")
    deaf["on"] = False
    room.theme("Parker")  # a fact after the gap: the phone syncs
    expect(phone.locator("#vote-list .vote-text", has_text="Parker")).to_have_count(1)
    expect(trafik.locator(".my-dots")).to_have_text("●")
    expect(meter).to_have_text("●○")
    assert phone.errors == []


def test_a_phone_whose_answers_are_lost_asks_for_its_dots_again(live_server: Any, new_page: Callable[..., Any],
                                                                peers: Callable[..., Any]) -> None:
    """A dot whose ack and own `my_votes_changed` never arrive (the call times out) may be placed
    or not: the phone asks for its dots and shows the two it has. Then a new question's `my_votes`
    is lost on its way out: the phone asks again a moment later and shows a full budget."""
    lose = {"answers": False, "my_votes": False}

    def drop(direction: str, message: str) -> bool:
        if direction == "in":  # the dot's ack (43...) and its my_votes_changed
            return lose["answers"] and (message.startswith("43") or "my_votes_changed" in message)
        return lose["my_votes"] and message.startswith("42") and '"my_votes"' in message

    room, _, _, phone, dropped = _voting_phone(live_server, peers, new_page, 1, drop)
    meter, trafik = phone.locator("#dot-meter"), _theme_row(phone, "Trafik")
    lose["answers"] = True
    phone.get_by_role("button", name="Add a dot: Trafik", exact=True).tap()
    relayed_until(phone, lambda: len(dropped["in"]) >= 2, "the dot's ack and fact are lost")
    lose["answers"] = False
    expect(trafik.locator(".my-dots")).to_have_text("●", timeout=20_000)  # after the call's 8 s timeout
    expect(meter).to_have_text("●●")
    expect(phone.locator("#vote-message")).to_have_text("")

    lose["my_votes"] = True
    second = room.command("add_prompt", {"text": "Og så?"})["prompt"]["id"]
    room.command("set_active_prompt", {"prompt_id": second})
    relayed_until(phone, lambda: dropped["out"], "the phone's my_votes is lost")
    lose["my_votes"] = False
    expect(meter).to_have_text("○○", timeout=20_000)  # the timeout, then asked again after 1 s
    assert phone.errors == []


def test_an_undone_merge_whose_question_switched_on_the_way_comes_back_in_its_own(
        live_server: Any, new_page: Callable[..., Any], peers: Callable[..., Any]) -> None:
    """Another console makes another question active between the Undo click and the theme being
    made again: the theme lands in that question, so the console removes it again and the undo
    waits for the merge's question. Undone then, the theme is made again in it, with its dots (the
    old console left it in the other question, or retried the dots onto it for ever)."""
    room = Room(live_server, peers, ["Bilfri søndage"])
    bikes, cars = room.theme("Cykler"), room.theme("Trafik", ["Bilfri søndage"])  # dots, no ideas
    room.command("set_voting", {"dots": 2, "max_per_item": 1, "vote_on": "themes"})
    room.command("set_phase", {"phase": "vote"})
    for _ in range(2):
        voter = peers(live_server.url)
        assert voter.call("join", {"code": room.code})["ok"]
        assert voter.call("cast_vote", {"cluster_id": bikes})["ok"]
    first = room.snapshot()["workshop"]["active_prompt_id"]
    second = room.command("add_prompt", {"text": "Og så?"})["prompt"]["id"]
    console = new_page(**CONSOLE)
    hold = {"on": False}
    relay = _filtered_socket(console, lambda direction, m: hold["on"] and direction == "out" and '"create_cluster"' in m)
    console.goto(room.workshop["facilitator_url"])
    online(console)
    console_group(console, bikes).locator(".theme-tools select").select_option(str(cars))
    expect(console_group(console, cars).locator("header")).to_contain_text("2 prikker")
    hold["on"] = True
    console.locator("#undo").click()
    relayed_until(console, lambda: relay["out"], "the undo makes the theme again")
    hold["on"] = False
    room.command("set_active_prompt", {"prompt_id": second})  # another console, just before it
    relay["server"].send(relay["out"].pop())
    expect(console.locator("#console-message")).to_have_text(
        "Temaet hører til spørgsmål 1: gør det til det aktive spørgsmål igen, og fortryd så.")
    expect(console.locator("#undo")).to_have_text("Fortryd: slå sammen")
    assert [c["label"] for c in room.snapshot()["clusters"]] == ["Trafik"]  # none made in question 2
    room.command("set_active_prompt", {"prompt_id": first})
    expect(console_group(console, cars)).to_have_count(1)
    console.locator("#undo").click()
    again = console.locator("#groups section.theme header").filter(has=console.locator("h2", has_text="Cykler"))
    expect(again).to_contain_text("2 prikker")
    expect(console_group(console, cars).locator("header")).not_to_contain_text("prik")
    expect(console.locator("#console-message")).to_have_text("")
    themes = {(c["label"], c["prompt_id"]) for c in room.snapshot()["clusters"]}
    assert themes == {("Cykler", first), ("Trafik", first)}
    assert console.errors == []


def test_undo_of_a_merge_puts_its_dots_back_on_their_theme(live_server: Any, new_page: Callable[..., Any],
                                                           peers: Callable[..., Any], shots: Path) -> None:
    room = Room(live_server, peers, ["Flere cykelstier", "Bilfri søndage"])
    bikes, cars = room.theme("Cykler", ["Flere cykelstier"]), room.theme("Trafik", ["Bilfri søndage"])
    room.command("set_voting", {"dots": 3, "max_per_item": 1, "vote_on": "both"})
    room.command("set_phase", {"phase": "vote"})
    for themes in ([bikes, cars], [bikes], [cars]):  # two dots on each theme, one voter on both
        voter = peers(live_server.url)
        assert voter.call("join", {"code": room.code})["ok"]
        for theme in themes:
            assert voter.call("cast_vote", {"cluster_id": theme})["ok"]
    console = new_page(room.workshop["facilitator_url"], **CONSOLE)
    online(console)
    header = console.locator("#groups section.theme header")
    expect(console_group(console, bikes).locator("header")).to_contain_text("2 prikker")
    console_group(console, bikes).locator(".theme-tools select").select_option(str(cars))
    expect(console_group(console, bikes)).to_have_count(0)
    expect(console_group(console, cars).locator("header")).to_contain_text("4 prikker")
    console.locator("#undo").click()
    # The theme comes back with its card and its two dots; the one it was merged into has its own two.
    again = header.filter(has=console.locator("h2", has_text="Cykler"))
    expect(again).to_contain_text("2 prikker")
    expect(console_group(console, cars).locator("header")).to_contain_text("2 prikker")
    expect(console.locator("#console-message")).to_have_text("")
    console.screenshot(animations="disabled", path=shots / "console-merge-undone-dots-1440x900.png")

    # Two merges in a row, the first giving one voter two dots on "Trafik" where one is the most:
    # undoing the second leaves that voter's second dot on "Parker", and the console says so; undoing
    # the first takes it on to the theme it came from.
    parks = room.theme("Parker")
    expect(console_group(console, parks)).to_have_count(1)
    merges = [("Cykler", "Trafik"), ("Trafik", "Parker")]
    for source, target in merges:
        ids = {c["label"]: c["id"] for c in room.snapshot()["clusters"]}
        header.filter(has=console.locator("h2", has_text=source)).locator(".theme-tools select").select_option(
            str(ids[target]))
        expect(console.locator("#groups section.theme h2", has_text=source)).to_have_count(0)
    expect(console_group(console, parks).locator("header")).to_contain_text("4 prikker")
    console.locator("#undo").click()
    expect(header.filter(has=console.locator("h2", has_text="Trafik"))).to_contain_text("3 prikker")
    expect(console_group(console, parks).locator("header")).to_contain_text("1 prik")
    console.wait_for_function("() => IdeaFactory.console.hintsSettled")  # its theme hints asked for since
    expect(console.locator("#console-message")).to_have_text(
        "1 prik blev stående: Hvis den blev flyttet tilbage, ville en deltager (eller et bord) få flere"
        " prikker på ét tema, end afstemningen tillader.")
    console.screenshot(animations="disabled", path=shots / "console-merge-undone-dots-kept-1440x900.png")
    console.locator("#undo").click()
    expect(header.filter(has=console.locator("h2", has_text="Cykler"))).to_contain_text("2 prikker")
    expect(header.filter(has=console.locator("h2", has_text="Trafik"))).to_contain_text("2 prikker")
    expect(console_group(console, parks).locator("header")).not_to_contain_text("prik")
    expect(console.locator("#console-message")).to_have_text("")

    # Merged, then another question made active: the undo waits for the merge's question (its theme
    # would come back in the active one), says so, and stays on the button until then.
    first = room.snapshot()["workshop"]["active_prompt_id"]
    bikes = {c["label"]: c["id"] for c in room.snapshot()["clusters"]}["Cykler"]
    cars = {c["label"]: c["id"] for c in room.snapshot()["clusters"]}["Trafik"]
    console_group(console, bikes).locator(".theme-tools select").select_option(str(cars))
    expect(console_group(console, bikes)).to_have_count(0)
    room.command("set_active_prompt", {"prompt_id": room.command("add_prompt", {"text": "Og så?"})["prompt"]["id"]})
    expect(console_group(console, cars)).to_have_count(0)
    console.locator("#undo").click()
    expect(console.locator("#console-message")).to_have_text(
        "Temaet hører til spørgsmål 1: gør det til det aktive spørgsmål igen, og fortryd så.")
    expect(console.locator("#undo")).to_have_text("Fortryd: slå sammen")
    console.screenshot(animations="disabled", path=shots / "console-merge-undo-waits-1440x900.png")
    room.command("set_active_prompt", {"prompt_id": first})
    expect(console_group(console, cars).locator("header")).to_contain_text("4 prikker")
    console.locator("#undo").click()
    expect(header.filter(has=console.locator("h2", has_text="Cykler"))).to_contain_text("2 prikker")
    expect(console_group(console, cars).locator("header")).to_contain_text("2 prikker")
    expect(console.locator("#console-message")).to_have_text("")

    room.command("set_phase", {"phase": "results"})
    wall = new_page(room.workshop["wall_url"], **PROJECTOR)
    online(wall)
    themes = wall.locator(".rank-row[data-kind=themes]")
    for label, dots in (("Cykler", "2 prikker"), ("Trafik", "2 prikker"), ("Parker", "0 prikker")):
        expect(themes.filter(has_text=label).locator(".rank-votes")).to_have_text(dots)
    assert console.errors == [] and wall.errors == []
