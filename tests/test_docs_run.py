"""Every example in the README and docs/ runs as written, against the programmes in examples/.

For each document, in order, in a scratch folder holding a copy of examples/ (as a
reader is at the top of the repository, and `cd examples` takes them to the programmes):

* every line of a ``sh`` block runs in bash (one shell state per document: ``cd`` and
  ``export`` carry over to the next line, as in a terminal) and must exit 0;
* every ``$ meetctl ...`` line of a plain block runs too, and the lines shown under it
  must be what it printed (stdout and stderr), whatever its exit status;
* every ``toml`` block parses; a whole programme (one with ``[group]``) passes
  ``meetctl check``; a fragment does too once merged into examples/programme.toml (or the
  file named by ``<!-- toml: merged into FILE -->`` before it).

A block that cannot run here is marked, visibly in the Markdown source, with
``<!-- not run: WHY -->`` on the line before it (a server, a crontab, a pipe into
sendmail); a TOML block that is a syntax sample, not a programme, with
``<!-- toml: syntax only -->``. Nothing is skipped silently: a shell block in another
language, or a marker without a reason, fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "crontab"}
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*(not run|toml):\s*(.*?)\s*-->\s*$")


class Block(NamedTuple):
    doc: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    marker: tuple[str, str] | None  # ("not run", why) or ("toml", what)


def blocks(doc: Path) -> list[Block]:
    """The fenced blocks of ``doc``, each with the marker comment on the line before it, if any."""
    text = doc.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        line = text.count("\n", 0, m.start()) + 1
        found.append(Block(doc, line, m.group(1), m.group(2), (marker.group(1), marker.group(2)) if marker else None))
    return found


def commands(block: Block) -> list[str]:
    """The shell commands of a block: one per line, continuation lines joined, blank lines and comments left out."""
    out: list[str] = []
    pending = ""
    for raw in block.text.splitlines():
        pending += raw + "\n"
        if raw.endswith("\\"):
            continue
        command, pending = pending.rstrip("\n"), ""
        if command.strip() and not command.lstrip().startswith("#"):
            out.append(command)
    return out


def is_meetctl_line(line: str) -> bool:
    return re.search(r"(^|[\s|;&(/\"'])meetctl(\s|\"|$)", line) is not None


# --------------------------------------------------------------------------- the shell


class Shell:
    """A bash whose working folder and exported variables carry from one line to the next."""

    def __init__(self, home: Path, start: Path, shim: Path) -> None:
        self.state = home / ".docs-shell"
        self.state.mkdir()
        (self.state / "cwd").write_text(str(start))
        (self.state / "env").write_text("")
        self.env = {
            "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(home),
            "PYTHONPATH": str(ROOT / "src"),
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "LANG": "C.UTF-8",
            "MEETCTL_STATE_DIR": str(home / "state"),
            "MEETCTL_CACHE_DIR": str(home / "cache"),
        }

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        state = self.state
        script = (
            f'cd "$(cat {state}/cwd)"; . {state}/env; set -o pipefail\n'
            f"{command}\n"
            f"rc=$?; pwd > {state}/cwd; export -p | grep -v ' PWD=\\| OLDPWD=\\| SHLVL=' > {state}/env; exit $rc\n"
        )
        try:
            return subprocess.run(
                ["bash", "-c", script],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:  # a server left running: the docs must mark it `not run`
            return subprocess.CompletedProcess(command, 124, "", "did not finish in 120 s (a server? mark it not run)")


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `meetctl` on PATH that runs this tree's code with this Python."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "meetctl"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m meetctl "$@"\n')
    script.chmod(0o755)
    return folder


def _scratch(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of examples/ (where the docs' commands run) and the home folder around it."""
    home = tmp_path / "home"
    home.mkdir()
    examples = home / "examples"
    shutil.copytree(ROOT / "examples", examples)
    return home, examples


def _shown(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_shell_line_runs_as_written(doc: Path, tmp_path: Path, shim: Path) -> None:
    home, _ = _scratch(tmp_path)
    shell = Shell(home, home, shim)  # where a reader of the docs is: the top of the repository
    failures: list[str] = []
    ran = 0
    for block in blocks(doc):
        where = f"{doc.name}:{block.line}"
        if block.marker and block.marker[0] == "not run":
            assert block.marker[1], f"{where}: `not run` needs a reason"
            continue
        if block.language in ("sh", "bash", "shell"):
            for command in commands(block):
                result = shell.run(command)
                ran += is_meetctl_line(command)
                if result.returncode != 0:
                    failures.append(f"{where}: `{command}` exit {result.returncode}: {result.stderr.strip()[-300:]}")
        elif block.language in ("", "console"):
            lines = block.text.splitlines()
            starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
            for n, i in enumerate(starts):
                command = lines[i][2:]
                expected = _shown(lines[i + 1 : starts[n + 1] if n + 1 < len(starts) else len(lines)])
                result = shell.run(command)
                ran += is_meetctl_line(command)
                got = _shown((result.stdout + result.stderr).splitlines())
                if expected and expected not in got:
                    failures.append(f"{where}: `{command}` printed:\n{got}\n-- not what the docs show:\n{expected}")
        elif block.language in SHELL_LANGUAGES:
            failures.append(f"{where}: a {block.language} block is not run: mark it <!-- not run: WHY -->")
    assert not failures, f"{len(failures)} of the examples in {doc.name} do not run as written:\n" + "\n".join(failures)
    if doc.name == "commands.md":
        assert ran >= 30  # the command reference is made of examples


# --------------------------------------------------------------------------- TOML


def _merge(base: dict, fragment: dict) -> dict:
    """``fragment`` added to ``base``: tables merged key by key, arrays of tables appended."""
    out = dict(base)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _toml_blocks() -> list[Block]:
    return [b for doc in DOCS for b in blocks(doc) if b.language == "toml"]


@pytest.mark.parametrize("block", _toml_blocks(), ids=lambda b: f"{b.doc.name}:{b.line}")
def test_every_toml_block_is_valid(block: Block, tmp_path: Path, cli) -> None:
    import tomli_w

    where = f"{block.doc.name}:{block.line}"
    try:
        data = tomllib.loads(block.text)
    except tomllib.TOMLDecodeError as exc:
        pytest.fail(f"{where}: not TOML: {exc}")
    marker = block.marker or ("", "")
    if marker == ("toml", "syntax only"):
        return
    assert marker[0] in ("", "toml"), f"{where}: a TOML block is always checked (it may be marked `toml: syntax only`)"
    if "group" in data:
        path = tmp_path / "programme.toml"
        path.write_text(block.text, encoding="utf-8")
    else:
        named = re.fullmatch(r"merged into (\S+)", marker[1]) if marker[1] else None
        base = ROOT / "examples" / (named.group(1) if named else "programme.toml")
        assert base.is_file(), f"{where}: no such example: {base.name}"
        path = tmp_path / base.name
        merged = _merge(tomllib.loads(base.read_text(encoding="utf-8")), data)
        path.write_text(tomli_w.dumps(merged), encoding="utf-8")
    result = cli("check", "-f", str(path))
    assert result.exit_code == 0, f"{where}: meetctl check says:\n{result.stderr}"


# --------------------------------------------------------------------------- the runner itself


def test_the_runner_reads_markers_continuations_and_console_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n<!-- not run: needs an SMTP server -->\n```sh\nmeetctl remind --send\n```\n\n"
        "```sh\nmeetctl add --one-off \\\n    --date 2027-01-01  # two lines\n# a comment\n\nmeetctl list\n```\n\n"
        "```\n$ meetctl list --series nope\nmeetctl: error: ...\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [b.marker for b in found] == [("not run", "needs an SMTP server"), None, None]
    assert commands(found[1]) == ["meetctl add --one-off \\\n    --date 2027-01-01  # two lines", "meetctl list"]
    assert [b.language for b in found] == ["sh", "sh", ""]
    assert is_meetctl_line("curl -s x | meetctl import -") and not is_meetctl_line("pip install meetctl-extras")


def test_the_shell_keeps_the_folder_and_the_variables(tmp_path: Path, shim: Path) -> None:
    home, examples = _scratch(tmp_path)
    shell = Shell(home, examples, shim)
    assert shell.run("mkdir new && cd new && export MEETCTL_TODAY=2027-01-10").returncode == 0
    assert shell.run("pwd; echo $MEETCTL_TODAY").stdout.split() == [str(examples / "new"), "2027-01-10"]
    assert shell.run("false | cat").returncode != 0  # pipefail: a failing meetctl before a pipe is seen
