"""Stage: the command line. A progress bar for long work (site, import, a big --expand), on a terminal only.

The stages report progress through plain callbacks (``tick(n)``: n more things done;
``step(text)``: now doing this), so they never import rich; this module turns those
calls into a rich bar on stderr. There is a bar only when a person watches: stdout and
stderr both terminals (nothing in a pipe, nothing under cron, which has no terminal),
and ``TERM`` is not ``dumb``. The bar is transient: when the work is done it is gone,
and only the command's usual output stays.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple


class Progress(NamedTuple):
    """What a stage is given to report with: ``tick(n)`` for n more things done, ``step(text)`` for a new phase."""

    tick: Callable[[int], None]
    step: Callable[[str], None]


def _nothing(*_: object) -> None:
    return None


#: The reporter when nobody watches: both calls do nothing.
SILENT = Progress(_nothing, _nothing)


def watched() -> bool:
    """Whether a person watches this run on a terminal (stdout and stderr both terminals, TERM not dumb)."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


@contextmanager
def progress(what: str, total: int | None = None, show: bool | None = None) -> Iterator[Progress]:
    """A bar on stderr while the block runs (``total`` None: a count and a pulse), if :func:`watched`."""
    if not (watched() if show is None else show):
        yield SILENT
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    count = MofNCompleteColumn() if total else TextColumn("{task.completed}")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), count, TimeElapsedColumn())
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield Progress(
            lambda n=1: bar.advance(task, n),
            lambda text: bar.update(task, description=f"{what}: {text}", refresh=True),  # a phase is always seen
        )
