"""Templates are data: a group's template reaches no Python internals, files or network."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from tests.conftest import HEADER, MONTHLY

PROGRAMME = HEADER + MONTHLY


@pytest.fixture
def group(tmp_path: Path) -> Path:
    (tmp_path / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ group.__class__.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
    ],
)
def test_a_template_cannot_reach_python(cli, group, payload):
    template = group / "templates" / "announce.txt.j2"
    template.write_text("Our programme\n" + payload + "\n")
    result = cli("announce", "-f", group / "programme.toml", "--today", "2017-01-01", env={"PWD": str(group)})
    assert result.exit_code == 2
    assert not (group / "PWNED").exists() and not Path("PWNED").exists()
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{template}:2:1: error: template ")


def test_a_template_cannot_change_what_it_is_given(cli, group):
    template = group / "templates" / "announce.txt.j2"
    template.write_text("{% set _ = meetings.append(1) %}{{ meetings|length }}\n")
    result = cli("announce", "-f", group / "programme.toml", "--today", "2017-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{template}:1:1: error: template refused: ")


def test_a_template_reads_no_file_outside_the_template_folders(cli, group, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("PRIVATE\n")
    (group / "templates" / "leak.j2").symlink_to(secret)
    for body in ("{% include 'leak.j2' %}", "{% include '../programme.toml' %}", f"{{% include '{secret}' %}}"):
        (group / "templates" / "announce.txt.j2").write_text(body + "\n")
        result = cli("announce", "-f", group / "programme.toml", "--today", "2017-01-01")
        assert result.exit_code == 2, body
        assert "PRIVATE" not in result.stdout + result.stderr
        assert "template not found" in result.stderr
        assert len(result.stderr.splitlines()) == 1


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


def test_a_pdf_flyer_fetches_nothing_from_the_network_or_other_files(cli, group, tmp_path_factory):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        (group / "templates" / "flyer.html.j2").write_text(
            "<!DOCTYPE html><html><head>"
            f'<link rel="stylesheet" href="{url}/style.css">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            f"<style>@import url('{url}/import.css'); body {{ background: url('{url}/bg.png') }}</style>"
            f'</head><body><h1>{{{{ meeting.title }}}}</h1><img src="{url}/logo.png"></body></html>\n'
        )
        out = group / "flyer.pdf"
        result = cli("flyer", "-f", group / "programme.toml", "2017-01-25", "-o", out)
        assert result.exit_code == 0, result.stderr
        assert out.read_bytes().startswith(b"%PDF-")
        assert _Counting.requests == []
    finally:
        server.shutdown()
        server.server_close()


def test_the_fetcher_serves_template_folder_files_only(group, tmp_path_factory):
    from meetctl.documents.environment import BUILTIN_DIR
    from meetctl.documents.rendering import resource_fetcher

    logo = group / "templates" / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    outside = tmp_path_factory.mktemp("other") / "x.css"
    outside.write_text("body {}")
    fetch = resource_fetcher([BUILTIN_DIR, group / "templates"])
    assert fetch(logo.as_uri()).read() == b"\x89PNG\r\n\x1a\n"
    assert fetch((BUILTIN_DIR / "flyer.css.j2").as_uri()).read()
    assert fetch("data:text/css,body%20%7B%7D").read() == b"body {}"
    for refused in (
        outside.as_uri(),
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "ftp://example.org/x",
        (group / "templates" / ".." / "programme.toml").as_uri(),
    ):
        with pytest.raises(ValueError):
            fetch(refused)
