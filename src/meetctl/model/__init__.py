"""Stage 1-2 of the pipeline: the programme file -> a validated model -> the schedule of occurrences.

Pure: no printing, no clock (today is always a parameter), no network. Modules here
import only the standard library, dateutil, and (lazily) ``holidays`` and ``babel``;
never anything from ``meetctl.calendars``, ``documents``, ``mail``, ``editing``,
``output`` or ``cli`` (``tests/test_layout.py`` enforces this).
"""
