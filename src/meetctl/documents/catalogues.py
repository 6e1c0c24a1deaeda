"""The translation catalogues, compiled: ``locales/LANG.po`` (what translators edit) -> ``LANG.mo``.

At run time the templates' words are read from the ``.mo`` files with the standard
library's :mod:`gettext`, so translated words need no Babel (dates and times in the
group's language still do). The ``.mo`` files are committed beside their ``.po``;
``python -m meetctl.documents.catalogues`` remakes them, and a test checks that they
are what their ``.po`` says. The compiler is small and deterministic (same ``.po``,
same bytes), with no date or tool version in the file.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

#: Where the catalogues are (the same folder as :data:`meetctl.documents.environment.LOCALES_DIR`).
LOCALES = Path(__file__).resolve().parent / "locales"


def read_po(text: str) -> dict[str, str]:
    """The messages of a ``.po`` file: msgid -> msgstr, the header (msgid "") included, untranslated left out.

    Enough of the format for meetctl's catalogues: comments, msgctxt-free singular
    messages, strings continued over several lines. A plural or a context is refused,
    so a catalogue that needs more is not compiled wrongly.
    """
    messages: dict[str, str] = {}
    key: str | None = None
    current: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("msgid_plural", "msgctxt", "msgstr[")):
            raise ValueError(f"line {number}: {line.split()[0]} is not supported by meetctl's catalogues")
        if line.startswith(("msgid ", "msgstr ")):
            key, _, line = line.partition(" ")
            if key == "msgid" and current:
                _keep(messages, current)
                current = {}
        if key is None or not line.startswith('"'):
            raise ValueError(f"line {number}: not a .po line: {raw!r}")
        current[key] = current.get(key, "") + ast.literal_eval(line)
    if current:
        _keep(messages, current)
    return messages


def _keep(messages: dict[str, str], entry: dict[str, str]) -> None:
    if entry.get("msgstr"):
        messages[entry.get("msgid", "")] = entry["msgstr"]


def write_mo(messages: dict[str, str]) -> bytes:
    """A GNU ``.mo`` file (little-endian, revision 0, no hash table) holding ``messages``, keys sorted."""
    keys = sorted(messages)
    ids = [k.encode("utf-8") for k in keys]
    strs = [messages[k].encode("utf-8") for k in keys]
    count = len(keys)
    header = 7 * 4
    ids_table = header
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets: list[tuple[int, int]] = []
    data = b""
    for text in ids + strs:
        offsets.append((len(text), data_start + len(data)))
        data += text + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    return out + data


def compiled(po: Path) -> bytes:
    """The ``.mo`` bytes for the catalogue ``po``."""
    return write_mo(read_po(po.read_text(encoding="utf-8")))


def main() -> None:
    """Remake every ``LANG.mo`` beside its ``LANG.po`` (run after editing a translation)."""
    for po in sorted(LOCALES.glob("*.po")):
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(po.with_suffix(".mo"))


if __name__ == "__main__":  # pragma: no cover - the translator's command
    main()
