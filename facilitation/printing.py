"""The printed kit for the room: a card per table with its QR code, a door poster, paper forms."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_babel import force_locale
from markupsafe import Markup

from .auth import get_store, is_facilitator
from .views import links, load_workshop, public_url

bp = Blueprint("printing", __name__)
FORM_LINES = 16  # numbered lines on a paper form: as many as fit A4 at handwriting height


@bp.get("/w/<code>/print")
def print_kit(code: str) -> Any:
    """Cards, door poster and paper forms for the browser's print dialog (A4), for the facilitator
    or the organiser; the sheets speak the workshop's language, the tools above them the reader's."""
    workshop = load_workshop(code)
    if not is_facilitator(workshop):
        return render_template("forbidden.html", workshop=workshop), 403
    tables = get_store().tables(workshop.id)
    cards = [{"name": table["name"], "join_url": links(workshop, table)["join_url"],
              "qr": url_for("views.qr", code=workshop.code, table=table["id"])} for table in tables]
    with force_locale(workshop.language):
        sheets = render_template(
            "_print_sheets.html", workshop=workshop, cards=cards, join_url=links(workshop)["join_url"],
            address=public_url().split("://", 1)[-1], forms=[card["name"] for card in cards] or [None],
            lines=range(1, FORM_LINES + 1))
    return (render_template("print.html", workshop=workshop, sheets=Markup(sheets),
                            has_tables=bool(tables)),
            200, {"Cache-Control": "no-store"})
