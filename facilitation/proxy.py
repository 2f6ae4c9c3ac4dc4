"""Who the client is behind a reverse proxy: `X-Forwarded-For` and `X-Forwarded-Proto` are believed
only from trusted proxies (`--trusted-proxy`), or from the workers' own HAProxy, which proves itself
with a per-run secret header instead of an address any local user could connect from."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
BALANCER_HEADER = "HTTP_X_IDEA_FACTORY_BALANCER"  # X-Idea-Factory-Balancer, set by workers.py's HAProxy
FORWARDED = "facilitation.forwarded"  # environ key: the request came through a proxy
# Over HTTPS, browsers keep to HTTPS for a year; subdomains are the municipality's own business.
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def networks(addresses: Iterable[str]) -> list[Network]:
    """`--trusted-proxy` values (addresses or CIDR blocks) as networks; ValueError names a bad one."""
    found = []
    for address in addresses:
        try:
            found.append(ipaddress.ip_network(address.strip(), strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxy {address!r} is not an IP address or CIDR block") from None
    return found


def within(address: str, trusted: list[Network]) -> bool:
    """Whether an address (as a proxy writes it) lies in one of the trusted networks."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:10.0.0.1 from a dual-stack socket
        ip = ip.ipv4_mapped
    return any(ip in network for network in trusted)


class TrustedProxy:
    """WSGI middleware, outermost: the client's address and scheme from trusted proxies' headers.

    The forwarded-for chain is read from the right, skipping trusted proxies, as nginx's
    `real_ip_recursive` does: a client cannot pose as someone else by sending its own header, since
    the first address no trusted proxy vouches for is the one used. Every request that came through a
    proxy is marked `facilitation.forwarded`, so the own-machine exemption never covers it."""

    def __init__(self, app: Callable[..., Any], trusted: list[Network], balancer_secret: str | None) -> None:
        self.app, self.trusted, self.balancer_secret = app, trusted, balancer_secret
        self.warned = False

    def from_balancer(self, environ: dict[str, Any]) -> bool:
        """Whether the workers' own HAProxy sent this request (its secret, compared in constant time)."""
        sent = environ.pop(BALANCER_HEADER, "")  # never passed on, so never logged
        return bool(self.balancer_secret and sent) and hmac.compare_digest(
            sent.encode(), str(self.balancer_secret).encode())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR") or ""
        # A worker believes only its balancer (by the secret), never an address: any local user
        # can connect from 127.0.0.1 to a worker's port.
        balancer = self.from_balancer(environ)
        if balancer or (not self.balancer_secret and within(peer, self.trusted)):
            self.forwarded(environ, balancer)
        elif "HTTP_X_FORWARDED_FOR" in environ and not (self.warned or self.balancer_secret):
            self.warned = True
            log.warning("A request from %s carries X-Forwarded-For: if that is your reverse proxy,"
                        " name it with --trusted-proxy, or every client looks like the proxy", peer)
        if environ.get("wsgi.url_scheme") == "https":
            return self.app(environ, secure_responses(start_response))
        return self.app(environ, start_response)

    def forwarded(self, environ: dict[str, Any], balancer: bool) -> None:
        """Set the client's address and scheme from a trusted hop's headers. The request counts as
        forwarded when it passed a proxy named by --trusted-proxy; the workers' own balancer is part
        of this server and reports the true peer, which may be this machine."""
        chain = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        client, vouched = environ.get("REMOTE_ADDR") or "", not balancer
        while chain:
            client = chain.pop()
            if not within(client, self.trusted):
                break
            vouched = True  # this hop is a named proxy: believe what it says of the one before
        proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
        if vouched and proto in ("http", "https"):
            environ["wsgi.url_scheme"] = proto
        environ["REMOTE_ADDR"] = client.strip("[]")
        environ[FORWARDED] = vouched


def secure_responses(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """start_response for a request that arrived over HTTPS: every cookie Secure, and HSTS."""

    def secured(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
        headers = [(name, value + "; Secure" if name.lower() == "set-cookie"
                    and "; secure" not in value.lower() else value) for name, value in headers]
        if not any(name.lower() == HSTS[0].lower() for name, _ in headers):
            headers.append(HSTS)
        return start_response(status, headers, *rest)
    return secured
