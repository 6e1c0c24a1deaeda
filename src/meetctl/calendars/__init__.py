"""Outputs and inputs in iCalendar: export (``ical``), other calendars read (``clashes``, ``import``), CalDAV.

May import :mod:`meetctl.model` and :mod:`meetctl.output`; never the CLI.
"""
