"""Security in a real browser: every screen works under the strict CSP with no violation, forms carry
their CSRF token, and the facilitator token never lands in the browser's history."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, LAPTOP, PHONE, PROJECTOR, TIMEOUT, cards, expect, online
from tests.servers import LiveServer

PASSWORD = "kommunens-hemmelighed"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with an organiser password, so that /admin is on."""
    live = LiveServer(tmp_path_factory.mktemp("csp"), "eventlet", "--admin-password", PASSWORD)
    live.start()
    yield live
    live.kill()


def watched(context: Any) -> tuple[Any, list[str]]:
    """A page that records console messages about the CSP and script errors."""
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def test_every_screen_works_under_the_csp(server: LiveServer, browser: Any) -> None:
    organiser = browser.new_context(**LAPTOP)
    organiser.set_default_timeout(TIMEOUT)
    page, problems = watched(organiser)
    page.goto(server.url + "/")
    page.fill("#title", "Borgermøde")
    page.fill("#prompt", "Hvad skal vi gøre?")
    page.fill("#admin-password", PASSWORD)
    page.click("form[method=post] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/w/[A-Z0-9]+/facilitate$"))
    online(page)
    code = page.url.split("/w/")[1].split("/")[0]

    page.click("details.settings summary")
    page.fill("#import-text", "Fra papir 1\nFra papir 2")  # a fetch POST with its CSRF token
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-status")).to_contain_text("2")
    expect(cards(page, "Fra papir 1")).to_have_count(1)

    phone_context = browser.new_context(**PHONE)
    phone, phone_problems = watched(phone_context)
    phone.goto(f"{server.url}/join/{code}")
    online(phone)
    wall_context = browser.new_context(**PROJECTOR)
    wall, wall_problems = watched(wall_context)
    wall.goto(f"{server.url}/w/{code}/wall")
    online(wall)
    expect(cards(wall, "Fra papir 2")).to_have_count(1)
    expect(wall.locator("img.qr")).to_be_visible()

    report = organiser.new_page()
    report.on("console", lambda m: problems.append(m.text))
    report.goto(f"{server.url}/w/{code}/report")
    assert report.locator("[data-print]").count() == 1
    page.goto(server.url + "/admin")
    page.fill("#password", PASSWORD)
    page.click("form[action$='/admin/login'] button")
    expect(page.locator("form[data-confirm]").first).to_be_attached()
    page.on("dialog", lambda dialog: dialog.dismiss())  # the confirm() from page.js, refused
    page.locator("form[data-confirm] button").first.click()
    expect(page.locator("form[data-confirm]").first).to_be_attached()  # nothing was deleted

    for context in (organiser, phone_context, wall_context):
        context.close()
    assert problems == [] and phone_problems == [] and wall_problems == []


def history_urls(profile: Path) -> list[str]:
    """Every address in a chromium profile's browsing history."""
    with sqlite3.connect(profile / "Default" / "History") as db:
        return [row[0] for row in db.execute("SELECT url FROM urls")]


def test_the_facilitator_token_stays_out_of_browser_history(server: LiveServer, browser: Any,
                                                            tmp_path: Path) -> None:
    # A profile on disk, so that chromium keeps a history file as a facilitator's browser does.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, **LAPTOP)
    context.set_default_timeout(TIMEOUT)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/")  # a workshop made with the home page's form
    page.fill("#title", "Anden")
    page.fill("#prompt", "Spørgsmål")
    page.fill("#admin-password", PASSWORD)
    page.click("form[method=post] button[type=submit]")
    online(page)
    page.reload()  # the console opens again from its cookie
    online(page)
    context.close()
    urls = history_urls(tmp_path / "profile")
    assert any("/facilitate" in url for url in urls), urls
    assert [url for url in urls if "token" in url] == []
