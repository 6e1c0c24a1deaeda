"""Stage: the command line. The full app: every command family registered, in the order `meetctl --help` lists.

Import it as ``from meetctl.cli import app`` (that name is the Typer app; this module
only assembles it). The console script does not come here for a command it knows:
:func:`meetctl.cli.app_for` imports just that command's family. Help, typos and
unknown commands get this app, so their messages name every command.
"""

from __future__ import annotations

import meetctl.cli.calendars
import meetctl.cli.documents
import meetctl.cli.editing
import meetctl.cli.mail
import meetctl.cli.reading
import meetctl.cli.site  # noqa: F401 - importing a family registers its commands on the app
from meetctl.cli.base import app, in_help_order

in_help_order(app)

__all__ = ["app"]
