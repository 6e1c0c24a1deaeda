"""The bounds of one template render: time, loop length, the size of what it makes, memory.

Stage: outputs (documents). A group's template is data that cron renders unattended, so
a render cannot run for ever (``{% for i in range(99999) %}{% for j in range(99999) %}``)
or fill the memory (``"x" * 3000000000``). Inside :func:`bounded`:

- ``range()`` in a template counts its items: :data:`MAX_ITERATIONS` for the whole render;
- ``*`` and ``**`` refuse results over :data:`MAX_SIZE` items or digits before making them;
- the render stops after :data:`MAX_SECONDS` (an interval timer, in the main thread);
- the process may grow by :data:`MAX_MEMORY` at most while it renders (``RLIMIT_AS``),
  so any other way to ask for gigabytes (``"x"|center(3000000000)``) is a MemoryError;
- what a render writes is at most :data:`MAX_OUTPUT` characters.

Each stop is a :class:`RenderStopped`, which the template environment reports at the
template's file and line.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Items that every ``range()`` of one render may give together.
MAX_ITERATIONS = 1_000_000
#: Items (characters, list entries) or digits one ``*`` / ``**`` may make.
MAX_SIZE = 10_000_000
#: Seconds one render may take (a site renders each page on its own).
MAX_SECONDS = 60.0
#: Characters one render may write (a site's longest listing is a few megabytes).
MAX_OUTPUT = 256 * 1024 * 1024
#: Bytes the process may grow by while a template renders.
MAX_MEMORY = 2 * 1024 * 1024 * 1024


class RenderStopped(Exception):
    """A template went past one of the bounds of a render."""


class _Budget:
    def __init__(self) -> None:
        self.iterations = 0
        self.written = 0
        self.seconds = 0.0


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("meetctl_render_budget", default=None)


class CountedRange:
    """``range()`` for templates: a real range whose items count against the render's budget."""

    def __init__(self, *args: int) -> None:
        from jinja2.sandbox import safe_range

        self._range = safe_range(*args)  # the sandbox's own bound: at most 100,000 items in one range

    def __iter__(self) -> Iterator[int]:
        budget = _budget.get()
        for i, item in enumerate(self._range):
            if budget is not None and i % 1024 == 0:
                budget.iterations += min(1024, len(self._range) - i)
                if budget.iterations > MAX_ITERATIONS:
                    raise RenderStopped(f"loops went past {MAX_ITERATIONS:,} range() items in one render")
            yield item

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        return self._range[index]

    def __contains__(self, item: object) -> bool:
        return item in self._range

    def __reversed__(self) -> Iterator[int]:
        backwards = self._range[::-1]
        return iter(CountedRange(backwards.start, backwards.stop, backwards.step))

    def __repr__(self) -> str:
        return repr(self._range)


def checked_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left * right`` or ``left ** right`` whose result would be over :data:`MAX_SIZE`, before it is made."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SIZE:
                raise RenderStopped(f"'*' would make {len(seq) * n:,} items (at most {MAX_SIZE:,})")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        digits = left.bit_length() * right * 0.302  # log10(2): the result's decimal digits
        if digits > MAX_SIZE:
            raise RenderStopped(f"'**' would make a number of {int(digits):,} digits (at most {MAX_SIZE:,})")


def count_output(text: str) -> str:
    """``text``, written by the render: an error once the render has written over :data:`MAX_OUTPUT`."""
    budget = _budget.get()
    if budget is not None:
        budget.written += len(text)
        if budget.written > MAX_OUTPUT:
            raise RenderStopped(f"the template wrote over {MAX_OUTPUT:,} characters")
    return text


def new_budget() -> _Budget:
    """A budget for one render that runs in pieces (a streamed page): pass it to each :func:`bounded`."""
    return _Budget()


@contextmanager
def bounded(budget: _Budget | None = None) -> Iterator[None]:
    """Apply the bounds of a render to what runs inside; ``budget`` carries a streamed render's count and time."""
    if _budget.get() is not None:
        yield  # an include or a nested render: the outer bounds hold
        return
    budget = budget or _Budget()
    token = _budget.set(budget)
    started = time.monotonic()
    try:
        with _time_limit(max(MAX_SECONDS - budget.seconds, 0.001)), _memory_limit():
            yield
    finally:
        budget.seconds += time.monotonic() - started
        _budget.reset(token)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield  # only the main thread gets signals; the loop and size bounds still hold
        return

    def stop(signum: int, frame: Any) -> None:
        raise RenderStopped(f"the render took over {MAX_SECONDS:g} seconds")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_limit() -> Iterator[None]:
    try:
        import resource
    except ImportError:  # not on this system: the size bounds still hold
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        yield
        return
    limit = size + MAX_MEMORY
    if soft != resource.RLIM_INFINITY and soft <= limit or hard != resource.RLIM_INFINITY and hard < limit:
        yield  # already bounded tighter than this
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
