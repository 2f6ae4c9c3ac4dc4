"""A QR code per table and the printed kit, through Flask's test client and its Socket.IO client.

Table links: `/join/<code>?table=<id>` marks the phone page with that table (an unknown id says so),
`/w/<code>/qr.svg?table=<id>` encodes it, and a table's wall shows it. The kit, `/w/<code>/print`:
only for the facilitator or the organiser; a card and a paper form per table, a door poster, in the
workshop's language under tools in the reader's; linked from the console. (Printed and scanned for
real in tests/browser/test_print.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.databases import app_database
from facilitation import create_app, socketio


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
    assert f'<p class="join-table">{table["name"]}</p>' in wall  # whose code it is
    whole = client.get(f"/w/{code}/wall").get_data(as_text=True)
    assert re.search(rf'<img class="qr" src="/w/{code}/qr.svg"', whole)


def kit(client: Any, workshop: dict[str, Any], **headers: str) -> Any:
    """The print page as the workshop's facilitator (Bearer token) sees it."""
    return client.get(f"/w/{workshop['code']}/print",
                      headers={"Authorization": f"Bearer {workshop['facilitator_token']}", **headers})


def test_the_kit_is_for_the_facilitator_only(client: Any, tabled: dict[str, Any]) -> None:
    code = tabled["code"]
    assert client.get(f"/w/{code}/print").status_code == 403
    assert client.get(f"/w/{code}/print", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/w/ZZZZZZ/print").status_code == 404
    response = kit(client, tabled)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    client.get(f"/w/{code}/facilitate?token={tabled['facilitator_token']}")  # the console's cookie
    assert client.get(f"/w/{code}/print").status_code == 200


def test_wrong_tokens_on_the_kit_are_throttled_like_the_consoles(client: Any, tabled: dict[str, Any]) -> None:
    from facilitation.security import SECRET_BURST

    wrong = {"Authorization": "Bearer wrong"}
    codes = [client.get(f"/w/{tabled['code']}/print", headers=wrong).status_code
             for _ in range(SECRET_BURST + 1)]
    assert codes == [403] * SECRET_BURST + [429]
    assert client.get(f"/w/{tabled['code']}/facilitate", headers=wrong).status_code == 429  # one budget


def test_the_organiser_may_print_any_workshop(tmp_path: Any) -> None:
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
                      "ADMIN_PASSWORD": "havnen", "DATABASE": app_database()})
    client = app.test_client()
    organiser = {"Authorization": "Bearer havnen"}
    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q?"}, headers=organiser).get_json()["code"]
    assert client.get(f"/w/{code}/print").status_code == 403
    assert client.get(f"/w/{code}/print", headers=organiser).status_code == 200


def test_a_card_and_a_form_per_table_and_a_door_poster(client: Any, tabled: dict[str, Any]) -> None:
    page = kit(client, tabled).get_data(as_text=True)
    code, (one, two) = tabled["code"], tabled["tables"]
    assert page.count('class="sheet poster') == 1 and f'src="/w/{code}/qr.svg"' in page
    assert page.count('class="sheet cards"') == 1 and page.count('<article class="card"') == 2
    for table in (one, two):
        assert f'src="/w/{code}/qr.svg?table={table["id"]}"' in page
        assert f"/join/{code}?table={table['id']}" in page  # the QR code's text alternative
        assert f'<h2 class="card-table">{table["name"]}</h2>' in page
        assert f'<h2 class="form-table">{table["name"]}</h2>' in page
    assert page.count('<span class="form-number">') == 2 * 16
    assert "Hvad nu?" in page and "No tables yet" not in page and "Ingen borde endnu" not in page


def test_the_sheets_speak_the_workshops_language(app: Any, client: Any) -> None:
    english = create(client, language="en")
    set_tables(app, english, ["Table <b>1</b>"])
    page = kit(client, english, **{"Accept-Language": "da"}).get_data(as_text=True)
    tools, sheets = page.split('<main class="kit" lang="en">')
    assert "Udskriv" in tools and "Tilbage til konsollen" in tools  # the reader's language
    assert "Scan, write, send" in sheets and "Ideas on paper" in sheets and "Scan, skriv" not in sheets
    assert "Table &lt;b&gt;1&lt;/b&gt;" in sheets and "<b>1</b>" not in sheets
    danish = kit(client, create(client), **{"Accept-Language": "en"}).get_data(as_text=True)
    assert "Scan, skriv, send" in danish and "Idéer på papir" in danish and "Print</button>" in danish


def test_without_tables_the_kit_has_the_poster_and_a_blank_form(client: Any) -> None:
    page = kit(client, create(client), **{"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('class="sheet poster') == 1 and 'class="sheet cards"' not in page
    assert page.count('class="sheet paper-form"') == 1 and 'class="form-blank"' in page
    assert "No tables yet" in page


def test_the_console_links_to_the_kit(client: Any, tabled: dict[str, Any]) -> None:
    code = tabled["code"]
    client.get(f"/w/{code}/facilitate?token={tabled['facilitator_token']}")
    console = client.get(f"/w/{code}/facilitate").get_data(as_text=True)
    assert f'id="print-kit" href="/w/{code}/print"' in console


def test_a_tables_paper_form_imports_under_that_table(client: Any, tabled: dict[str, Any]) -> None:
    code, table = tabled["code"], tabled["tables"][1]
    auth = {"Authorization": f"Bearer {tabled['facilitator_token']}"}
    lines = "Flere bænke\nLys på stien\n"
    response = client.post(f"/w/{code}/import", data={"text": lines, "table_id": str(table["id"])},
                           headers=auth)
    assert response.status_code == 200 and response.get_json()["imported"] == 2, response.get_json()
    # The same lines from another table's form are that table's ideas, not repeats.
    other = client.post(f"/w/{code}/import", data={"text": lines}, headers=auth).get_json()
    assert other["imported"] == 2
    again = client.post(f"/w/{code}/import", data={"text": lines, "table_id": str(table["id"])},
                        headers=auth).get_json()
    assert (again["imported"], again["already_there"]) == (0, 2)
    ideas = client.get(f"/w/{code}/export.json", headers=auth).get_json()["ideas"]
    assert sorted((i["text"], i["table"]) for i in ideas) == [
        ("Flere bænke", ""), ("Flere bænke", "Bord 2"), ("Lys på stien", ""), ("Lys på stien", "Bord 2")]
    for wrong, status, error in (("999", 404, "table_not_found"), ("abc", 400, "invalid")):
        refused = client.post(f"/w/{code}/import", data={"text": "Mere", "table_id": wrong}, headers=auth)
        assert (refused.status_code, refused.get_json()["error"]["code"]) == (status, error)
