"""HTTP blueprint: the pages (home, phone, wall, console), the JSON API, the QR code and exports."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint, Response, abort, current_app, g, make_response, redirect, render_template,
    request, url_for,
)

from flask_babel import gettext as _
from flask_babel import refresh

from . import commands, export, snapshots
from .auth import (
    admin_password_ok, admin_required, facilitator_token_ok, find_workshop, get_store, is_admin,
    is_facilitator,
)
from .dispatch import Dispatcher, http_answer
from .errors import N_, CommandError, NotFound, RateLimited, Unauthorized
from .model import MAX_IDEA_LENGTH, Workshop, facilitator_cookie, normalize_code
from .security import (
    DEVICE_BURST, DEVICE_COOKIE, DEVICE_RATE, device_of, new_device_cookie, own_machine,
    safe_next,
)

bp = Blueprint("views", __name__)


def dispatcher() -> Dispatcher:
    """The app's one way in for commands (dispatch.py)."""
    return current_app.extensions["facilitation.dispatcher"]  # type: ignore[no-any-return]


def public_url() -> str:
    """The base address phones use: --public-url, else the address this request came to."""
    return (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def links(workshop: Workshop, table: dict[str, Any] | None = None) -> dict[str, str]:
    """The absolute addresses of a workshop's screens; with a table, its join address picks it."""
    base, code = public_url(), workshop.code
    join = f"{base}/join/{code}" + (f"?table={table['id']}" if table else "")
    return {"join_url": join, "wall_url": f"{base}/w/{code}/wall",
            "facilitator_url": f"{base}/w/{code}/facilitate"}


def find_table(workshop: Workshop, raw: str | None) -> dict[str, Any] | None:
    """The workshop's table that a `?table=<id>` parameter names, or None."""
    if not raw or not raw.isdigit():
        return None
    return next((t for t in get_store().tables(workshop.id) if t["id"] == int(raw)), None)


def load_workshop(code: str) -> Workshop:
    """The workshop for a code in the URL, or `not_found` (a friendly page, or JSON for the API)."""
    workshop = find_workshop(code)
    if workshop is None:
        raise NotFound("not_found")
    return workshop


# Creating workshops, per client address: plenty for an organiser, a wall against scripts run by
# strangers on the venue network. The server's own machine (loopback) is the operator's: no limit.
# Each workshop may store --max-ideas (~31 MB at 20,000): this bounds what a stranger can store
# without the organiser password (docs/security.md).
CREATE_RATE, CREATE_BURST = 1 / 300, 10


def creation_allowed() -> bool:
    """Whether this address may create another workshop now."""
    if own_machine():
        return True
    # Agreed by every worker process, so several workers do not multiply the allowance.
    shared = current_app.extensions["facilitation.coordination"]
    return bool(shared.allow(f"create:{request.remote_addr}", CREATE_RATE, CREATE_BURST))


@bp.get("/")
def index() -> str:
    """Home page: create a workshop, or type a join code."""
    return render_template("index.html", error=request.args.get("error"),
                           need_password=admin_required() and not is_admin())


@bp.post("/")
def create_from_form() -> Any:
    """Create a workshop from the home page form and open its console."""
    if not creation_allowed():
        return render_template("index.html", create_error=_("Too many workshops created from here."
                                                           " Wait a minute and try again."),
                               form=request.form), 429
    if admin_required() and not (is_admin() or admin_password_ok(request.form.get("admin_password"))):
        return render_template("index.html", create_error=_("The organiser password is not right."),
                               form=request.form), 401

    def create() -> commands.Result:
        workshop, token = commands.create_workshop(get_store(), request.form.to_dict())
        return {"workshop": workshop, "token": token}, []
    ack, status = dispatcher().answer(None, create, None, "create_workshop")
    if not ack["ok"]:
        return render_template("index.html", create_error=ack["error"]["message"], form=request.form), status
    # The token goes into the cookie here: it never appears in a URL, so not in the browser's history.
    return remember_facilitator(redirect(url_for("views.facilitate", code=ack["workshop"].code), 303),
                                ack["workshop"], ack["token"])


def remember_facilitator(response: Any, workshop: Workshop, token: str) -> Any:
    """Keep a facilitator token in the workshop's HttpOnly cookie."""
    response.set_cookie(facilitator_cookie(workshop.code), token, max_age=365 * 24 * 3600,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/lang/<lang>")
def set_language(lang: str) -> Any:
    """Switch the interface language, remember it, and go back to the page."""
    response = redirect(safe_next(request.args.get("next")))  # only our own pages
    if lang in ("da", "en"):
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.get("/join")
def join_by_code() -> Any:
    """Send a typed join code to its phone page."""
    code = normalize_code(request.args.get("code", ""))
    if code is None or get_store().get_workshop(code) is None:
        return render_template("index.html", join_error=True,
                               typed=request.args.get("code", "")), 404
    return redirect(url_for("views.join_page", code=code))


@bp.get("/join/<code>")
def join_page(code: str) -> Any:
    """The participant's phone screen; `?table=<id>` (a table's QR code) chooses that table."""
    workshop = load_workshop(code)
    asked = request.args.get("table")
    if code != workshop.code:
        return redirect(url_for("views.join_page", code=workshop.code, table=asked))
    table = find_table(workshop, asked)
    page = make_response(render_template(
        "join.html", workshop=workshop, max_length=MAX_IDEA_LENGTH, table=table,
        unknown_table=asked is not None and table is None,
        has_tables=bool(get_store().tables(workshop.id))))
    shared = current_app.extensions["facilitation.coordination"]
    if (device_of(request.cookies.get(DEVICE_COOKIE)) is None
            and shared.allow(f"devices:{request.remote_addr}", DEVICE_RATE, DEVICE_BURST)):
        page.set_cookie(DEVICE_COOKIE, new_device_cookie(), max_age=365 * 24 * 3600,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return page


@bp.get("/w/<code>/wall")
def wall(code: str) -> str:
    """The projector screen: QR code, question, counts and the live ideas, in the workshop's language;
    a table's wall (`?table=`) shows that table's QR code."""
    workshop = load_workshop(code)
    g.workshop_language = request.args.get("lang") or workshop.language
    refresh()
    table = find_table(workshop, request.args.get("table"))
    return render_template("wall.html", workshop=workshop, links=links(workshop, table), table=table,
                           outcome_url=f"{public_url()}/w/{workshop.code}/outcome")


@bp.get("/w/<code>/facilitate")
def facilitate(code: str) -> Any:
    """The facilitator console; a ?token= link is moved into a cookie and dropped from the URL."""
    workshop = load_workshop(code)
    token = request.args.get("token")
    if token is not None:
        if not facilitator_token_ok(workshop, token):
            return render_template("forbidden.html", workshop=workshop), 403
        return remember_facilitator(redirect(url_for("views.facilitate", code=workshop.code), 303),
                                    workshop, token)
    if not is_facilitator(workshop):
        return render_template("forbidden.html", workshop=workshop), 403
    reopen = url_for("views.facilitate", code=workshop.code,
                     token=request.cookies.get(facilitator_cookie(workshop.code)))
    return render_template("facilitate.html", workshop=workshop, links=links(workshop),
                           reopen_url=public_url() + reopen)


@lru_cache(maxsize=256)
def qr_svg(data: str) -> bytes:
    """The QR code for an address, as SVG paths (no image library needed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string()  # type: ignore[no-any-return]


@bp.get("/w/<code>/qr.svg")
def qr(code: str) -> Response:
    """The workshop's join address as a QR code; `?table=<id>`: that table's join address."""
    workshop = load_workshop(code)
    table = find_table(workshop, request.args.get("table"))
    if table is None and "table" in request.args:
        abort(404)
    return Response(qr_svg(links(workshop, table)["join_url"]), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-cache"})


@bp.get("/w/<code>/export.<fmt>")
def export_file(code: str, fmt: str) -> Any:
    """Download everything of a workshop, for its facilitator only."""
    workshop = load_workshop(code)
    if fmt not in export.FORMATS:
        abort(404)
    if not is_facilitator(workshop):
        raise Unauthorized("unauthorized", N_("The facilitator token is required to export."))
    mimetype, render = export.FORMATS[fmt]
    rows = export.read_rows(get_store(), workshop.id)
    if fmt == "xlsx":  # the spreadsheet's headings and sheet names follow the interface language
        body = export.to_xlsx(rows, gettext=_)
    else:
        body = render(rows)
    filename = f"idea-factory-{workshop.code}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/w/<code>/report")
def report(code: str) -> Any:
    """A printable report of the workshop (questions, counts, themes, results), for its facilitator."""
    workshop = load_workshop(code)
    if not is_facilitator(workshop):
        raise Unauthorized("unauthorized", N_("The facilitator token is required for the report."))
    data = export.build_report(export.read_rows(get_store(), workshop.id))
    return render_template("report.html", report=data), 200, {"Cache-Control": "no-store"}


@bp.post("/api/workshops")
def api_create() -> Any:
    """Create a workshop from JSON `{"title", "prompt"}`."""
    if not creation_allowed():
        raise RateLimited("rate_limited", N_("Too many workshops created from here. Wait a minute."))
    if admin_required() and not is_admin():
        raise Unauthorized("unauthorized", N_(
            "Creating workshops needs the organiser password (Authorization: Bearer <password>)."))

    payload = request.get_json(silent=True)  # a body over the limit is 413 here, before the command

    def create() -> commands.Result:
        workshop, token = commands.create_workshop(get_store(), payload)
        url = links(workshop)
        return {"code": workshop.code, "facilitator_token": token, **url,
                "facilitator_url": f"{url['facilitator_url']}?token={token}"}, []
    return http_answer(*dispatcher().answer(None, create, None, "create_workshop"), created=True)


@bp.get("/api/workshops/<code>")
def api_snapshot(code: str) -> Any:
    """A workshop's current state; hidden ideas only for its facilitator."""
    workshop = load_workshop(code)
    facilitator = is_facilitator(workshop)
    if not facilitator:
        dispatcher().admit_snapshot()
    shared = snapshots.snapshot(get_store(), workshop, "facilitator" if facilitator else "wall")
    return Response(shared.json(), mimetype="application/json")


@bp.get("/api/workshops/<code>/results")
def api_results(code: str) -> Any:
    """One question's ideas and themes ranked by dots (`?prompt_id=`, default the active question):
    for everyone once results are shown, for the facilitator always."""
    workshop = load_workshop(code)
    raw = request.args.get("prompt_id")
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise CommandError("invalid", N_("prompt_id must be the number of one of the questions."))
    facilitator = is_facilitator(workshop)

    def rank() -> commands.Result:
        return commands.results(get_store(), workshop, facilitator, None if raw is None else int(raw)), []
    return http_answer(*dispatcher().answer(None, rank, None, "results"))
