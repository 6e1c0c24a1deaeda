"""Announcements of a term's meetings, in text, Markdown or HTML, ready to paste.

Stage: outputs (documents).
"""

from __future__ import annotations

from collections.abc import Sequence

from meetctl.documents.environment import FORMATS, Templates
from meetctl.documents.views import term_context
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence


def announcement(templates: Templates, programmes: Sequence[Programme], items: Sequence[Occurrence], fmt: str) -> str:
    """The post that announces a term, in ``text``, ``markdown`` or ``html``."""
    return templates.render(f"announce.{FORMATS[fmt]}.j2", **term_context(programmes, items))


