"""The README and docs/ stand alone: every link stays inside the repository, every command is documented."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from meetctl.model import fields
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Markdown links and images: [text](target) — not inside code spans or blocks.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def _links(path: Path) -> list[str]:
    return LINK.findall(_prose(path.read_text(encoding="utf-8")))


def test_the_docs_exist_and_the_readme_links_them():
    readme = _links(ROOT / "README.md")
    assert "docs/programme-format.md" in readme and "docs/commands.md" in readme


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_is_relative_and_resolves_inside_the_repository(doc):
    for target in _links(doc):
        parts = urlsplit(target)
        assert not parts.scheme and not parts.netloc, f"{doc.name}: {target} is not a relative link"
        if not parts.path:  # "#section" on the same page
            continue
        resolved = (doc.parent / unquote(parts.path)).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
        assert resolved.exists(), f"{doc.name}: {target} does not exist"


def _slugs(path: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them (code blocks hold no headings)."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    slugs: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        n = 0
        while (f"{slug}-{n}" if n else slug) in slugs:  # a repeated heading gets -1, -2...
            n += 1
        slugs.add(f"{slug}-{n}" if n else slug)
    return slugs


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_anchor_names_a_heading_of_its_page(doc):
    for target in _links(doc):
        parts = urlsplit(target)
        if not parts.fragment or parts.scheme or parts.netloc:
            continue
        page = (doc.parent / unquote(parts.path)).resolve() if parts.path else doc
        if page.suffix == ".md" and page.exists():
            assert unquote(parts.fragment) in _slugs(page), f"{doc.name}: {target}: no such heading in {page.name}"


def test_anchors_are_made_as_github_makes_them():
    assert _slugs(ROOT / "docs" / "reminders.md") >= {
        "reminders", "changes-reach-people-cancellation-and-moved-notices", "sending-it---send", "from-cron",
    }  # fmt: skip


def test_the_readme_is_short_and_its_first_screen_sets_up_in_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("\n") <= 400
    first_screen = "\n".join(text.splitlines()[:24])
    block = re.search(r"```sh\n(.*?)```", first_screen, re.S)
    assert block, "no set-up commands on the README's first screen"
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert commands == [
        "pip install . && meetctl -f examples/programme.toml list --from 2017-01-01",
        "pip install -e '.[test]' && python -m pytest -q",
    ]


def test_no_link_to_the_shared_contract():
    for doc in DOCS:
        assert "shared/PRODUCT.md" not in doc.read_text(encoding="utf-8"), doc.name


def _command_paths():
    import typer.main

    from meetctl.cli import app

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from walk(command, (*prefix, name))
            else:
                yield " ".join((*prefix, name))

    return sorted(walk(typer.main.get_command(app), ()))


@pytest.mark.parametrize("command", _command_paths())
def test_every_command_is_in_the_command_reference(command):
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert re.search(rf"^###.*`meetctl {re.escape(command)}\b", text, re.M), f"meetctl {command} has no section"


def test_every_command_in_meetctl_help_is_in_the_reference(cli):
    listed = re.findall(r"^│ (\w[\w-]*) ", cli("--help", env={"COLUMNS": "200"}).stdout, re.M)
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert listed and all(f"`meetctl {name}" in text for name in listed), listed


TABLES = {
    "[group]": fields.GROUP_KEYS, "[venues.ID]": fields.VENUE_KEYS, "[mail]": fields.MAIL_KEYS,
    "[[series]]": fields.SERIES_KEYS, "[[meetings]]": fields.MEETING_KEYS,
    "[[meetings.sessions]]": fields.SESSION_KEYS,
}  # fmt: skip


@pytest.mark.parametrize("table", TABLES)
def test_every_key_of_the_file_is_in_the_format_reference_with_an_example(table):
    text = (ROOT / "docs" / "programme-format.md").read_text(encoding="utf-8")
    section = text[text.index(f"## `{table}`") :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    for key in TABLES[table]:
        if key == "sessions":
            continue  # a table of its own, with its own section
        row = re.search(rf"^\| `{key}` \|.*$", section, re.M)
        assert row, f"{table}.{key} is not documented"
        assert f"`{key} = " in row.group(0), f"{table}.{key} has no example"
