"""`meetctl publish` against each CalDAV server the tests can start: Radicale and Xandikos.

The same secretary's round on both: create the calendar, publish, publish again,
publish one stream, and put back an event someone edited on the server. Xandikos
answers PROPFIND on a missing address with a 207 whose response says 404, and
stores what it is sent as it is; Radicale answers 404 and rewrites what it stores.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_publish import PASSWORD, PROGRAMME, USER, _free_port, _start_radicale, read_back

_names = itertools.count(1)


@dataclass
class Server:
    """A running CalDAV server: where new calendars go, and how to log in (if at all)."""

    name: str
    home: str  # the collection holding the user's calendars
    user: str | None
    password: str | None

    def address(self) -> str:
        """A fresh calendar address on the server, with nothing at it yet."""
        return f"{self.home}{self.name}-cal{next(_names)}/"

    def login(self) -> list[str]:
        return ["--user", self.user] if self.user else []

    def env(self, home: Path) -> dict[str, str]:
        return {"MEETCTL_CALDAV_PASSWORD": self.password or "", "HOME": str(home), "NETRC": ""}

    def client(self, url: str):
        import caldav

        return caldav.DAVClient(url=url, username=self.user, password=self.password, enable_rfc6764=False,
                                require_tls=False)  # fmt: skip


def _start_xandikos(folder: Path) -> Iterator[str]:
    port = _free_port()
    args = [sys.executable, "-m", "xandikos", "serve", "-d", str(folder / "data"), "--defaults",
            "--state-dir", str(folder / "state"), "-l", "127.0.0.1", "-p", str(port), "--no-detect-systemd"]  # fmt: skip
    log = (folder / "xandikos.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    import socket

    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"Xandikos did not start: {(folder / 'xandikos.log').read_text()}") from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module", params=["radicale", "xandikos"])
def server(request, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "radicale":
        for running in _start_radicale(folder, "htpasswd"):
            yield Server("radicale", f"{running.base}/{USER}/", USER, PASSWORD)
    else:
        pytest.importorskip("xandikos", reason="Xandikos is in the test extra: pip install -e '.[test]'")
        for base in _start_xandikos(folder):
            yield Server("xandikos", f"{base}/user/calendars/", None, None)


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME)


def publish(cli, server: Server, tmp_path: Path, path: Path, url: str, *extra: str):
    return cli("publish", "-f", path, "--caldav", url, *server.login(), *extra, env=server.env(tmp_path))


def stored(server: Server, url: str) -> dict[str, dict]:
    return read_back(url, user=server.user, password=server.password)


def test_a_missing_address_is_missing_and_create_makes_it(cli, server, programme, tmp_path):
    url = server.address()
    refused = publish(cli, server, tmp_path, programme, url)
    assert refused.exit_code == 2
    assert (
        refused.stderr
        == f"{url}: error: no calendar at this address (the server said: not found); --create makes one\n"
    )
    created = publish(cli, server, tmp_path, programme, url, "--create")
    assert created.exit_code == 0, created.stderr
    assert created.stdout.splitlines()[0] == f"created the calendar {url}"
    assert created.stdout.splitlines()[-1] == f"{url}: 2 created, 0 updated, 0 deleted, 0 unchanged"
    objects = stored(server, url)
    assert sorted(obj["summaries"][0] for obj in objects.values()) == ["Discussion", "Summer fair"]
    again = publish(cli, server, tmp_path, programme, url, "--create")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 2 unchanged\n"
    assert stored(server, url) == objects


def test_a_changed_title_is_updated_in_place(cli, server, programme, tmp_path):
    url = server.address()
    assert publish(cli, server, tmp_path, programme, url, "--create").exit_code == 0
    programme.write_text(programme.read_text().replace('title = "Discussion"', 'title = "Discussion café"'))
    result = publish(cli, server, tmp_path, programme, url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"{url}: 0 created, 1 updated, 0 deleted, 1 unchanged"
    assert sorted(obj["summaries"][0] for obj in stored(server, url).values()) == ["Discussion café", "Summer fair"]


def test_one_stream_leaves_a_one_off_removed_from_the_programme(cli, server, programme, tmp_path):
    url = server.address()
    assert publish(cli, server, tmp_path, programme, url, "--create").exit_code == 0
    before = stored(server, url)
    # The fair leaves the programme; the secretary then publishes only the discussion series.
    programme.write_text(programme.read_text().replace(
        '[[meetings]]\ndate = 2024-06-08\ntitle = "Summer fair"\nstart = "11:00"\n', ""))  # fmt: skip
    result = publish(cli, server, tmp_path, programme, url, "--series", "discussion")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{url}: 0 created, 0 updated, 0 deleted, 1 unchanged; 1 other event left alone\n"
    assert stored(server, url) == before
    # Publishing the one-offs (or everything) is what removes it.
    gone = publish(cli, server, tmp_path, programme, url, "--one-offs")
    assert gone.exit_code == 0, gone.stderr
    assert (
        gone.stdout.splitlines()[-1] == f"{url}: 0 created, 0 updated, 1 deleted, 0 unchanged; 1 other event left alone"
    )
    assert [obj["summaries"][0] for obj in stored(server, url).values()] == ["Discussion"]


def test_an_event_edited_on_the_server_is_put_back(cli, server, programme, tmp_path):
    url = server.address()
    assert publish(cli, server, tmp_path, programme, url, "--create").exit_code == 0
    before = stored(server, url)
    # Someone retitles the fair in their calendar app, which keeps our X-MEETCTL-HASH.
    calendar = server.client(url).calendar(url=url)
    fair = next(obj for obj in calendar.events() if "SUMMARY:Summer fair" in obj.data)
    fair.data = fair.data.replace("SUMMARY:Summer fair", "SUMMARY:Fair moved to the park")
    fair.save()
    assert "X-MEETCTL-HASH" in next(o for o in stored(server, url).values() if "park" in o["data"])["data"]
    result = publish(cli, server, tmp_path, programme, url)
    assert result.exit_code == 0, result.stderr
    fair_uid = next(obj["uid"] for obj in before.values() if obj["summaries"] == ["Summer fair"])
    assert result.stdout == (
        f"restored: Summer fair ({fair_uid}): it was changed on the server\n"
        f"{url}: 0 created, 1 updated, 0 deleted, 1 unchanged\n"
    )
    assert sorted(obj["summaries"][0] for obj in stored(server, url).values()) == ["Discussion", "Summer fair"]
    assert publish(cli, server, tmp_path, programme, url).stdout.endswith("0 updated, 0 deleted, 2 unchanged\n")
