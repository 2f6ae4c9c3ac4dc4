"""What the server needs from the machine at start-up: its LAN address and enough file handles."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

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


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard limit: each phone holds a socket."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft
