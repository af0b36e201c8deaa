"""Make voorbeeld.xlsx, the fixture workbook of tests/test_xlsform.py, from the bundled
example questionnaire (every item type and routing): read the TOML, write the workbook.
Run from anywhere: `.venv/bin/python tests/data/questionnaires/make_voorbeeld.py`."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SOURCE = ROOT / "questionnaires" / "voorbeeld-alle-vraagtypes-2026.1.toml"

sys.path.insert(0, str(ROOT))
from instrument.xlsform import write_workbook  # noqa: E402


def main() -> None:
    raw = tomllib.loads(SOURCE.read_text(encoding="utf-8"))
    (HERE / "voorbeeld.xlsx").write_bytes(write_workbook(raw))


if __name__ == "__main__":
    main()
