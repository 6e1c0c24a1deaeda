"""`meetctl import` and `meetctl clashes` on every calendar in tests/fixtures/ics/ (see its README).

For each file: never an internal error (exit 70) or a Python repr in a message; either a
clean refusal (exit 2, one line per problem, located in the input file), or a programme
that its own `check` accepts and whose `list --json` has exactly the occurrences
recurring-ical-events finds in the source (start, end and title, in absolute time), or a
warning on stderr that names each event that differs.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CORPUS = sorted((Path(__file__).parent / "fixtures" / "ics").glob("*.ics"))
REPR = re.compile(r"\[?v[A-Z][A-Za-z]*\(|b'|Traceback")


def source_occurrences(path: Path, zone: ZoneInfo) -> tuple[set[tuple], date, date] | None:
    """The source's occurrences by recurring-ical-events in a window from its first event, or None."""
    import icalendar
    import recurring_ical_events

    try:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        starts = []
        for ev in cal.walk("VEVENT"):
            value = ev.get("dtstart")
            if value is not None and not isinstance(value, list):
                moment = value.dt
                starts.append(moment.date() if isinstance(moment, datetime) else moment)
        if not starts:
            return None
        first = min(starts)
        last = first + timedelta(days=3 * 366)
        found = recurring_ical_events.of(cal).between(first, last + timedelta(days=1))
    except Exception:  # the reference reader cannot read it either: only "no internal error" is checked
        return None
    out = set()
    for ev in found:
        if str(ev.get("status", "")).upper() == "CANCELLED":
            continue
        start = ev["dtstart"].dt
        end = ev["dtend"].dt if "dtend" in ev else ev["dtstart"].dt
        out.add((_instant(start, zone), _instant(end, zone), str(ev.get("summary", ""))))
    return out, first, last


def _instant(value: datetime | date, zone: ZoneInfo) -> datetime:
    """Dates (all-day) and floating times are the group's local time, as the import reads them."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def listed(cli, path: Path, first: date, last: date) -> set[tuple]:
    result = cli("list", "-f", path, "--from", str(first), "--to", str(last), "--json", "--limit", "100000")
    assert result.exit_code == 0, result.stderr
    out = set()
    for item in json.loads(result.stdout):
        if item["status"] != "scheduled":
            continue
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        out.add((start.astimezone(UTC), end.astimezone(UTC), item["title"]))
    return out


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_import_reproduces_the_source_or_says_what_differs(cli, tmp_path, path):
    out = tmp_path / "programme.toml"
    result = cli("import", path, "-o", out)
    assert result.exit_code in (0, 2), result.stderr
    assert not REPR.search(result.stderr), result.stderr
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and all(line.startswith(f"{path}:") and ": error: " in line for line in lines), result.stderr
        return
    # Import never contradicts itself: what it wrote, `check` accepts (errors would point into our output).
    checked = cli("check", "-f", out, "--today", "2020-01-01")
    assert checked.exit_code == 0, checked.stderr
    assert ": error: " not in checked.stderr, checked.stderr
    zone = ZoneInfo(tomllib.loads(out.read_text(encoding="utf-8"))["group"]["timezone"])
    reference = source_occurrences(path, zone)
    if reference is None:
        return
    want, first, last = reference
    got = listed(cli, out, first, last)
    differ = want ^ got
    if differ:
        warnings = result.stderr
        assert warnings, f"silent differences: {sorted(differ)[:5]}"
        for _start, _end, title in differ:
            assert title in warnings or "event" in warnings, (title, warnings)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_clashes_reads_every_file_or_refuses_it_cleanly(cli, write_programme, path):
    programme = write_programme(
        """
        [[series]]
        id = "weekly"
        title = "Weekly"
        rule = "every Monday"
        start = "09:00"
        from = 1990-01-01
        """,
        header=True,
    )
    result = cli("clashes", "-f", programme, "--with", path, "--from", "2000-01-01", "--to", "2030-12-31")
    assert result.exit_code in (0, 2), result.stderr
    assert not REPR.search(result.stderr), result.stderr
    if result.exit_code == 2:
        assert all(line.startswith(f"{path}:") for line in result.stderr.strip().splitlines()), result.stderr
