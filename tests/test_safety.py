"""Bad input of a hostile kind: links, control characters, secrets, rules that never match, calendar limits."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import HEADER, MONTHLY

PROGRAMME = HEADER + MONTHLY


def located_lines(stderr: str, path: Path) -> list[str]:
    """The stderr lines, each checked to be one located problem about ``path``."""
    lines = stderr.splitlines()
    assert lines, "no error given"
    for line in lines:
        assert line.startswith(f"{path}:") and ": error: " in line, line
        assert "\x1b" not in line and "\x07" not in line and "\r" not in line
    return lines


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    "website",
    ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
     "file:///etc/passwd", "//evil.example/x", "example.org", "https://user:pw@example.org/", "https://"],
)  # fmt: skip
def test_only_http_links_are_accepted_where_a_link_is_written(cli, write_programme, website):
    path = write_programme(PROGRAMME.replace('timezone = "Europe/London"', f'timezone = "Europe/London"\nwebsite = "{website}"'))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    (line,) = located_lines(result.stderr, path)
    assert line.startswith(f"{path}:4:1: error: group.website: ")
    assert "pw" not in line or "user:pw" not in line


def test_an_http_link_reaches_the_flyer(cli, write_programme):
    path = write_programme(PROGRAMME.replace('timezone = "Europe/London"', 'timezone = "Europe/London"\nwebsite = "https://example.org/branch"'))
    result = cli("flyer", "-f", path, "2017-01-25", "--format", "html", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert 'href="https://example.org/branch"' in result.stdout


@pytest.mark.parametrize(
    ("key", "value"),
    [("email", '""@example.org'), ("mailing_list", '""@example.org'), ("email", "secretary"),
     ("mailing_list", "a@example.org, b@example.org"), ("email", "sec@-bad-.org"), ("email", "séc@example.org")],
)  # fmt: skip
def test_an_email_address_must_be_one_whole_address(cli, write_programme, key, value):
    path = write_programme(PROGRAMME.replace(f'{key} = "', f'{key} = \'{value}\'  # "', 1))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    (line,) = located_lines(result.stderr, path)
    assert f": error: group.{key}: " in line


def test_an_international_domain_is_sent_as_idna(cli, write_programme):
    path = write_programme(
        PROGRAMME.replace('email = "secretary@example.org"', 'email = "sec@exämple.org"')
        + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ntitle = "Grüße"\n'
    )
    result = cli("remind", "-f", path, "--today", "2017-01-18", "--format", "email")
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    assert raw.isascii()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"].addresses[0].addr_spec == "sec@xn--exmple-cua.org"
    assert msg["Message-ID"].endswith("@xn--exmple-cua.org>")


def test_a_long_non_ascii_subject_keeps_every_space(cli, write_programme):
    title = "Café politics — who runs the town? Zoë and naïve résumés of Grüße in a very long title"
    path = write_programme(PROGRAMME + f'\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ntitle = "{title}"\n')
    result = cli("remind", "-f", path, "--today", "2017-01-18", "--format", "email")
    assert result.exit_code == 0, result.stderr
    msg = email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)
    assert msg["Subject"] == f"Reminder: Wednesday 25 January, 7pm: {title}"
    assert all(len(line) <= 78 for line in result.stdout_bytes.split(b"\r\n\r\n")[0].split(b"\r\n"))


# --------------------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    ("toml_value", "what"),
    [(r'"Evil\rBEGIN:VEVENT"', "a line break"), (r'"Evil\nGroup"', "a line break"), (r'"Bell\u0007"', "the control character U+0007"),
     (r'"Esc\u001b[31m"', "the control character U+001B"), (r'"Nul\u0000"', "the control character U+0000"), (r'"Bidi\u202eevil"', "the control character U+202E"),
     (r'"Line\u2028sep"', "a line break")],
)  # fmt: skip
def test_a_name_is_one_line_without_control_characters(cli, write_programme, toml_value, what):
    path = write_programme(PROGRAMME.replace('name = "Test Group"', f"name = {toml_value}"))
    for command in (("check",), ("ical",), ("list", "--json")):
        result = cli(*command, "-f", path)
        assert result.exit_code == 2
        (line,) = located_lines(result.stderr, path)
        assert line == f"{path}:2:1: error: group.name: must be one line of text; it contains {what}"


def test_descriptions_may_span_lines_but_not_hold_other_control_characters(cli, write_programme):
    ok = write_programme(PROGRAMME + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ndescription = "One.\\nTwo.\\r\\nThree.\\tTabbed."\n')
    listed = cli("list", "-f", ok, "--from", "2017-01-01", "--to", "2017-01-31", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert '"description": "One.\\nTwo.\\nThree.\\tTabbed."' in listed.stdout
    bad = write_programme(PROGRAMME + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ndescription = "a\\rb\\u001bc"\n', name="bad.toml")
    result = cli("check", "-f", bad)
    assert result.exit_code == 2
    (line,) = located_lines(result.stderr, bad)
    assert "meetings[1].description: contains a lone carriage return" in line


def test_values_in_error_messages_cannot_forge_lines_or_drive_the_terminal(cli, write_programme):
    path = write_programme(
        PROGRAMME
        + '\n["unknown\\nfake.toml:1:1: error: forged"]\nk = 1\n'
        + '\n["bell\\u0007\\u001b]0;title\\u0007"]\nk = 1\n'
    )
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    lines = located_lines(result.stderr, path)
    assert len(lines) == 2
    assert not any(line.startswith("fake.toml") for line in lines)
    assert any("unknown table 'unknown\\nfake.toml:1:1: error: forged'" in line for line in lines)
    assert any("unknown table 'bell\\x07\\x1b]0;title\\x07'" in line for line in lines)


def test_one_problem_is_one_line_whatever_the_file_name(tmp_path):
    from meetctl.model.errors import Location, Problem

    problem = Problem("bad\r\nfake.toml:1:1: error: x\x1b[2J", Location(str(tmp_path / "a\nb.toml"), 3, 1))
    assert str(problem) == f"{tmp_path}/a\\nb.toml:3:1: error: bad\\r\\nfake.toml:1:1: error: x\\x1b[2J"


def test_an_unknown_table_is_located_at_its_line(cli, write_programme):
    path = write_programme(PROGRAMME + '\n[venue.hall]\nname = "Hall"\n')
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}:20:1: error: unknown table 'venue' (did you mean 'venues'?)\n"


# --------------------------------------------------------------------------- secrets


def test_a_password_in_the_caldav_address_is_never_used_or_shown(cli, write_programme):
    path = write_programme(PROGRAMME)
    result = cli("publish", "-f", path, "--caldav", "http://sec:S3cretPW@127.0.0.1:9/cal/", env={"MEETCTL_CALDAV_PASSWORD": ""})
    assert result.exit_code == 2
    assert "S3cretPW" not in result.stdout + result.stderr
    assert result.stderr.startswith("http://127.0.0.1:9/cal/: error: the address carries a user name or password")
    clashes = cli("clashes", "-f", path, "--with", "https://u:S3cretPW@127.0.0.1:9/x.ics")
    assert clashes.exit_code == 2 and "S3cretPW" not in clashes.stderr


def test_a_malformed_netrc_is_reported_without_its_content(cli, write_programme, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login sec password Hunter2Secret\nmacdef\n")
    netrc.chmod(0o600)
    path = write_programme(PROGRAMME)
    result = cli("publish", "-f", path, "--caldav", "http://127.0.0.1:9/cal/",
                 env={"NETRC": str(netrc), "MEETCTL_CALDAV_PASSWORD": ""})  # fmt: skip
    assert result.exit_code == 2
    assert "Hunter2" not in result.stdout + result.stderr
    assert result.stderr.startswith(f"{netrc}:")


def test_a_non_ascii_smtp_password_is_refused_unseen(cli, write_programme):
    path = write_programme(PROGRAMME + '\n[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = 9\nuser = "sec"\n')
    result = cli("remind", "-f", path, "--today", "2017-01-18", "--send", env={"MEETCTL_SMTP_PASSWORD": "pässwörd"})
    assert result.exit_code == 2
    assert "ä" not in result.stderr and "ö" not in result.stderr and "pässwörd" not in result.stderr
    assert result.stderr == (
        "meetctl: error: MEETCTL_SMTP_PASSWORD has characters other than ASCII, which SMTP login cannot send"
        " (not shown)\n"
    )


def _plain_smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Inbox:
        def __init__(self) -> None:
            self.logins: list = []
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        inbox.logins.append(auth_data)
        return AuthResult(success=True)

    from tests.test_send import free_port

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    return controller, inbox


@pytest.mark.parametrize("opt_in", [None, "flag", "env"])
def test_cleartext_smtp_login_needs_an_opt_in_outside_the_programme(cli, write_programme, tmp_path, opt_in):
    controller, inbox = _plain_smtp_server()
    try:
        port = controller.port
        path = write_programme(
            PROGRAMME + f'\n[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\nuser = "sec"\n'
        )
        env = {"MEETCTL_SMTP_PASSWORD": "pw-in-clear", "MEETCTL_STATE_DIR": str(tmp_path / "state")}
        args = ["remind", "-f", path, "--today", "2017-01-18", "--send"]
        if opt_in == "flag":
            args.append("--allow-cleartext-auth")
        if opt_in == "env":
            env["MEETCTL_SMTP_ALLOW_CLEARTEXT"] = "1"
        result = cli(*args, env=env)
        if opt_in is None:
            assert result.exit_code == 2
            assert "unencrypted" in result.stderr and "pw-in-clear" not in result.stderr
            assert inbox.logins == [] and inbox.messages == []
        else:
            assert result.exit_code == 0, result.stderr
            assert len(inbox.messages) == 1 and len(inbox.logins) == 1
    finally:
        controller.stop()


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("rule", "message"),
    [("FREQ=DAILY;BYSETPOS=2", "BYSETPOS needs another BY... part"),
     ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never gives a date"),
     ("FREQ=YEARLY;BYYEARDAY=0", "BYYEARDAY value 0 out of range"),
     ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO value 54 out of range"),
     ("FREQ=MONTHLY;BYDAY=53MO", "a month has at most five of each weekday"),
     ("FREQ=MONTHLY;BYDAY=6MO", "a month has at most five of each weekday"),
     ("FREQ=WEEKLY;BYDAY=2MO", "a numbered BYDAY (like 2MO) is only for FREQ=MONTHLY or YEARLY"),
     ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "never gives a date"),
     ("FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "never gives a date"),
     ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY cannot be used with FREQ=WEEKLY"),
     ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO is only for FREQ=YEARLY"),
     ("-1st of every month", "a day number cannot be negative"),
     ("+2nd Monday of the month", "a day number cannot be negative")],
)  # fmt: skip
def test_a_rule_that_never_or_wrongly_matches_is_refused_quickly_at_its_line(cli, write_programme, rule, message):
    path = write_programme(PROGRAMME.replace('rule = "last Wednesday of the month"', f'rule = "{rule}"'))
    started = time.monotonic()
    result = cli("check", "-f", path)
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    (line,) = located_lines(result.stderr, path)
    assert line.startswith(f"{path}:14:1: error: series[1].rule: ")
    assert message in line


def test_a_rare_rule_is_accepted_and_found():
    from meetctl.model.rules import parse_rule

    rule = parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")  # once in 28 years
    found = list(rule.dates(date(2017, 1, 1), date(2060, 12, 31)))
    expected = [date(y, 2, 29) for y in range(2017, 2061) if y % 4 == 0 and date(y, 2, 29).weekday() == 0]
    assert found == expected == [date(2044, 2, 29)]


# --------------------------------------------------------------------------- calendar limits


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_until_forever_is_an_open_ended_series(cli, write_programme, zone):
    path = write_programme(PROGRAMME.replace("Europe/London", zone) + "until = 9999-12-31\n")
    result = cli("ical", "-f", path)
    assert result.exit_code == 0, result.stderr
    rrules = [line for line in result.stdout.splitlines() if line.startswith("RRULE:") and "WE" in line]
    assert rrules == ["RRULE:FREQ=MONTHLY;BYDAY=-1WE"]  # no UNTIL: open-ended
    expanded = cli("ical", "-f", path, "--expand", "--today", "2017-01-01")
    assert expanded.exit_code == 0, expanded.stderr
    # an open-ended series is expanded to a year (366 days) past its first meeting or today
    first = date(2017, 1, 25)
    days = (first + timedelta(days=n) for n in range(367))
    last_wednesdays = [d for d in days if d.weekday() == 2 and (d + timedelta(days=7)).month != d.month]
    assert expanded.stdout.count("BEGIN:VEVENT") == len(last_wednesdays) == 12


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_last_and_first_dates_work_in_zones_far_from_utc(cli, write_programme, zone):
    text = PROGRAMME.replace("Europe/London", zone).replace("from = 2017-01-01", "from = 9898-01-01")
    text += 'until = 9899-12-31\n\n[[meetings]]\ndate = 1900-01-01\ntitle = "First"\nstart = "00:30"\n'
    path = write_programme(text)
    for args in (("ical",), ("ical", "--expand"), ("list", "--json", "--today", "9899-12-01"),
                 ("next", "--today", "9899-12-01"), ("check", "--today", "9899-12-31"),
                 ("list", "--from", "1900-01-01", "--to", "1900-01-02", "--json")):  # fmt: skip
        result = cli(*args, "-f", path)
        assert result.exit_code == 0, (args, result.stderr)
    listed = cli("list", "-f", path, "--from", "9899-12-01", "--to", "9899-12-31", "--json")
    last_day = date(9899, 12, 31)
    last_wednesday = last_day - timedelta(days=(last_day.weekday() - 2) % 7)
    assert f'"date": "{last_wednesday}"' in listed.stdout
    uids = cli("list", "-f", path, "--from", "1900-01-01", "--to", "1900-01-02", "--json").stdout
    assert '"uid": "19000101-first-' in uids


@pytest.mark.parametrize(
    "args",
    [("check", "--today", "9999-12-31"), ("list", "--today", "0001-01-01"), ("next", "--today", "9900-06-01"),
     ("remind", "--today", "9999-12-31"), ("announce", "--today", "0001-01-01"), ("flyer", "--today", "9999-12-31"),
     ("clashes", "--with", "x.ics", "--today", "9999-12-31"), ("remind", "--days", "3000000"),
     ("list", "--from", "0001-01-01"), ("report", "9999-12-31")],
)  # fmt: skip
def test_dates_beyond_the_calendar_are_usage_errors(cli, write_programme, args):
    path = write_programme(PROGRAMME)
    result = cli(*args, "-f", path)
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("meetctl: error: ") and "meetctl works with" in line


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [(('date = 2017-01-25', 'date = 0001-01-03'), "meetings[1].date", "outside the dates meetctl works with"),
     (('duration = "2h"', 'duration = "99999999999h"'), "series[1].duration", "longer than a week"),
     (('date = 2017-01-25', 'date = 2017-01-25\nattendance = 99999999999999999999999'), "meetings[1].attendance",
      "larger than a TOML whole number"),
     (('date = 2017-01-25', 'date = 2017-01-25\nattendance = 2000000'), "meetings[1].attendance", "more than")],
)  # fmt: skip
def test_values_beyond_sense_are_located_errors(cli, write_programme, change, where, message):
    text = PROGRAMME + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ntitle = "x"\nstart = "19:00"\n'
    old, new = change
    path = write_programme(text.replace(old, new))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    (line,) = [x for x in located_lines(result.stderr, path) if where in x]
    assert message in line


def test_record_refuses_an_attendance_toml_cannot_hold(cli, write_programme):
    path = write_programme(PROGRAMME)
    before = path.read_bytes()
    result = cli("record", "-f", path, "2017-01-25", "--attendance", "99999999999999999999999")
    assert result.exit_code == 2
    assert path.read_bytes() == before


def test_deeply_nested_toml_is_an_input_error(cli, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text('[group]\nname = "G"\ntimezone = "UTC"\nx = ' + "[" * 50000 + "]" * 50000 + "\n")
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}: error: invalid TOML: arrays or tables nested too deeply\n"


def test_an_argument_that_is_not_utf8_is_a_usage_error(tmp_path):
    programme = tmp_path / "programme.toml"
    programme.write_text(PROGRAMME, encoding="utf-8")
    for args in ([b"list", b"-f", b"\xff.toml"], [b"add", b"-f", bytes(programme), b"--date", b"2017-02-22",
                                                  b"--title", b"caf\xe9"]):  # fmt: skip
        result = subprocess.run([sys.executable.encode(), b"-m", b"meetctl", *args], capture_output=True,
                                env={**os.environ, "MEETCTL_FILE": ""}, stdin=subprocess.DEVNULL)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(b"meetctl: error: argument '")
        assert b"is not valid UTF-8 text" in result.stderr and b"Traceback" not in result.stderr
    assert programme.read_text(encoding="utf-8") == PROGRAMME


def test_zone_changes_past_2038_match_a_day_by_day_scan():
    from zoneinfo import ZoneInfo

    from meetctl.model.zonechanges import _scanned_transitions, zone_transitions

    for name in ("Europe/London", "America/Santiago", "Australia/Lord_Howe", "Asia/Tehran", "Africa/Casablanca",
                 "America/Godthab", "Pacific/Chatham"):  # fmt: skip
        zone = ZoneInfo(name)
        assert zone_transitions(zone, 2030, 2075) == _scanned_transitions(zone, 2030, 2075), name
    started = time.monotonic()
    assert len(zone_transitions(ZoneInfo("Europe/London"), 1900, 9997)) > 15000
    assert time.monotonic() - started < 10


