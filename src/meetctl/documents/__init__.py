"""Outputs for people: flyers, announcements, reports, stats and listings, from sandboxed templates.

May import :mod:`meetctl.model`, :mod:`meetctl.output` and (for clashes in reports)
:mod:`meetctl.calendars`; never the CLI.
"""
