"""Start-up: the address phones use, the open-files limit, and the demo workshop."""

from __future__ import annotations

import ipaddress
import resource
from pathlib import Path
from typing import Any


from facilitation.demo import IDEAS, PROMPT, ensure_demo
from facilitation.launch import lan_address, public_url, raise_open_files_limit


def test_public_url_choices() -> None:
    assert public_url("127.0.0.1", 5000, None) == "http://127.0.0.1:5000"
    assert public_url("0.0.0.0", 8080, "http://idea.example:80/") == "http://idea.example:80"
    assert public_url("::1", 5000, None) == "http://[::1]:5000"
    lan = public_url("0.0.0.0", 5000, None)
    host = lan.split("//")[1].rsplit(":", 1)[0]
    assert lan.endswith(":5000") and ipaddress.ip_address(host) == ipaddress.ip_address(lan_address())


def test_open_files_limit_is_raised_to_the_hard_limit() -> None:
    soft = raise_open_files_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == soft >= 1024


def test_demo_is_created_once(new_store: Any, tmp_path: Path) -> None:
    store = new_store()
    workshop, token = ensure_demo(store, tmp_path)
    again, same_token = ensure_demo(store, tmp_path)
    assert (again.code, same_token) == (workshop.code, token)
    snapshot = store.snapshot(workshop.id, include_hidden=False)
    assert snapshot["workshop"]["prompt"] == PROMPT
    assert [i["text"] for i in snapshot["ideas"]] == IDEAS and len(IDEAS) >= 30
    assert snapshot["workshop"]["participant_count"] == 12
    assert store.is_facilitator(workshop, token)


def test_the_data_folder_and_database_files_are_the_servers_alone(tmp_path: Path) -> None:
    import os
    import stat

    from facilitation import create_app

    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    (old / "facilitation.db").touch(mode=0o644)  # as an earlier version left them
    os.chmod(old, 0o755)
    for data in (tmp_path / "new", old):
        app = create_app({"DATA_DIR": str(data), "ASYNC_MODE": "threading", "TESTING": True})
        app.test_client().post("/api/workshops", json={"title": "T", "prompt": "Q"})  # a write: -wal
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = [data / n for n in ("facilitation.db", "facilitation.db-wal", "facilitation.db-shm",
                                    "secret_key")]
        assert all(f.exists() and stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), \
            {f.name: oct(f.stat().st_mode) for f in files if f.exists()}
