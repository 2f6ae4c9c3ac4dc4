"""Tables end to end in a real browser: the printed kit, and a table's QR code seating its phones.

The console's print link opens /w/<code>/print; chromium prints it to PDF (Playwright's page.pdf),
PDFium renders every page to PNG, and zxing-cpp decodes every QR code: the door poster carries the
workshop's join address, each half-page card its table's, beside its table's name, at least 6 cm
wide; each paper form names its table. Each decoded address is opened on a phone, which posts an
idea that the JSON export files under the right table, as it does a paper form's ideas typed into
the console with its table chosen. A phone opening a table's join link in table
mode posts at once; an unknown table id joins without a table and says so; a table's wall shows its
table's QR code. Helpers are in pages.py; the printed pages and screens are saved
in test-artifacts/screenshots/ (prefix "print-").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.browser.pages import (
    A4,
    PHONE,
    PROJECTOR,
    axe_violations,
    decode_qr,
    expect,
    my_ideas,
    online,
    post_from_phone,
    printed_pages,
)

TABLES = ["Bord 1", "Bord 2", "Bord 3"]  # three: the second sheet of cards holds a single card


def console(server: Any, peers: Callable[..., Any], workshop: dict[str, Any]) -> Any:
    """A facilitator's socket client, joined."""
    peer = peers(server.url)
    assert peer.call("join", {"code": workshop["code"],
                              "facilitator_token": workshop["facilitator_token"]})["ok"]
    return peer


def exported_ideas(server: Any, workshop: dict[str, Any]) -> list[dict[str, Any]]:
    """The visible ideas of the JSON export, as the facilitator downloads it."""
    response = requests.get(f"{server.url}/w/{workshop['code']}/export.json", timeout=5,
                            headers={"Authorization": f"Bearer {workshop['facilitator_token']}"})
    assert response.status_code == 200, response.text
    return response.json()["ideas"]  # type: ignore[no-any-return]


def test_a_tables_link_seats_the_phone(live_server: Any, new_page: Callable[..., Any],
                                       peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop()
    facilitator = console(live_server, peers, workshop)
    tables = facilitator.call("set_tables", {"tables": ["Bord 1", "Bord 2"]})["tables"]
    assert facilitator.call("set_rules", {"table_mode": True})["ok"]  # no table, no posting

    phone = new_page(f"{workshop['join_url']}?table={tables[1]['id']}", **PHONE)
    online(phone)
    post_from_phone(phone, "Bænke ved søen")
    expect(my_ideas(phone, "Bænke ved søen").locator(".idea-meta")).not_to_have_text("")
    expect(phone.locator("#profile-table")).to_have_value(str(tables[1]["id"]))
    assert phone.evaluate("location.search") == ""  # a reload keeps a table chosen by hand since
    phone.screenshot(path=shots / "print-phone-seated.png")
    assert [(i["text"], i["table"]) for i in exported_ideas(live_server, workshop)] == [
        ("Bænke ved søen", "Bord 2")]

    lost = new_page(f"{workshop['join_url']}?table=999", **PHONE)
    online(lost)
    expect(lost.locator("#table-note")).to_be_visible()
    expect(lost.locator("#profile-section")).to_have_attribute("open", "")  # table mode: choose one
    expect(lost.locator("#profile-table")).to_have_value("")
    lost.screenshot(path=shots / "print-phone-unknown-table.png")
    assert axe_violations(lost, "phone with an unknown table") == []
    assert phone.errors == [] and lost.errors == []  # type: ignore[attr-defined]


def test_a_tables_wall_shows_its_qr_code(live_server: Any, new_page: Callable[..., Any],
                                         peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop()
    table = console(live_server, peers, workshop).call("set_tables", {"tables": ["Bord 7"]})["tables"][0]
    wall = new_page(f"{workshop['wall_url']}?table={table['id']}", **PROJECTOR)
    qr = wall.locator("img.qr")
    wall.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    wall.screenshot(path=shots / "print-table-wall.png")
    assert decode_qr(qr.screenshot()) == [f"{workshop['join_url']}?table={table['id']}"]


def test_the_printed_kit_scans_to_each_table(live_server: Any, new_page: Callable[..., Any],
                                             peers: Callable[..., Any], shots: Path) -> None:
    workshop = live_server.create_workshop("Borgermøde om havnen", "Hvad skal havnen bruges til?")
    code = workshop["code"]
    tables = console(live_server, peers, workshop).call("set_tables", {"tables": TABLES})["tables"]
    table_url = {f"{workshop['join_url']}?table={t['id']}": t["name"] for t in tables}

    # The facilitator opens the kit from the console's settings, next to the tables.
    page = new_page(workshop["facilitator_url"], viewport={"width": 1280, "height": 900}, locale="da-DK")
    page.locator("details.settings summary").click()
    link = page.locator("#print-kit")
    expect(link).to_be_visible()
    page.goto(live_server.url + link.get_attribute("href"))
    page.wait_for_function("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    assert page.locator("img.card-qr").count() == len(TABLES)
    page.screenshot(path=shots / "print-screen.png")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Udskriv").click()  # the reader's language (da-DK)
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    assert axe_violations(page, "print kit") == []
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (shots / "print-kit.pdf").write_bytes(pdf)

    pages = printed_pages(pdf, shots)
    # A poster, two sheets of cards (2 + 1), a paper form per table; every page A4 portrait.
    assert len(pages) == 1 + 2 + len(TABLES)
    assert all(abs(p["size"][0] - A4[0]) < 1 and abs(p["size"][1] - A4[1]) < 1 for p in pages)
    poster, sheets, forms = pages[0], pages[1:3], pages[3:]
    assert [c["text"] for c in poster["codes"]] == [workshop["join_url"]]
    assert "Hvad skal havnen bruges til?" in poster["text"] and code in poster["text"]
    assert "Scan, skriv, send" in poster["text"]  # the workshop's language (Danish)

    cards = {}
    for sheet in sheets:
        for found in sheet["codes"]:
            text, name = found["card"], table_url[found["text"]]
            assert name in text and code in text and "Hvad skal havnen bruges til?" in text
            assert "Scan QR-koden med telefonens kamera." in text
            assert found["mm"] >= 60, f"{name}'s QR code is {found['mm']:.0f} mm wide"
            cards[found["text"]] = name
    assert cards == table_url  # every table has its card, and only one
    assert [len(sheet["codes"]) for sheet in sheets] == [2, 1]
    for form, name in zip(forms, TABLES):
        assert name in form["text"] and "Idéer på papir" in form["text"] and form["codes"] == []
        assert "16." in form["text"]  # the numbered lines

    # Every printed address works on a phone, and its idea lands under its table.
    posted = {}
    for url in [poster["codes"][0]["text"], *table_url]:
        phone = new_page(url, **PHONE)
        online(phone)
        text = f"Idé fra {table_url.get(url, 'døren')}"
        post_from_phone(phone, text)
        expect(my_ideas(phone, text).locator(".idea-meta")).not_to_have_text("")
        posted[text] = table_url.get(url, "")
        assert phone.errors == []  # type: ignore[attr-defined]

    # A table's paper form, typed into the console's "Ideas from paper" with that table chosen.
    page.goto(f"{live_server.url}/w/{code}/facilitate")
    page.locator("details.settings summary").click()
    page.locator("#import-table").select_option(label=TABLES[2])
    page.locator("#import-text").fill("Færge til Refshaleøen\nBadezone ved kajen")
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-status")).to_have_text(re.compile(r"^2 "))
    posted.update({"Færge til Refshaleøen": TABLES[2], "Badezone ved kajen": TABLES[2]})
    assert {i["text"]: i["table"] for i in exported_ideas(live_server, workshop)} == posted
