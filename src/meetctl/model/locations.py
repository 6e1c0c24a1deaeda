"""Where each key of a TOML file was written, so errors can say ``PATH:LINE:COL``.

The standard library's tomllib gives values but no positions. This scanner reads the
file's lines once and records the line and column of every table header and every
``key = value`` line, addressed the same way the loaded data is: ``("meetings", 2,
"venue")`` is the ``venue`` key of the third ``[[meetings]]`` table. It is only ever
asked about files that tomllib has already accepted, so it can be forgiving.
"""

from __future__ import annotations

import re

from meetctl.model.errors import Location

KeyPath = tuple[str | int, ...]

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
# Patterns, not compiled ones: compiling them costs a millisecond at import, and only a
# programme with an error is ever scanned (``re`` compiles and caches them on first use).
_ARRAY_HEADER = rf"^\s*\[\[\s*({_DOTTED})\s*\]\]"
_TABLE_HEADER = rf"^\s*\[\s*({_DOTTED})\s*\]"
_KEY_VALUE = rf"^(\s*)({_DOTTED})\s*="


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(_KEY, text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class KeyLocator:
    """Maps key paths of one TOML file to their 1-based line and column."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._text = text
        self._scanned: dict[KeyPath, tuple[int, int]] | None = None

    @property
    def _places(self) -> dict[KeyPath, tuple[int, int]]:
        # Scanned on first use: a valid programme never needs it, and cron should not pay for it.
        if self._scanned is None:
            self._scanned = {}
            self._scan(self._text)
        return self._scanned

    def _scan(self, text: str) -> None:
        assert self._scanned is not None
        counts: dict[KeyPath, int] = {}
        table: KeyPath = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if m := re.match(_ARRAY_HEADER, line):
                names = _split_dotted(m.group(1))
                parent = self._resolve(names[:-1], counts)[-1] if len(names) > 1 else ()
                key = (*parent, names[-1])
                index = counts.get(key, 0)
                counts[key] = index + 1
                table = (*key, index)
                self._scanned.setdefault(key, (number, line.index("[") + 1))
                self._scanned[table] = (number, line.index("[") + 1)
                continue
            if m := re.match(_TABLE_HEADER, line):
                names = _split_dotted(m.group(1))
                # `[venue.x]` also locates an unknown table `venue`: every depth, resolved in one walk
                # (resolving each depth again made a 3,000-deep header take minutes).
                *parents, table = self._resolve(names, counts)
                for parent in parents:
                    self._scanned.setdefault(parent, (number, line.index("[") + 1))
                self._scanned[table] = (number, line.index("[") + 1)
                continue
            if m := re.match(_KEY_VALUE, line):
                keys = _split_dotted(m.group(2))
                col = len(m.group(1)) + 1
                for depth in range(1, len(keys) + 1):
                    self._scanned.setdefault((*table, *keys[:depth]), (number, col))
                rest = line[m.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    @staticmethod
    def _resolve(names: list[str], counts: dict[KeyPath, int]) -> list[KeyPath]:
        """The paths of ``names[:1]``, ``names[:2]``... ``names``, each array at its latest item:
        ``meetings.sessions`` gives ``("meetings", 4)`` and ``("meetings", 4, "sessions")``."""
        out: list[KeyPath] = []
        path: KeyPath = ()
        for name in names:
            path = (*path, name)
            if path in counts:
                path = (*path, counts[path] - 1)
            out.append(path)
        return out

    def locate(self, key_path: KeyPath) -> Location:
        """The place of ``key_path``, or of its nearest written parent, or the file."""
        path = tuple(key_path)
        while path:
            if path in self._places:
                line, col = self._places[path]
                return Location(self.path, line, col)
            path = path[:-1]
        return Location(self.path, 1, 1)
