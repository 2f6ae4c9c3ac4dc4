"""The tested TLS set-up of docs/deploy.md: Debian's nginx with deploy/nginx/idea-factory.conf and a
self-signed certificate in front of `--workers 2`, driven by chromium: a phone, the wall and the
console over WebSocket (wss://), and the reference socket.io client over long-polling."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.pages import PHONE, PROJECTOR, cards, expect, my_ideas, online, post_from_phone
from tests.servers import ROOT, Workers, free_port, require

SITE = ROOT / "deploy" / "nginx" / "idea-factory.conf"
CONSOLE = {"viewport": {"width": 1440, "height": 900}, "locale": "da-DK"}
TLS = {"ignore_https_errors": True}  # the certificate is self-signed for this test


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def nginx_config(folder: Path, app_port: int, https_port: int, http_port: int) -> Path:
    """The deploy file as shipped, on test ports and the test certificate, in a minimal nginx.conf."""
    cert, key = certificate(folder)
    site = SITE.read_text()
    for shipped, here in [("server 127.0.0.1:5000;", f"server 127.0.0.1:{app_port};"),
                          ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                          ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                          ("/etc/ssl/certs/idea-factory.pem", str(cert)),
                          ("/etc/ssl/private/idea-factory.key", str(key))]:
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = folder / "nginx.conf"
    config.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  {temp}
{site}
}}
""")
    return config


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def behind_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workers, str, int, Path]]:
    """nginx (TLS) -> HAProxy -> two workers; the HTTPS base URL, nginx's plain-HTTP port and the
    certificate."""
    for program in ("nginx", "redis-server", "haproxy", "openssl"):
        require(program)
    folder = tmp_path_factory.mktemp("tls")
    https_port, http_port = free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    server = Workers(folder / "data", "gevent", "--workers", "2", "--trusted-proxy", "127.0.0.1",
                     "--public-url", base)
    server.start(timeout=90)
    config = nginx_config(folder, server.port, https_port, http_port)
    nginx = subprocess.Popen(["nginx", "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(config),
                              "-g", "daemon off;"])
    deadline = time.monotonic() + 30
    while not listening(https_port):
        assert nginx.poll() is None, (folder / "error.log").read_text()
        assert time.monotonic() < deadline, "nginx did not start"
        time.sleep(0.1)  # start-up poll with a deadline
    yield server, base, http_port, folder / "cert.pem"
    nginx.terminate()
    nginx.wait(20)
    server.stop()


def test_phone_wall_and_console_work_through_the_tls_proxy(behind_tls: tuple[Workers, str, int, Path],
                                                          new_page: Callable[..., Any], shots: Path) -> None:
    server, base, http_port, cert = behind_tls
    plain = requests.get(f"http://127.0.0.1:{http_port}/join", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    created = requests.post(base + "/api/workshops", json={"title": "Borgermøde", "prompt": "Hvad nu?"},
                            verify=str(cert), timeout=10)
    assert created.status_code == 201
    workshop = created.json()
    assert workshop["join_url"].startswith(base + "/join/")  # the QR code points at HTTPS

    sockets: list[str] = []

    def opened(url: str | None = None, **options: Any) -> Any:
        page = new_page(None, **options, **TLS)
        page.on("websocket", lambda ws: sockets.append(ws.url))
        if url:
            response = page.goto(url)
            assert response.headers["strict-transport-security"].startswith("max-age=")
        return page

    console = opened(workshop["facilitator_url"], **CONSOLE)
    wall = opened(workshop["wall_url"], **PROJECTOR)
    phone = opened(workshop["join_url"], **PHONE)
    for page in (console, wall, phone):
        online(page)
    assert len(sockets) >= 3 and all(url.startswith(f"wss://127.0.0.1:{base.rsplit(':', 1)[1]}/socket.io/")
                                     for url in sockets), sockets
    cookies = phone.context.cookies()
    assert cookies and all(cookie["secure"] for cookie in cookies), cookies

    post_from_phone(phone, "Cykelstier til skolen")
    expect(my_ideas(phone, "Cykelstier til skolen")).not_to_have_class("pending")
    expect(cards(wall, "Cykelstier til skolen")).to_have_count(1)
    expect(cards(console, "Cykelstier til skolen")).to_have_count(1)

    # The reference socket.io client (the page's own) over long-polling only, through the proxy.
    polling = opened(workshop["join_url"], **PHONE)  # a page that loads the vendored client
    ack = polling.evaluate("""code => new Promise((resolve, reject) => {
        const socket = io({transports: ["polling"], forceNew: true});
        socket.on("connect_error", reject);
        socket.emit("join", {code}, joined => {
          if (!joined.ok) return reject(JSON.stringify(joined));
          socket.emit("post_idea", {text: "Flere bænke i parken", client_id: "poll-1"}, posted =>
            resolve({posted, transport: socket.io.engine.transport.name}));
        });
      })""", workshop["code"])
    assert ack["posted"]["ok"] and ack["transport"] == "polling", ack
    expect(cards(wall, "Flere bænke i parken")).to_have_count(1)
    expect(cards(console, "Flere bænke i parken")).to_have_count(1)
    for name, page in (("phone-390", phone), ("wall-1920", wall), ("console-1440", console)):
        page.screenshot(path=str(shots / f"tls-{name}.png"))
