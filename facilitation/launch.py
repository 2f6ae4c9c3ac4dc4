"""What the server needs from the machine at start-up: its LAN address, enough file handles, a data
folder it can write and a database that is whole."""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import os
import socket
import sqlite3
import struct
import tempfile
import time
from pathlib import Path

SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address
DATABASE = "facilitation.db"


def interface_addresses() -> list[str]:
    """The IPv4 addresses of this machine's network interfaces, read locally (nothing is sent)."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR,
                                     struct.pack("256s", name[:15].encode()))
            except OSError:
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def lan_address() -> str:
    """The address phones on the venue network can reach: a private one if there is one."""
    try:
        candidates = interface_addresses()
    except (OSError, AttributeError):
        candidates = []
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    usable = [a for a in candidates if not ipaddress.ip_address(a).is_loopback]
    private = [a for a in usable if ipaddress.ip_address(a).is_private]
    return (private or usable or ["127.0.0.1"])[0]


def public_url(host: str, port: int, given: str | None) -> str:
    """The base address that QR codes and links use."""
    if given:
        return given.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


DATABASE_FILES = ("facilitation.db", "facilitation.db-wal", "facilitation.db-shm")


def private_data_dir(data_dir: Path) -> None:
    """Make the data folder the server's user's alone (0700) and its database files too (0600):
    another user of the machine reads neither ideas nor erased text left in the write-ahead log.
    SQLite gives -wal and -shm the database file's mode, so that one is set first."""
    import os

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in [data_dir, *(data_dir / name for name in DATABASE_FILES)]:
        try:
            mode = path.stat().st_mode & 0o777
            private = 0o700 if path.is_dir() else 0o600
            if mode & 0o077:
                os.chmod(path, mode & private)
        except FileNotFoundError:
            continue
        except PermissionError:  # a folder the operator gave us but does not let us change
            continue


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard limit: each phone holds a socket."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


class DamagedDatabase(Exception):
    """The database failed SQLite's quick check at start: nothing may write into it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


def check_data_folder(data_dir: Path) -> None:
    """Raise unless the folder and every file the server writes there can be written: a read-only
    folder (a copy left by a crash, a read-only bind mount) would otherwise open, say it is ready,
    and fail every join ("attempt to write a readonly database")."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-test-"):
        pass
    for name in (*DATABASE_FILES, "secret_key"):
        path = data_dir / name
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "not writable", str(path))


def check_database(path: Path) -> float:
    """SQLite's quick check of an existing database, before anything writes into it; raise
    DamagedDatabase if it is not whole. Returns the seconds it took (0.07-0.23 s for 100,000
    ideas: see docs/deploy.md)."""
    started = time.monotonic()
    if not path.exists() or path.stat().st_size == 0:
        return 0.0
    conn = sqlite3.connect(str(path))
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as error:  # not a database at all, or a damaged header
        raise DamagedDatabase(path, str(error)) from error
    finally:
        conn.close()
    if found != ["ok"]:
        raise DamagedDatabase(path, "; ".join(found))
    return time.monotonic() - started


def startup_checks(data_dir: str, database: str | None = None) -> None:
    """Everything about the data folder that must hold before the server opens it (raises); the
    SQLite database's check unless the store is PostgreSQL (`database` a URL)."""
    check_data_folder(Path(data_dir))
    if not database:
        check_database(Path(data_dir) / DATABASE)


def store_mode_warning(mode: str, database: str | None) -> str | None:
    """What the operator must hear at start-up when the async mode cannot wait for the store
    without holding every other connection (eventlet with PostgreSQL), or None."""
    from facilitation.store.core import is_postgres

    if mode != "eventlet" or not is_postgres(database):
        return None
    # psycopg 3 waits on its socket in C unless gevent has patched the process; it does not
    # support eventlet (psycogreen's README), so each query freezes eventlet's loop.
    return ("Warning: --async-mode eventlet with a PostgreSQL store: psycopg does not cooperate with"
            " eventlet, so while a query waits for the database every connection of this process waits"
            " too (a busy vote, or a database that stops answering, stalls the whole host). Start it"
            " with --async-mode gevent (the default) instead; see docs/deploy.md, 'Several machines'.")


def explain(error: BaseException, data_dir: str, host: str, port: int) -> str:
    """One sentence telling an operator why the server could not start and what to do."""
    text = str(error).lower()
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return f"the data folder {data_dir} is a file, not a folder: give --data-dir a folder."
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use: stop the other program or choose another --port."
    if isinstance(error, OSError) and error.errno in (errno.EADDRNOTAVAIL, errno.EACCES) \
            and "bind" not in text and not getattr(error, "filename", None):
        return f"this machine cannot listen on {host}:{port}: choose another --host or --port."
    if "disk is full" in text or (isinstance(error, OSError) and error.errno == errno.ENOSPC):
        return f"the disk holding {data_dir} is full: free some space and start again."
    if isinstance(error, PermissionError) or "readonly" in text or "read-only" in text \
            or "unable to open database" in text:
        return (f"the data folder {data_dir} cannot be written to: check its permissions, or choose"
                " another with --data-dir.")
    if isinstance(error, DamagedDatabase):
        return (f"the database {error.path} is damaged ({error.problem}), so it was left untouched:"
                " keep it aside for inspection and restore the last backup (see docs/deploy.md,"
                " 'Backups'), or move it aside to start with an empty one.")
    if isinstance(error, sqlite3.DatabaseError):
        return (f"the database {data_dir}/facilitation.db is damaged or not an Idea Factory database"
                f" ({error}): restore it from a backup or move it aside.")
    return f"{type(error).__name__}: {error}."
