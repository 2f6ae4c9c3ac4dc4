"""After the evening, over HTTP: the public outcome page and the console's "Who took part"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh

from . import export
from .auth import find_workshop, get_store, is_facilitator
from .dispatch import error_response
from .errors import NotFound, Unauthorized
from .export.background import groups_records, question_counts
from .views import load_workshop, public_url, qr_svg

bp = Blueprint("outcome", __name__)


def status_names() -> dict[str, str]:
    """An answer's status as people read it, in the page's language."""
    return {"considering": _("Being considered"), "adopted": _("Adopted"), "declined": _("Declined"),
            "done": _("Done")}


@bp.app_context_processor
def answer_words() -> dict[str, Any]:
    """Every template can name an answer's status."""
    return {"status_names": status_names}


@bp.get("/w/<code>/outcome")
def outcome(code: str) -> Any:
    """The public outcome page: frame, questions, ranked themes and ideas with dots, and the answers;
    404 until the organiser publishes it (the rule outcome_public)."""
    workshop = load_workshop(code)
    if not workshop.outcome_public:
        abort(404)
    g.workshop_language = request.args.get("lang") or workshop.language
    refresh()
    report = export.build_report(export.read_rows(get_store(), workshop.id))
    return render_template("outcome.html", report=report, workshop=workshop)


def outcome_url(code: str) -> str:
    """The outcome page's absolute address (what its QR code holds)."""
    return public_url() + url_for("outcome.outcome", code=code)


@bp.get("/w/<code>/outcome-qr.svg")
def outcome_qr(code: str) -> Any:
    """The outcome page's address as a QR code, for the wall's closing screen."""
    workshop = load_workshop(code)
    return qr_svg(outcome_url(workshop.code)), 200, {"Content-Type": "image/svg+xml",
                                                     "Cache-Control": "no-cache"}


@bp.get("/w/<code>/background")
def background(code: str) -> Any:
    """Who took part and where groups agree, for the facilitator: counts only, none under 5."""
    workshop = find_workshop(code)
    if workshop is None:
        return error_response(NotFound("not_found"))
    if not is_facilitator(workshop):
        return error_response(Unauthorized("unauthorized"))
    rows = export.read_rows(get_store(), workshop.id)
    questions = [{"id": q.id, "label": q.label,
                  "counts": [{"label": c.label, "kind": c.kind, "count": c.count, "percent": c.percent,
                              "share": c.share} for c in q.counts]} for q in question_counts(rows)]
    return jsonify({"questions": questions, "groups": groups_records(rows)}), 200, {"Cache-Control": "no-store"}


__all__ = ["bp", "outcome_url", "status_names"]
