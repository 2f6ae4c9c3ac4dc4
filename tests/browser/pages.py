"""What the browser tests do on a screen: devices, waiting, finding cards, posting from a phone,
dragging on the console, axe-core's checks, and a workshop seeded over real sockets (`Room`)."""

from __future__ import annotations

import importlib
import io
import math
import os
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--no-proxy-server"]  # only ever 127.0.0.1: never through a proxy from the environment
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "da-DK"}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "da-DK"}
# The same screens in English (Accept-Language prefers it), and the facilitator's laptop.
EN = {"locale": "en-US"}
PHONE_EN = {**PHONE, **EN}
WALL_EN = {**PROJECTOR, **EN}
CONSOLE_EN = {"viewport": {"width": 1440, "height": 900}, **EN}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "da-DK"}
TIMEOUT = 10_000  # ms: a condition the screens should meet within a few seconds
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
IDEAS_PER_PARTICIPANT = 10  # a participant's burst: more would be rate limited (then one per 2 s)
MESSAGES_PER_CONNECTION = 55  # any connection: 60 messages at once, then 20/s


def require(module: str, why: str) -> Any:
    """Import a module the browser tests need: skip without it locally, fail without it in CI."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is required in CI ({why}): {error}", pytrace=False)
        pytest.skip(f"{module} is not installed ({why}); pip install -r requirements-dev.txt")


def expect(target: Any) -> Any:
    """Playwright's expect, with this module's timeout."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT)
    return playwright_expect(target)


def online(page: Any) -> None:
    """Wait until a screen has joined its workshop over the socket."""
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bonline\b"))


def cards(page: Any, text: str) -> Any:
    """The wall's or console's cards whose text is exactly `text`."""
    return page.locator("#ideas .idea, #groups .idea").filter(
        has=page.locator(".idea-text").get_by_text(text, exact=True))


def my_ideas(page: Any, text: str) -> Any:
    """The phone's own-ideas entries whose text is exactly `text`."""
    return page.locator("#my-ideas .idea").filter(
        has=page.locator(".idea-text").get_by_text(text, exact=True))


def open_screens(new_page: Callable[..., Any], workshop: dict[str, Any]) -> tuple[Any, Any, Any]:
    """A workshop's console, wall and one phone, in English, each online."""
    console = new_page(workshop["facilitator_url"], **CONSOLE_EN)
    wall = new_page(workshop["wall_url"] + "?lang=en", **WALL_EN)
    phone = new_page(workshop["join_url"], **PHONE_EN)
    for page in (console, wall, phone):
        online(page)
    return console, wall, phone


def press_until(page: Any, key: str, selector: str, limit: int) -> None:
    """Press `key` (Tab, Shift+Tab) until the element with the focus matches `selector`."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{key} never reached {selector}")


def relayed_until(page: Any, check: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Wait until `check()` holds, `timeout` ms at most; meanwhile Playwright runs the page's route
    handlers (a relay's), which it does only while the test waits on it."""
    deadline = time.monotonic() + timeout / 1000
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout / 1000:.0f} s: {what}")
        page.wait_for_timeout(100)


def post_from_phone(phone: Any, text: str) -> None:
    """Type an idea on the phone, key by key, and tap send."""
    box = phone.locator("#idea-text")
    box.click()
    box.press_sequentially(text)
    expect(box).to_have_value(text)
    phone.locator("#idea-send").tap()


def no_page_scroll(page: Any) -> dict[str, int]:
    """The page's scroll size against its viewport."""
    return page.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth, width: innerWidth,
        scrollHeight: document.documentElement.scrollHeight, height: innerHeight})""")


def decode_qr(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG image."""
    zxingcpp = require("zxingcpp", "it decodes the QR code (pip package zxing-cpp)")
    image_module = require("PIL.Image", "it reads screenshots (pip package Pillow)")
    image = image_module.open(io.BytesIO(png)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def axe_violations(page: Any, screen: str) -> list[str]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules and its best practices on the page; each violation
    as readable text."""
    # Cards fade in on arrival: check the screen at rest, not halfway through an animation.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running' || "
                           "a.effect.getComputedTiming().iterations === Infinity)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())  # not a <script> tag: the pages' CSP allows none from a test
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", WCAG_AA)
    # Targets of at least 24 by 24 px (WCAG 2.2's 2.5.8, beyond 2.1 AA but asked for on phones).
    targets = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['target-size']}})")
    found = []
    for violation in result["violations"] + targets["violations"]:
        nodes = "\n".join(f"      {' '.join(map(str, node['target']))}: "
                          + node["failureSummary"].replace("\n", " / ") for node in violation["nodes"][:6])
        found.append(f"[{screen}] {violation['id']} ({violation['impact']}): {violation['help']}\n"
                     f"    {violation['helpUrl']}\n{nodes}")
    return found


def facilitator(server: Any, peers: Callable[..., Any], workshop: dict[str, Any]) -> Any:
    """A python-socketio facilitator connection to the workshop."""
    peer = peers(server.url)
    assert peer.call("join", {"code": workshop["code"], "facilitator_token": workshop["facilitator_token"]})["ok"]
    return peer


def command(peer: Any, event: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    ack = peer.call(event, payload or {})
    assert ack["ok"], (event, payload, ack)
    return ack  # type: ignore[no-any-return]


class Room:
    """A workshop with its ideas, posted by python-socketio participants, and a facilitator socket."""

    def __init__(self, server: Any, peers: Callable[..., Any], texts: list[str],
                 show_themes: bool = True) -> None:
        self.server = server
        self.peers = peers
        self.workshop = server.create_workshop()
        self.code = self.workshop["code"]
        self.token = self.workshop["facilitator_token"]
        batches = [texts[i:i + IDEAS_PER_PARTICIPANT] for i in range(0, len(texts), IDEAS_PER_PARTICIPANT)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._post, range(len(batches)), batches))
        self.ids = {idea["text"]: idea["id"] for idea in self.snapshot()["ideas"]}
        assert sorted(self.ids) == sorted(texts)
        self._facilitator: Any = None
        self._sent = 0
        if show_themes:  # a new workshop keeps its themes off the wall until shown
            self.command("set_themes_on_wall", {"themes_on_wall": True})

    def _post(self, number: int, texts: list[str]) -> None:
        participant = self.peers(self.server.url)
        assert participant.call("join", {"code": self.code})["ok"]
        for index, text in enumerate(texts):
            ack = participant.call("post_idea", {"text": text, "client_id": f"p{number}-{index}"})
            assert ack["ok"], ack

    def command(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A facilitator command over a socket; a fresh connection before the rate limit bites."""
        if self._facilitator is None or self._sent >= MESSAGES_PER_CONNECTION:
            self._facilitator = self.peers(self.server.url)
            assert self._facilitator.call("join", {"code": self.code, "facilitator_token": self.token})["ok"]
            self._sent = 1
        self._sent += 1
        ack = self._facilitator.call(event, payload)
        assert ack["ok"], (event, payload, ack)
        return ack  # type: ignore[no-any-return]

    def theme(self, label: str, texts: Sequence[str] = ()) -> int:
        """Create a theme over the socket and move ideas into it; its id."""
        cluster_id: int = self.command("create_cluster", {"label": label})["cluster"]["id"]
        for text in texts:
            self.command("move_idea", {"idea_id": self.ids[text], "cluster_id": cluster_id})
        return cluster_id

    def snapshot(self) -> dict[str, Any]:
        """The facilitator's view over the HTTP API (Bearer token)."""
        response = requests.get(f"{self.server.url}/api/workshops/{self.code}",
                                headers={"Authorization": f"Bearer {self.token}"}, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def cluster_of(self, text: str) -> int | None:
        cluster_id: int | None = next(i["cluster_id"] for i in self.snapshot()["ideas"] if i["text"] == text)
        return cluster_id

    def wall_order(self, texts: list[str]) -> list[str]:
        """Texts in the wall's order within a group: newest first."""
        return sorted(texts, key=lambda text: -self.ids[text])


def console_group(page: Any, cluster_id: int | None) -> Any:
    """The console's section for a theme (None: unsorted)."""
    return page.locator(f'#groups section.group[data-cluster="{"" if cluster_id is None else cluster_id}"]')


def console_card(page: Any, text: str) -> Any:
    return page.locator("#groups .idea").filter(has=page.locator(".idea-text").get_by_text(text, exact=True))


def wall_theme(page: Any, label: str) -> Any:
    """The wall's sections under the heading `label`: a theme taller than a column goes on in the
    next one under "label (fortsat)"."""
    return page.locator("#ideas section.theme:not(.unsorted)").filter(
        has=page.locator("h2 > span:first-child").get_by_text(re.compile(rf"^{re.escape(label)}( \(fortsat\))?$")))


def wall_unsorted(page: Any) -> Any:
    return page.locator("#ideas section.theme.unsorted")


def expect_wall_group(section: Any, texts: list[str], *, heading: bool = True) -> None:
    """A wall section shows exactly these cards (in order) and, in its heading, their number."""
    expect(section.locator(".idea .idea-text")).to_have_text(texts)
    if heading:
        expect(section.locator("h2 .theme-count").first).to_have_text(str(len(texts)))


def drag_ends_in_view(page: Any, source: Any, target: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Scroll as a facilitator would before a drag, so that both `source` and `target` are inside
    the window (a pointer outside it reaches no element: elementFromPoint gives null there), and
    return their boxes. The console's tools above the themes (checklist, frame, answers) put a
    theme below the fold at 1440x900; a drag held at the window's edge is tested on its own."""
    target.evaluate("element => element.scrollIntoView({block: 'center'})")
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    height = page.evaluate("() => window.innerHeight")
    for box in (start, end):
        assert 0 <= box["y"] and box["y"] + box["height"] <= height, f"not both in the window: {start} {end}"
    return start, end


def drag_with_mouse(page: Any, source: Any, target: Any) -> None:
    """Press on `source`, move in steps past the 6 px threshold onto `target`, release."""
    start, end = drag_ends_in_view(page, source, target)
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


# Ideas that make two clear themes and one that belongs to neither (the suggestion tests use them).
BIKES = ["Flere cykelstier i byen", "Bredere cykelstier langs søerne", "Sikre cykelstier til skolebørn",
         "Cykelstier med grøn bølge", "Overdækket cykelparkering ved cykelstier"]
LIBRARY = ["Længere åbningstid på biblioteket", "Biblioteket skal have flere brætspil",
           "Lektiecafé på biblioteket", "Biblioteket åbent om søndagen", "Flere e-bøger fra biblioteket"]
OUTLIER = "Gratis is til alle pensionister"


# Printed pages (the kit, the report, the outcome page) rendered and read back.
DPI = 200  # printed pages are rendered at this resolution; the QR codes decode from it


A4 = (595.0, 842.0)  # in PDF points (1/72 inch)


def words(text: str) -> str:
    """Text with its line breaks and runs of white space as single spaces."""
    return " ".join(text.split())


def printed_pages(pdf: bytes, shots: Path) -> list[dict[str, Any]]:
    """Each page of a PDF rendered to PNG (saved beside the screenshots): its size in points, its
    text, and its QR codes, each with its text, its width in millimetres and the text printed on
    its half of the page (the card it is on)."""
    pdfium = require("pypdfium2", "it renders the printed PDF (pip package pypdfium2)")
    zxingcpp = require("zxingcpp", "it decodes the QR codes (pip package zxing-cpp)")
    pages = []
    document = pdfium.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            image = page.render(scale=DPI / 72).to_pil().convert("L")
            image.save(shots / f"print-page-{number}.png")
            width, height = page.get_size()
            text = page.get_textpage()
            codes = []
            for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                corners = found.position
                side = math.dist((corners.top_left.x, corners.top_left.y),
                                 (corners.top_right.x, corners.top_right.y))
                top_half = (corners.top_left.y + corners.bottom_left.y) / 2 < image.height / 2
                bottom, top = (height / 2, height) if top_half else (0, height / 2)  # PDF y runs up
                codes.append({"text": found.text, "mm": side / DPI * 25.4,
                              "card": words(text.get_text_bounded(left=0, bottom=bottom, right=width, top=top))})
            pages.append({"size": (width, height), "text": words(text.get_text_range()), "codes": codes})
            text.close()
            page.close()
    finally:
        document.close()
    return pages


def dialog_answer(questions: list[str], accept: bool) -> Callable[[Any], None]:
    """A handler for a page's next confirm(): notes its question in `questions`, then says yes or no."""
    def handle(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()
    return handle
