"""The suite's own rooms: a test file lives in tests/unit, tests/live or tests/browser, and takes
fixtures from a conftest and helpers from a module, never from a conftest or another test module."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_tests_live_in_rooms_and_import_no_conftest_or_test_module() -> None:
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []  # tests/test_x.py: choose its room
    for path in sorted(TESTS.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        found = re.findall(r"^\s*(?:from|import) ((?:tests\.)?(?:\w+\.)*(?:conftest|test_\w+))\b", source, re.M)
        assert found == [], f"{path.relative_to(TESTS)} imports {found}: move what it needs to a helper module"
