"""Pieces of the site's structured data that read the programme's free text: addresses, descriptions.

Stage: outputs (documents), a part of ``meetctl site`` (JSON-LD and the Atom feed).
A venue's address is one line of free text; :func:`postal_address` splits off the town
and postcode only where the address's own shape says which they are (a UK postcode, an
Australian state and postcode, a US state and ZIP code), and otherwise leaves it whole.
"""

from __future__ import annotations

import re
from typing import Any

from meetctl.model.schedule import Occurrence

_UK_POSTCODE = re.compile(r"(?:^|\s)([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$", re.IGNORECASE)
_AU_STATE = re.compile(r"^(?:(?P<town>.*?)\s+)?(?P<state>NSW|VIC|QLD|SA|WA|TAS|NT|ACT)\s+(?P<code>[0-9]{4})$")
_US_STATE = re.compile(r"^(?:(?P<town>.*?)\s+)?(?P<state>[A-Z]{2})\s+(?P<code>[0-9]{5}(?:-[0-9]{4})?)$")


def postal_address(address: str) -> dict[str, Any]:
    """A schema.org ``PostalAddress`` for ``address``: street, locality, region and postcode where
    the address allows, else the whole text as ``streetAddress``."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    found: dict[str, str] = {}
    town: str | None = None
    if parts:
        last = parts[-1]
        uk = _UK_POSTCODE.search(last)
        shape = None if uk else (_AU_STATE.match(last) or _US_STATE.match(last))
        if uk:
            found["postalCode"] = f"{uk.group(1)} {uk.group(2)}".upper()
            town = last[: uk.start()].strip() or None
        elif shape:
            found["addressRegion"] = shape.group("state")
            found["postalCode"] = shape.group("code")
            town = shape.group("town")
        if found:
            parts.pop()
            if town is None and len(parts) > 1:  # "..., Springfield, MA 01103": the town is the part before
                town = parts.pop()
    if not found:
        return {"@type": "PostalAddress", "streetAddress": address}
    result: dict[str, Any] = {"@type": "PostalAddress"}
    if parts:
        result["streetAddress"] = ", ".join(parts)
    if town:
        result["addressLocality"] = town
    return result | found


def event_description(o: Occurrence) -> str | None:
    """What a meeting is about: its own blurb, else its series', else the series' usual slot
    in words ("Discussion: last Wednesday of the month, 7:00pm"); None for a one-off without one."""
    if o.description:
        return o.description
    if o.series is None:
        return None
    if o.series.description:
        return o.series.description
    from meetctl.model.rulewords import describe_rule
    from meetctl.model.wording import format_time

    loc = o.group.locale
    return f"{o.series.title}: {describe_rule(o.series.rule, loc)}, {format_time(o.series.start, loc)}"
