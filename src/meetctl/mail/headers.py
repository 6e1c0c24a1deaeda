"""Mail headers written by meetctl itself: one rule for every header value that holds programme text.

Stage: outputs (mail). Python's ``email`` package (before 3.13) decodes an RFC 2047
encoded word while it parses or refolds a header, and writes what it decoded as
is: a group name ``Branch =?utf-8?b?DQpCY2M6IC4uLg==?=`` became ``\\r\\nBcc: ...``, a
header of the attacker's. So no programme text goes through that code: meetctl
encodes every header holding it here (display names and subjects become encoded
words of their own when they are not plain ASCII or could pass for an encoded
word, so a reader decodes them back to the literal text), sets it raw, and the
messages are serialised with :data:`WIRE`, which never refolds a raw header.
Line breaks never reach a header in the first place (:func:`header_text`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from meetctl.model.errors import MeetctlError, Problem

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.headerregistry import Address
    from email.message import EmailMessage

#: Characters that end a line somewhere (str.splitlines' set): none may reach a header.
_LINE_BREAKS = r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+"
#: Characters a display name may hold bare (RFC 5322 atext and spaces); anything else is quoted.
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")


def header_text(value: str) -> str:
    """A value safe for one header line: every line break and control character becomes a space (CVE-2024-6923)."""
    value = re.sub(_LINE_BREAKS, " ", value)
    return " ".join("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in value).split())


def _needs_encoding(text: str) -> bool:
    # "=?" could be read as the start of an encoded word by a reader: then the text is encoded
    # itself, and decodes back to exactly these characters.
    return not text.isascii() or "=?" in text or "?=" in text


def _too_long(text: str) -> bool:
    # A word longer than a line cannot be folded as plain text (and the email package's own folding
    # of two such words wrote an empty line, ending the headers): encoded words split anywhere.
    return any(len(word) > 60 for word in text.split())


def encoded_words(text: str, header_name: str) -> str:
    """``text`` as one header's value: plain ASCII as is, else RFC 2047 encoded words (folded, CRLF).

    Every line stays within 78 characters, so no policy refolds (and so re-parses) it.
    """
    from email.header import Header

    charset = "utf-8" if _needs_encoding(text) or _too_long(text) else "us-ascii"
    return Header(text, charset, header_name=header_name).encode(linesep="\r\n")


def folded_subject(text: str) -> str:
    """A Subject header value folded so every reader gets ``text`` back exactly.

    The email package's own folding drops the space between encoded words of a long
    non-ASCII subject (and adds one before a long word); ``email.header`` encodes and
    folds correctly. Text that could pass for an encoded word (``=?``) is encoded too,
    so it stays literal.
    """
    return encoded_words(header_text(text), "Subject")


def display_name(name: str) -> str:
    """A display name for an address header: bare, quoted, or encoded words (never decoded on the way)."""
    name = header_text(name)
    if not name:
        return ""
    if _needs_encoding(name) or _too_long(name):
        return encoded_words(name, "From")
    if _PLAIN_PHRASE.fullmatch(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def address_header(addresses: Sequence[Address]) -> str:
    """An address-list header value (From, To, Reply-To...) written by hand, one address a line."""
    parts = []
    for a in addresses:
        name = display_name(a.display_name)
        last = name.rpartition("\n")[2]
        # Lines stay within 78 characters, so no policy ever refolds (and so re-parses) them:
        # the address goes on a line of its own when it would make the name's last line too long.
        gap = "\r\n " if len(last) + len(a.addr_spec) + 4 > 76 else " "
        parts.append(f"{name}{gap}<{a.addr_spec}>" if name else a.addr_spec)
    return ",\r\n ".join(parts)


def set_address_header(msg: EmailMessage, field: str, addresses: Sequence[Address]) -> None:
    """Set ``field`` (From, To, Reply-To...) of ``msg`` to ``addresses``, encoded by :func:`address_header`."""
    del msg[field]
    msg.set_raw(field, address_header(addresses))


def set_text_header(msg: EmailMessage, field: str, text: str) -> None:
    """Set the unstructured header ``field`` (Subject, List-Id's name...) to ``text``, encoded here."""
    del msg[field]
    msg.set_raw(field, encoded_words(header_text(text), field))


def wire_policy() -> Any:
    """The policy every meetctl message is built and written with: SMTP's (CRLF), never refolding raw headers.

    Refolding parses a header again, which decodes encoded words: the raw values set
    here are already folded and must go out exactly as written.
    """
    from email.policy import SMTP

    return SMTP.clone(refold_source="none")


def parse_address(value: str, what: str) -> Address:
    """'Name <a@b.org>' or 'a@b.org' as an Address; an input error naming ``what`` otherwise."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address
    from email.utils import getaddresses

    text = header_text(value)
    pairs = getaddresses([text])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise MeetctlError(Problem(f"{what}: not one email address: {value!r}"))
    name, addr = pairs[0]
    local, _, domain = addr.rpartition("@")
    try:
        # An international domain (exämple.org) travels as IDNA (xn--exmple-cua.org): SMTP and
        # every header stay ASCII; a name that cannot be encoded is refused.
        ascii_domain = domain.encode("idna").decode("ascii")
        if not local.strip('"') or not local.isascii() or not ascii_domain:
            raise ValueError("the part before @ must be plain ASCII and not empty")
        return Address(display_name=header_text(name), username=local.strip('"'), domain=ascii_domain)
    except (ValueError, HeaderParseError, IndexError, UnicodeError) as exc:
        raise MeetctlError(Problem(f"{what}: not an email address: {value!r} ({exc})")) from None
