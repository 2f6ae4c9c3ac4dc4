"""What the server needs from the machine at start-up: its LAN address and enough file handles."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path

SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


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


def explain(error: BaseException, data_dir: str, host: str, port: int) -> str:
    """One sentence telling an operator why the server could not start and what to do."""
    import errno
    import sqlite3

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
    if isinstance(error, sqlite3.DatabaseError):
        return (f"the database {data_dir}/facilitation.db is damaged or not an Idea Factory database"
                f" ({error}): restore it from a backup or move it aside.")
    return f"{type(error).__name__}: {error}."
