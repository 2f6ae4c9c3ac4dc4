"""A QR code per table and the printed kit, through Flask's test client and its Socket.IO client.

Table links: `/join/<code>?table=<id>` marks the phone page with that table (an unknown id says so),
`/w/<code>/qr.svg?table=<id>` encodes it, and a table's wall shows it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from facilitation import socketio


def create(client: Any, language: str = "da") -> dict[str, Any]:
    response = client.post("/api/workshops", json={"title": "Borgermøde", "prompt": "Hvad nu?",
                                                   "language": language})
    assert response.status_code == 201
    return response.get_json()  # type: ignore[no-any-return]


def set_tables(app: Any, workshop: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    """Name the workshop's tables as its facilitator does, over Socket.IO."""
    console = socketio.test_client(app)
    joined = console.emit("join", {"code": workshop["code"],
                                   "facilitator_token": workshop["facilitator_token"]}, callback=True)
    assert joined["ok"], joined
    ack = console.emit("set_tables", {"tables": names}, callback=True)
    assert ack["ok"], ack
    console.disconnect()
    return ack["tables"]  # type: ignore[no-any-return]


@pytest.fixture
def tabled(app: Any, client: Any) -> dict[str, Any]:
    """A workshop with two tables."""
    workshop = create(client)
    workshop["tables"] = set_tables(app, workshop, ["Bord 1", "Bord 2"])
    return workshop


def test_a_tables_join_link_chooses_that_table(client: Any, tabled: dict[str, Any]) -> None:
    code, table = tabled["code"], tabled["tables"][1]
    page = client.get(f"/join/{code}?table={table['id']}").get_data(as_text=True)
    assert f'data-table="{table["id"]}"' in page and 'id="table-note"' not in page
    moved = client.get(f"/join/{code.lower()}?table={table['id']}")  # a typed code keeps its table
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/join/{code}?table={table['id']}")
    assert "data-table" not in client.get(f"/join/{code}").get_data(as_text=True)


@pytest.mark.parametrize("asked", ["999", "abc", "", "-1"])
def test_an_unknown_table_joins_without_one_and_says_so(client: Any, tabled: dict[str, Any],
                                                       asked: str) -> None:
    page = client.get(f"/join/{tabled['code']}?table={asked}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "data-table" not in page
    assert "not in this workshop, so you joined without a table" in page
    assert "Choose your table under" in page


def test_the_table_qr_code_encodes_the_tables_join_link(client: Any, tabled: dict[str, Any]) -> None:
    code, table = tabled["code"], tabled["tables"][0]
    plain = client.get(f"/w/{code}/qr.svg")
    one = client.get(f"/w/{code}/qr.svg?table={table['id']}")
    assert plain.status_code == one.status_code == 200 and one.mimetype == "image/svg+xml"
    assert plain.data != one.data
    assert client.get(f"/w/{code}/qr.svg?table=999").status_code == 404


def test_a_tables_wall_shows_that_tables_qr_code(client: Any, tabled: dict[str, Any]) -> None:
    code, table = tabled["code"], tabled["tables"][1]
    wall = client.get(f"/w/{code}/wall?table={table['id']}").get_data(as_text=True)
    assert re.search(rf'<img class="qr" src="/w/{code}/qr.svg\?table={table["id"]}"', wall)
    assert f"/join/{code}?table={table['id']}" in wall  # in the image's text alternative
    whole = client.get(f"/w/{code}/wall").get_data(as_text=True)
    assert re.search(rf'<img class="qr" src="/w/{code}/qr.svg"', whole)
