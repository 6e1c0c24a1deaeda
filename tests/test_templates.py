"""Templates: a group's own copy replaces the shipped one; a broken one is a located error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from meetctl.documents.environment import builtin_templates, markdown_escape
from tests.conftest import EXAMPLE
from tests.document_helpers import parse_html

SHIPPED = ["agenda.css.j2", "agenda.html.j2", "agenda.md.j2", "agenda.txt.j2",
           "announce.html.j2", "announce.md.j2", "announce.txt.j2", "flyer.css.j2", "flyer.html.j2",
           "report.md.j2", "term-flyer.html.j2"]  # fmt: skip


@pytest.fixture
def group(tmp_path):
    """A group's folder: the example programme, and an empty templates/ beside it."""
    (tmp_path / "programme.toml").write_text(EXAMPLE.read_text())
    (tmp_path / "templates").mkdir()
    return tmp_path


def test_a_template_beside_the_programme_replaces_the_shipped_one(cli, group):
    (group / "templates" / "announce.txt.j2").write_text(
        "{{ group.name }} meets:\n{% for m in meetings %}- {{ m.short_date }} {{ m.title }}\n{% endfor %}"
    )
    result = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Leicester Anarchist Federation meets:",
        "- Wed 25 Jan 2017 Is the working class movement dead?",
        "- Wed 22 Feb 2017 100th anniversary of the Russian revolution",
        "- Wed 29 Mar 2017 How could a libertarian communist society meet people's needs and desires?",
    ]
    # The other formats still come from the shipped templates.
    markdown = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01", "--format", "markdown")
    assert markdown.stdout.startswith("## Leicester Anarchist Federation: meetings, January to March 2017\n")


def test_templates_option_names_another_folder(cli, group, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("house-style")
    (elsewhere / "flyer.css.j2").write_text("h1 { color: purple; }\n")
    result = cli("flyer", "-f", group / "programme.toml", "2017-01-25", "--templates", elsewhere)
    style = parse_html(result.stdout).findtext(".//style")
    assert style.strip() == "h1 { color: purple; }"


def test_a_group_template_can_extend_the_shipped_one(cli, group):
    (group / "templates" / "flyer.html.j2").write_text(
        '{% extends "builtin/flyer.html.j2" %}\n'
        '{% block blurb %}<p class="blurb">Bring a friend! {{ meeting.description }}</p>{% endblock %}\n'
    )
    tree = parse_html(cli("flyer", "-f", group / "programme.toml", "2017-02-22").stdout)
    assert tree.cssselect(".blurb")[0].text_content() == "Bring a friend! What can we learn from it?"
    assert tree.cssselect("h1")[0].text_content() == "100th anniversary of the Russian revolution"


def test_a_group_html_template_is_autoescaped_too(cli, group):
    (group / "programme.toml").write_text(
        EXAMPLE.read_text().replace("Is the working class movement dead?", "<i>Dead</i> & gone?")
    )
    (group / "templates" / "flyer.html.j2").write_text("<h1>{{ meeting.title }}</h1>\n")
    out = cli("flyer", "-f", group / "programme.toml", "2017-01-25").stdout
    assert parse_html(out).text_content() == "<i>Dead</i> & gone?"


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("line one\n{% for m in meetings %}\n{{ m.title }\n", 3, "template error: unexpected '}'"),
        ("{{ group.name }}\n\n{{ meeting.nonsense }}\n", 3, "template error: 'meeting' is undefined"),
        ("ok\n{% include 'missing.j2' %}\n", 2, "template not found: missing.j2"),
        ("{{ group.name }}\n{{ 1 / 0 }}\n", 2, "template error: ZeroDivisionError: division by zero"),
    ],
)
def test_a_broken_template_is_an_error_at_its_file_and_line(cli, group, source, line, message):
    template = group / "templates" / "announce.txt.j2"
    template.write_text(source)
    result = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01")
    assert result.exit_code == 2
    assert result.stderr == f"{template}:{line}:1: error: {message}\n"


def test_an_error_in_an_included_file_names_that_file(cli, group):
    (group / "templates" / "announce.txt.j2").write_text("{% include 'parts/footer.txt' %}\n")
    (group / "templates" / "parts").mkdir()
    footer = group / "templates" / "parts" / "footer.txt"
    footer.write_text("Contact:\n{{ group.nmae.upper() }}\n")
    result = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{footer}:2:1: error: template error: ")
    assert "nmae" in result.stderr


def test_templates_list_shows_the_shipped_ones_and_marks_the_groups_own(cli, group):
    (group / "templates" / "report.md.j2").write_text("mine\n")
    result = cli("templates", "list", "-f", group / "programme.toml")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == SHIPPED == builtin_templates()
    assert lines[SHIPPED.index("report.md.j2")] == f"report.md.j2  (yours: {group / 'templates' / 'report.md.j2'})"


def test_templates_copy_starts_a_group_copy_and_never_overwrites_without_force(cli, group):
    folder = group / "templates"
    result = cli("templates", "copy", "flyer.css.j2", "report.md.j2", "-f", group / "programme.toml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [str(folder / "flyer.css.j2"), str(folder / "report.md.j2")]
    from meetctl.documents.environment import BUILTIN_DIR

    assert (folder / "report.md.j2").read_bytes() == (BUILTIN_DIR / "report.md.j2").read_bytes()
    (folder / "report.md.j2").write_text("mine\n")
    again = cli("templates", "copy", "report.md.j2", "-f", group / "programme.toml")
    assert again.exit_code == 2
    assert again.stderr == f"{folder / 'report.md.j2'}: error: already exists (use --force to replace it)\n"
    assert (folder / "report.md.j2").read_text() == "mine\n"
    forced = cli("templates", "copy", "report.md.j2", "-f", group / "programme.toml", "--force")
    assert forced.exit_code == 0 and (folder / "report.md.j2").read_text() != "mine\n"


def test_templates_copy_an_unknown_name_suggests_the_right_one(cli, group):
    result = cli("templates", "copy", "flyer.html", "-f", group / "programme.toml")
    assert result.exit_code == 2
    assert result.stderr == (
        "meetctl: error: no template called 'flyer.html' (did you mean 'flyer.html.j2'?) "
        "(see `meetctl templates list`)\n"
    )


def test_a_missing_templates_folder_is_an_error(cli, group):
    result = cli("announce", "-f", group / "programme.toml", "--templates", group / "nope")
    assert (result.exit_code, result.stderr) == (2, f"{group / 'nope'}: error: no such templates folder\n")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("*bold* _it_ `code`", r"\*bold\* \_it\_ \`code\`"),
        ("[link](http://x) <b>", r"\[link\](http://x) \<b>"),
        ("# heading\n> quote\n- item\n1. item", "\\# heading\n\\> quote\n\\- item\n1\\. item"),
        ("Tom & Jerry &amp; &#169;", "Tom & Jerry &amp;amp; &amp;#169;"),
        ("people's needs - 100% (ok)", "people's needs - 100% (ok)"),
    ],
)
def test_markdown_escape(text, escaped):
    assert markdown_escape(text) == escaped


def test_a_real_process_lists_templates(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "meetctl")
    result = subprocess.run([script, "templates", "list"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.split() == SHIPPED


def test_a_part_shared_by_html_and_text_templates_is_escaped_only_in_html(cli, group, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MEETCTL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    (group / "programme.toml").write_text(EXAMPLE.read_text().replace("Is the working class", "Is <the> working class"))
    (group / "templates" / "title.j2").write_text("{{ meetings[0].title }}")
    (group / "templates" / "announce.txt.j2").write_text("{% include 'title.j2' %}.\n")
    (group / "templates" / "announce.html.j2").write_text("<p>{% include 'title.j2' %}</p>\n")
    for _ in range(2):  # the second time from the compiled-template cache
        text = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01").stdout
        html = cli("announce", "-f", group / "programme.toml", "--from", "2017-01-01", "--format", "html").stdout
        assert text == "Is <the> working class movement dead?.\n"
        assert html == "<p>Is &lt;the&gt; working class movement dead?</p>\n"
