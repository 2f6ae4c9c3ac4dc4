"""Every interface text has a Danish translation: pybabel extracts them from the code (a process of its own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "da" / "LC_MESSAGES"


def test_every_message_in_the_code_is_translated_to_danish(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with open(CATALOGUE / "messages.po", "rb") as handle:
        danish = {m.id: m.string for m in read_po(handle) if m.id}
    assert sorted(wanted - {k for k, v in danish.items() if v}) == [], "run `make translations`"
