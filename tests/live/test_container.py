"""The image as CI and a municipality without a registry build it: a Debian root from debootstrap,
imported into podman as the base, the Containerfile built over it from the project's wheels, and
the container started: non-root, answering /healthz, serving a phone, its data kept in a volume.

Measured on the 2-core machine under load 13-15: the base (debootstrap, import) ~3 min, the image
build ~2 min, the checks ~25 s; the base image and the built one are kept between runs (`podman rmi
localhost/idea-factory-base:bookworm-<digest>` to make it again), and the image's dependencies have a
layer of their own, so a run with only the project changed rebuilds one small layer."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.servers import ROOT, free_port, require

IMAGE = "localhost/idea-factory:ci"
# What the base holds (the Containerfile installs whatever a base lacks).
PACKAGES = "python3,python3-venv,redis-server,haproxy,nginx-light,ca-certificates,tini"
MIRROR = "http://deb.debian.org/debian"
# The base is kept in podman's store under a tag naming its inputs: a second run on the same machine
# reuses it, and a change of PACKAGES or MIRROR makes a new one.
BASE = "localhost/idea-factory-base:bookworm-" + hashlib.sha256(f"{PACKAGES} {MIRROR}".encode()).hexdigest()[:12]


def podman(*args: str, check: bool = True, timeout: float = 600, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], check=check, capture_output=True, text=True, timeout=timeout,
                          **kwargs)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """podman as these machines run it: runc, and no default ulimits (crun fails on cgroups here)."""
    for program in ("podman", "runc", "debootstrap"):
        require(program)
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text('[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n')
    before = os.environ.get("CONTAINERS_CONF")
    os.environ["CONTAINERS_CONF"] = str(conf)
    yield conf
    if before is None:
        os.environ.pop("CONTAINERS_CONF", None)
    else:
        os.environ["CONTAINERS_CONF"] = before


def base_image() -> None:
    """A minimal Debian bookworm root (debootstrap) imported as the base image, unless kept."""
    if podman("image", "exists", BASE, check=False).returncode == 0:
        return
    # Not under pytest's temporary folders: a concurrent pytest may clean those up meanwhile.
    root = Path(tempfile.mkdtemp(prefix="idea-factory-base-", dir="/var/tmp")) / "root"
    try:
        subprocess.run(["debootstrap", "--variant=minbase", f"--include={PACKAGES}", "bookworm", str(root),
                        MIRROR], check=True, capture_output=True, timeout=900)
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(root / cache, ignore_errors=True)
        with subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE) as tar:
            podman("import", "-", BASE, stdin=tar.stdout)
        assert tar.returncode == 0
    finally:  # an interrupted debootstrap leaves the host's /proc, /sys or /dev mounted in the root
        mounts = [root / m for m in ("dev/pts", "dev", "proc", "sys")]
        for mount in mounts:
            if os.path.ismount(mount):
                subprocess.run(["umount", "-l", str(mount)], check=False)
        if not any(os.path.ismount(mount) for mount in mounts):  # never delete through a mount
            shutil.rmtree(root.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def image(engine: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Containerfile built over the base from a context holding only the project's wheels."""
    folder = tmp_path_factory.mktemp("image")
    base_image()
    context = folder / "context"
    wheels = context / "build" / "wheelhouse"
    # async-timeout: redis needs it on Debian's Python 3.11.2 (not on 3.11.3+, this venv's maybe).
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheels), str(ROOT),
                    "async-timeout"], check=True, timeout=600, capture_output=True)
    shutil.copy(ROOT / ".containerignore", context)
    # As `make image` gives them: the dependencies' layer is reused until their wheels change.
    ours = [p for p in sorted(wheels.glob("*.whl")) if p.name.startswith("idea_factory-")]
    theirs = [p for p in sorted(wheels.glob("*.whl")) if p not in ours]
    digests = {name: hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:16]
               for name, paths in [("DEPENDENCIES", theirs), ("WHEELS", ours)]}
    podman("build", "--build-arg", f"BASE={BASE}", *[f"--build-arg={k}={v}" for k, v in digests.items()],
           "-t", IMAGE, "-f", str(ROOT / "Containerfile"), str(context), timeout=1200)
    podman("image", "prune", "-f", check=False)  # the previous run's image, now untagged
    shutil.rmtree(context, ignore_errors=True)
    yield IMAGE  # kept, as the base is: its layers make the next build quick


def started(image: str, volume: str, port: int, password: str) -> str:
    """A container of the image on 127.0.0.1:port, data in the volume; its name, once /healthz is 200."""
    name = f"i21-idea-factory-{secrets.token_hex(4)}"
    podman("run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:5000", "-v", f"{volume}:/data",
           "-e", "ADMIN_PASSWORD", image, "idea-factory", "--host", "0.0.0.0", "--port", "5000",
           "--data-dir", "/data", "--public-url", f"http://127.0.0.1:{port}", "--log-format", "json",
           env={**os.environ, "ADMIN_PASSWORD": password})
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return name
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            logs = podman("logs", name, check=False)
            podman("rm", "-f", name, check=False)
            raise AssertionError(f"the container did not answer /healthz: {logs.stdout}{logs.stderr}")
        time.sleep(0.5)  # start-up poll with a deadline


@pytest.mark.timeout(1800)  # building the base and the image, cold, takes minutes (see above)
def test_the_image_runs_as_a_non_root_service_with_data_in_a_volume(image: str, peers: Any) -> None:
    volume, password, port = f"i21-data-{secrets.token_hex(4)}", secrets.token_urlsafe(12), free_port()
    podman("volume", "create", volume)
    names: list[str] = []
    try:
        names.append(started(image, volume, port, password))
        url = f"http://127.0.0.1:{port}"
        assert podman("exec", names[-1], "id", "-u").stdout.strip() != "0"
        assert password not in podman("top", names[-1], "args").stdout  # by environment only
        created = requests.post(url + "/api/workshops", json={"title": "Borgermøde", "prompt": "Hvad nu?"},
                                headers={"Authorization": f"Bearer {password}"}, timeout=10)
        assert created.status_code == 201, created.text
        code = created.json()["code"]
        assert requests.get(f"{url}/join/{code}", timeout=10).status_code == 200  # the phone's page
        phone = peers(url)
        assert phone.call("join", {"code": code})["ok"]
        assert phone.call("post_idea", {"text": "Bænke ved havnen", "client_id": "c1"})["ok"]
        phone.close()
        podman("stop", "-t", "20", names[-1])  # tini passes SIGTERM on: no 10 s wait for a kill
        names.append(started(image, volume, port, password))  # a new container over the same volume
        snapshot = requests.get(f"{url}/api/workshops/{code}", timeout=10).json()
        assert [idea["text"] for idea in snapshot["ideas"]] == ["Bænke ved havnen"]
        backup = podman("exec", names[-1], "idea-factory", "backup", "--data-dir", "/data", "--out",
                        "/data/nightly.db")
        assert "1 ideas" in backup.stdout
    finally:
        for name in names:
            podman("rm", "-f", name, check=False)
        podman("volume", "rm", "-f", volume, check=False)


@pytest.mark.timeout(1800)  # with the image's build, when this test runs alone
def test_compose_runs_app_redis_and_tls_proxy_from_the_image(image: str, tmp_path: Path) -> None:
    """compose.yaml as shipped (podman-compose from PyPI: Debian's 1.0.3 ignores fixed addresses):
    HTTPS through nginx to two workers sharing the Redis service, HSTS and Secure cookies."""
    project = tmp_path / "compose"
    (project / "deploy/compose/certs").mkdir(parents=True)
    shutil.copy(ROOT / "compose.yaml", project)
    shutil.copy(ROOT / "deploy/compose/nginx.conf", project / "deploy/compose")
    certs = project / "deploy/compose/certs"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(certs / "key.pem"),
                    "-out", str(certs / "cert.pem")], check=True, capture_output=True, timeout=60)
    for pem in certs.glob("*.pem"):
        os.chown(pem, 10001, -1)  # the image's user reads them
    https_port, http_port, password = free_port(), free_port(), secrets.token_urlsafe(12)
    base = f"https://127.0.0.1:{https_port}"
    (project / ".env").write_text(f"ADMIN_PASSWORD={password}\nPUBLIC_URL={base}\nIMAGE={image}\n"
                                  f"HTTPS_PORT={https_port}\nHTTP_PORT={http_port}\n")
    compose = [str(Path(sys.executable).parent / "podman-compose"), "-p", f"i21-{secrets.token_hex(3)}"]
    run = dict(cwd=project, capture_output=True, text=True, timeout=300)
    up = subprocess.run([*compose, "up", "-d"], **run)  # type: ignore[call-overload]
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        session = requests.Session()
        session.verify = str(certs / "cert.pem")
        session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment replaces verify
        deadline = time.monotonic() + 120
        while True:
            try:
                health = session.get(base + "/healthz", timeout=5)
                if health.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                logs = subprocess.run(["podman", "ps", "-a"], capture_output=True, text=True).stdout + "".join(
                    podman("logs", f"{compose[-1]}_{name}_1", check=False).stderr[-1500:]
                    for name in ("app", "proxy", "redis"))
                raise AssertionError(f"compose did not answer /healthz: {logs}")
            time.sleep(1)  # start-up poll with a deadline
        assert health.headers["Strict-Transport-Security"].startswith("max-age=")
        created = session.post(base + "/api/workshops", json={"title": "T", "prompt": "P"},
                               headers={"Authorization": f"Bearer {password}"}, timeout=10)
        assert created.status_code == 201, created.text
        assert all("Secure" in cookie for cookie in created.raw.headers.getlist("Set-Cookie"))
        import socketio

        phone = socketio.Client(http_session=session, reconnection=False)
        phone.connect(base, transports=["polling"], wait_timeout=20)
        try:
            assert phone.call("join", {"code": created.json()["code"]}, timeout=20)["ok"]
            assert phone.call("post_idea", {"text": "Via compose", "client_id": "c1"}, timeout=20)["ok"]
        finally:
            phone.disconnect()
    finally:
        subprocess.run([*compose, "down", "-v"], **run)  # type: ignore[call-overload]
