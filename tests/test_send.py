"""`meetctl remind --send` against a real SMTP server (aiosmtpd) on 127.0.0.1.

The server requires STARTTLS (a throwaway certificate from a throwaway CA, made
with trustme) and a login; the client trusts that CA through ``SSL_CERT_FILE``,
as a user with a private CA would. What the server received is parsed back.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import HEADER

USER = "secretary@example.org"
PASSWORD = "correct horse battery staple"
MEETING = date(2017, 2, 22)
TODAY = MEETING - timedelta(days=7)

PROGRAMME = (
    HEADER
    + """
[mail]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "{security}"
user = "secretary@example.org"

[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
venue = "hall"
from = 2017-01-01

[[meetings]]
series = "discussion"
date = 2017-02-22
title = "Café politics: who runs the town?"
lead = "Zoë"
"""
)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 2.0.0 OK: queued"

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default) for e in self.envelopes
        ]


class DropsTheConnection(Inbox):
    """A server that hangs up in the middle of the message (a crash, a proxy timeout)."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        server.transport.close()
        return "250 2.0.0 OK: (never reaches the client)"


class RefusesRecipients(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return "550 5.1.1 No such user here"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> tuple[Path, ssl.SSLContext, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1: (CA file, server context, folder)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return ca_file, context, folder


@pytest.fixture
def start_server(tls, monkeypatch) -> Iterator[Callable[..., tuple[Controller, Inbox]]]:
    """Start an SMTP server: start_server(handler=Inbox(), implicit_tls=False) -> (controller, inbox)."""
    ca_file, context, _ = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    started: list[Controller] = []

    def start(handler: Inbox | None = None, implicit_tls: bool = False) -> tuple[Controller, Inbox]:
        handler = handler or Inbox()
        tls_options = (
            # aiosmtpd only counts STARTTLS as TLS for AUTH; an implicit-TLS socket is TLS from the start.
            {"ssl_context": context, "auth_require_tls": False}
            if implicit_tls
            else {"tls_context": context, "require_starttls": True}
        )
        controller = Controller(
            handler, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
            auth_required=True, **tls_options,
        )  # fmt: skip
        controller.start()
        started.append(controller)
        return controller, handler

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def send(cli, write_programme, state):
    """send(port, *args, security="starttls", password=PASSWORD) runs `meetctl remind --send`."""

    def run(port: int, *args: str, security: str = "starttls", password: str | None = PASSWORD, today=TODAY):
        path = write_programme(PROGRAMME.format(port=port, security=security))
        env = {"MEETCTL_STATE_DIR": str(state), "MEETCTL_SMTP_PASSWORD": password or ""}
        return cli("remind", "-f", path, "--today", today.isoformat(), "--send", *args, env=env)

    return run


def sent_log(state: Path) -> list[dict]:
    path = state / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --------------------------------------------------------------------------- delivery


def test_send_over_starttls_with_login(start_server, send, state):
    controller, inbox = start_server()
    result = send(controller.port)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "secretary@example.org"
    assert envelope.rcpt_tos == ["members@example.org"]
    (msg,) = inbox.messages()
    assert msg["Subject"] == "Reminder: Wednesday 22 February, 7pm: Café politics: who runs the town?"
    assert msg["From"] == "Test Group <secretary@example.org>"
    assert msg["To"] == "members@example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar",
    ]  # fmt: skip
    text = msg.get_body(("plain",)).get_content()
    assert "Leading off: Zoë" in text
    assert "Wednesday 22 February 2017, 7pm to 9pm GMT (Europe/London)" in text
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_param("method") == "PUBLISH"
    assert "BEGIN:VEVENT" in attachment.get_content()
    (entry,) = sent_log(state)
    assert entry["message_id"] == msg["Message-ID"]
    assert entry["to"] == ["members@example.org"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_send_over_implicit_tls(start_server, send):
    controller, inbox = start_server(implicit_tls=True)
    result = send(controller.port, security="tls")
    assert result.exit_code == 0, result.stderr
    assert len(inbox.envelopes) == 1


def test_a_second_run_the_same_day_sends_nothing_unless_forced(start_server, send, state):
    controller, inbox = start_server()
    assert send(controller.port).exit_code == 0
    again = send(controller.port)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert len(inbox.envelopes) == 1
    verbose = send(controller.port, "--verbose")
    assert verbose.stderr.startswith("already sent: Reminder: Wednesday 22 February")
    forced = send(controller.port, "--force", "-v")
    assert forced.exit_code == 0
    assert forced.stderr.startswith("sent: Reminder: Wednesday 22 February")
    assert len(inbox.envelopes) == 2
    assert len(sent_log(state)) == 2


def test_the_day_before_is_a_new_reminder(start_server, send):
    controller, inbox = start_server()
    assert send(controller.port, "--days", "7", "--days", "1").exit_code == 0
    assert send(controller.port, "--days", "7", "--days", "1", today=MEETING - timedelta(days=1)).exit_code == 0
    first, second = inbox.messages()
    assert first["Message-ID"] != second["Message-ID"]
    assert "tomorrow, Wednesday 22 February" in " ".join(second.get_body(("plain",)).get_content().split())


def test_nothing_due_connects_to_nothing(start_server, send, state):
    controller, inbox = start_server()
    # The day before a reminder day: nothing due, and nothing missed in the days before it.
    result = send(controller.port, today=TODAY - timedelta(days=1))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert inbox.envelopes == [] and not state.exists()


# --------------------------------------------------------------------------- failures


def test_a_refused_login_is_not_logged_and_says_why(start_server, send, state):
    controller, inbox = start_server()
    result = send(controller.port, password="wrong")
    assert result.exit_code == 2  # a wrong password is wrong tomorrow too: not "try again later"
    assert result.stderr == (
        f"127.0.0.1:{controller.port}: error: not sent: login refused: "
        "535 5.7.8 Authentication credentials invalid; check --smtp-user/mail.user and MEETCTL_SMTP_PASSWORD\n"
    )
    assert "wrong" not in result.stderr
    assert inbox.envelopes == [] and sent_log(state) == []
    # With the right password, the next run delivers it.
    assert send(controller.port).exit_code == 0
    assert len(inbox.envelopes) == 1


def test_a_dropped_connection_is_not_logged_as_sent(start_server, send, state):
    controller, _ = start_server(DropsTheConnection())
    result = send(controller.port)
    assert result.exit_code == 75
    assert result.stderr.startswith(f"127.0.0.1:{controller.port}: error: not sent: the server closed the connection")
    assert sent_log(state) == []


def test_refused_recipients_say_the_servers_reason(start_server, send, state):
    controller, _ = start_server(RefusesRecipients())
    result = send(controller.port)
    assert result.exit_code == 2
    assert "recipients refused: members@example.org: 550 5.1.1 No such user here" in result.stderr
    assert sent_log(state) == []


def test_an_untrusted_certificate_is_refused(start_server, send, monkeypatch, tls):
    controller, inbox = start_server()
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[2] / "no-such-ca.pem"))  # trust only the system's CAs
    monkeypatch.setenv("SSL_CERT_DIR", str(tls[2]))
    result = send(controller.port)
    assert result.exit_code == 2
    assert "error: not sent: TLS certificate not trusted" in result.stderr
    assert inbox.envelopes == []


def test_nobody_listening(send):
    port = free_port()
    result = send(port)
    assert result.exit_code == 75
    assert result.stderr == f"127.0.0.1:{port}: error: not sent: Connection refused\n"


def test_the_password_only_comes_from_the_environment(send, start_server):
    controller, inbox = start_server()
    result = send(controller.port, password=None)
    assert result.exit_code == 2
    assert result.stderr == (
        "meetctl: error: MEETCTL_SMTP_PASSWORD is not set: it is the SMTP password for secretary@example.org\n"
    )
    assert inbox.envelopes == []


def test_flags_override_the_mail_table(cli, write_programme, start_server, state):
    controller, inbox = start_server()
    path = write_programme(PROGRAMME.format(port=1, security="none"))
    env = {"MEETCTL_STATE_DIR": str(state), "MEETCTL_SMTP_PASSWORD": PASSWORD}
    result = cli(
        "remind", "-f", path, "--today", TODAY.isoformat(), "--send", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(controller.port), "--smtp-security", "starttls", "--smtp-user", USER,
        "--to", "Other List <other@example.net>", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert inbox.envelopes[0].rcpt_tos == ["other@example.net"]


def test_no_smtp_host_is_a_usage_error(cli, write_programme):
    path = write_programme(HEADER)
    result = cli("remind", "-f", path, "--send")
    assert result.exit_code == 2
    assert result.stderr == "meetctl: error: --send: no SMTP host: set smtp_host in [mail] or give --smtp-host\n"


def test_installed_meetctl_sends(start_server, tls, write_programme, state):
    controller, inbox = start_server()
    path = write_programme(PROGRAMME.format(port=controller.port, security="starttls"))
    env = {
        **os.environ, "MEETCTL_STATE_DIR": str(state), "MEETCTL_SMTP_PASSWORD": PASSWORD,
        "SSL_CERT_FILE": str(tls[0]), "MEETCTL_TODAY": "", "MEETCTL_FILE": "",
    }  # fmt: skip
    meetctl = str(Path(sys.executable).parent / "meetctl")
    args = [meetctl, "remind", "-f", str(path), "--today", TODAY.isoformat(), "--send"]
    first = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    second = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert len(inbox.envelopes) == 1


def test_another_recipient_the_same_day_is_a_new_delivery(start_server, send, state):
    controller, inbox = start_server()
    assert send(controller.port).exit_code == 0
    assert send(controller.port, "--to", "chair@example.net").exit_code == 0
    assert [e.rcpt_tos for e in inbox.envelopes] == [["members@example.org"], ["chair@example.net"]]
    assert [e["to"] for e in sent_log(state)] == [["members@example.org"], ["chair@example.net"]]


def test_a_damaged_sent_log_line_does_not_stop_reminders(start_server, send, state):
    controller, inbox = start_server()
    state.mkdir(parents=True)
    (state / "sent.jsonl").write_text('{"message_id": "<x@y>", "to": ["a@b"]}\n{not json\n')
    assert send(controller.port).exit_code == 0
    assert len(inbox.envelopes) == 1
    lines = (state / "sent.jsonl").read_text().splitlines()
    assert lines[:2] == ['{"message_id": "<x@y>", "to": ["a@b"]}', "{not json"]  # kept as it was
    assert json.loads(lines[2])["to"] == ["members@example.org"]
    assert send(controller.port).exit_code == 0
    assert len(inbox.envelopes) == 1  # the new entry is read back despite the damaged line


def test_the_sent_log_lives_in_the_users_state_folder():
    from platformdirs import user_state_dir

    from meetctl.mail.delivery import state_dir

    assert state_dir({}) == Path(user_state_dir("meetctl"))
    assert state_dir({"MEETCTL_STATE_DIR": "/srv/meetctl"}) == Path("/srv/meetctl")


# --------------------------------------------------------------------------- set-up errors are not "try again later"


class BusyRecipients(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return "450 4.2.1 Mailbox busy, try later"


@pytest.fixture
def plain_server() -> Iterator[Controller]:
    """An SMTP server with no TLS and no logins at all (a relay on a trusted network)."""
    # auth_require_tls (the default): with no TLS, it offers no AUTH at all.
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_starttls_against_a_server_without_it_is_a_setup_error_with_the_fix(send, plain_server, state):
    result = send(plain_server.port, security="starttls")
    assert result.exit_code == 2
    assert result.stderr == (
        f"127.0.0.1:{plain_server.port}: error: not sent: the server at 127.0.0.1:{plain_server.port} does not "
        "offer STARTTLS: if it takes TLS from the start, use --smtp-security tls (usually port 465); if it has "
        "no encryption at all, --smtp-security none (only on a network you trust); or set security in [mail]\n"
    )
    assert sent_log(state) == []


def test_tls_against_a_plain_server_is_a_setup_error_with_the_fix(send, plain_server):
    result = send(plain_server.port, security="tls")
    assert result.exit_code == 2
    assert "does not take TLS from the start; use --smtp-security starttls (usually port 587) or none" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_login_where_the_server_offers_none_is_a_setup_error(send, plain_server):
    # Cleartext allowed (issue 12's opt-in), so what is tested is the server offering no AUTH at all.
    result = send(plain_server.port, "--allow-cleartext-auth", security="none")
    assert result.exit_code == 2
    assert "offers no login" in result.stderr and "leave out --smtp-user and mail.user" in result.stderr


def test_the_fix_works(cli, write_programme, plain_server, state):
    # The same server with the fix the message gave: no security, no login.
    path = write_programme(PROGRAMME.format(port=plain_server.port, security="none").replace(
        'user = "secretary@example.org"\n', ""))  # fmt: skip
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--send",
                 env={"MEETCTL_STATE_DIR": str(state), "MEETCTL_SMTP_PASSWORD": ""})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(plain_server.handler.envelopes) == 1


def test_an_unknown_host_is_a_setup_error(cli, write_programme, state):
    path = write_programme(PROGRAMME.format(port=25, security="none"))
    result = cli("remind", "-f", path, "--today", TODAY.isoformat(), "--send", "--smtp-host", "no-such-host.invalid",
                 "--allow-cleartext-auth",
                 env={"MEETCTL_STATE_DIR": str(state), "MEETCTL_SMTP_PASSWORD": PASSWORD})  # fmt: skip
    assert result.exit_code == 2
    assert "not sent: unknown host 'no-such-host.invalid'" in result.stderr
    assert result.stderr.rstrip().endswith(": check --smtp-host or mail.smtp_host")


def test_a_4xx_answer_is_temporary(start_server, send, state):
    controller, _ = start_server(BusyRecipients())
    result = send(controller.port)
    assert result.exit_code == 75
    assert "450 4.2.1 Mailbox busy, try later" in result.stderr
    assert sent_log(state) == []
