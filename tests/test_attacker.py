"""What an attacker tries next (issue 21): files beside the programme, mail headers, numbers, links.

Each test is one of the issue's findings, tried as the attacker tried it.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_send
from tests.conftest import HEADER, MONTHLY, ROOT

# The real SMTP server (aiosmtpd with STARTTLS and a login) of test_send, as fixtures here too.
tls, start_server = test_send.tls, test_send.start_server
SMTP_PROGRAMME, PASSWORD = test_send.PROGRAMME, test_send.PASSWORD

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


# --------------------------------------------------------------------------- 21.2 encoded words in headers

#: The issue's payload: an encoded word that decodes to a line break, a Bcc and a header of the attacker's.
ENCODED = "=?utf-8?b?DQpCY2M6IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ0KWC1JbmplY3RlZDogeWVz?="

AGM = """
[[meetings]]
date = 2017-03-08
start = "19:00"
venue = "hall"
title = "AGM {payload}"
kind = "agm"
notice = "14 days"

[[meetings.agenda]]
title = "Elections"
"""


def header_block(raw: bytes) -> list[str]:
    """The message's top-level header lines as a mail server reads them (unfolded, CRLF ends)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "\n" not in head.replace("\r\n", "")  # every line ends CRLF: no bare LF can start a header
    return head.replace("\r\n ", " ").split("\r\n")


def assert_no_injection(raw: bytes) -> email.message.EmailMessage:
    """``raw`` read as raw lines and by two parsers has no Bcc/X-Injected header; the parsed message."""
    names = [line.split(":", 1)[0].lower() for line in header_block(raw)]
    assert "bcc" not in names and "x-injected" not in names, names
    for policy in (email.policy.default, email.policy.compat32, email.policy.SMTP):
        parsed = email.parser.BytesParser(policy=policy).parsebytes(raw)
        assert parsed["Bcc"] is None and parsed["X-Injected"] is None
        assert not any(part["Bcc"] or part["X-Injected"] for part in parsed.walk())
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)


@pytest.mark.parametrize(
    ("where", "field"),
    [("group.name", "From"), ("group.mailing_list", "To"), ("--to", "To"), ("title", "Subject")],
)
def test_an_encoded_word_never_makes_a_mail_header(cli, write_programme, where: str, field: str):
    text, extra = PROGRAMME, []
    if where == "group.name":
        text = text.replace('name = "Test Group"', f'name = "Branch {ENCODED}"')
    elif where == "group.mailing_list":
        text = text.replace('"members@example.org"', f'"Members {ENCODED} <members@example.org>"')
    elif where == "--to":
        extra = ["--to", f"Them {ENCODED} <them@example.org>"]
    else:
        text = text.replace('title = "Discussion"', f'title = "Discussion {ENCODED}"')
    path = write_programme(text)
    result = cli("remind", "-f", path, "--format", "email", "--today", "2017-02-21", "--days", "1", *extra)
    assert result.exit_code == 0, result.stderr
    msg = assert_no_injection(result.stdout_bytes)
    # A reader decodes the header back to the literal text the programme holds, encoded word and all.
    # (Python's address parser keeps the space between two encoded words that RFC 2047 drops: compare
    # without spaces there.)
    assert ENCODED in "".join(str(msg[field]).split()) and "\n" not in str(msg[field])
    if field != "Subject":
        (address,) = msg[field].addresses
        assert ENCODED in "".join(address.display_name.split())


def test_an_encoded_word_never_makes_a_header_of_a_formal_notice(cli, write_programme):
    path = write_programme(HEADER + AGM.format(payload=ENCODED))
    result = cli("remind", "-f", path, "--format", "email", "--today", "2017-02-22")
    assert result.exit_code == 0, result.stderr
    msg = assert_no_injection(result.stdout_bytes)
    assert msg["Subject"].startswith("Notice of the Annual General Meeting") and ENCODED in msg["Subject"]


def test_an_encoded_word_sent_over_smtp_reaches_only_the_list(start_server, write_programme, cli, tmp_path):
    controller, inbox = start_server()
    text = SMTP_PROGRAMME.format(port=controller.port, security="starttls")
    path = write_programme(text.replace('name = "Test Group"', f'name = "Branch {ENCODED}"'))
    env = {"MEETCTL_STATE_DIR": str(tmp_path / "state"), "MEETCTL_SMTP_PASSWORD": PASSWORD}
    result = cli("remind", "-f", path, "--today", "2017-02-15", "--send", env=env)
    assert result.exit_code == 0, result.stderr
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["members@example.org"]
    msg = assert_no_injection(envelope.original_content)
    assert "".join(msg["From"].addresses[0].display_name.split()) == f"Branch{ENCODED}"
