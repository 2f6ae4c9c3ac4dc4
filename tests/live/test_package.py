"""The wheel as an IT department installs it: built from the repository, installed into a fresh
virtual environment, and the installed `idea-factory` serving every screen from another folder."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, free_port

# What a wheel is built from: the repository's files, not a developer's runtime leftovers.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "data", "build", "dist", "test-artifacts",
                                     "*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel built from a copy of the repository (and its
    dependencies); its bin folder."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"),
                    str(source)], check=True, timeout=300)
    wheel = next((base / "dist").glob("idea_factory-*.whl"))
    subprocess.run(["python3", "-m", "venv", str(base / "venv")], check=True, timeout=120)
    subprocess.run([str(base / "venv/bin/pip"), "install", "-q", str(wheel)], check=True, timeout=600)
    return base / "venv/bin"


def test_the_wheel_carries_the_screens_inside_the_package(installed: Path) -> None:
    found = subprocess.run(
        [str(installed / "python"), "-c",
         "import facilitation, pathlib; p = pathlib.Path(facilitation.__file__).parent;"
         "print(p); print(*sorted(q.name for q in p.iterdir()))"],
        cwd=installed, capture_output=True, text=True, check=True).stdout.split("\n")
    assert found[0].startswith(str(installed.parent)), found  # the venv's copy, not the checkout
    assert {"templates", "static", "translations"} <= set(found[1].split())
    package = Path(found[0])
    assert (package / "templates/error.html").is_file()
    assert (package / "translations/da/LC_MESSAGES/messages.mo").is_file()
    assert (package / "static/vendor/socket.io.min.js").is_file()


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The installed command serving from an empty folder far from the checkout; its URL."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    port = free_port()
    log = open(elsewhere / "server.log", "wb")
    proc = subprocess.Popen([str(installed / "idea-factory"), "--host", "127.0.0.1", "--port", str(port),
                             "--data-dir", "service-data"], cwd=elsewhere, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            requests.get(url + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)  # polling the start with a deadline
    assert proc.poll() is None, (elsewhere / "server.log").read_text()
    yield url
    proc.terminate()
    proc.wait(20)
    log.close()
    assert (elsewhere / "service-data/facilitation.db").is_file()


def test_the_installed_command_serves_every_screen_from_another_folder(served: str) -> None:
    home = requests.get(served + "/", headers={"Accept-Language": "da"}, timeout=10)
    assert home.status_code == 200 and "<html" in home.text
    assert "Deltag i en workshop" in home.text  # the Danish catalogue came with the wheel
    created = requests.post(served + "/api/workshops", json={"title": "Pakken", "prompt": "Virker den?"},
                            timeout=10)
    assert created.status_code == 201, created.text
    code, token = created.json()["code"], created.json()["facilitator_token"]
    console = requests.Session()  # the facilitator: the token link puts the token in a cookie
    pages = [f"/join/{code}", f"/w/{code}/wall", f"/w/{code}/facilitate?token={token}",
             f"/w/{code}/print", f"/w/{code}/qr.svg", f"/w/{code}/report", f"/w/{code}/export.xlsx"]
    for page in pages:
        response = console.get(served + page, timeout=30)
        assert response.status_code == 200, (page, response.text[:300])
    assert requests.get(served + "/no-such-page", timeout=10).status_code == 404  # error.html renders
    wall = requests.get(served + f"/w/{code}/wall", timeout=10).text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', wall)
    assert any(a.endswith(".css") or ".css?" in a for a in assets) and any(".js" in a for a in assets)
    for asset in assets:
        response = requests.get(served + asset, timeout=10)
        assert response.status_code == 200 and response.content, asset
