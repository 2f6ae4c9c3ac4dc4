"""The organiser's HTTP side: /admin (list, erase), retention, and importing ideas from paper."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import (
    Blueprint, Flask, abort, current_app, flash, get_flashed_messages, redirect,
    render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_socketio import SocketIO

from . import export
from .auth import (
    admin_password_ok, admin_required, find_workshop, get_store, is_admin, is_facilitator,
    organiser_session_mark, signed_in,
)
from .dispatch import broadcast, http_answer
from .errors import N_, BadRequest, NotFound, Unauthorized
from .facts import WorkshopDeleted
from .model import FACILITATOR, Actor
from .security import csrf_token, throttle
from .store import Store

bp = Blueprint("organiser", __name__)
MAX_IMPORT_BYTES = 1024 * 1024


def phase_names() -> dict[str, str]:
    """The phases as the console names them, in the reader's language."""
    return {"collect": _("Collect"), "cluster": _("Sort"), "vote": _("Vote"), "results": _("Results"),
            "closed": _("Closed")}


@bp.get("/admin")
def admin() -> Any:
    """The organiser's list of workshops with links, counts and erasure; or the sign-in form."""
    if not admin_required():
        return render_template("admin.html", disabled=True), 403
    if not is_admin():
        return render_template("admin.html", signed_in=False, csrf=csrf_token())
    return render_template("admin.html", signed_in=True, csrf=csrf_token(),
                           workshops=get_store().list_workshops(), erasures=get_store().erasures(),
                           formats=list(export.FORMATS), phase_names=phase_names(),
                           retention=current_app.config.get("RETENTION_DAYS"),
                           messages=get_flashed_messages())


@bp.post("/admin/login")
def login() -> Any:
    """Sign the organiser in with the password (wrong ones throttled per address, as everywhere)."""
    if not admin_required():
        abort(403)
    if throttle().blocked(request.remote_addr or ""):
        return render_template("admin.html", signed_in=False, csrf=csrf_token(),
                               error=_("Too many attempts. Wait a minute.")), 429
    if not admin_password_ok(request.form.get("password")):
        return render_template("admin.html", signed_in=False, csrf=csrf_token(),
                               error=_("The organiser password is not right.")), 401
    session.clear()
    session["admin"] = organiser_session_mark()
    session.permanent = True
    return redirect(url_for("organiser.admin"), 303)


@bp.post("/admin/logout")
def logout() -> Any:
    """Sign the organiser out: a new session generation revokes this cookie and any copy of it
    (and the organiser's other signed-in browsers)."""
    if admin_required() and signed_in():
        get_store().next_organiser_generation()
    session.clear()
    return redirect(url_for("organiser.admin"), 303)


def erase(store: Store, socketio: SocketIO, workshop_id: int, code: str, reason: str) -> dict[str, Any]:
    """Delete a workshop for good and tell its screens, which then show that it is gone."""
    record = store.delete_workshop(workshop_id, reason)
    broadcast(socketio, code, [WorkshopDeleted(code=code)])
    return record


@bp.post("/admin/w/<code>/delete")
def delete(code: str) -> Any:
    """Erase a workshop and all its data (GDPR), logged without its content."""
    if not is_admin():
        abort(403)
    workshop = find_workshop(code)
    if workshop is None:
        abort(404)
    record = erase(get_store(), current_app.extensions["socketio"], workshop.id, workshop.code, "admin")
    flash(_("Deleted %(title)s.", title=record["title"]))  # in the session: a link cannot forge it
    return redirect(url_for("organiser.admin"), 303)


def read_upload() -> list[str]:
    """The ideas in a pasted text or an uploaded file: one per line, or a CSV's text column."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            raw = upload.read(MAX_IMPORT_BYTES + 1)
        finally:
            upload.close()
        if len(raw) > MAX_IMPORT_BYTES:
            raise BadRequest("too_long", N_("The file is larger than 1 MB."))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # an older Excel's Danish CSV
        if upload.filename.lower().endswith(".csv"):
            return csv_texts(text)
    else:
        text = request.form.get("text", "")
        if len(text.encode()) > MAX_IMPORT_BYTES:
            raise BadRequest("too_long", N_("The text is larger than 1 MB."))
    return [line for line in text.splitlines() if line.strip()]


def csv_texts(text: str) -> list[str]:
    """The idea column of a CSV (`text`, `idea`, `idé`...; else the first), header skipped."""
    try:
        dialect: Any = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:  # one column has no delimiter to find
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    names = [cell.strip().lower() for cell in rows[0]]
    for name in ("text", "idea", "idé", "ide", "idéer", "ideas"):
        if name in names:
            column = names.index(name)
            return [row[column] for row in rows[1:] if len(row) > column and row[column].strip()]
    return [row[0] for row in rows if row and row[0].strip()]


def form_table() -> object:
    """The form's `table_id` (a table's paper form): a number, None when absent, else as sent
    (the command then refuses it as `invalid`)."""
    raw = request.form.get("table_id", "").strip()
    return int(raw) if raw.isdigit() else (raw or None)


@bp.post("/w/<code>/import")
def import_ideas(code: str) -> Any:
    """Facilitator -> ideas collected on paper into the active question; JSON summary."""
    workshop = find_workshop(code)
    if workshop is None:
        raise NotFound("not_found")
    if not is_facilitator(workshop):
        raise Unauthorized("unauthorized")
    texts = read_upload()
    dispatcher = current_app.extensions["facilitation.dispatcher"]
    return http_answer(*dispatcher.call(("http", request.remote_addr), Actor(workshop, FACILITATOR),
                                        "import_ideas", {"texts": texts, "table_id": form_table()}))


def start_retention(app: Flask, socketio: SocketIO) -> None:
    """Delete closed workshops idle for longer than RETENTION_DAYS, at start and every hour."""
    days = app.config.get("RETENTION_DAYS")
    if not days:
        return

    def sweep() -> None:
        coordination = app.extensions["facilitation.coordination"]
        while True:
            if not coordination.claim("retention", 3000):  # another worker process sweeps this hour
                socketio.sleep(3600)
                continue
            before = datetime.now(timezone.utc) - timedelta(days=days)
            stamp = before.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            store = app.extensions["facilitation.store"]
            for workshop in store.expired_workshops(stamp):
                erase(store, socketio, workshop["id"], workshop["code"], "retention")
            socketio.sleep(3600)

    socketio.start_background_task(sweep)
