"""Mail a pipe or a mail server can take: `--format mbox`, `--send --sendmail PATH`, catch-up, notice_lead.

Two streams with mail due the same day (a reading-group cancellation and a branch
reminder) are the case the single-message pipe could not carry. Dates are worked
out here with plain calendar arithmetic.
"""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import BRANCH_AND_READING, HEADER, ROOT

BRANCH_DAY = date(2027, 2, 9)  # the second Tuesday of February 2027
READING_OFF = date(2027, 2, 11)  # the Thursday after it, cancelled
TODAY = BRANCH_DAY - timedelta(days=7)  # the branch meeting a week ahead, the cancelled Thursday nine days
FILM_NIGHT = READING_OFF + timedelta(days=6)  # a one-off: a week after the day before the cancelled Thursday

PROGRAMME = (
    HEADER
    + BRANCH_AND_READING
    + f"""
[[meetings]]
series = "reading"
date = {READING_OFF}
cancelled = true
reason = "The hall is closed"

[[meetings]]
series = "branch"
date = {BRANCH_DAY}
description = "From the floor: motions on the rent strike.\\n\\nFrom the floor, again, and >From a quote."

[[meetings]]
date = {FILM_NIGHT}
title = "Film night"
start = "19:00"
venue = "hall"
"""
)
# A week ahead of the branch meeting (2 February) the cancelled Thursday is 9 days ahead.
DAYS = ("--days", "7", "--days", "9")


def messages_of(mbox_bytes: bytes, tmp_path: Path) -> list[email.message.EmailMessage]:
    path = tmp_path / "out.mbox"
    path.write_bytes(mbox_bytes)
    return [email.message_from_bytes(m.as_bytes(), policy=email.policy.default) for m in mailbox.mbox(path)]


def test_email_with_several_due_names_mbox_and_send(cli, write_programme):
    path = write_programme(PROGRAMME)
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), *DAYS, "--format", "email")
    assert result.exit_code == 2 and result.stdout == ""
    assert "2 reminders and notices are due" in result.stderr
    assert "--format mbox" in result.stderr and "--send" in result.stderr and len(result.stderr.splitlines()) == 1


def test_mbox_holds_every_message_due_once_each(cli, write_programme, tmp_path):
    path = write_programme(PROGRAMME)
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), *DAYS, "--format", "mbox")
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    envelopes = [line for line in raw.split(b"\n") if line.startswith(b"From ")]
    assert envelopes == [b"From secretary@example.org Tue Feb  2 00:00:00 2027"] * 2
    assert b"\r\n" not in raw  # an mbox is a Unix file
    first, second = messages_of(raw, tmp_path)
    assert first["Subject"] == "Cancelled: Thursday 11 February, 6:30pm: Reading group"
    assert second["Subject"] == "Reminder: Tuesday 9 February, 7:30pm: Branch meeting"
    # Lines that begin "From " or ">From " reach every reader unchanged (no '>' added by quoting).
    body = second.get_body(("plain",)).get_content()
    assert "\nFrom the floor: motions on the rent strike." in body
    assert "\nFrom the floor, again, and >From a quote." in body
    # The same messages as --format email would write one by one.
    single = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--format", "email").stdout_bytes
    assert email.message_from_bytes(single, policy=email.policy.default)["Message-ID"] == second["Message-ID"]


def test_mbox_is_empty_on_a_day_with_nothing_due(cli, write_programme):
    path = write_programme(PROGRAMME)
    result = cli("remind", "-f", path, "--today", (TODAY - timedelta(days=1)).isoformat(), "--format", "mbox")
    assert (result.exit_code, result.stdout_bytes, result.stderr) == (0, b"", "")


@pytest.mark.skipif(shutil.which("formail") is None, reason="formail (Debian's procmail) is not installed")
def test_formail_splits_the_mbox_into_one_sendmail_run_each(cli, write_programme, tmp_path):
    path = write_programme(PROGRAMME)
    raw = cli("remind", "-f", path, "--today", TODAY.isoformat(), *DAYS, "--format", "mbox").stdout_bytes
    out = tmp_path / "split"
    out.mkdir()
    subprocess.run(
        ["formail", "-I", "From ", "-s", "sh", "-c", f'cat > "{out}/$FILENO"'], input=raw, check=True, timeout=60
    )
    got = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(out.iterdir())]
    assert [m["Subject"].split(":")[0] for m in got] == ["Cancelled", "Reminder"]
    assert not any(p.read_bytes().startswith(b"From ") for p in out.iterdir())  # envelope lines dropped
    assert "and >From a quote." in got[1].get_body(("plain",)).get_content()


# --------------------------------------------------------------------------- --send --sendmail


def fake_mailer(tmp_path: Path) -> Path:
    """A mailer that keeps each message (and its arguments) in inbox/; it fails (exit 75) while fail-next exists."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    script = tmp_path / "fake-sendmail"
    script.write_text(
        "#!/bin/sh\n"
        f'inbox="{inbox}"\n'
        f'if [ -e "{tmp_path}/fail-next" ]; then rm "{tmp_path}/fail-next"; echo "queue full" >&2; exit 75; fi\n'
        'n=$(ls "$inbox" | grep -c eml || true)\n'
        'printf "%s\\n" "$@" > "$inbox/$n.args"\n'
        'cat > "$inbox/$n.eml"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def delivered(tmp_path: Path) -> list[email.message.EmailMessage]:
    files = sorted((tmp_path / "inbox").glob("*.eml"), key=lambda p: int(p.stem))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


def sent_log(state: Path) -> list[dict]:
    path = state / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sendmail_gets_each_message_on_stdin_with_t_and_i_once(cli, write_programme, tmp_path):
    path, mailer, state = write_programme(PROGRAMME), fake_mailer(tmp_path), tmp_path / "state"
    env = {"MEETCTL_STATE_DIR": str(state)}
    run = ("remind", "-f", path, "--today", TODAY.isoformat(), *DAYS, "--send", "--sendmail", mailer)
    for _ in range(2):  # the second run finds both in the sent-log
        result = cli(*run, env=env)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    got = delivered(tmp_path)
    assert [m["Subject"].split(":")[0] for m in got] == ["Cancelled", "Reminder"]
    assert (tmp_path / "inbox" / "0.args").read_text().split() == ["-t", "-i"]
    assert [e["message_id"] for e in sent_log(state)] == [m["Message-ID"] for m in got]


def test_sendmail_from_the_environment_and_never_from_the_programme(cli, write_programme, tmp_path):
    mailer, state = fake_mailer(tmp_path), tmp_path / "state"
    path = write_programme(PROGRAMME)
    env = {"MEETCTL_STATE_DIR": str(state), "MEETCTL_SENDMAIL": str(mailer)}
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--send", env=env)
    assert result.exit_code == 0, result.stderr
    assert [m["Subject"].split(":")[0] for m in delivered(tmp_path)] == ["Reminder"]
    # A programme file cannot name a program: there is no such key.
    sneaky = write_programme(PROGRAMME.replace("[group]", f'[mail]\nsendmail = "{mailer}"\n\n[group]', 1), "p2.toml")
    result = cli("remind", "-f", sneaky, "--today", TODAY.isoformat(), "--send", env={"MEETCTL_STATE_DIR": str(state)})
    assert (
        result.exit_code == 2
        and "sendmail" in result.stderr
        and "p2.toml:2:1: error: mail.sendmail: unknown key" in result.stderr
    )


def test_a_failing_mailer_is_exit_75_and_nothing_logged_then_tomorrow_sends_it(cli, write_programme, tmp_path):
    path, mailer, state = write_programme(PROGRAMME), fake_mailer(tmp_path), tmp_path / "state"
    (tmp_path / "fail-next").touch()
    env = {"MEETCTL_STATE_DIR": str(state)}
    failed = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--send", "--sendmail", mailer, env=env)
    assert failed.exit_code == 75
    assert "the mailer exited 75: queue full" in failed.stderr and "Traceback" not in failed.stderr
    assert delivered(tmp_path) == [] and sent_log(state) == []
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    again = cli("remind", "-f", path, "--today", tomorrow, "--send", "--sendmail", mailer, "-v", env=env)
    assert again.exit_code == 0, again.stderr
    (msg,) = delivered(tmp_path)
    assert msg["Subject"] == "Reminder: Tuesday 9 February, 7:30pm: Branch meeting"
    # Worded from the day it goes out, identified by the day it was due.
    assert "we meet next Tuesday, 9 February" in " ".join(msg.get_body(("plain",)).get_content().split())
    assert f"-{TODAY:%Y%m%d}-" in msg["Message-ID"]


def test_a_mailer_that_is_not_there_is_exit_2(cli, write_programme, tmp_path):
    path = write_programme(PROGRAMME)
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--send", "--sendmail", tmp_path / "nope")
    assert result.exit_code == 2 and "no such program" in result.stderr


# --------------------------------------------------------------------------- catch-up


BRANCH_ONLY = HEADER + BRANCH_AND_READING[: BRANCH_AND_READING.index("[[series]]", 10)]


@pytest.mark.parametrize(
    ("runs", "sent"),
    [
        # The week-ahead reminder (due 2 February) missed: 4 days later is past the default 3 ...
        ([("2027-02-06",)], []),
        # ... not past --catch-up 4, and once sent it is in the sent-log.
        ([("2027-02-06", "--catch-up", "4"), ("2027-02-07", "--catch-up", "5")], ["20270202"]),
        # The day-before reminder, missed, goes out on the meeting's own day (it starts at 7:30pm) ...
        ([("2027-02-09", "--days", "1")], ["20270208"]),
        # ... but not once the meeting is over.
        ([("2027-02-10", "--days", "1")], []),
        # A missed three-days-ahead reminder yields to the day-before one due today: one reminder a run.
        ([("2027-02-08", "--days", "3", "--days", "1")], ["20270208"]),
    ],
)
def test_catch_up_sends_what_a_missed_day_owes_while_it_is_of_use(cli, write_programme, tmp_path, runs, sent):
    path, mailer = write_programme(BRANCH_ONLY), fake_mailer(tmp_path)
    for today, *extra in runs:
        result = cli("remind", "-f", path, "--today", today, "--send", "--sendmail", mailer, *extra,
                     env={"MEETCTL_STATE_DIR": str(tmp_path / "state")})  # fmt: skip
        assert result.exit_code == 0, result.stderr
    got = delivered(tmp_path)
    assert [re.match(r"<reminder-20270209-(\d{8})-", m["Message-ID"])[1] for m in got] == sent


def test_catch_up_is_for_send(cli, write_programme):
    path = write_programme(PROGRAMME)
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--catch-up", "3")
    assert result.exit_code == 2 and "--catch-up is for --send" in result.stderr


# --------------------------------------------------------------------------- notice_lead and "After that"


def agm_programme(lead_line: str, where: str = "meeting") -> str:
    group = HEADER.replace("[group]", "[group]\n" + lead_line, 1) if where == "group" else HEADER
    own = lead_line if where == "meeting" else ""
    return (
        group
        + f"""
[[meetings]]
date = 2024-03-21
title = "Annual General Meeting"
kind = "agm"
notice = "21 clear days"
start = "19:00"
venue = "hall"
{own}
"""
    )


# 21 clear days before Thursday 21 March 2024: 21 days between, so notice by Wednesday 28 February.
AGM_DEADLINE = date(2024, 3, 21) - timedelta(days=22)


def notice_days(cli, path: Path) -> list[date]:
    days = []
    day = AGM_DEADLINE - timedelta(days=20)
    while day <= AGM_DEADLINE + timedelta(days=2):
        out = cli("remind", "-f", path, "--today", day.isoformat()).stdout
        if "Notice is hereby given" in out:
            days.append(day)
        day += timedelta(days=1)
    return days


@pytest.mark.parametrize(
    ("line", "where", "lead"),
    [("", "meeting", 2), ('notice_lead = "5 days"', "meeting", 5), ('notice_lead = "1 week"', "group", 7),
     ('notice_lead = "0 days"', "meeting", 0)],
)  # fmt: skip
def test_the_notice_goes_out_notice_lead_before_its_deadline(cli, write_programme, line, where, lead):
    path = write_programme(agm_programme(line, where))
    assert notice_days(cli, path) == [AGM_DEADLINE - timedelta(days=lead)]


@pytest.mark.parametrize("bad", ['"2 fortnights"', '"-1 days"', '"120 days"', "2"])
def test_a_bad_notice_lead_is_a_located_error(cli, write_programme, bad):
    path = write_programme(agm_programme(f"notice_lead = {bad}"))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("notice_lead"))
    assert re.search(rf"programme\.toml:{line}:\d+: error: meetings\[\d\]\.notice_lead", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_a_missed_notice_day_is_caught_up_while_the_deadline_is_to_come(cli, write_programme, tmp_path):
    path, mailer = write_programme(agm_programme("")), fake_mailer(tmp_path)
    env = {"MEETCTL_STATE_DIR": str(tmp_path / "state")}
    for day in (AGM_DEADLINE + timedelta(days=1), AGM_DEADLINE):  # after the deadline: too late; on it: in time
        result = cli("remind", "-f", path, "--today", day.isoformat(), "--send", "--sendmail", mailer, env=env)
        assert result.exit_code == 0, result.stderr
    (msg,) = delivered(tmp_path)
    assert msg["Subject"].startswith("Notice of the Annual General Meeting")
    assert msg["Message-ID"].startswith(f"<notice-20240321-{AGM_DEADLINE - timedelta(days=2):%Y%m%d}-")


def test_after_that_names_the_next_meeting_of_the_same_series(cli, write_programme):
    path = write_programme(HEADER + BRANCH_AND_READING)
    out = cli("remind", "-f", path, "--today", (BRANCH_DAY - timedelta(days=7)).isoformat()).stdout
    text = " ".join(out.split())
    assert "Branch meeting" in text
    assert "After that: Tuesday 9 March 2027, 7:30pm: Branch meeting" in text  # not Thursday's reading group
    reading = cli("remind", "-f", path, "--today", (READING_OFF - timedelta(days=7)).isoformat()).stdout
    assert "After that: Thursday 18 February 2027, 6:30pm: Reading group" in " ".join(reading.split())


# --------------------------------------------------------------------------- a real mailer: msmtp


def msmtp_config(tmp_path: Path, port: int) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    rc = home / ".msmtprc"
    rc.write_text(
        f"defaults\nauth off\ntls off\n\naccount default\nhost 127.0.0.1\nport {port}\nfrom secretary@example.org\n",
        encoding="utf-8",
    )
    rc.chmod(0o600)  # msmtp refuses a configuration others can read
    return home


def the_recipe(name: str) -> str:
    """The cron recipe of docs/reminders.md whose first command line contains ``name``."""
    text = (ROOT / "docs" / "reminders.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(#!/bin/sh\n.*?)```", text, re.S)
    (block,) = [b for b in blocks if name in b]
    return block


def installed_home(tmp_path: Path, port: int) -> Path:
    """$HOME as the recipes expect it: .venv/bin/meetctl, group/programme.toml, and msmtp's ~/.msmtprc."""
    home = msmtp_config(tmp_path, port)
    (home / "group").mkdir()
    (home / "group" / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    bin_dir = home / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    meetctl = bin_dir / "meetctl"
    meetctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m meetctl "$@"\n', encoding="utf-8")
    meetctl.chmod(0o755)
    return home


@pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp is not installed")
@pytest.mark.parametrize("recipe", ["--sendmail", "formail"])
def test_the_documented_cron_recipes_deliver_every_stream_through_msmtp(recipe, tmp_path, smtp_inbox):
    if recipe == "formail" and shutil.which("formail") is None:
        pytest.skip("formail (Debian's procmail) is not installed")
    controller, inbox = smtp_inbox
    home = installed_home(tmp_path, controller.port)
    script = the_recipe(recipe).replace("/usr/sbin/sendmail", shutil.which("msmtp") or "msmtp")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT / "src"), "MEETCTL_STATE_DIR": str(tmp_path / "s"),
           "MEETCTL_FILE": ""}  # fmt: skip
    # The day before the cancelled Thursday: its cancellation notice (--days 1) and the film night's
    # reminder (--days 7), two streams on one morning.
    env["MEETCTL_TODAY"] = (READING_OFF - timedelta(days=1)).isoformat()
    for _ in range(2):
        done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        if recipe == "formail":
            break  # no sent-log: a second run would send again (the docs say so)
    got = [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in inbox.envelopes]
    assert [m["Subject"] for m in got] == [
        "Cancelled: Thursday 11 February, 6:30pm: Reading group",
        "Reminder: Wednesday 17 February, 7pm: Film night",
    ]
    assert all(
        e.rcpt_tos == ["members@example.org"] and e.mail_from == "secretary@example.org" for e in inbox.envelopes
    )
    assert not any(e.original_content.startswith(b"From ") for e in inbox.envelopes)  # no envelope line kept


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.envelopes: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.envelopes.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


# --------------------------------------------------------------------------- cron's cache of the programme


def big_programme(write_programme, title: str = "Branch meeting") -> Path:
    """The branch programme padded past the cache's threshold with a long welcome (one file, many bytes)."""
    from meetctl.model.cache import SMALLEST

    text = (HEADER + BRANCH_AND_READING).replace('title = "Branch meeting"', f'title = "{title}"')
    welcome = "Everyone is welcome. " * (SMALLEST // 20)
    return write_programme(text.replace("[venues.hall]", f'welcome = "{welcome}"\n\n[venues.hall]', 1))


def test_remind_keeps_the_validated_programme_and_never_an_old_one(cli, write_programme, tmp_path):
    from meetctl.model.cache import FOLDER
    from meetctl.model.loading import load_programme

    state = tmp_path / "state"
    env = {"MEETCTL_STATE_DIR": str(state)}
    path = big_programme(write_programme)
    first = cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env)
    (entry,) = (state / FOLDER).glob("*.pickle")
    again = cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env)
    assert first.exit_code == again.exit_code == 0 and first.stdout == again.stdout
    assert "Tuesday 9 February" in first.stdout
    import pickle

    assert pickle.loads(entry.read_bytes()) == load_programme(path)
    # An edit is a new entry (the old one goes): the new title, never the kept one.
    big_programme(write_programme, title="Branch meeting: the rent strike")
    edited = cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env)
    assert "Branch meeting: the rent strike" in edited.stdout
    assert [p.name for p in (state / FOLDER).glob("*.pickle")] != [entry.name]
    assert len(list((state / FOLDER).glob("*.pickle"))) == 1


def test_an_entry_others_may_write_is_never_read(cli, write_programme, tmp_path):
    from meetctl.model.cache import FOLDER
    from meetctl.model.loading import load_programme

    state = tmp_path / "state"
    env = {"MEETCTL_STATE_DIR": str(state)}
    path = big_programme(write_programme)
    cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env)
    (entry,) = (state / FOLDER).glob("*.pickle")
    # Plant another programme under the entry's name: read when private, ignored when others may write it.
    import pickle

    other = load_programme(big_programme(write_programme, title="Planted"))
    big_programme(write_programme)  # the file as it was
    entry.write_bytes(pickle.dumps(other))
    entry.chmod(0o600)
    assert "Planted" in cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env).stdout
    entry.write_bytes(pickle.dumps(other))
    entry.chmod(0o620)
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), env=env)
    assert "Planted" not in result.stdout and "Branch meeting" in result.stdout


def test_a_programme_with_an_error_is_never_kept(cli, write_programme, tmp_path):
    from meetctl.model.cache import FOLDER

    state = tmp_path / "state"
    path = big_programme(write_programme)
    path.write_text(path.read_text().replace('start = "19:30"', 'start = "7.30pm"'))
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), env={"MEETCTL_STATE_DIR": str(state)})
    assert result.exit_code == 2 and re.search(r"programme\.toml:\d+:\d+: error: ", result.stderr)
    assert not list((state / FOLDER).glob("*.pickle"))


def test_force_resends_today_and_catches_nothing_up(cli, write_programme, tmp_path):
    path, mailer = write_programme(BRANCH_ONLY), fake_mailer(tmp_path)
    env = {"MEETCTL_STATE_DIR": str(tmp_path / "state")}
    send = ("remind", "-f", path, "--send", "--sendmail", mailer)
    assert cli(*send, "--today", "2027-02-02", env=env).exit_code == 0  # the week-ahead reminder
    assert cli(*send, "--today", "2027-02-03", "--force", env=env).exit_code == 0  # nothing due today
    assert len(delivered(tmp_path)) == 1
    assert cli(*send, "--today", "2027-02-03", "--force", "--catch-up", "1", env=env).exit_code == 0
    assert len(delivered(tmp_path)) == 2  # asked for: yesterday's, again
