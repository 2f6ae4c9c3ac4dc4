"""The browser room: Debian's chromium driven by Playwright against a live server.

The browser is never downloaded: it is /usr/bin/chromium (Debian's `chromium` package). Without it
these tests skip on a developer's machine and fail in CI (CI=true), where .ci/run installs it.
Screenshots of every screen are saved in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, TIMEOUT, require

ROOM = Path(__file__).parent
SCREENSHOTS = ROOM.parents[1] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this room's tests `browser`; `make test-fast` leaves them out."""
    for item in items:
        if item.path.is_relative_to(ROOM):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)  # the mark must be there before the fixture's own params apply
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The screens do not depend on the async mode (the live room covers both): in this room the
    servers run under eventlet only."""
    if "async_mode" in metafunc.fixturenames and metafunc.definition.path.is_relative_to(ROOM):
        metafunc.definition.add_marker(pytest.mark.parametrize("async_mode", ["eventlet"], indirect=True))


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The screenshot folder (git-ignored); its path is printed when the module is done."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield SCREENSHOTS
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(f"\nbrowser screenshots: {SCREENSHOTS}")
    else:
        with capture.global_and_fixture_disabled():  # shown even though pytest captures output
            print(f"\nbrowser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module."""
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} is missing: install Debian's chromium package "
                  "(apt-get install chromium); the browser tests never download one")
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    sync_api = require("playwright.sync_api", "it drives the browser")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a context of its own (a separate device); all are closed after the test."""
    contexts: list[Any] = []

    def make(url: str | None = None, **options: Any) -> Any:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(error))  # type: ignore[attr-defined]
        if url is not None:
            page.goto(url)
        return page

    yield make
    for context in contexts:
        context.close()
