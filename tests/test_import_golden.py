"""`meetctl import` of every corpus calendar gives the same bytes as the reviewed golden file.

tests/golden/import-corpus.json holds, per file of tests/fixtures/ics/, the exit code,
the programme written and the lines said on stderr (the file's own path written as its
name). Reading calendars faster (lines import never reads left out before parsing, the
cross-check streamed) must not change a byte. After a deliberate change, regenerate it:

    python -m tests.test_import_golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ICS = Path(__file__).parent / "fixtures" / "ics"
GOLDEN = Path(__file__).parent / "golden" / "import-corpus.json"
CORPUS = sorted(ICS.glob("*.ics"))


def imported(run, path: Path) -> dict:
    result = run("import", str(path))
    return {
        "exit": result.exit_code,
        "stdout": result.stdout.replace(str(path), path.name),
        "stderr": result.stderr.replace(str(path), path.name),
    }


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_import_gives_the_golden_bytes(cli, path):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert path.name in golden, "a new corpus file: regenerate the golden file (python -m tests.test_import_golden)"
    assert imported(cli, path) == golden[path.name]


if __name__ == "__main__":
    from typer.testing import CliRunner

    from meetctl.cli import app

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), env={"MEETCTL_FILE": "", "MEETCTL_TODAY": ""})

    found = {path.name: imported(run, path) for path in CORPUS}
    GOLDEN.write_text(json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{GOLDEN}: {len(found)} imports")
