"""Shared fixtures: small programmes written inline, and a CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from meetctl.cli import app

# No test is timed: Hypothesis's per-example deadline (200 ms) fails property tests at
# random on a loaded machine (a first example of 280 ms, then 1 ms), so it is off.
settings.register_profile("meetctl", deadline=None)
settings.load_profile("meetctl")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "programme.toml"

#: A minimal valid programme; tests append [[series]] / [[meetings]] to it.
HEADER = """\
[group]
name = "Test Group"
timezone = "Europe/London"
email = "secretary@example.org"
mailing_list = "members@example.org"

[venues.hall]
name = "Community Hall"
address = "1 High Street, Leicester LE1 1AA"
"""

#: The usual monthly slot: 19:00 on the last Wednesday, two hours, at the hall, from 2017.
MONTHLY = """
[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
duration = "2h"
venue = "hall"
from = 2017-01-01
"""

#: Two streams at the hall from 2027: a branch meeting on the second Tuesday, a reading group every Thursday.
BRANCH_AND_READING = """
[[series]]
id = "branch"
title = "Branch meeting"
rule = "second Tuesday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01

[[series]]
id = "reading"
title = "Reading group"
rule = "every Thursday"
start = "18:30"
duration = "1h30m"
venue = "hall"
from = 2027-01-01
"""


@pytest.fixture(autouse=True)
def _private_state_and_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the sent-log and the template cache out of the user's own folders."""
    monkeypatch.setenv("MEETCTL_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("MEETCTL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def write_programme(tmp_path: Path) -> Callable[..., Path]:
    """Write a programme (dedented) to a file and return its path."""

    def write(text: str, name: str = "programme.toml", header: bool = False) -> Path:
        path = tmp_path / name
        body = textwrap.dedent(text)
        path.write_text((HEADER + "\n" + body) if header else body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run meetctl in-process: cli("list", "-f", path) -> click Result (stdout, stderr apart)."""
    runner = CliRunner()

    def run(*args: str | Path, env: dict[str, str] | None = None, input: str | None = None):
        return runner.invoke(
            app, [str(a) for a in args], env={"MEETCTL_FILE": "", "MEETCTL_TODAY": "", **(env or {})},
            input=input, catch_exceptions=False,
        )

    return run
