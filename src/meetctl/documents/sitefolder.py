"""The site's folder (``meetctl site``): made whole with its calendar and flyers, swapped in, and previewed.

Stage: outputs (documents) -> output writer / server. :func:`make_site` checks the
folder, then writes the pages of :mod:`meetctl.documents.site`, the programme's
calendar (as ``meetctl ical``) and a PDF flyer per meeting to come (as ``meetctl
flyer DATE``) through :func:`meetctl.outputfolders.write_folder`, which swaps the new folder
in whole. :func:`serve` shows a folder on 127.0.0.1 with the standard library's
server until Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from meetctl.documents.environment import Templates
from meetctl.documents.site import SiteResult
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence


def make_site(
    folder: Path,
    templates: Templates,
    programmes: Sequence[Programme],
    today: date,
    base_url: str | None,
    flyers: int,
    pdf_base: Path,
    force: bool = False,
    tick: Callable[[int], None] | None = None,
) -> SiteResult:
    """Write the site of ``programmes`` into ``folder`` (replaced as a whole), with flyers for the next ``flyers``.

    ``pdf_base`` is where a flyer's relative links resolve (--templates, else the
    programme's folder). A folder meetctl did not make is replaced only with ``force``;
    one that holds a programme file, never. ``tick(1)`` follows each file written or kept
    (a progress bar's count).
    """
    from meetctl.calendars.export import build_calendar
    from meetctl.documents.flyers import ONE_MEETING_FITS, flyer_html, flyer_pdf
    from meetctl.documents.site import build_site
    from meetctl.documents.sitehorizon import site_window
    from meetctl.outputfolders import write_folder

    check_site_folder(folder, programmes)
    window = site_window(programmes, today)

    def make_flyer(o: Occurrence, page_url: str | None) -> bytes:
        # The same PDF as `meetctl flyer DATE` (type fitted to one A4 page), with the page's QR code.
        return flyer_pdf(templates, programmes, [o], "a4", False, pdf_base, templates.group_dirs, page_url)

    def flyer_source(o: Occurrence, page_url: str | None) -> str:
        # What the PDF is made from: the same HTML, the same PDF (the last run's is kept).
        html = flyer_html(templates, programmes, [o], "a4", False, ONE_MEETING_FITS[0], page_url)
        return f"{pdf_base.resolve()}\n{html}"

    with write_folder(folder, force) as writer:
        if tick is not None:
            writer = _Ticking(writer, tick)
        return build_site(writer, templates, programmes, window, today, base_url, build_calendar(programmes),
                          flyers, make_flyer, flyer_source)  # fmt: skip


def check_site_folder(folder: Path, programmes: Sequence[Programme]) -> None:
    """Refuse a site folder that holds a programme file: replacing it, even with --force, would lose it."""
    where = folder.resolve()
    if where.exists() and not where.is_dir():
        return  # not a folder at all: the folder writer says so
    for p in programmes:
        path = Path(p.path).resolve()
        if path.is_relative_to(where):
            raise MeetctlError.at(
                Location(str(folder)), f"holds the programme file {p.path}; give the site a folder of its own"
            )


def serve(folder: Path, port: int, ready: Callable[[str], None]) -> None:
    """Show ``folder`` on 127.0.0.1:``port`` (0: any free port) until Ctrl-C, then return.

    ``ready`` is told the address once the server listens. A port that cannot be
    listened on is an error naming --port.
    """
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import unquote, urlsplit

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # a request log on the terminal is noise for a preview

        def send_head(self) -> Any:
            # A NUL or control character in the path (GET /%00) would make os.stat raise: a 400, never a traceback.
            wanted = unquote(urlsplit(self.path).path)
            if any(ord(c) < 32 or ord(c) == 127 for c in wanted):
                self.send_error(400, "Bad request")
                return None
            return super().send_head()

    class Server(ThreadingHTTPServer):
        daemon_threads = True  # a slow reader never keeps Ctrl-C waiting
        request_queue_size = 128  # the listen backlog: 200 parallel requests wait in line, not 30 s for a retry

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a reader who hangs up mid-answer is not the secretary's problem: no traceback on the terminal

    handler = functools.partial(Quiet, directory=str(folder))
    try:
        server = Server(("127.0.0.1", port), handler)
    except OSError as exc:
        raise MeetctlError(Problem(f"--port {port}: cannot serve: {exc.strerror or exc}")) from None
    try:
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
        server.serve_forever()
    except KeyboardInterrupt:
        return
    finally:
        server.server_close()


class _Ticking:
    """The folder writer, ticking once for every file it writes or keeps from the last run."""

    def __init__(self, writer: Any, tick: Callable[[int], None]) -> None:
        self._writer = writer
        self._tick = tick

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)

    def write_pieces(self, *args: Any, **kwargs: Any) -> Any:
        done = self._writer.write_pieces(*args, **kwargs)
        self._tick(1)
        return done

    def reuse(self, *args: Any, **kwargs: Any) -> Any:
        kept = self._writer.reuse(*args, **kwargs)
        if kept:
            self._tick(1)
        return kept
