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
notice_lead = "0 days"

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
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    # Written again as an mbox or a mail filter would (another policy, LF ends): still nothing injected.
    for policy in (email.policy.default.clone(linesep="\n"), email.policy.SMTP, email.policy.compat32):
        again = parsed.as_bytes(policy=policy).replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        assert not [line for line in again.split(b"\n") if line.lower().startswith((b"bcc:", b"x-injected:"))]
    return parsed


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


def test_header_lines_stay_short_whatever_the_names(cli, write_programme):
    """A 5,000-letter word in the group's name and the title: every header line within 78 characters
    (so no policy refolds one), and a reader gets both back."""
    name, title = "A" * 5000 + " branch", "B" * 3000
    text = PROGRAMME.replace('name = "Test Group"', f'name = "{name}"').replace(
        'title = "Discussion"', f'title = "{title}"'
    )
    result = cli("remind", "-f", write_programme(text), "--format", "email", "--today", "2017-02-21", "--days", "1")
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    assert max(len(line) for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")) <= 78
    msg = assert_no_injection(raw)
    assert "".join(msg["From"].addresses[0].display_name.split()) == "".join(name.split())
    assert msg["Subject"].endswith(title) and msg["To"] == "members@example.org"


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


# --------------------------------------------------------------------------- 21.6 the smaller findings


def test_groups_whose_names_slug_alike_get_a_page_each(cli, write_programme, tmp_path: Path):
    from lxml import html

    tokyo = write_programme(PROGRAMME.replace('name = "Test Group"', 'name = "東京支部"'), name="tokyo.toml")
    osaka = write_programme(PROGRAMME.replace('name = "Test Group"', 'name = "大阪支部"'), name="osaka.toml")
    out = tmp_path / "both"
    result = cli("site", "-f", tokyo, "-f", osaka, "-o", out, "--today", "2017-06-01", "--flyers", "0")
    assert result.exit_code == 0, result.stderr
    index = html.fromstring((out / "index.html").read_bytes())
    links = {
        a.text_content(): a.get("href") for a in index.cssselect("a") if a.text_content() in ("東京支部", "大阪支部")
    }
    assert set(links) == {"東京支部", "大阪支部"} and len(set(links.values())) == 2
    for name, href in links.items():
        page = html.fromstring((out / href).read_bytes())
        assert name in page.text_content()
    pages = list((out / "meetings").glob("*-2017-01-25-discussion.html"))
    assert len(pages) == 2 and len({p.name for p in pages}) == 2


@pytest.mark.parametrize(
    "args",
    [["list", "--limit", "99999999999999999999"], ["site", "--flyers", "99999999999999999999"],
     ["remind", "--smtp-port", "99999999999999999999"], ["remind", "--smtp-port", "0"],
     ["remind", "--days", "99999999999999999999"], ["site", "--port", "99999999999999999999"],
     ["record", "2017-01-25", "--attendance", "99999999999999999999"]],
)  # fmt: skip
def test_every_numeric_option_is_range_checked(cli, write_programme, args: list[str]):
    path = write_programme(PROGRAMME)
    result = cli(*args, "-f", path, "--today", "2017-01-01")
    assert result.exit_code == 2, result.stdout
    assert "internal error" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_text(encoding="utf-8") == PROGRAMME


def test_every_int_option_of_the_command_line_has_a_range():
    """Every int option is declared with min/max (or checked by its command: --days, --attendance)."""
    import re

    checked_by_the_command = {"--days"}
    for module in (ROOT / "src" / "meetctl" / "cli").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for match in re.finditer(r"(?:int|list\[int\])(?: \| None)?,\s*typer\.Option\(([^)]*)\)", text):
            option = re.search(r'"(--[a-z-]+)"', match.group(1)).group(1)
            if option not in checked_by_the_command:
                assert "max=" in match.group(1), f"{module.name}: {option} has no max"


@pytest.mark.parametrize(
    ("link", "is_link"),
    [("https://example.org/minutes", True), ("mailto:sec@example.org", True), ("ftp://example.org/x", False),
     ("tel:+441234567890", False), ("intent://scan/#Intent;end", False), ("//evil.example/x", False),
     ("minutes.html", False), ("data:text/html,hello", False), ("javascript:alert(1)", False)],
)  # fmt: skip
def test_report_links_are_links_only_for_http_and_mailto(cli, group: Path, link: str, is_link: bool):
    from lxml import html

    report = group.parent / "reports" / "2017-01-25-discussion.md"
    report.write_text(f"See [the minutes]({link}) and <{link}> and ![a photo]({link}).\n", encoding="utf-8")
    assert cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0").exit_code == 0
    page = html.fromstring((group.parent / "site" / "meetings" / "2017-01-25-discussion.html").read_bytes())
    (section,) = [s for s in page.cssselect("section, div, article") if "the minutes" in s.text_content()][-1:]
    hrefs = [a.get("href") for a in section.cssselect("a")]
    assert (link in hrefs) is is_link
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs


@pytest.mark.parametrize(
    "url",
    ["https://example.org/\x01/", "https://example.org/\u2028x/", "https://example.org/\u202ex/",
     "ftp://example.org/", "javascript:alert(1)//", "https://exa mple.org/"],
)  # fmt: skip
def test_base_url_is_an_http_address_without_control_characters(cli, group: Path, url: str):
    result = cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0", "--base-url", url)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("meetctl: error: --base-url: ") and "\x01" not in line
    assert not (group.parent / "site").exists()


def test_the_feed_with_a_checked_base_url_is_well_formed(cli, group: Path):
    from lxml import etree

    assert cli("site", "-f", group, "--today", "2017-06-01", "--flyers", "0",
               "--base-url", "https://example.org/branch/").exit_code == 0  # fmt: skip
    feed = etree.fromstring((group.parent / "site" / "feed.xml").read_bytes())
    assert feed.tag.endswith("feed")


def test_serve_answers_a_nul_with_400_queues_128_and_prints_no_traceback(group: Path):
    import shutil
    import signal
    import socket

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MEETCTL_FILE": "", "MEETCTL_TODAY": "2017-06-01"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "meetctl", "site", "-f", str(group), "--flyers", "0", "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        address = proc.stdout.readline().split(" at ", 1)[1].split()[0]
        port = int(address.rsplit(":", 1)[1].strip("/"))
        for path in ("/%00", "/meetings/%00.html", "/%01"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
                status = s.recv(100).split(b"\r\n", 1)[0]
            assert status.split()[1] in (b"400", b"404"), status
        if shutil.which("ss"):
            listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
            assert listening.split()[2] == "128", listening  # Send-Q of a listening socket: its backlog
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130
        assert proc.stderr is not None
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize(
    ("template", "says"),
    [("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}", "loops went past"),
     ('{{ "x" * 3000000000 }}', "'*' would make"), ("{{ [1] * 3000000000 }}", "'*' would make"),
     ("{{ 7 ** 99999999 }}", "'**' would make")],
)  # fmt: skip
def test_a_groups_template_is_bounded_in_time_and_size(cli, group: Path, template: str, says: str):
    own = group.parent / "templates" / "agenda.txt.j2"
    own.write_text("Agenda\n" + template + "\n", encoding="utf-8")
    result = cli("agenda", "-f", group, "2017-02-22", "--today", "2017-01-01")
    assert result.exit_code == 2
    (line,) = located(result.stderr, f"{own}:2")
    assert "template stopped: " in line and says in line


def test_a_render_stops_after_its_time(cli, group: Path, monkeypatch):
    from meetctl.documents import bounds

    monkeypatch.setattr(bounds, "MAX_SECONDS", 0.5)  # the real bound is a minute; the loop below would run for hours
    own = group.parent / "templates" / "agenda.txt.j2"
    own.write_text('{% set s = "x" * 100000 %}\n{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}\n')
    result = cli("agenda", "-f", group, "2017-02-22", "--today", "2017-01-01")
    assert result.exit_code == 2
    (line,) = located(result.stderr, f"{own}:2")
    assert "the render took over 0.5 seconds" in line


def test_a_bounded_template_still_loops_reverses_and_measures(cli, group: Path):
    own = group.parent / "templates" / "agenda.txt.j2"
    own.write_text("{% for i in range(5)|reverse %}{{ i }}{% endfor %} {{ range(3)|list }} {{ range(10)|length }} "
                   '{{ "ab" * 3 }} {{ 2 ** 10 }} {{ 4 in range(5) }}\n')  # fmt: skip
    result = cli("agenda", "-f", group, "2017-02-22", "--today", "2017-01-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "43210 [0, 1, 2] 10 ababab 1024 True\n"


@pytest.mark.parametrize(
    "args",
    [["ical", "-o", "{p}"], ["report", "2017-01-25", "-o", "{p}"], ["flyer", "2017-01-25", "--format", "html", "-o", "{p}"],
     ["agenda", "2017-01-25", "--format", "text", "-o", "{p}"], ["ical", "-o", "{link}"]],
)  # fmt: skip
def test_force_never_replaces_the_programme_being_read(cli, group: Path, args: list[str]):
    link = group.parent / "link.toml"
    link.symlink_to(group.name)
    result = cli(*[a.format(p=group, link=link) for a in args], "-f", group, "--today", "2017-01-01", "--force")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "is a programme this command reads" in line
    assert group.read_text(encoding="utf-8") == PROGRAMME


def test_site_never_replaces_the_folder_of_its_programme_even_with_force(cli, group: Path):
    result = cli("site", "-f", group, "-o", group.parent, "--today", "2017-01-01", "--force")
    assert result.exit_code == 2
    (line,) = located(result.stderr, group.parent)
    assert "holds the programme file" in line
    assert group.read_text(encoding="utf-8") == PROGRAMME


@pytest.mark.parametrize("venue_id", ["../../x", "a/b", "hall.old", "café", "two words"])
def test_venue_ids_are_letters_digits_dashes_and_underscores(cli, write_programme, venue_id: str):
    text = PROGRAMME.replace("[venues.hall]", f'[venues."{venue_id}"]').replace('venue = "hall"', "")
    path = write_programme(text)
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    (line,) = located(result.stderr, f"{path}:7")
    assert "use letters, digits, '-' and '_' only" in line


# --------------------------------------------------------------------------- 21.4 flyer memory


def test_every_flyer_of_a_run_shares_one_font_configuration(cli, group: Path, tmp_path: Path, monkeypatch):
    """WeasyPrint's default makes a font configuration per PDF and never frees it (0.8 MB a flyer);
    benchmarks/bench_flyer_memory.py measures the peak. Here: the flyers of one site share one."""
    import weasyprint

    seen: list[object] = []
    render = weasyprint.HTML.render

    def spy(self, font_config=None, **options):  # noqa: ANN001, ANN202 - WeasyPrint's own signature
        seen.append(font_config)
        return render(self, font_config=font_config, **options)

    monkeypatch.setattr(weasyprint.HTML, "render", spy)
    result = cli("site", "-f", group, "-o", tmp_path / "site", "--today", "2017-01-01", "--flyers", "3")
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "site" / "flyers").glob("*.pdf"))) == 3
    assert len(seen) >= 3 and seen[0] is not None and all(c is seen[0] for c in seen)
