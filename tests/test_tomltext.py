"""The statement scanner behind meetctl's edits agrees with tomllib on tricky TOML.

For every document: each ``key = value`` the scanner finds is where tomllib says
that key's value is (the value text read on its own gives the same value), and
every key tomllib reads is found exactly once.
"""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetctl.editing.tomltext import Layout, Patch, render_key, render_value
from tests.conftest import ROOT

TRICKY = [
    # A multi-line string whose lines look like headers, keys and comments.
    '[group]\nname = """\n[[meetings]]\ndate = 2024-01-01 # no\n"""\ntimezone = "UTC"\n',
    # Literal multi-line strings, with quotes just inside the closing delimiter.
    "[a]\nx = '''it's '''\ny = '''a ''b'''''\nz = \"\"\"say \"hi\"\"\"\"\"\n",
    # Escaped quotes and hashes in basic strings; a comment after.
    '[a]\nx = "a \\" # b"   # comment "with quotes"\ny = \'c:\\path\\#\'\n',
    # Arrays over several lines, with comments, brackets in strings and nested arrays.
    '[a]\nx = [\n  "]", # a ] in a comment\n  [1, 2], [ "[" ],\n]\ny = 1\n',
    # Inline tables, dotted and quoted keys, spaces around dots.
    '[a]\nt = { b = 1, c = { d = "}" } }\n"quoted key" = 2\nd . e = 3\n\'lit\'.f = 4\n',
    # Dates, times, date-times with a space, numbers in every form.
    "[a]\nd = 2024-01-01\nt = 07:32:00\ndt = 1979-05-27 07:32:00Z\nh = 0xDEAD_BEEF\nf = -1_000.5e3\ni = inf\n",
    # Arrays of tables, nested, and a table after them; indented headers.
    "[[m]]\na = 1\n  [[m.s]]\n  b = 2\n  [[m.s]]\n  b = 3\n[[m]]\na = 4\n[other]\nc = 5\n",
    # No final newline; Windows line endings.
    "[a]\r\nx = 1\r\ny = [\r\n 2,\r\n]",
    # Keys at the root before any table, and an empty table.
    'title = "x"\n[empty]\n\n[b]\nk = true\n',
]


def assert_agrees(text: str) -> None:
    data = tomllib.loads(text)
    layout = Layout.scan(text)
    assert "".join(text[s.start : s.end] for s in layout.statements) == text  # statements tile the file
    for s in layout.statements:
        if s.kind != "kv":
            continue
        node: Any = data
        for part in s.table:
            node = node[part]
        for part in s.key:
            node = node[part]
        value_text = text[s.value_start : s.value_end]
        assert tomllib.loads(f"v = {value_text}")["v"] == node, (s.key, value_text)
    # Every key tomllib read is a statement, unless it is a table written with its own header.
    found = {(s.table, s.key[0]) for s in layout.statements if s.kind == "kv"}
    headers = [s.table for s in layout.statements if s.kind in ("table", "array")]
    for table in [(), *headers]:
        node = data
        for part in table:
            node = node[part]
        assert isinstance(node, dict)
        for key in node:
            by_header = any(h[: len(table) + 1] == (*table, key) for h in headers)
            assert by_header or (table, key) in found, (table, key)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents(text):
    assert_agrees(text)


@pytest.mark.parametrize("path", sorted(ROOT.glob("examples/*.toml")) + sorted(ROOT.glob("tests/fixtures/*.toml")),
                         ids=lambda p: p.name)  # fmt: skip
def test_the_repository_s_own_programmes(path):
    assert_agrees(path.read_text(encoding="utf-8"))


def test_the_tables_of_the_commented_fixture_are_where_they_are_written():
    text = (ROOT / "tests" / "fixtures" / "commented.toml").read_text(encoding="utf-8")
    layout = Layout.scan(text)
    headers = [(s.table, text[s.start : s.end].strip()) for s in layout.statements if s.kind in ("table", "array")]
    assert [h[0] for h in headers] == [
        ("group",), ("venues", "hall"), ("venues", "pub"), ("series", 0), ("meetings", 0), ("meetings", 1),
        ("meetings", 2), ("meetings", 3), ("meetings", 3, "sessions", 0), ("mail",),
    ]
    # The "[[meetings]]" inside the directions string is not a header.
    assert layout.key(("venues", "hall"), "directions") is not None


values = st.recursive(
    st.one_of(
        st.text(), st.integers(), st.booleans(), st.dates(min_value=date(1, 1, 1)),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1), st.dictionaries(st.text(min_size=1), values, max_size=4), max_size=3))
def test_documents_written_by_tomli_w(doc):
    import tomli_w

    assert_agrees(tomli_w.dumps(doc))
    assert_agrees(tomli_w.dumps(doc, multiline_strings=True))


@given(st.text())
def test_rendered_keys_and_values_read_back(text):
    assert tomllib.loads(f"{render_key(text or 'k')} = {render_value(text)}") == {text or "k": text}


def test_patches_keep_everything_outside_them():
    patch = Patch("a = 1  # one\r\nb = 2\r\n")
    patch.replace(4, 5, "10")
    patch.insert(len(patch.text), "c = 3\n")
    assert patch.apply() == "a = 10  # one\r\nb = 2\r\nc = 3\r\n"
