"""The ``meetctl`` command line (stage: the CLI on top of the pipeline), as a package.

The commands live in :mod:`meetctl.cli.app` for now; ``from meetctl.cli import app``
(the Typer app) and ``from meetctl.cli import main`` (the console script) are its face.
"""

from meetctl.cli.app import EXIT_INPUT, NO_PROGRAMME, app, app_for, main

__all__ = ["app", "app_for", "main", "EXIT_INPUT", "NO_PROGRAMME"]
