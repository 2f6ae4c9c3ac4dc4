"""Defences every HTTP request shares: security headers, CSRF on forms, a limit on guessing secrets,
safe redirect targets, and no secrets in logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable

from flask import Flask, Response, abort, request, session

from .proxy import FORWARDED

# Pages load scripts, styles and images from this server only, run no inline script, and may not be
# framed: a stranger's page cannot run code in ours or overlay the console (clickjacking).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "no-referrer",  # a console URL never travels to another site
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Pages and downloads that carry a facilitator's or organiser's data: never kept by a browser cache.
PRIVATE_ENDPOINTS = {"views.facilitate", "views.report", "views.export_file", "views.api_create",
                     "organiser.admin", "organiser.login"}
# Wrong secrets (organiser password, facilitator token) per client address: a person who mistypes
# gets several tries; a script gets one guess every 20 s, ~4,300 a day, against a password.
SECRET_RATE, SECRET_BURST = 1 / 20, 10
MAX_TRACKED_ADDRESSES = 10_000


class SecretThrottle:
    """Failed attempts at a secret per address: while an address has none left, every request of
    it that presents a secret is refused before the secret is even compared.

    Each process keeps its own count, and every failure is also taken from one bucket shared by
    all worker processes (`shared(key, rate, burst) -> allowed`, the coordination's `allow`), which
    every process reads before it compares a secret (`peek`, the coordination's `has`): with N
    workers a guesser gets the budget of one process, whichever worker it picks."""

    def __init__(self, rate: float = SECRET_RATE, burst: int = SECRET_BURST,
                 shared: Callable[[str, float, int], bool] | None = None,
                 peek: Callable[[str, float, int], bool] | None = None) -> None:
        self.rate, self.burst, self.shared, self.peek = rate, burst, shared, peek
        self.spent: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def _tokens(self, address: str, now: float) -> float:
        tokens, at = self.spent.get(address, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - at) * self.rate)

    def blocked(self, address: str) -> bool:
        """Whether this address has used up its wrong guesses for now, here or in all processes."""
        if self._tokens(address, time.monotonic()) < 1:
            return True
        return self.peek is not None and not self.peek(f"secret:{address}", self.rate, self.burst)

    def failed(self, address: str) -> None:
        """Count one wrong secret from this address."""
        now = time.monotonic()
        if len(self.spent) >= MAX_TRACKED_ADDRESSES:  # a flood of addresses cannot grow memory
            self.spent = {a: v for a, v in self.spent.items() if self._tokens(a, now) < self.burst}
        tokens = self._tokens(address, now) - 1
        if self.shared is not None and not self.shared(f"secret:{address}", self.rate, self.burst):
            tokens = 0.0  # the other processes' failures used the budget up
        self.spent[address] = (tokens, now)


def throttle() -> SecretThrottle:
    """The application's secret throttle, sharing its count with the other worker processes."""
    from flask import current_app

    found: SecretThrottle = current_app.extensions["facilitation.secret_throttle"]
    if found.shared is None and "facilitation.coordination" in current_app.extensions:
        found.shared = current_app.extensions["facilitation.coordination"].allow
        found.peek = current_app.extensions["facilitation.coordination"].has
    return found


def guard_secret() -> None:
    """Refuse (429) a request that presents a secret from an address that guessed wrong too often."""
    if throttle().blocked(request.remote_addr or ""):
        abort(429)


def secret_failed() -> None:
    """Count a presented secret that matched nothing."""
    throttle().failed(request.remote_addr or "")


def own_machine() -> bool:
    """Whether the request comes from the server's own machine (the operator's: exempt from the
    creation and join limits). Never for a request that came through a proxy: behind one, every
    phone would otherwise be 127.0.0.1 (see proxy.py)."""
    return request.remote_addr in (None, "127.0.0.1", "::1") and not request.environ.get(FORWARDED)


DEVICE_COOKIE = "device"
# New participants per client address. A hall of 2,000 behind one NAT joins within a couple of
# minutes from browsers that loaded the join page, which gives each a signed device cookie; a
# script that skips the page (no cookie) gets far fewer. A device's participant is found again by
# its cookie, so re-joining without the token neither adds a participant nor resets an allowance.
JOIN_RATE, JOIN_BURST = 20.0, 1000
BARE_JOIN_RATE, BARE_JOIN_BURST = 0.5, 30
DEVICE_RATE, DEVICE_BURST = 20.0, 1000  # device cookies handed out per address
# A hall's pace of newcomers from one address: on a venue LAN each phone has an address of its
# own, and a table sharing a hotspot is a few. Newcomers past it (585 participants from one
# laptop, a script's 30 identities) are held: their ideas wait for moderation and their dots do
# not count until the facilitator lets them in with one click (or turns them away).
NEWCOMER_RATE, NEWCOMER_BURST = 0.5, 10
# Whole snapshots for walls per address (a wall's join, a wall's `sync` answered with a snapshot,
# GET /api/workshops/<code>) and for phones per participant (a `sync` answered with one; a phone's
# join is held to the join limits); facilitators are not counted. A hall has a few walls, and a
# phone needs a snapshot only after missing much; two viewers asking 20 a second each (~400 KB
# each in a 1,000-idea workshop) held up everyone else by seconds.
SNAPSHOT_RATE, SNAPSHOT_BURST = 2.0, 10
PHONE_SNAPSHOT_RATE, PHONE_SNAPSHOT_BURST = 0.5, 5


def _device_signature(device: str) -> str:
    from flask import current_app

    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"device:" + device.encode(), hashlib.sha256).hexdigest()[:32]


def new_device_cookie() -> str:
    """A fresh device id signed by this server, for the browser's `device` cookie."""
    device = secrets.token_urlsafe(18)
    return f"{device}.{_device_signature(device)}"


def device_of(cookie: str | None) -> str | None:
    """The device id a `device` cookie holds, if this server signed it; else None."""
    if not cookie or cookie.count(".") != 1:
        return None
    device, signature = cookie.split(".")
    return device if hmac.compare_digest(signature, _device_signature(device)) else None


def csrf_token() -> str:
    """The token a state-changing form must send back, so another site (or another port on this
    host, which SameSite does not stop) cannot post it with the visitor's cookies."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


def check_csrf() -> None:
    """Refuse a cookie-authenticated POST without this session's CSRF token (form field `csrf` or
    header `X-CSRF-Token`). The JSON API is exempt: its JSON body cannot be sent cross-origin
    without a CORS preflight, which this server never grants; a Bearer header is never sent by a
    browser on its own."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    kept = session.get("csrf", "")
    if not sent or not kept or not secrets.compare_digest(str(sent), str(kept)):
        abort(400)


# Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil" means "//evil".
SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*")


def safe_next(target: str | None) -> str:
    """A redirect target that stays on this server: a plain path, else the home page."""
    if target and SAFE_PATH.fullmatch(target):
        return target
    return "/"


class RedactTokens(logging.Filter):
    """Blank out `token=...` in request log lines (the threading server logs every URL)."""

    PATTERN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = self.PATTERN.sub(r"\1[hidden]", str(record.msg))
        return True


def add_headers(response: Response) -> Response:
    """Security headers on every response; no caching of private pages."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    """Wire the defences into an application."""
    app.extensions["facilitation.secret_throttle"] = SecretThrottle()
    app.before_request(check_csrf)
    app.after_request(add_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    logging.getLogger("werkzeug").addFilter(RedactTokens())


def json_wanted() -> bool:
    """Whether an error on this request is answered as JSON: the API, the import endpoint and the
    exports (downloads, which scripts fetch as well as people)."""
    path = request.path
    return path.startswith("/api/") or path.endswith("/import") or "/export." in path
