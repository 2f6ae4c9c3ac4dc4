"""compose.yaml agrees with itself and with the image: the app trusts the proxy's address only, no
secret on a command line, and every file it mounts is in the repository."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_is_consistent() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "redis", "proxy"}
    app, proxy = services["app"], services["proxy"]
    proxy_address = proxy["networks"]["internal"]["ipv4_address"]
    command = app["command"]
    assert command[command.index("--trusted-proxy") + 1] == proxy_address
    assert not any("password" in part.lower() and part != "--admin-password-file" for part in command)
    assert "ADMIN_PASSWORD" in app["environment"]
    assert command[command.index("--message-queue") + 1].startswith("redis://redis:")
    assert all(service["image"] == "${IMAGE:-localhost/idea-factory:latest}" for service in services.values())
    for mount in proxy["volumes"]:
        assert (ROOT / mount.split(":")[0]).exists(), mount
    assert "server app:5000;" in (ROOT / "deploy/compose/nginx.conf").read_text()
    assert "data:/data" in app["volumes"]
