"""Start the Idea Factory server: `python app.py [--host H] [--port P] [--data-dir DIR] ...`."""

from __future__ import annotations

import argparse
import os
import ipaddress
import sys
from pathlib import Path

ASYNC_MODES = ("eventlet", "gevent", "threading")


def options() -> argparse.ArgumentParser:
    """The command-line options (docs/protocol.md, "Command line", documents each)."""
    parser = argparse.ArgumentParser(description="Run the Idea Factory server.")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--data-dir", default="data", help="folder for the SQLite database")
    parser.add_argument("--database", default=os.environ.get("IDEA_FACTORY_DATABASE"),
                        metavar="URL",
                        help="postgresql://[user@]host[:port]/dbname to share with other hosts"
                             " (default: SQLite in --data-dir; or the IDEA_FACTORY_DATABASE"
                             " environment variable, which keeps a password off the command line)")
    parser.add_argument("--public-url",
                        help="base address phones use, e.g. http://192.168.1.20:5000")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="gevent",
                        help="Socket.IO server model (default gevent: faster here, see"
                             " docs/protocol.md, 'Async mode')")
    parser.add_argument("--demo", action="store_true",
                        help="create (once) a demo workshop with sample ideas and print its links")
    parser.add_argument("--max-connections", type=int, default=20000,
                        help="most simultaneous connections the server accepts (default 20000,"
                             " fewer if the open-files limit is lower)")
    parser.add_argument("--max-connections-per-address", type=int, default=2500,
                        help="most simultaneous connections from one client address (default"
                             " 2500; this machine's own are not counted)")
    parser.add_argument("--header-timeout", type=float, default=10,
                        help="seconds a request's line and headers may take to arrive (default 10)")
    parser.add_argument("--admin-password-file", metavar="FILE",
                        help="file holding the organiser password for /admin (when set, also needed"
                             " to create workshops); or set the ADMIN_PASSWORD environment variable")
    parser.add_argument("--admin-password",
                        help="(avoid: every user of the machine sees it in ps) the organiser password")
    parser.add_argument("--secret-key-file", metavar="FILE",
                        help="file holding the key that signs sessions (or IDEA_FACTORY_SECRET_KEY);"
                             " default: one made once in the data folder")
    parser.add_argument("--metrics-from", action="append", default=[], metavar="ADDR",
                        help="address or CIDR block besides this machine that may read /metrics"
                             " (e.g. the Prometheus server); repeatable")
    parser.add_argument("--log-format", choices=("text", "json"), default="text",
                        help="log lines on stderr as text (default) or one JSON object a line")
    parser.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                        help="address or CIDR block of a reverse proxy whose X-Forwarded-For and"
                             " X-Forwarded-Proto are believed; repeat for several (docs/deploy.md)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes serving one address (default 1); more than one"
                             " starts HAProxy in front and shares rooms through Redis")
    parser.add_argument("--message-queue",
                        help="Redis URL the workers share (redis://host:port or unix:///path);"
                             " default with --workers > 1: a private redis-server in the data dir")
    parser.add_argument("--max-participants", type=int, default=20000,
                        help="most participants one workshop takes (default 20000)")
    parser.add_argument("--max-ideas", type=int, default=20000,
                        help="most ideas one workshop stores (default 20000)")
    parser.add_argument("--behind-proxy", action="store_true",
                        help="the same as --trusted-proxy 127.0.0.1 --trusted-proxy ::1 (a reverse"
                             " proxy on this machine; kept for older set-ups)")
    parser.add_argument("--no-demo", dest="demo", action="store_false", help=argparse.SUPPRESS)
    parser.add_argument("--idle-timeout", type=float, default=60,
                        help="close a connection that sends nothing for this many seconds (default 60)")
    parser.add_argument("--retention-days", type=int,
                        help="delete closed workshops this many days after their last activity")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command-line options given, checked."""
    parser = options()
    args = parser.parse_args(argv)
    if args.behind_proxy:
        args.trusted_proxy += ["127.0.0.1", "::1"]
    for option, addresses in (("--trusted-proxy", args.trusted_proxy), ("--metrics-from", args.metrics_from)):
        for address in addresses:  # checked here: the package loads only after patch()
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                parser.error(f"{option} {address!r} is not an IP address or CIDR block")
    return args


def patch(mode: str) -> None:
    """Monkey-patch the standard library for the chosen async mode, before anything else loads."""
    if mode == "eventlet":
        import warnings

        # Chosen knowingly (see docs/protocol.md, "Async mode"); say it once in the README, not at every start.
        warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


def thread_pool(mode: str):
    """Run a CPU-bound function in a real OS thread so the event loop keeps serving meanwhile."""
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    if mode == "gevent":
        import gevent

        def in_thread(function, *args):
            # gevent prints an exception raised in its pool before handing it over, and a print
            # that fails (its output on a full disk) leaves the caller waiting forever: hand every
            # outcome over as a value instead, and raise it here.
            outcome = gevent.get_hub().threadpool.apply(caught, (function, *args))
            if isinstance(outcome, Raised):
                raise outcome.error
            return outcome
        return in_thread
    return lambda function, *args: function(*args)


class Raised:
    """An exception a function raised in a pool thread, carried back to its caller."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def caught(function, *args):
    """`function(*args)`, or its exception wrapped in Raised."""
    try:
        return function(*args)
    except BaseException as error:  # handed back to the caller, which raises it
        return Raised(error)


def say(args: argparse.Namespace, text: str, error: bool = False, secret: bool = False) -> None:
    """Tell the operator (facilitation.logs.announce); a line holding a secret (the demo's console
    link) goes to the terminal only, never into a JSON log."""
    if secret and args.log_format == "json":
        return
    from facilitation.logs import announce

    announce(args.log_format, text, error)


def main(argv: list[str]) -> None:
    """Parse options, build the app and serve it until interrupted."""
    if argv[:1] == ["export"]:
        from facilitation.cli import export_main

        sys.exit(export_main(argv[1:]))
    if argv[:1] in (["backup"], ["restore"]):
        from facilitation.backup import backup_main, restore_main

        sys.exit((backup_main if argv[0] == "backup" else restore_main)(argv[1:]))
    if argv[:1] == ["migrate-store"]:
        from facilitation.cli import migrate_main

        sys.exit(migrate_main(argv[1:]))
    args = parse_args(argv)
    if args.workers < 1 or args.max_participants < 1 or args.max_ideas < 1:
        sys.exit("--workers, --max-participants and --max-ideas must be at least 1")
    if args.workers > 1:
        from facilitation.logs import configure
        from facilitation.workers import run

        configure(args.log_format)
        run(argv, args)  # a supervisor: it starts the worker processes, serves nothing itself
        return
    patch(args.async_mode)
    from facilitation.launch import explain
    from facilitation.logs import configure

    configure(args.log_format)  # after patch(): logging's locks are then the async mode's

    try:
        app, listener = start(args)
    except Exception as error:  # each is answered with one sentence, never a traceback
        say(args, f"Idea Factory cannot start: {explain(error, args.data_dir, args.host, args.port)}",
            error=True)
        sys.exit(2)
    serve(app, args, listener)


def start(args: argparse.Namespace):
    """Build the app over the data folder and open the listening socket, or fail before serving."""
    from facilitation import create_app, credentials
    from facilitation.launch import public_url, raise_open_files_limit, startup_checks, store_mode_warning
    from facilitation.servers import connection_cap

    startup_checks(args.data_dir, args.database)
    warning = store_mode_warning(args.async_mode, args.database)
    if warning:
        say(args, warning, error=True)
    open_files = raise_open_files_limit()
    args.max_connections = connection_cap(args.max_connections, open_files)
    base = public_url(args.host, args.port, args.public_url)
    app = create_app({"DATA_DIR": args.data_dir, "DATABASE": args.database,
                      "ASYNC_MODE": args.async_mode,
                      "PUBLIC_URL": base, "RUN_BLOCKING": thread_pool(args.async_mode),
                      "ADMIN_PASSWORD": credentials.admin_password(args.admin_password,
                                                                   args.admin_password_file),
                      "SECRET_KEY": credentials.secret_key(args.secret_key_file),
                      "RETENTION_DAYS": args.retention_days,
                      "MESSAGE_QUEUE": args.message_queue, "TRUSTED_PROXIES": args.trusted_proxy,
                      "BALANCER_SECRET": credentials.balancer_secret(), "METRICS_FROM": args.metrics_from,
                      "MAX_PARTICIPANTS": args.max_participants, "MAX_IDEAS": args.max_ideas})
    from facilitation.backup import hold_data_dir

    app.extensions["facilitation.data_lock"] = hold_data_dir(Path(args.data_dir))  # see restore
    listener = listen(app, args)
    say(args, f"Idea Factory on {base}/ ({args.async_mode}, data in {args.data_dir}/,"
        f" open-files limit {open_files}, at most {args.max_connections} connections)")
    if app.config["ADMIN_PASSWORD"]:
        say(args, f"Organiser page:   {base}/admin")
    if args.demo:
        from facilitation.demo import ensure_demo

        workshop, token = ensure_demo(app.extensions["facilitation.store"], Path(args.data_dir))
        say(args, f"Demo wall:        {base}/w/{workshop.code}/wall")
        say(args, f"Demo facilitator: {base}/w/{workshop.code}/facilitate?token={token}", secret=True)
    from facilitation import socketio
    from facilitation.clustering import warm_up
    from facilitation.memory import start_collector
    from facilitation.metrics import start_sampler
    from facilitation.organiser import start_retention

    start_retention(app, socketio)
    start_collector(app, socketio)
    start_sampler(socketio, app.extensions["facilitation.namespace"])
    # Loading the word tables takes a second or two, and the sentence model must be found (or
    # its absence logged): do both off the event loop now, so the first "Suggest themes" of the
    # day is not the slow one.
    socketio.start_background_task(app.config["RUN_BLOCKING"], warm_up)
    return app, listener


def listen(app, args: argparse.Namespace):
    """Open the listening socket now, so that a busy port is reported before serving starts."""
    from facilitation.limits import limit_eventlet_messages, limit_gevent_frames
    from facilitation.servers import gevent_server

    backlog = 2048  # the default of 50 drops connections when a hall scans the QR code at once
    if args.async_mode == "eventlet":
        import eventlet

        limit_eventlet_messages()
        # socketio.run() cannot set the listen backlog under eventlet, so listen here.
        return eventlet.listen((args.host, args.port), backlog=backlog)
    if args.async_mode == "gevent":
        limit_gevent_frames(app.config["MAX_MESSAGE_BYTES"])
        server = gevent_server(app, args.host, args.port, backlog, args.idle_timeout,
                               args.header_timeout, args.max_connections,
                               args.max_connections_per_address, tuple(args.trusted_proxy))
        server.init_socket()
        return server
    import socket

    with socket.socket() as probe:  # the threading server binds later: see now if it can
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, args.port))
    return None


def serve(app, args: argparse.Namespace, listener) -> None:
    """Serve until interrupted, with room for thousands of phones at once; SIGTERM and SIGINT stop
    gracefully (facilitation/shutdown.py)."""
    from facilitation import shutdown, socketio

    shutdown.install(app, args.async_mode, lambda: stop_listening(args.async_mode, listener))
    try:
        run_server(app, args, listener)
    except OSError:
        if not shutdown.stopping:
            raise
    while shutdown.stopping:  # the listener was closed on purpose: the stop ends the process
        socketio.sleep(1)


def stop_listening(mode: str, listener) -> None:
    """Accept no more connections; those open stay until the graceful stop closes them."""
    if mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.is_accepting = False
        listener.close()
    elif mode == "gevent":
        listener.stop_accepting()
        listener.socket.close()


def run_server(app, args: argparse.Namespace, listener) -> None:
    """The async mode's server loop."""
    from facilitation import socketio

    if args.async_mode == "eventlet":
        import eventlet.wsgi

        from facilitation.servers import eventlet_protocol

        pool = eventlet.GreenPool(args.max_connections)  # the Protocol sees when it is full
        eventlet.wsgi.server(listener, app, custom_pool=pool, log_output=False,
                             socket_timeout=args.idle_timeout,
                             protocol=eventlet_protocol(args.header_timeout,
                                                        args.max_connections_per_address,
                                                        tuple(args.trusted_proxy), pool))
    elif args.async_mode == "gevent":
        listener.serve_forever()
    else:
        socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


def cli() -> None:
    """The `idea-factory` command (pyproject.toml's entry point): the same as `python app.py`."""
    main(sys.argv[1:])


if __name__ == "__main__":
    cli()
