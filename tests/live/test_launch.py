"""The installed `idea-factory` command runs app.py (a process of its own)."""

from __future__ import annotations

from pathlib import Path


def test_the_idea_factory_command_is_installed_and_runs_app_py() -> None:
    import subprocess
    import sys
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "idea-factory"]
    assert script.value == "app:cli"
    command = Path(sys.executable).parent / "idea-factory"
    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--async-mode" in result.stdout
