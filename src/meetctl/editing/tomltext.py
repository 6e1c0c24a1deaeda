"""Surgical edits of TOML text: change a few lines, keep every other byte as written.

A secretary's ``programme.toml`` is full of comments, blank lines, odd quoting and
key orders that matter to people. Round-trip libraries re-flow what they touch
(tomlkit puts a key added to a table after the comments that introduce the next
table), so meetctl edits the text itself:

* :class:`Layout` scans the file into statements (headers, ``key = value`` lines,
  comments, blank lines) with their exact offsets, so an edit knows which bytes
  belong to which table and key;
* :class:`Patch` is a list of (start, end, replacement) splices; everything outside
  them is copied unchanged;
* values are written by tomli-w, so strings are quoted and escaped as TOML wants.

The scanner only has to find boundaries in text that :mod:`tomllib` has already
accepted, and every edit is checked afterwards by reading the new text back with
tomllib (see :mod:`meetctl.editing.edits`), so a file this scanner misreads is refused,
never damaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

TablePath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class ScanError(ValueError):
    """The text is not TOML this scanner understands (offset of the trouble in ``.offset``)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class Statement:
    """One statement of a TOML file, from the start of its first line to after its last newline."""

    kind: str  # "table", "array", "kv", "comment" or "blank"
    start: int
    end: int
    #: headers: the table addressed ("meetings", 2); kv: the table it is in.
    table: TablePath = ()
    #: kv only: the (possibly dotted) key, and where its value is written.
    key: tuple[str, ...] = ()
    value_start: int = 0
    value_end: int = 0
    indent: str = ""


@dataclass
class Layout:
    """Every statement of a TOML text, in order, with table paths resolved like tomllib's data."""

    text: str
    statements: list[Statement] = field(default_factory=list)

    @classmethod
    def scan(cls, text: str) -> Layout:
        """Scan ``text`` (already accepted by tomllib) into statements."""
        layout = cls(text)
        _Scanner(text, layout.statements).run()
        return layout

    # ----------------------------------------------------------------- queries

    def header(self, table: TablePath) -> Statement | None:
        """The ``[table]`` or ``[[table]]`` header statement for this exact path, if written."""
        for s in self.statements:
            if s.kind in ("table", "array") and s.table == table:
                return s
        return None

    def keys(self, table: TablePath) -> list[Statement]:
        """The ``key = value`` statements written directly in ``table`` (under its own header)."""
        return [s for s in self.statements if s.kind == "kv" and s.table == table]

    def key(self, table: TablePath, key: str) -> Statement | None:
        """The statement that sets ``key`` in ``table``, if any."""
        for s in self.keys(table):
            if s.key == (key,):
                return s
        return None

    def block_end(self, within: TablePath) -> int:
        """Where a new key or table belongs after the tables under ``within``.

        That is just after the last ``key = value`` (or header) of ``within`` and its
        sub-tables, plus any comment lines that follow it directly: a comment after a
        blank line introduces whatever comes next, so it stays with what comes next.
        """
        last = None
        for i, s in enumerate(self.statements):
            if s.kind in ("table", "array", "kv") and _under(s.table, within):
                last = i
        if last is None:
            raise KeyError(within)
        i = last + 1
        while i < len(self.statements) and self.statements[i].kind == "comment":
            i += 1
        return self.statements[i - 1].end

    def leading_start(self, statement: Statement) -> int:
        """The start of the comment lines directly above ``statement`` (no blank line between)."""
        i = self.statements.index(statement)
        while i > 0 and self.statements[i - 1].kind == "comment":
            i -= 1
        return self.statements[i].start

    def array_headers(self, name: str) -> list[Statement]:
        """The ``[[name]]`` headers, in file order (their index is the array index)."""
        return [s for s in self.statements if s.kind == "array" and s.table[:1] == (name,)
                and len(s.table) == 2]  # fmt: skip


def _under(path: TablePath, prefix: TablePath) -> bool:
    return path[: len(prefix)] == prefix


# --------------------------------------------------------------------------- rendering


def render_key(key: str) -> str:
    """A TOML key: bare when it can be, else a quoted string."""
    return key if _BARE_KEY.fullmatch(key) else render_value(key)


def render_value(value: Any) -> str:
    """A TOML value as tomli-w writes it (strings quoted and escaped, dates bare)."""
    import tomli_w

    if isinstance(value, time):  # programme times are "HH:MM" strings
        value = f"{value:%H:%M}"
    line = tomli_w.dumps({"v": value})
    return line[len("v = ") :].rstrip("\n")


def render_pairs(pairs: dict[str, Any], indent: str = "") -> str:
    """``key = value`` lines, one per pair, each ending in a newline."""
    return "".join(f"{indent}{render_key(k)} = {render_value(v)}\n" for k, v in pairs.items())


def render_header(table: tuple[str, ...], array: bool = False) -> str:
    """``[a.b]`` or ``[[a.b]]`` with each part quoted as needed."""
    name = ".".join(render_key(part) for part in table)
    return f"[[{name}]]" if array else f"[{name}]"


# --------------------------------------------------------------------------- patches


@dataclass
class Patch:
    """Splices to make in one text; everything outside them is kept byte for byte."""

    text: str
    splices: list[tuple[int, int, str]] = field(default_factory=list)

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` with ``new`` (its "\n"s become the file's line ending)."""
        self.splices.append((start, end, new.replace("\n", newline_of(self.text))))

    def insert(self, at: int, new: str) -> None:
        """Insert ``new`` at offset ``at`` (its "\n"s become the file's line ending)."""
        self.replace(at, at, new)

    def apply(self) -> str:
        """The new text."""
        out, pos = [], 0
        for start, end, new in sorted(self.splices, key=lambda s: (s[0], s[1])):
            if start < pos:
                raise ValueError("overlapping edits")
            out.append(self.text[pos:start])
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


def newline_of(text: str) -> str:
    """The file's line ending ("\\r\\n" if it uses them, else "\\n")."""
    return "\r\n" if "\r\n" in text else "\n"


def ensure_line_end(text: str, at: int) -> str:
    """A "\n" to put before an insertion at ``at`` if the text there does not end a line."""
    return "" if at == 0 or text[at - 1] == "\n" else "\n"


# --------------------------------------------------------------------------- scanner


class _Scanner:
    """Finds statement boundaries: strings, multi-line strings, arrays and comments are skipped over."""

    def __init__(self, text: str, out: list[Statement]) -> None:
        self.t = text
        self.n = len(text)
        self.out = out
        self.table: TablePath = ()
        self.counts: dict[TablePath, int] = {}

    def run(self) -> None:
        pos = 0
        while pos < self.n:
            pos = self.statement(pos)

    # ------------------------------------------------------------ statements

    def statement(self, start: int) -> int:
        p = self.skip_ws(start)
        indent = self.t[start:p]
        if p >= self.n or self.t[p] in "\r\n":
            end = self.line_end(p)
            self.out.append(Statement("blank", start, end))
            return end
        c = self.t[p]
        if c == "#":
            end = self.line_end(p)
            self.out.append(Statement("comment", start, end, self.table, indent=indent))
            return end
        if c == "[":
            array = self.t.startswith("[[", p)
            p += 2 if array else 1
            keys, p = self.dotted_key(p)
            p = self.skip_ws(p)
            closer = "]]" if array else "]"
            if not self.t.startswith(closer, p):
                raise ScanError("expected the end of a table header", p)
            p += len(closer)
            end = self.rest_of_line(p)
            table = self.resolve(keys, array)
            self.table = table
            self.out.append(Statement("array" if array else "table", start, end, table, indent=indent))
            return end
        keys, p = self.dotted_key(p)
        p = self.skip_ws(p)
        if p >= self.n or self.t[p] != "=":
            raise ScanError("expected '=' after a key", p)
        p = self.skip_ws(p + 1)
        value_start = p
        p = self.value(p)
        value_end = p
        end = self.rest_of_line(p)
        self.out.append(Statement("kv", start, end, self.table, tuple(keys), value_start, value_end, indent))
        return end

    def resolve(self, keys: list[str], array: bool) -> TablePath:
        """``meetings.sessions`` -> ("meetings", 4, "sessions", 0): array parts get their index."""
        path: TablePath = ()
        for i, name in enumerate(keys):
            path = (*path, name)
            last = i == len(keys) - 1
            if last and array:
                index = self.counts.get(path, 0)
                self.counts[path] = index + 1
                path = (*path, index)
            elif path in self.counts:
                path = (*path, self.counts[path] - 1)
        return path

    # ------------------------------------------------------------ lexing helpers

    def skip_ws(self, p: int) -> int:
        while p < self.n and self.t[p] in " \t":
            p += 1
        return p

    def line_end(self, p: int) -> int:
        """The offset just after the newline that ends the line containing ``p``."""
        nl = self.t.find("\n", p)
        return self.n if nl < 0 else nl + 1

    def rest_of_line(self, p: int) -> int:
        """After a statement: only whitespace and a comment may follow on its line."""
        p = self.skip_ws(p)
        if p < self.n and self.t[p] not in "#\r\n":
            raise ScanError("unexpected text after a statement", p)
        return self.line_end(p)

    def dotted_key(self, p: int) -> tuple[list[str], int]:
        keys = []
        while True:
            p = self.skip_ws(p)
            key, p = self.simple_key(p)
            keys.append(key)
            q = self.skip_ws(p)
            if q < self.n and self.t[q] == ".":
                p = q + 1
                continue
            return keys, p

    def simple_key(self, p: int) -> tuple[str, int]:
        if p < self.n and self.t[p] in "\"'":
            end = self.string(p)
            import tomllib

            return tomllib.loads(f"k = {self.t[p:end]}")["k"], end
        q = p
        while q < self.n and self.t[q] in _BARE_CHARS:
            q += 1
        if q == p:
            raise ScanError("expected a key", p)
        return self.t[p:q], q

    def string(self, p: int) -> int:
        """The offset after the string starting at ``p`` (any of TOML's four kinds)."""
        t = self.t
        for delim in ('"""', "'''"):
            if t.startswith(delim, p):
                q = p + 3
                while True:
                    if q >= self.n:
                        raise ScanError("unterminated multi-line string", p)
                    if delim == '"""' and t[q] == "\\":
                        q += 2
                        continue
                    if t.startswith(delim, q):
                        q += 3
                        # Up to two quotes may sit just inside the closing delimiter.
                        extra = 0
                        while extra < 2 and q < self.n and t[q] == delim[0]:
                            q += 1
                            extra += 1
                        return q
                    q += 1
        quote = t[p]
        q = p + 1
        while q < self.n and t[q] != quote:
            if t[q] == "\n":
                raise ScanError("unterminated string", p)
            q += 2 if quote == '"' and t[q] == "\\" else 1
        if q >= self.n:
            raise ScanError("unterminated string", p)
        return q + 1

    def value(self, p: int) -> int:
        """The offset after the value starting at ``p``."""
        if p >= self.n:
            raise ScanError("expected a value", p)
        c = self.t[p]
        if c in "\"'":
            return self.string(p)
        if c == "[":
            return self.array(p)
        if c == "{":
            return self.inline_table(p)
        q = p
        while q < self.n and self.t[q] not in ",]}#\r\n":
            q += 1
        while q > p and self.t[q - 1] in " \t":  # "1979-05-27 07:32:00" has a space inside
            q -= 1
        if q == p:
            raise ScanError("expected a value", p)
        return q

    def skip_blank(self, p: int) -> int:
        """Whitespace, newlines and comments, as allowed inside arrays."""
        while p < self.n:
            if self.t[p] in " \t\r\n":
                p += 1
            elif self.t[p] == "#":
                nl = self.t.find("\n", p)
                p = self.n if nl < 0 else nl
            else:
                break
        return p

    def array(self, p: int) -> int:
        p += 1
        while True:
            p = self.skip_blank(p)
            if p >= self.n:
                raise ScanError("unterminated array", p)
            if self.t[p] == "]":
                return p + 1
            p = self.skip_blank(self.value(p))
            if p < self.n and self.t[p] == ",":
                p += 1

    def inline_table(self, p: int) -> int:
        p += 1
        while True:
            p = self.skip_blank(p)
            if p >= self.n:
                raise ScanError("unterminated inline table", p)
            if self.t[p] == "}":
                return p + 1
            if self.t[p] == ",":
                p += 1
                continue
            _, p = self.dotted_key(p)
            p = self.skip_ws(p)
            if p >= self.n or self.t[p] != "=":
                raise ScanError("expected '=' in an inline table", p)
            p = self.value(self.skip_ws(p + 1))


__all__ = [
    "Layout", "Patch", "ScanError", "Statement", "TablePath", "ensure_line_end", "newline_of",
    "render_header", "render_key", "render_pairs", "render_value",
]  # fmt: skip
