"""Secrets from the environment or a file (never the command line) and the proxy options."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import parse_args
from facilitation import credentials


def secret_file(tmp_path: Path, text: str, mode: int = 0o600) -> str:
    path = tmp_path / "secret"
    path.write_text(text)
    path.chmod(mode)
    return str(path)


def test_a_secret_file_gives_its_one_line(tmp_path: Path) -> None:
    assert credentials.admin_password(None, secret_file(tmp_path, "hemmelig\n")) == "hemmelig"
    assert credentials.secret_key(secret_file(tmp_path, "k" * 64)) == "k" * 64


@pytest.mark.parametrize("text,mode,says", [("hemmelig", 0o644, "readable by every user"),
                                            ("\n", 0o600, "is empty")])
def test_a_bad_secret_file_stops_the_start_with_one_sentence(tmp_path: Path, text: str, mode: int,
                                                             says: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        credentials.admin_password(None, secret_file(tmp_path, text, mode))
    assert says in str(stopped.value)
    with pytest.raises(SystemExit, match="cannot read"):
        credentials.secret_key(str(tmp_path / "missing"))


def test_the_environment_gives_the_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(credentials.ADMIN_PASSWORD_ENV, "fra-miljoeet")
    monkeypatch.setenv(credentials.SECRET_KEY_ENV, "delt-noegle")
    assert credentials.admin_password(None, None) == "fra-miljoeet"
    assert credentials.secret_key(None) == "delt-noegle"
    monkeypatch.setenv(credentials.BALANCER_SECRET_ENV, "b")
    assert credentials.balancer_secret() == "b" and credentials.balancer_secret() is None


def test_the_old_password_option_still_works_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert credentials.admin_password("gammel", None) == "gammel"
    assert "ps" in caplog.text


def test_trusted_proxies_are_addresses_or_blocks() -> None:
    assert parse_args(["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"]).trusted_proxy == [
        "10.0.0.0/8", "::1"]
    assert parse_args(["--behind-proxy"]).trusted_proxy == ["127.0.0.1", "::1"]
    with pytest.raises(SystemExit):
        parse_args(["--trusted-proxy", "proxy.example"])


def test_a_given_secret_key_signs_the_sessions(tmp_path: Path) -> None:
    from facilitation import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
                      "SECRET_KEY": "delt-mellem-vaerter"})
    assert app.config["SECRET_KEY"] == "delt-mellem-vaerter"
    assert not (tmp_path / "data/secret_key").exists()
