"""Tables end to end in a real browser: a table's QR code seats the phone that scans it.

A phone opening a table's join link (table mode on) posts at once and its idea is that table's; an
unknown table id joins without a table and says so; a table's wall shows a QR code that decodes to
its table's link. Helpers are shared with test_browser.py; screenshots go to
test-artifacts/screenshots/ (prefix "print-").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.test_browser import (PHONE, PROJECTOR, browser, decode_qr, expect, my_ideas,  # noqa: F401
                                new_page, online, post_from_phone, shots)

pytestmark = pytest.mark.parametrize("live_server", ["eventlet"], indirect=True)


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
