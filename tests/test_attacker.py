"""What an attacker tries next (issue 21): files beside the programme, mail headers, numbers, links.

Each test is one of the issue's findings, tried as the attacker tried it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HEADER, MONTHLY, ROOT

PROGRAMME = HEADER + MONTHLY
SECRETS = ["/etc/passwd", "/proc/self/environ"]


def located(stderr: str, path: Path | str) -> list[str]:
    """The stderr lines, each one located problem about ``path``; never a traceback."""
    lines = stderr.splitlines()
    assert lines and "Traceback" not in stderr
    for line in lines:
        assert line.startswith(f"{path}:") and ": error: " in line, line
    return lines


def tree_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()) if folder.exists() else ""


# --------------------------------------------------------------------------- 21.1 files beside the programme


@pytest.fixture
def group(write_programme) -> Path:
    """A programme with its reports/ and templates/ folders beside it."""
    path = write_programme(PROGRAMME)
    (path.parent / "reports").mkdir()
    (path.parent / "templates").mkdir()
    return path


def test_the_site_refuses_reports_that_are_links_out_of_reports(cli, group: Path):
    reports = group.parent / "reports"
    links = [reports / "2017-01-25-discussion.md", reports / "2017-02-22-discussion.md"]
    for link, secret in zip(links, SECRETS, strict=True):
        link.symlink_to(secret)
    result = cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0", env={"SMTP_PASSWORD": "hunter2"})
    assert result.exit_code == 2
    (line,) = located(result.stderr, links[0])  # the first meeting's page stops the build
    assert "leads out of its folder" in line
    site = group.parent / "site"
    assert "root:" not in tree_text(site) and "hunter2" not in tree_text(site)


def test_serve_never_starts_on_a_site_with_a_link_out(group: Path):
    (group.parent / "reports" / "2017-01-25-discussion.md").symlink_to("/proc/self/environ")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MEETCTL_FILE": "", "MEETCTL_TODAY": "2017-06-01"}
    done = subprocess.run(
        [sys.executable, "-m", "meetctl", "site", "-f", str(group), "--flyers", "0", "--serve", "--port", "0"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "Serving" not in done.stdout
    located(done.stderr, group.parent / "reports" / "2017-01-25-discussion.md")


def test_a_fifo_among_the_reports_is_refused_not_skipped_and_never_waited_on(cli, group: Path):
    fifo = group.parent / "reports" / "2017-01-25-discussion.md"
    os.mkfifo(fifo)
    result = cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0")
    assert result.exit_code == 2
    (line,) = located(result.stderr, fifo)
    assert "not a regular file" in line


def test_a_link_inside_reports_is_read_as_the_report(cli, group: Path):
    reports = group.parent / "reports"
    (reports / "written.md").write_text("We read *Middlemarch*.\n", encoding="utf-8")
    (reports / "2017-01-25-discussion.md").symlink_to("written.md")
    assert cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0").exit_code == 0
    page = (group.parent / "site" / "meetings" / "2017-01-25-discussion.html").read_text(encoding="utf-8")
    assert "<em>Middlemarch</em>" in page


@pytest.mark.parametrize("secret", SECRETS)
def test_report_never_writes_through_a_link_out_of_reports(cli, group: Path, secret: str):
    link = group.parent / "reports" / "2017-02-22-discussion.md"
    link.symlink_to(secret)
    result = cli("report", "-f", group, "2017-02-22", "--force")
    assert result.exit_code == 2
    (line,) = located(result.stderr, link)
    assert "leads out of its folder" in line


@pytest.mark.parametrize("secret", SECRETS)
def test_agenda_refuses_a_template_that_is_a_link_out_of_templates(cli, group: Path, secret: str):
    link = group.parent / "templates" / "agenda.txt.j2"
    link.symlink_to(secret)
    result = cli("agenda", "-f", group, "2017-02-22", "--today", "2017-01-01")
    assert result.exit_code == 2 and "root:" not in result.stdout
    (line,) = located(result.stderr, link)
    assert "leads out of its folder" in line


def test_a_pdf_never_embeds_a_template_folder_file_that_links_out(cli, group: Path, tmp_path: Path):
    templates = group.parent / "templates"
    shipped = (ROOT / "src" / "meetctl" / "documents" / "templates" / "flyer.html.j2").read_text(encoding="utf-8")
    (templates / "flyer.html.j2").write_text(shipped.replace("<style>", '<img src="templates/logo.png"><style>', 1))
    (templates / "logo.png").symlink_to("/etc/passwd")
    result = cli("flyer", "-f", group, "2017-02-22", "--today", "2017-01-01", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 2 and not (tmp_path / "f.pdf").exists()
    (line,) = located(result.stderr, templates / "logo.png")
    assert "leads out of its folder" in line
