"""Changes to the programme file that keep every comment: ``init``, ``add``, ``cancel``, ``move``, ``record``.

Edits go back through :mod:`meetctl.model` (what is written must load) and write
through :mod:`meetctl.output`; never the CLI.
"""
