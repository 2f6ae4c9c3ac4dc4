"""The model, store, commands, exports and clustering stay mypy-clean (pyproject.toml lists them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a process of its own: not in `make test-fast`

ROOT = Path(__file__).resolve().parents[1]


def test_strict_modules_pass_mypy(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
