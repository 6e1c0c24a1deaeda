"""Recurrence rules: English phrases <-> RFC 5545 RRULEs.

A series says when it meets in words ("last Wednesday of the month") or as a raw
RRULE ("FREQ=MONTHLY;BYDAY=-1WE"). Both become a :class:`~meetctl.model.recurrence.Rule`:
the phrases are read here, a raw RRULE and the dates a rule gives are
:mod:`meetctl.model.recurrence`'s, and :func:`describe` says any rule back in plain
English for flyers and announcements.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from datetime import timedelta

from meetctl.model.recurrence import Rule, RuleError, check_has_dates, parse_rrule

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

ACCEPTED_FORMS = (
    "last Wednesday of the month",
    "first Monday of the month (first..fifth, 1st..5th) / every second Tuesday",
    "second to last Friday of the month",
    "first and third Tuesday of the month",
    "every Wednesday / weekly on Wednesday / Thursdays",
    "every other Friday / fortnightly on Friday / every 3 weeks on Friday",
    "15th of every month / monthly on the 15th / last day of the month",
    "last Saturday of March, June, September and December",
    "... except August / except July and August",
    "every day",
    "a raw RFC 5545 rule: FREQ=MONTHLY;BYDAY=-1WE",
)

#: Example phrases for `meetctl help rules`, each shown with the RRULE it reads as.
EXAMPLE_PHRASES = (
    "last Wednesday of the month",
    "monthly on the last Wednesday",
    "first Monday of the month",
    "every second Tuesday",
    "second to last Friday of the month",
    "first and third Tuesday of the month",
    "2nd and 4th Thursdays",
    "every Wednesday",
    "Thursdays",
    "weekly on Wednesday",
    "every Monday and Thursday",
    "every other Friday",
    "fortnightly on Friday",
    "every 3 weeks on Friday",
    "15th of every month",
    "monthly on the 15th",
    "last day of the month",
    "last Saturday of March, June, September and December",
    "last Wednesday of the month except August",
    "every Wednesday except July and August",
    "every day",
    "FREQ=MONTHLY;BYDAY=-1WE",
)


# --------------------------------------------------------------------------- parsing


@functools.lru_cache(maxsize=1024)
def parse_rule(text: str) -> Rule:
    """Read an English phrase or a raw RRULE into a :class:`Rule`.

    Raises :class:`RuleError` with the accepted forms when it cannot.
    """
    stripped = text.strip()
    if not stripped:
        raise RuleError("empty rule")
    upper = stripped.upper()
    if upper.startswith("RRULE:"):
        upper, stripped = upper[6:], stripped[6:]
    if upper.startswith("FREQ="):
        rule = replace(parse_rrule(stripped), source=text)
        check_has_dates(rule)
        return rule
    if re.search(r"(?:^|[\s,])[-+]\d", stripped):
        raise RuleError(
            f"{text!r}: a day number cannot be negative or signed; for days counted from the end "
            "write 'last day of the month' or 'last Friday of the month'"
        )
    rule = _parse_phrase(stripped)
    if rule is None:
        _refuse_a_time_in_the_rule(text, stripped)
        # One line to locate the problem; the forms follow, indented, one a line.
        raise RuleError(
            f"unknown recurrence phrase {text!r}{_spelling_hint(stripped)}; "
            "the accepted forms are (also `meetctl help rules`):\n"
            + "\n".join(f"    {form}" for form in ACCEPTED_FORMS)
        )
    rule = replace(rule, source=text)
    check_has_dates(rule)
    return rule


# "7pm on the last Wednesday of the month", "every Tuesday at 19:30": how people say a slot.
_TIME_WORDS = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)|(\d{1,2}):(\d{2})"
# Patterns, not compiled here: only a rule that fails to parse needs them (cron's start-up does not).
_LEADING_TIME = rf"^(?:at\s+)?(?:{_TIME_WORDS})\s*(?:on\s+|,\s*|\s)"
_TRAILING_TIME = rf"(?:,\s*|\s+at\s+|\s+from\s+|\s+)(?:{_TIME_WORDS})$"


def _refuse_a_time_in_the_rule(text: str, stripped: str) -> None:
    """A rule that holds the meeting's time: say where the time goes, with both lines to write."""
    for pattern in (_LEADING_TIME, _TRAILING_TIME):
        m = re.search(pattern, stripped, re.IGNORECASE)
        if not m:
            continue
        rest = (stripped[m.end() :] if pattern is _LEADING_TIME else stripped[: m.start()]).strip(" ,")
        rest = re.sub(r"^the\s+", "", rest, flags=re.IGNORECASE)
        hour, minute, half, hour24, minute24 = m.groups()
        if half:
            hour_of_day = int(hour) % 12 + (12 if half.lower() == "pm" else 0)
            start = (hour_of_day, int(minute or 0)) if 1 <= int(hour) <= 12 else None
        else:
            start = (int(hour24), int(minute24))
        if start and start[0] < 24 and start[1] < 60 and rest and _parse_phrase(rest) is not None:
            raise RuleError(
                f"{text!r}: the time goes in the series' start, not in its rule: "
                f'write rule = "{rest}" and start = "{start[0]:02d}:{start[1]:02d}"'
            )


def _spelling_hint(text: str) -> str:
    """`` (did you mean '...'?)`` when respelling unknown words gives a phrase that parses."""
    from meetctl.model.errors import closest

    vocabulary = {
        *_ORDINALS, *_WEEKDAY_WORDS, *_MONTH_WORDS, *_NUMBER_WORDS,
        *(word for form in ACCEPTED_FORMS for word in _tokens(form) if word.isalpha()),
    }  # fmt: skip
    tokens = _tokens(text)
    respelled = []
    for token in tokens:
        if token.isalpha() and token not in vocabulary:
            token = closest(token, vocabulary) or token
        respelled.append(token)
    if respelled == tokens:
        return ""
    phrase = " ".join(respelled).replace(" , ", ", ")
    try:
        return f" (did you mean {phrase!r}?)" if _parse_phrase(phrase) else ""
    except RuleError:
        return ""


_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1, "penultimate": -2,
}  # fmt: skip
_WEEKDAY_WORDS = {
    **{name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name.lower() + "s": i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name[:3].lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
_MONTH_WORDS = {
    **{name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)},
    **{name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)},
    "sept": 9,
}  # fmt: skip
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("-", " ").replace("&", " and ")
    text = re.sub(r"[,;.]", " , ", text)
    return text.split()


def _parse_phrase(text: str) -> Rule | None:
    tokens = _tokens(text)
    months_out: tuple[int, ...] = ()
    if "except" in tokens:
        i = tokens.index("except")
        tail = [t for t in tokens[i + 1 :] if t not in ("in", "during")]
        months_out = _month_list(tail) or ()
        if not months_out:
            return None
        tokens = tokens[:i]
    while tokens and tokens[-1] == ",":
        tokens.pop()
    rule = _parse_body(tokens)
    if rule is None:
        return None
    if months_out:
        keep = rule.bymonth or tuple(range(1, 13))
        remaining = tuple(m for m in keep if m not in months_out)
        if not remaining:
            raise RuleError(f"{text!r} leaves no month at all")
        rule = replace(rule, bymonth=remaining)
    return rule


def _month_list(tokens: list[str]) -> tuple[int, ...] | None:
    months = []
    for t in tokens:
        if t in (",", "and"):
            continue
        if t not in _MONTH_WORDS:
            return None
        months.append(_MONTH_WORDS[t])
    return tuple(sorted(set(months))) or None


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def _parse_body(tokens: list[str]) -> Rule | None:
    tokens = [t for t in tokens if t != "the"]
    # Prefixes that fix FREQ and INTERVAL: "every other week on", "monthly on", ...
    freq: str | None = None
    interval = 1
    prefixes: list[tuple[list[str], str, int]] = [
        (["weekly", "on"], "WEEKLY", 1),
        (["every", "week", "on"], "WEEKLY", 1),
        (["every", "other", "week", "on"], "WEEKLY", 2),
        (["fortnightly", "on"], "WEEKLY", 2),
        (["biweekly", "on"], "WEEKLY", 2),
        (["every", "fortnight", "on"], "WEEKLY", 2),
        (["monthly", "on"], "MONTHLY", 1),
        (["every", "month", "on"], "MONTHLY", 1),
        (["every", "other", "month", "on"], "MONTHLY", 2),
    ]
    for words, f, n in prefixes:
        if tokens[: len(words)] == words:
            freq, interval, tokens = f, n, tokens[len(words) :]
            break
    else:
        if len(tokens) > 3 and tokens[0] == "every" and tokens[3] == "on":
            n = _number(tokens[1])
            if n and tokens[2] in ("weeks", "months"):
                freq = "WEEKLY" if tokens[2] == "weeks" else "MONTHLY"
                interval, tokens = n, tokens[4:]
    if not tokens:
        return None

    if freq is None and tokens in (["daily"], ["every", "day"]):
        return Rule("DAILY")
    if freq is None and len(tokens) == 3 and tokens[0] == "every" and tokens[2] == "days":
        n = _number(tokens[1])
        return Rule("DAILY", interval=n) if n else None

    # "Thursdays", "Mondays and Thursdays": every such day (plurals only: "Thursday" alone is a date).
    if freq is None and all(t in (",", "and") or _is_plural_weekday(t) for t in tokens):
        days = _weekday_list(tokens)
        return Rule("WEEKLY", byday=tuple((None, d) for d in days)) if days else None
    # "every second Tuesday" is UK usage for the second Tuesday of the month (not fortnightly,
    # which is "every other"); "every first and third Monday" likewise.
    if freq is None and tokens[0] in ("every", "each") and len(tokens) > 1 and tokens[1] in _ORDINALS:
        body, months = _split_month_suffix(tokens[1:])
        byday = _ordinal_weekdays(body) if body else ()
        return Rule("MONTHLY", byday=byday, bymonth=months or ()) if byday else None
    # "every Wednesday", "every other Friday".
    if freq is None and tokens[0] in ("every", "each"):
        rest = tokens[1:]
        interval = 1
        if rest[:1] == ["other"]:
            interval, rest = 2, rest[1:]
        days = _weekday_list(rest)
        if days is None:
            return None
        return Rule("WEEKLY", interval=interval, byday=tuple((None, d) for d in days))
    if freq == "WEEKLY":
        days = _weekday_list(tokens)
        if days is None:
            return None
        return Rule("WEEKLY", interval=interval, byday=tuple((None, d) for d in days))

    # Monthly forms. Split off a trailing "of the month" / "of every month" / "of March, June".
    body, months = _split_month_suffix(tokens)
    if body is None:
        return None
    if freq is None and months is None and not _has_month_suffix(tokens):
        # Bare "last Wednesday" is fine; bare "15th" too. Nothing else to check.
        pass
    byday = _ordinal_weekdays(body)
    if byday:
        return Rule("MONTHLY", interval=interval, byday=byday, bymonth=months or ())
    monthdays = _monthday_list(body)
    if monthdays:
        return Rule("MONTHLY", interval=interval, bymonthday=monthdays, bymonth=months or ())
    return None


_MONTH_SUFFIXES = (
    ["of", "month"], ["of", "every", "month"], ["of", "each", "month"], ["in", "month"],
    ["in", "every", "month"], ["in", "each", "month"], ["every", "month"], ["each", "month"],
    ["monthly"], ["of", "month", "every", "month"],
)  # fmt: skip


def _has_month_suffix(tokens: list[str]) -> bool:
    return any(tokens[-len(s) :] == s for s in _MONTH_SUFFIXES)


def _split_month_suffix(tokens: list[str]) -> tuple[list[str] | None, tuple[int, ...] | None]:
    for suffix in sorted(_MONTH_SUFFIXES, key=len, reverse=True):
        if len(tokens) > len(suffix) and tokens[-len(suffix) :] == suffix:
            return tokens[: -len(suffix)], None
    for word in ("of", "in"):
        if word in tokens:
            i = len(tokens) - 1 - tokens[::-1].index(word)
            months = _month_list(tokens[i + 1 :])
            if months:
                return tokens[:i], months
    return tokens, None


def _is_plural_weekday(token: str) -> bool:
    return token.endswith("s") and token[:-1] in _WEEKDAY_WORDS and len(token) > 5


def _weekday_list(tokens: list[str]) -> list[int] | None:
    days: list[int] = []
    for t in tokens:
        if t in (",", "and"):
            continue
        if t not in _WEEKDAY_WORDS:
            return None
        days.append(_WEEKDAY_WORDS[t])
    return sorted(set(days)) or None


def _ordinal_weekdays(tokens: list[str]) -> tuple[tuple[int | None, int], ...]:
    """"first and third Tuesday", "1st Monday and 3rd Thursday", "second to last Friday"."""
    pending: list[int] = []
    last_ordinals: list[int] = []
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in (",", "and"):
            i += 1
            continue
        # "second to last", "2nd last", "third from last"
        if t in _ORDINALS and _ORDINALS[t] > 0:
            nxt = tokens[i + 1 : i + 3]
            if nxt[:2] in (["to", "last"], ["from", "last"]):
                pending.append(-_ORDINALS[t])
                i += 3
                continue
            if nxt[:1] == ["last"]:
                pending.append(-_ORDINALS[t])
                i += 2
                continue
        if t in _ORDINALS:
            pending.append(_ORDINALS[t])
        elif t in _WEEKDAY_WORDS:
            ordinals = pending or last_ordinals
            if not ordinals:
                return ()
            out.extend((n, _WEEKDAY_WORDS[t]) for n in ordinals)
            last_ordinals, pending = ordinals, []
        else:
            return ()
        i += 1
    if pending or not out:
        return ()
    return tuple(sorted(set(out), key=lambda p: (p[1], p[0] if p[0] > 0 else 10 - p[0])))


def _monthday_list(tokens: list[str]) -> tuple[int, ...]:
    days: list[int] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in (",", "and", "day"):
            i += 1
            continue
        if t == "last" and tokens[i + 1 : i + 2] == ["day"]:
            days.append(-1)
            i += 2
            continue
        m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", t)
        if not m or not 1 <= int(m.group(1)) <= 31:
            return ()
        days.append(int(m.group(1)))
        i += 1
    return tuple(sorted(set(days), key=lambda d: d if d > 0 else 100 - d))


# --------------------------------------------------------------------------- describing


def ordinal(n: int) -> str:
    """1 -> '1st', 22 -> '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def _ordinal_word(n: int) -> str:
    if n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    if n < 0:
        return f"{_ordinal_word(-n)} to last" if -n in _ORDINAL_WORDS else f"{ordinal(-n)} to last"
    return ordinal(n)


def join_words(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _months_phrase(months: tuple[int, ...]) -> tuple[str, str]:
    """(' of March and June', '') or ('', ' except August') for a BYMONTH list."""
    if not months or len(months) == 12:
        return "", ""
    left_out = [m for m in range(1, 13) if m not in months]
    if len(left_out) < len(months):
        return "", " except " + join_words([MONTH_NAMES[m - 1] for m in left_out])
    return " of " + join_words([MONTH_NAMES[m - 1] for m in months]), ""


def describe(rule: Rule) -> str:
    """The rule in plain English: 'last Wednesday of every month'."""
    months_of, months_except = _months_phrase(rule.bymonth)
    if rule.extra or rule.bysetpos:
        return _describe_generic(rule)
    if rule.freq == "DAILY" and not (rule.byday or rule.bymonthday):
        every = "every day" if rule.interval == 1 else f"every {rule.interval} days"
        return every + (f" in {months_of[4:]}" if months_of else "") + months_except
    if rule.freq == "WEEKLY" and rule.byday and all(n is None for n, _ in rule.byday):
        days = join_words([WEEKDAY_NAMES[d] for _, d in rule.byday])
        if rule.interval == 1:
            head = f"every {days}"
        elif rule.interval == 2:
            head = f"every other {days}"
        else:
            head = f"every {rule.interval} weeks on {days}"
        return head + (f" in {months_of[4:]}" if months_of else "") + months_except
    if rule.freq in ("MONTHLY", "YEARLY") and not rule.bymonthday and rule.byday:
        if all(n is not None for n, _ in rule.byday):
            what = _describe_ordinal_weekdays(rule.byday)
            return _monthly(what, rule, months_of, months_except)
    if rule.freq in ("MONTHLY", "YEARLY") and rule.bymonthday and not rule.byday:
        days = join_words(["last day" if d == -1 else _monthday(d) for d in rule.bymonthday])
        return _monthly(days, rule, months_of, months_except)
    return _describe_generic(rule)


def _monthday(d: int) -> str:
    return ordinal(d) if d > 0 else f"{_ordinal_word(-d)} to last day"


def _monthly(what: str, rule: Rule, months_of: str, months_except: str) -> str:
    if months_of:
        return what + months_of
    if rule.freq == "YEARLY":
        return _describe_generic(rule)
    if rule.interval == 1:
        return f"{what} of every month{months_except}"
    if rule.interval == 2:
        return f"every other month on the {what}{months_except}"
    return f"every {rule.interval} months on the {what}{months_except}"


def _describe_ordinal_weekdays(byday: tuple[tuple[int | None, int], ...]) -> str:
    by_weekday: dict[int, list[int]] = {}
    for n, wd in byday:
        by_weekday.setdefault(wd, []).append(n or 0)
    groups = {tuple(v) for v in by_weekday.values()}
    if len(groups) == 1:
        ords = next(iter(groups))
        return (
            join_words([_ordinal_word(n) for n in ords])
            + " "
            + join_words([WEEKDAY_NAMES[wd] for wd in by_weekday])
        )
    return join_words([f"{_ordinal_word(n or 0)} {WEEKDAY_NAMES[wd]}" for n, wd in byday])


def _describe_generic(rule: Rule) -> str:
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[rule.freq]
    head = f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"
    bits = []
    if rule.bymonth:
        bits.append("in " + join_words([MONTH_NAMES[m - 1] for m in rule.bymonth]))
    if rule.bymonthday:
        bits.append("on the " + join_words([_monthday(d) for d in rule.bymonthday]))
    if rule.byday:
        days = [
            (f"{_ordinal_word(n)} " if n else "") + WEEKDAY_NAMES[wd] for n, wd in rule.byday
        ]
        bits.append("on " + join_words(days) if not rule.bysetpos else "")
        if rule.bysetpos:
            positions = join_words([_ordinal_word(p) for p in rule.bysetpos])
            names = " or ".join(WEEKDAY_NAMES[wd] for _, wd in rule.byday)
            if [wd for _, wd in rule.byday] == [0, 1, 2, 3, 4]:
                names = "weekday"
            bits[-1] = f"on the {positions} {names}"
    for key, value in rule.extra:
        if key == "BYYEARDAY":
            bits.append(f"on day {value} of the year")
        elif key == "BYWEEKNO":
            bits.append(f"in week {value} of the year")
    return " ".join([head, *[b for b in bits if b]])


# --------------------------------------------------------------------------- durations


#: The longest meeting: a residential school runs over days with ``end_date``, not a duration.
MAX_DURATION_MINUTES = 7 * 24 * 60


def parse_duration(text: str) -> timedelta:
    """'90m', '1h30m', '2h', '1h 30m', '2 hours' -> timedelta; ValueError otherwise."""
    m = re.fullmatch(
        r"\s*(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:ute)?s?)?)?\s*", text, re.I
    )
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"invalid duration {text!r} (expected e.g. '90m', '1h30m', '2h')")
    minutes = int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
    if minutes <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    if minutes > MAX_DURATION_MINUTES:
        raise ValueError(f"duration {text!r} is longer than a week; for a meeting over several days give end_date")
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    """timedelta -> '1h30m' (the programme file's own form)."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")
