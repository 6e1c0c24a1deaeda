"""A group's own templates (``meetctl templates``): which shipped ones it has copies of, and new copies.

Stage: outputs (documents). A copy in the group's ``templates/`` folder replaces the
shipped template for every command (see :func:`meetctl.documents.environment.template_dirs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from meetctl.documents.environment import BUILTIN_DIR, builtin_templates
from meetctl.model.errors import MeetctlError, Problem, did_you_mean


def template_lines(folder: Path) -> list[str]:
    """Each shipped template's name, with ``(yours: PATH)`` when ``folder`` has the group's own copy."""
    lines = []
    for name in builtin_templates():
        own = folder / name
        lines.append(f"{name}  (yours: {own})" if own.is_file() else name)
    return lines


def copies(names: Sequence[str], folder: Path) -> list[tuple[Path, bytes]]:
    """The copies to write for ``names``: each one's path in ``folder`` and the shipped text.

    Every name must be a shipped template's: otherwise nothing is copied, and each
    unknown name is a problem (with the nearest known one).
    """
    known = builtin_templates()
    problems = [
        Problem(f"no template called {n!r}{did_you_mean(n, known)} (see `meetctl templates list`)")
        for n in names
        if n not in known
    ]
    if problems:
        raise MeetctlError(problems)
    return [(folder / name, (BUILTIN_DIR / name).read_bytes()) for name in names]
