"""Idea Factory: live idea-generation workshops, self-hosted."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from flask_babel import Babel, get_locale, gettext
from flask_socketio import SocketIO

from . import dates
from .coordination import coordination
from .errors import CommandError, field_term
from .launch import private_data_dir
from .snapshots import SharedJSON
from . import compression, limits, security
from . import scripts
from .metrics import timed_commits, watch_vacuum
from .proxy import TrustedProxy, networks
from .store import Store, connect

socketio = SocketIO()
babel = Babel()
LANGUAGES = ("da", "en")

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "data",
    "DATABASE": None,  # a postgresql:// URL shared by several hosts; None: SQLite in DATA_DIR
    "PUBLIC_URL": None,
    "ASYNC_MODE": None,  # None lets Flask-SocketIO pick; app.py always sets it explicitly
    "MAX_MESSAGE_BYTES": 64 * 1024,
    "BABEL_DEFAULT_LOCALE": "da",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",  # dates on pages and in reports
    "ADMIN_PASSWORD": None,   # guards /admin and creating workshops when set
    "RETENTION_DAYS": None,   # closed workshops idle this long are deleted
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # uploads (paper imports) and form posts
    "SESSION_COOKIE_SAMESITE": "Lax",
    "BABEL_TRANSLATION_DIRECTORIES": None,  # the package's own translations/ (see resource_folder)
    # How CPU-heavy work (theme suggestions) runs; app.py hands in its async mode's thread pool.
    "RUN_BLOCKING": lambda function, *args: function(*args),
    # Several worker processes share rooms, coalescing and rate limits through this Redis URL.
    "MESSAGE_QUEUE": None,
    # Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For/-Proto are believed
    # (`--trusted-proxy`); workers also believe their own HAProxy, which sends BALANCER_SECRET.
    "TRUSTED_PROXIES": (),
    "BALANCER_SECRET": None,
    "METRICS_FROM": (),  # addresses or CIDR blocks besides this machine that may read /metrics
    "MAX_PARTICIPANTS": 20000,  # new participants per workshop; returning ones always get back in
    "MAX_IDEAS": 20000,  # ideas per workshop (posted and imported)
}


def refusal(code: str, field: str, **values: Any) -> str:
    """An error code's message about a text `field` in the page's language, for a script that
    refuses before sending (the same words the server's refusal has)."""
    return CommandError(code, field=field_term(field), **values).render(gettext)


def select_locale() -> str:
    """The wall's workshop language; else the one chosen on the page (a cookie), else the
    browser's, else Danish."""
    if getattr(g, "workshop_language", None) in LANGUAGES:
        return str(g.workshop_language)
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "da"


def serve_vacuum(vacuum: Any, server: SocketIO, run_blocking: Any) -> None:
    """Run the store's vacuum worker as a green task of the async mode, and its rewrite in the
    thread pool where psycopg would hold the event loop (eventlet: it waits in C there)."""
    vacuum.spawn = server.start_background_task
    if server.async_mode == "eventlet":
        vacuum.offload = run_blocking


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, store, pages and the Socket.IO namespace."""
    app = Flask(__name__, template_folder=resource_folder("templates"),
                static_folder=resource_folder("static"))
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    if not app.config["BABEL_TRANSLATION_DIRECTORIES"]:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = resource_folder("translations")
    data_dir = Path(app.config["DATA_DIR"])
    private_data_dir(data_dir)
    store = app.extensions["facilitation.store"] = Store(connect(database(app.config)))
    private_data_dir(data_dir)  # the database files it may just have made
    # SQLite's disk syncs (commits, checkpoints) run off the event loop; psycopg waits
    # cooperatively (gevent) by itself.
    run = app.config["RUN_BLOCKING"] if store.blocking else (lambda function, *args: function(*args))
    store.run_blocking, store.run_commit = run, timed_commits(run)
    store.max_ideas = app.config["MAX_IDEAS"]
    if not app.config.get("SECRET_KEY"):
        # Hosts sharing a PostgreSQL database share the key too: a cookie signed on one is good on all.
        app.config["SECRET_KEY"] = (secret_key(data_dir) if store.blocking
                                    else store.setting("secret_key", lambda: secrets.token_hex(32)))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["refusal"] = refusal
    dates.init_app(app)

    from .dispatch import Dispatcher
    from .organiser import bp as organiser
    from .outcome import bp as outcome
    from .printing import bp as printing
    from .realtime import WorkshopNamespace
    from .service import bp as service
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(organiser)
    app.register_blueprint(printing)
    app.register_blueprint(service)
    app.register_blueprint(outcome)
    version_static_files(app)
    scripts.install(app)  # before security: its CSP is set first, then allows the import map
    compression.install(app)
    security.install(app)
    register_errors(app)
    queue = app.config["MESSAGE_QUEUE"]
    limits.bound_send_queues()
    if cut_dropped not in limits.DROP_HOOKS:
        limits.DROP_HOOKS.append(cut_dropped)
    limits.ping_with_timers()
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"],
                      max_http_buffer_size=app.config["MAX_MESSAGE_BYTES"],
                      ping_interval=limits.PING_INTERVAL, ping_timeout=limits.PING_TIMEOUT,
                      json=SharedJSON,  # a snapshot encoded once goes to every client as it is
                      client_manager=message_queue(queue))
    if store.vacuum is not None:  # PostgreSQL: the rewrite after erasures
        watch_vacuum(store.vacuum)
        serve_vacuum(store.vacuum, socketio, app.config["RUN_BLOCKING"])
    limits.refuse_binary(socketio.server)
    limits.count_queued_bytes(socketio.server.eio)
    app.extensions["facilitation.coordination"] = coordination(socketio, queue)
    dispatcher = app.extensions["facilitation.dispatcher"] = Dispatcher(socketio)
    namespace = app.extensions["facilitation.namespace"] = WorkshopNamespace(socketio, dispatcher)
    socketio.on_namespace(namespace)
    namespace.register_commands()
    # Outermost, so Socket.IO handshakes see the phone's address too, not the proxy's.
    app.wsgi_app = TrustedProxy(app.wsgi_app,  # type: ignore[method-assign]
                                networks(app.config["TRUSTED_PROXIES"]), app.config["BALANCER_SECRET"])
    return app


def resource_folder(name: str) -> str:
    """Where the screens' `templates`, `static` or `translations` are: inside the package when
    installed from a wheel (setup.py copies them there), else the checkout's top-level folder."""
    package = Path(__file__).resolve().parent
    inside = package / name
    return str(inside if inside.is_dir() else package.parent / name)


def cut_dropped(eio_socket: Any) -> None:
    """A connection dropped for reading too slowly: cut its TCP connection now (servers.py)."""
    from .servers import cut

    cut(getattr(socketio.server, "environ", {}).get(eio_socket.sid))


def message_queue(url: str | None) -> Any:
    """The client manager: rooms indexed by client (see rooms.py), shared through Redis for
    `redis://` and `unix://` URLs (Flask-SocketIO's own choice would send a Unix socket URL to
    Kombu)."""
    from .rooms import RedisRooms, Rooms

    if not url:
        return Rooms()
    return RedisRooms(url, channel="flask-socketio")


def version_static_files(app: Flask) -> None:
    """Give every static URL its content's hash, so phones cache files for a year and reload them
    only when they change: no revalidation requests over a crowded venue Wi-Fi."""
    static = Path(app.static_folder or "static")

    @lru_cache(maxsize=None)
    def version(filename: str) -> str:
        path = static / filename
        return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["v"] = version(values["filename"])

    app.get_send_file_max_age = (  # type: ignore[method-assign]
        lambda name: 365 * 24 * 3600 if request.args.get("v") else None)


def database(config: dict[str, Any]) -> str | Path:
    """The live database: the PostgreSQL URL given, else the SQLite file in the data folder."""
    return config.get("DATABASE") or Path(config["DATA_DIR"]) / "facilitation.db"


def secret_key(data_dir: Path) -> str:
    """The key that signs the organiser's session: made once, kept beside the database."""
    path = data_dir / "secret_key"
    key = path.read_text().strip() if path.exists() else ""
    if not key:  # missing, or left empty by a full disk or an editor: make a new one
        key = secrets.token_hex(32)
        path.touch(mode=0o600)
        path.write_text(key)
    return key


def register_errors(app: Flask) -> None:
    """One handler maps every refusal, raised by a view or by Flask, to its response: JSON for the
    API, imports and exports, a friendly page for people; never a stack trace."""

    from .dispatch import error_response
    from .errors import N_, CommandError

    def handle(error: CommandError) -> Any:
        if security.json_wanted():
            return error_response(error)
        return render_template("error.html", status=error.status), error.status

    app.register_error_handler(CommandError, handle)
    app.register_error_handler(400, lambda e: handle(CommandError("invalid", N_(
        "The form has expired or the request is not valid. Reload the page and try again."))))
    app.register_error_handler(404, lambda e: handle(CommandError("not_found", N_("Not found."))))
    app.register_error_handler(405, lambda e: handle(CommandError("method_not_allowed")))
    app.register_error_handler(413, lambda e: handle(CommandError("request_too_large")))
    app.register_error_handler(429, lambda e: handle(CommandError("too_many_attempts")))
    app.register_error_handler(500, lambda e: handle(CommandError("server_error")))
