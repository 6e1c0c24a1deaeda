"""`meetctl publish` against a real CalDAV server: Radicale, started here on 127.0.0.1."""

from __future__ import annotations

import http.server
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import HEADER

PROGRAMME = (
    HEADER
    + """
[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
venue = "hall"
from = 2024-01-01
until = 2024-12-31

[[meetings]]
series = "discussion"
date = 2024-02-28
title = "Rents, wages; and £ – what's fair?"
lead = "Zoë"

[[meetings]]
date = 2024-06-08
title = "Summer fair"
start = "11:00"
"""
)

USER, PASSWORD = "secretary", "correct horse"
_calendar_ids = itertools.count(1)


@dataclass
class Radicale:
    base: str
    process: subprocess.Popen

    def new_calendar(self, user: str | None = USER, password: str | None = PASSWORD) -> str:
        """Make an empty calendar collection (MKCALENDAR) and return its address."""
        import caldav

        home = f"{self.base}/{user or 'shared'}/"
        client = caldav.DAVClient(url=home, username=user, password=password, enable_rfc6764=False, require_tls=False)
        url = f"{home}cal{next(_calendar_ids)}/"
        if user is None and client.propfind(home).status == 404:
            assert client.mkcol(home, "").status == 201  # a plain collection to hold the calendars
        assert client.mkcalendar(url).status == 201
        return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_radicale(folder: Path, auth: str) -> Iterator[Radicale]:
    port = _free_port()
    args = [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
            "--storage-filesystem-folder", str(folder / "storage"), "--logging-level", "error"]  # fmt: skip
    if auth == "htpasswd":
        users = folder / "users"
        users.write_text(f"{USER}:{PASSWORD}\n")
        args += ["--auth-type", "htpasswd", "--auth-htpasswd-filename", str(users),
                 "--auth-htpasswd-encryption", "plain"]  # fmt: skip
    else:
        args += ["--auth-type", "none", "--rights-type", "authenticated"]
    log = (folder / "radicale.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"Radicale did not start: {(folder / 'radicale.log').read_text()}") from None
            time.sleep(0.1)
    try:
        yield Radicale(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def radicale(tmp_path_factory) -> Iterator[Radicale]:
    """Radicale with htpasswd logins (its default denies every login)."""
    yield from _start_radicale(tmp_path_factory.mktemp("radicale"), "htpasswd")


@pytest.fixture(scope="module")
def open_radicale(tmp_path_factory) -> Iterator[Radicale]:
    """Radicale with no authentication at all (a private server on a trusted network)."""
    yield from _start_radicale(tmp_path_factory.mktemp("radicale-open"), "none")


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME)


@pytest.fixture
def env(tmp_path):
    # A HOME without a .netrc, the password in the environment.
    return {"MEETCTL_CALDAV_PASSWORD": PASSWORD, "HOME": str(tmp_path), "NETRC": ""}


def read_back(url: str, user: str | None = USER, password: str | None = PASSWORD) -> dict[str, dict]:
    """Every object on the calendar, read with a fresh client: {resource name: details}."""
    import caldav
    import icalendar

    client = caldav.DAVClient(url=url, username=user, password=password, enable_rfc6764=False, require_tls=False)
    out = {}
    for obj in client.calendar(url=url).events():
        cal = icalendar.Calendar.from_ical(obj.data)
        events = cal.walk("VEVENT")
        out[unquote(str(obj.url).rsplit("/", 1)[1])] = {
            "uid": str(events[0]["uid"]),
            "summaries": sorted(str(ev["summary"]) for ev in events),
            "sequences": sorted(int(ev.get("sequence", 0)) for ev in events),
            "method": cal.get("method"),
            "etag": obj.props.get("{DAV:}getetag") if hasattr(obj, "props") else None,
            "data": obj.data,
        }
    return out


def add_foreign_event(url: str, uid: str = "dentist@phone.example") -> None:
    """An event someone put on the shared calendar with another client."""
    import caldav

    client = caldav.DAVClient(url=url, username=USER, password=PASSWORD, enable_rfc6764=False, require_tls=False)
    client.calendar(url=url).save_event(
        ical=f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240228T180000Z\r\nDTEND:20240228T190000Z\r\n"
        "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def uids_of(cli, path) -> set[str]:
    import json

    result = cli("list", "-f", path, "--from", "2024-01-01", "--to", "2024-12-31", "--json")
    return {item["uid"] for item in json.loads(result.stdout)}


def test_publish_then_read_back_with_a_fresh_client(cli, radicale, programme, env):
    url = radicale.new_calendar()
    result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"{url}: 2 created, 0 updated, 0 deleted, 0 unchanged"
    stored = read_back(url)
    # One resource per UID, named <uid>.ics, no METHOD (RFC 4791), our SEQUENCE.
    assert {name: obj["uid"] for name, obj in stored.items()} == {f"{uid}.ics": uid for uid in uids_of(cli, programme)}
    series = next(obj for obj in stored.values() if obj["uid"].startswith("discussion"))
    assert series["summaries"] == ["Discussion", "Rents, wages; and £ – what's fair?"]
    assert all(obj["method"] is None and set(obj["sequences"]) == {0} for obj in stored.values())
    assert "BEGIN:VTIMEZONE" in series["data"] and "TZID:Europe/London" in series["data"]


def test_a_second_run_changes_nothing(cli, radicale, programme, env):
    url = radicale.new_calendar()
    assert cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env).exit_code == 0
    before = read_back(url)
    again = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 2 unchanged\n"
    assert read_back(url) == before


def test_a_changed_meeting_is_updated_in_place_and_a_removed_one_deleted(cli, radicale, programme, env):
    url = radicale.new_calendar()
    assert cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env).exit_code == 0
    add_foreign_event(url)
    before = read_back(url)
    text = programme.read_text().replace("Rents, wages; and £ – what's fair?", "Rents and wages")
    text = text.replace('[[meetings]]\ndate = 2024-06-08\ntitle = "Summer fair"\nstart = "11:00"\n', "")
    programme.write_text(text)
    dry = cli("publish", "-f", programme, "--caldav", url, "--user", USER, "--dry-run", env=env)
    assert dry.exit_code == 0, dry.stderr
    series_uid = next(obj["uid"] for obj in before.values() if obj["uid"].startswith("discussion"))
    fair_uid = next(obj["uid"] for obj in before.values() if obj["uid"].startswith("20240608"))
    assert dry.stdout == (
        f"would update: Discussion ({series_uid})\n"
        f"would delete: Summer fair ({fair_uid})\n"
        f"{url}: 0 would be created, 1 would be updated, 1 would be deleted, 0 unchanged; 1 other event left alone\n"
    )
    assert read_back(url) == before  # a dry run changes nothing
    real = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    assert real.exit_code == 0, real.stderr
    after = read_back(url)
    assert set(after) == {f"{series_uid}.ics", "dentist@phone.example.ics"}
    assert after[f"{series_uid}.ics"]["summaries"] == ["Discussion", "Rents and wages"]
    assert after[f"{series_uid}.ics"]["sequences"] == [0, 0]  # not bumped by the library
    assert after["dentist@phone.example.ics"] == before["dentist@phone.example.ics"]


def test_another_groups_events_on_a_shared_calendar_are_left_alone(cli, radicale, programme, write_programme, env):
    url = radicale.new_calendar()
    other = write_programme(
        """
        [group]
        name = "Other Branch"
        timezone = "Europe/London"

        [[meetings]]
        date = 2024-03-02
        title = "Other branch social"
        start = "20:00"
        """,
        "other.toml",
    )
    assert cli("publish", "-f", other, "--caldav", url, "--user", USER, env=env).exit_code == 0
    result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    assert (
        result.stdout.splitlines()[-1]
        == f"{url}: 2 created, 0 updated, 0 deleted, 0 unchanged; 1 other event left alone"
    )
    assert len(read_back(url)) == 3


def test_password_from_netrc(cli, radicale, programme, tmp_path):
    url = radicale.new_calendar()
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD.replace(' ', chr(32))}\n".replace(
        PASSWORD, '"' + PASSWORD + '"'))  # fmt: skip
    netrc.chmod(0o600)
    result = cli("publish", "-f", programme, "--caldav", url, env={"HOME": str(tmp_path), "NETRC": ""})
    assert result.exit_code == 0, result.stderr
    assert len(read_back(url)) == 2


def test_a_server_without_logins(cli, open_radicale, programme, tmp_path):
    url = open_radicale.new_calendar(user=None, password=None)
    result = cli("publish", "-f", programme, "--caldav", url, env={"HOME": str(tmp_path), "NETRC": ""})
    assert result.exit_code == 0, result.stderr
    assert len(read_back(url, user=None, password=None)) == 2


@pytest.mark.parametrize(
    ("args", "env_password", "message"),
    [
        (["--user", USER], "wrong", "error: the server refused the login as secretary"),
        ([], None, "error: the server refused the login (no user name given: use --user)"),
        (["--user", USER], None, "error: the server refused the login as secretary with no password: "
                                 "set MEETCTL_CALDAV_PASSWORD or add the host to ~/.netrc"),
    ],
)  # fmt: skip
def test_wrong_or_missing_credentials(cli, radicale, programme, tmp_path, args, env_password, message):
    url = radicale.new_calendar()
    env = {"HOME": str(tmp_path), "NETRC": "", "MEETCTL_CALDAV_PASSWORD": env_password or ""}
    result = cli("publish", "-f", programme, "--caldav", url, *args, env=env)
    assert result.exit_code == 2
    assert result.stderr == f"{url}: {message}\n"
    assert result.stdout == ""


def test_no_calendar_at_the_address(cli, radicale, programme, env):
    url = f"{radicale.base}/{USER}/no-such-calendar/"
    result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    assert result.exit_code == 2
    assert result.stderr == f"{url}: error: no calendar at this address (the server said: not found); --create makes one\n"


def test_create_makes_the_calendar_with_mkcalendar_then_publishes(cli, radicale, programme, env):
    url = f"{radicale.base}/{USER}/new-calendar-{os.getpid()}/"
    dry = cli("publish", "-f", programme, "--caldav", url, "--user", USER, "--create", "--dry-run", env=env)
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == f"would create the calendar {url}"
    result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, "--create", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"created the calendar {url}"
    assert len(read_back(url)) == 2  # a fresh client finds a calendar holding both events
    again = cli("publish", "-f", programme, "--caldav", url, "--user", USER, "--create", env=env)
    assert again.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 2 unchanged\n"


def test_a_plain_collection_is_refused_not_filled(cli, radicale, programme, env):
    # The user's home (the folder holding their calendars) is the address people give by mistake.
    radicale.new_calendar()
    url = f"{radicale.base}/{USER}/"
    for extra in ([], ["--create"]):
        result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, *extra, env=env)
        assert result.exit_code == 2
        assert result.stderr == (f"{url}: error: this address is a folder (collection), not a calendar: "
                                 "give a calendar's address (or a new one, with --create)\n")  # fmt: skip
        assert result.stdout == ""


def test_a_user_name_on_a_server_without_logins_needs_no_password(cli, open_radicale, programme, tmp_path):
    url = open_radicale.new_calendar(user=None, password=None)
    env = {"HOME": str(tmp_path), "NETRC": "", "MEETCTL_CALDAV_PASSWORD": ""}
    result = cli("publish", "-f", programme, "--caldav", url, "--user", "secretary", env=env)
    assert result.exit_code == 0, result.stderr
    assert len(read_back(url, user=None, password=None)) == 2


def test_publishing_one_stream_leaves_the_others_events_alone(cli, radicale, programme, env):
    url = radicale.new_calendar()
    assert cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env).exit_code == 0
    before = read_back(url)
    result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, "--one-offs", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 1 unchanged; 1 other event left alone\n"
    assert read_back(url) == before
    only = radicale.new_calendar()
    cli("publish", "-f", programme, "--caldav", only, "--user", USER, "--series", "discussion", env=env)
    assert [obj["summaries"][0] for obj in read_back(only).values()] == ["Discussion"]


class _Broken(http.server.BaseHTTPRequestHandler):
    def _fail(self) -> None:
        self.send_response(500, "Internal Server Error")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _fail  # noqa: N815

    def log_message(self, *args) -> None:
        pass


def test_a_server_that_answers_with_errors(cli, programme, env):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/cal/"
        result = cli("publish", "-f", programme, "--caldav", url, "--user", USER, env=env)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{url}: error: the server answered with an error: ")
    assert len(result.stderr.splitlines()) == 1


def test_unreachable_server_and_bad_address(cli, programme, env):
    closed = f"http://127.0.0.1:{_free_port()}/cal/"
    result = cli("publish", "-f", programme, "--caldav", closed, "--user", USER, env=env)
    assert (result.exit_code, result.stderr) == (2, f"{closed}: error: cannot talk to the server: Connection refused\n")
    bad = cli("publish", "-f", programme, "--caldav", "ftp://example.org/cal", env=env)
    assert bad.exit_code == 2
    assert (
        bad.stderr == "ftp://example.org/cal: error: not a CalDAV address (expected https://host/path/to/calendar/)\n"
    )


def test_installed_meetctl_publishes(radicale, programme, tmp_path):
    url = radicale.new_calendar()
    env = {**os.environ, "MEETCTL_CALDAV_PASSWORD": PASSWORD, "HOME": str(tmp_path), "NETRC": ""}
    run = [sys.executable, "-m", "meetctl", "publish", "-f", str(programme), "--caldav", url, "--user", USER]
    first = subprocess.run(run, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(run, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert second.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 2 unchanged\n"
    assert second.stderr == ""


def test_publish_shows_its_bar_on_a_terminal_and_nothing_in_a_pipe(open_radicale, programme, tmp_path):
    from tests.test_conventions import BAR, _in_a_pipe, _on_a_terminal

    env_home = ["-f", str(programme), "publish"]
    first = open_radicale.new_calendar(user=None, password=None)
    status, screen, _ = _on_a_terminal([*env_home, "--caldav", first], tmp_path)
    assert status == 0 and BAR in screen, screen
    second = open_radicale.new_calendar(user=None, password=None)
    piped = _in_a_pipe([*env_home, "--caldav", second], tmp_path)
    assert piped.returncode == 0 and BAR not in piped.stderr + piped.stdout
    assert len(read_back(second, user=None, password=None)) == 2  # the same work, silently
    # `meetctl publish ... | tee publish.log`: the person sees stderr, but the output goes down a pipe.
    third = open_radicale.new_calendar(user=None, password=None)
    status, screen, out = _on_a_terminal([*env_home, "--caldav", third], tmp_path, stdout_too=False)
    assert status == 0 and BAR not in screen and out
