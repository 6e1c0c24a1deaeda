"""Deliver reminders over SMTP or the machine's own mailer, and remember what was sent so cron never sends twice.

:func:`deliver` speaks SMTP; :func:`deliver_sendmail` hands each message to a
local mailer (``PATH -t -i``, the message on stdin, no shell); :func:`mbox_bytes`
writes them all as one mboxrd stream for ``formail -s sendmail -t``. The mailer's
path comes only from ``--sendmail`` or ``$MEETCTL_SENDMAIL``, never from the
programme file: a shared file must not name a program to run.

The password comes only from ``MEETCTL_SMTP_PASSWORD``. The sent-log is a JSON-lines
file in the user's state directory (``platformdirs.user_state_dir("meetctl")``, or
``$MEETCTL_STATE_DIR``); a message is logged only after the server accepted it, so
a failed delivery is retried by the next run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.programme import MAIL_SECURITY, MailSettings
from meetctl.output import write_atomic

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.message import EmailMessage

PASSWORD_ENV = "MEETCTL_SMTP_PASSWORD"
#: Set to 1 to let the password go over a connection without TLS (security = "none").
#: An opt-in outside the programme file: whoever can edit a shared programme must not be
#: able to send cron's password, readable, to a server of their choosing.
CLEARTEXT_ENV = "MEETCTL_SMTP_ALLOW_CLEARTEXT"
STATE_ENV = "MEETCTL_STATE_DIR"
#: The local mailer ``remind --send`` hands messages to instead of SMTP (``--sendmail`` overrides).
SENDMAIL_ENV = "MEETCTL_SENDMAIL"
#: How long one message may take the local mailer (msmtp relays it before it exits).
SENDMAIL_TIMEOUT_S = 120.0
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_S = 30.0
#: sysexits.h EX_TEMPFAIL: the reminder was not delivered; the next run tries again.
EXIT_NOT_DELIVERED = 75


class DeliveryError(MeetctlError):
    """The server (or the network) did not take the message this time; it was not logged as sent.

    Only for what may well work tomorrow (connection refused, a timeout, a 4xx answer):
    cron's next run tries again.
    """

    exit_code = EXIT_NOT_DELIVERED


class MailSetupError(MeetctlError):
    """Delivery cannot work as set up (wrong security, login refused, unknown host, a 5xx answer).

    Exit 2 with the fix, like any bad input: retrying every day would never succeed.
    """


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver. ``password`` is never printed."""

    host: str
    port: int
    security: str
    user: str | None = None
    password: str | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(
    mail: MailSettings | None,
    host: str | None = None,
    port: int | None = None,
    security: str | None = None,
    user: str | None = None,
    env: Mapping[str, str] = os.environ,
    allow_cleartext: bool = False,
) -> SmtpSettings:
    """The ``[mail]`` table with the --smtp-* flags on top, and the password from the environment.

    A login over a connection without TLS is refused unless ``allow_cleartext``
    (``--allow-cleartext-auth``) or ``$MEETCTL_SMTP_ALLOW_CLEARTEXT=1`` says so.
    """
    mail = mail or MailSettings()
    host = host or mail.smtp_host
    security = (security or mail.security or "starttls").lower()
    if not host:
        raise MeetctlError(Problem("--send: no SMTP host: set smtp_host in [mail] or give --smtp-host"))
    if security not in MAIL_SECURITY:
        raise MeetctlError(Problem(f"--smtp-security must be one of {', '.join(MAIL_SECURITY)}"))
    if port is None:
        port = mail.smtp_port or DEFAULT_PORTS[security]
    if not 0 < port < 65536:
        raise MeetctlError(Problem(f"--smtp-port {port} is not a port number"))
    user = user or mail.user
    password = env.get(PASSWORD_ENV) or None
    if user and password is None:
        raise MeetctlError(Problem(f"{PASSWORD_ENV} is not set: it is the SMTP password for {user}"))
    if user and not user.isascii():
        raise MeetctlError(Problem(f"the SMTP user name {user!r} is not ASCII, which SMTP login cannot send"))
    if password is not None and not password.isascii():
        # Never show it, not even one character of it.
        raise MeetctlError(
            Problem(f"{PASSWORD_ENV} has characters other than ASCII, which SMTP login cannot send (not shown)")
        )
    if user and security == "none" and not (allow_cleartext or env.get(CLEARTEXT_ENV) == "1"):
        raise MeetctlError(
            Problem(
                f"security = \"none\" would send the password for {user} unencrypted to {host}:{port}; "
                f"use starttls or tls, or allow it outside the programme with --allow-cleartext-auth "
                f"or {CLEARTEXT_ENV}=1"
            )
        )
    return SmtpSettings(host=host, port=port, security=security, user=user, password=password)


# --------------------------------------------------------------------------- sent-log


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where meetctl keeps its sent-log: $MEETCTL_STATE_DIR, else the platform's state folder."""
    if env.get(STATE_ENV):
        return Path(env[STATE_ENV])
    from platformdirs import user_state_dir

    return Path(user_state_dir("meetctl"))


def _key(message_id: str, recipients: Sequence[str]) -> str:
    return message_id + " " + ",".join(sorted(r.lower() for r in recipients))


class SentLog:
    """The record of delivered reminders: one JSON object a line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: set[str] | None = None

    def _entries(self) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise MeetctlError.at(Location(str(self.path)), f"cannot read the sent-log: {exc.strerror}") from None
        out = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a damaged line must not stop reminders; it is kept as it was
            if isinstance(entry, dict):
                out.append(entry)
        return out

    def sent(self, message_id: str, recipients: Sequence[str]) -> bool:
        """Whether this message already went to these recipients."""
        if self._keys is None:
            self._keys = {
                _key(str(e.get("message_id")), [str(r) for r in e.get("to", [])]) for e in self._entries()
            }
        return _key(message_id, recipients) in self._keys

    def record(self, message_id: str, recipients: Sequence[str], subject: str, when: datetime) -> None:
        """Add one delivered message (atomically: the log is whole before and after)."""
        entry = {
            "sent_at": when.astimezone(UTC).isoformat(timespec="seconds"),
            "message_id": message_id,
            "to": list(recipients),
            "subject": subject,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                old = self.path.read_bytes()
            except FileNotFoundError:
                old = b""
            if old and not old.endswith(b"\n"):
                old += b"\n"
            data = old + json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
            write_atomic(self.path, data)  # the one writer: temp file, fsync, rename; leftovers removed
        except OSError as exc:
            raise MeetctlError.at(
                Location(str(self.path)), f"sent, but cannot write the sent-log: {exc.strerror or exc}"
            ) from None
        if self._keys is not None:
            self._keys.add(_key(message_id, recipients))


def sent_log(env: Mapping[str, str] = os.environ) -> SentLog:
    """The user's sent-log."""
    return SentLog(state_dir(env) / "sent.jsonl")


# --------------------------------------------------------------------------- delivery


def recipients_of(msg: EmailMessage) -> list[str]:
    """The bare addresses the message is for (To and Cc)."""
    out: list[str] = []
    for name in ("To", "Cc"):
        header = msg.get(name)
        if header is not None:
            out.extend(a.addr_spec for a in header.addresses)
    return out


@dataclass(frozen=True)
class Outcome:
    """What happened to one message."""

    message_id: str
    subject: str
    recipients: list[str]
    status: str  # "sent" or "already sent"


def deliver(
    messages: Sequence[EmailMessage], settings: SmtpSettings, log: SentLog, force: bool = False
) -> list[Outcome]:
    """Send each message not already in the sent-log (all of them with ``force``); log each one sent.

    One connection for all. On the first failure, raise :class:`DeliveryError` with
    the server's reason; messages sent before it stay logged.
    """
    outcomes: list[Outcome] = []
    to_send = []
    for msg in messages:
        mid, rcpts = str(msg["Message-ID"]), recipients_of(msg)
        if not force and log.sent(mid, rcpts):
            outcomes.append(Outcome(mid, str(msg["Subject"]), rcpts, "already sent"))
        else:
            to_send.append(msg)
    if not to_send:
        return outcomes

    import smtplib
    import ssl

    try:
        context = ssl.create_default_context()
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT_S, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S)
        with smtp:
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            for msg in to_send:
                mid, rcpts = str(msg["Message-ID"]), recipients_of(msg)
                refused = smtp.send_message(msg, to_addrs=rcpts)
                accepted = [r for r in rcpts if r not in refused]
                log.record(mid, accepted, str(msg["Subject"]), datetime.now(UTC))
                outcomes.append(Outcome(mid, str(msg["Subject"]), accepted, "sent"))
                if refused:
                    permanent = any(code >= 500 for code, _ in refused.values())
                    error = MailSetupError if permanent else DeliveryError
                    raise error(Problem(f"recipients refused: {_refusals(refused)}", Location(settings.where)))
    except (DeliveryError, MailSetupError):
        raise
    except Exception as exc:  # every network, TLS and SMTP failure, said for people
        found = _reason(exc, settings)
        if found is None:
            raise
        reason, permanent = found
        error = MailSetupError if permanent else DeliveryError
        raise error(Problem(f"not sent: {reason}", Location(settings.where))) from None
    return outcomes


def _server_text(value: object) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {code} {_server_text(text)}" for addr, (code, text) in refused.items())


def _reason(exc: BaseException, settings: SmtpSettings) -> tuple[str, bool] | None:
    """The failure in words (with the server's own code and text, and the fix where it is a setting),
    and whether it is permanent; None if it is not a delivery failure."""
    import smtplib
    import socket
    import ssl

    security = settings.security
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        fix = "" if exc.smtp_code < 500 else f"; check --smtp-user/mail.user and {PASSWORD_ENV}"
        return f"login refused: {exc.smtp_code} {_server_text(exc.smtp_error)}{fix}", exc.smtp_code >= 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        permanent = any(code >= 500 for code, _ in exc.recipients.values())
        return f"recipients refused: {_refusals(exc.recipients)}", permanent
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender} refused: {exc.smtp_code} {_server_text(exc.smtp_error)}", exc.smtp_code >= 500
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server said {exc.smtp_code} {_server_text(exc.smtp_error)}", exc.smtp_code >= 500
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        text = str(exc)
        if "STARTTLS" in text.upper():
            return (
                f"the server at {settings.where} does not offer STARTTLS: if it takes TLS from the start, "
                "use --smtp-security tls (usually port 465); if it has no encryption at all, "
                "--smtp-security none (only on a network you trust); or set security in [mail]",
                True,
            )
        if "AUTH" in text.upper():
            return (
                f"the server at {settings.where} offers no login ({text}): leave out --smtp-user and mail.user, "
                "or use --smtp-security starttls or tls if it offers a login only over TLS",
                True,
            )
        return f"the server does not support it: {text}", True
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({exc or 'no reason given'})", False
    if isinstance(exc, smtplib.SMTPException):
        return str(exc), False
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate not trusted: {exc.verify_message or exc} "
            "(the host name must match the certificate; a private CA goes in SSL_CERT_FILE)",
            True,
        )
    if isinstance(exc, ssl.SSLError):
        if security == "tls":
            return (
                f"TLS failed: {exc.reason or exc}: the server at {settings.where} does not take TLS from the start; "
                "use --smtp-security starttls (usually port 587) or none, or set security in [mail]",
                True,
            )
        return f"TLS failed: {exc.reason or exc}", True
    if isinstance(exc, socket.gaierror):
        temporary = exc.errno in (socket.EAI_AGAIN,)
        hint = "" if temporary else ": check --smtp-host or mail.smtp_host"
        return f"unknown host {settings.host!r} ({exc.strerror or exc}){hint}", not temporary
    if isinstance(exc, TimeoutError | socket.timeout):
        hint = ""
        if security != "tls" and settings.port == 465:
            hint = " (port 465 usually takes TLS from the start: --smtp-security tls?)"
        return f"no answer within {TIMEOUT_S:.0f} seconds{hint}", False
    if isinstance(exc, OSError):
        return exc.strerror or str(exc), False
    return None


# --------------------------------------------------------------------------- the local mailer


def sendmail_command(path: str) -> list[str]:
    """``[PATH, "-t", "-i"]`` for the mailer at ``path`` (checked now, so a wrong path is exit 2, not 75)."""
    import shutil

    found = shutil.which(path) if os.sep not in path else (path if os.access(path, os.X_OK) else None)
    if not found or os.path.isdir(found):
        raise MailSetupError(
            Problem(f"--sendmail {path}: no such program (give the mailer's full path, e.g. /usr/sbin/sendmail)")
        )
    # -t: the recipients are the message's To and Cc; -i: a line of one dot does not end the message.
    return [found, "-t", "-i"]


def deliver_sendmail(
    messages: Sequence[EmailMessage], command: Sequence[str], log: SentLog, force: bool = False
) -> list[Outcome]:
    """Hand each message not already in the sent-log to the local mailer, one run each; log each one it took.

    A mailer that exits non-zero (or cannot be run) has not taken the message: it is
    not logged, and :class:`DeliveryError` (exit 75) stops the run so cron's next run
    tries again; messages taken before it stay logged.
    """
    import subprocess

    outcomes: list[Outcome] = []
    for msg in messages:
        mid, rcpts, subject = str(msg["Message-ID"]), recipients_of(msg), str(msg["Subject"])
        if not force and log.sent(mid, rcpts):
            outcomes.append(Outcome(mid, subject, rcpts, "already sent"))
            continue
        try:
            # A list, never a shell: nothing in the message or the path is interpreted.
            done = subprocess.run(
                list(command), input=msg.as_bytes(), capture_output=True, timeout=SENDMAIL_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else f"no answer within {SENDMAIL_TIMEOUT_S:.0f} seconds"
            raise DeliveryError(Problem(f"not sent: {reason}", Location(command[0]))) from None
        if done.returncode != 0:
            said = _server_text(done.stderr)[:300] or "no reason given"
            raise DeliveryError(Problem(f"not sent: the mailer exited {done.returncode}: {said}", Location(command[0])))
        log.record(mid, rcpts, subject, datetime.now(UTC))
        outcomes.append(Outcome(mid, subject, rcpts, "sent"))
    return outcomes


def _from_line_in_quoted_printable(m: re.Match[bytes]) -> bytes:
    """``From `` as ``=46rom ``, ``>>From `` as ``=3E>From ``: the same text, decoded."""
    return b"=3E" + m[1][1:] + b"From " if m[1] else b"=46rom "


def mbox_bytes(messages: Sequence[EmailMessage]) -> bytes:
    """The messages as one mboxrd stream: a ``From `` line before each, ``>From `` quoted, LF line ends.

    What ``formail -s sendmail -t`` splits and an mail client opens as a folder. The
    envelope line carries the sender's address and the message's own Date, so the
    same input gives the same bytes.
    """
    from email.utils import parsedate_to_datetime

    out = []
    for msg in messages:
        sender = msg["From"].addresses[0].addr_spec if msg["From"] is not None else "MAILER-DAEMON"
        when = parsedate_to_datetime(str(msg["Date"])).astimezone(UTC)
        body = msg.as_bytes().replace(b"\r\n", b"\n")
        # Only quoted-printable text can start a line with "From " or ">From " here (headers
        # are "From:", base64 has no spaces): its first character is written =46 or =3E, the
        # same text to every reader, so no mailbox tool need quote it and formail (which
        # does not unquote) delivers the text unchanged.
        body = re.sub(rb"(?m)^(>*)From ", _from_line_in_quoted_printable, body)
        # mboxrd: a line that still reads like an envelope line, however many '>' it has, gets one more.
        body = re.sub(rb"(?m)^(>*From )", rb">\1", body)
        if not body.endswith(b"\n"):
            body += b"\n"
        out.append(f"From {sender} {when:%a %b %e %H:%M:%S %Y}\n".encode("ascii") + body + b"\n")
    return b"".join(out)
