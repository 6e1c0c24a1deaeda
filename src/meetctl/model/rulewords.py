"""A series' rule in the group's language: "dernier mercredi de chaque mois".

English comes from :func:`meetctl.model.rules.describe`. For the languages meetctl ships
catalogues for (Catalan, French and Welsh) the common forms are said here, with weekday
and month names from Babel; any other rule, or any other language, falls back to
English rather than to a wrong sentence. Welsh word order and mutations ("yr ail
ddydd Mawrth", "bob yn ail ddydd Gwener", "Gorffennaf ac Awst") are written out in
:func:`_welsh`.
"""

from __future__ import annotations

from meetctl.model.recurrence import Rule
from meetctl.model.rules import describe
from meetctl.model.wording import uses_babel

# Per language: ordinals (1..5, -1, -2), the phrases around them, and "and".
_WORDS: dict[str, dict[str, object]] = {
    "fr": {
        "ordinals": {1: "premier", 2: "deuxième", 3: "troisième", 4: "quatrième", 5: "cinquième",
                     -1: "dernier", -2: "avant-dernier"},  # fmt: skip
        "and": "et",
        "monthly": "{what} de chaque mois",
        "monthly_in": "{what} de {months}",
        "except": " sauf en {months}",
        "weekly": "chaque {days}",
        "fortnightly": "un {days} sur deux",
        "every_n_weeks": "toutes les {n} semaines, le {days}",
        "monthday": "le {days} de chaque mois",
        "monthday_in": "le {days} de {months}",
        "last_day": "le dernier jour de chaque mois",
        "article": lambda word: "le ",
    },
    "ca": {
        "ordinals": {1: "primer", 2: "segon", 3: "tercer", 4: "quart", 5: "cinquè", -1: "últim", -2: "penúltim"},
        "and": "i",
        "monthly": "{what} de cada mes",
        "monthly_in": "{what} de {months}",
        "except": " excepte {months}",
        "weekly": "cada {days}",
        "fortnightly": "un {days} de cada dos",
        "every_n_weeks": "cada {n} setmanes, el {days}",
        "monthday": "el dia {days} de cada mes",
        "monthday_in": "el dia {days} de {months}",
        "last_day": "l'últim dia de cada mes",
        "article": lambda word: "l'" if word[:1] in "aeiouàèéíòóú" else "el ",
    },
}


def describe_rule(rule: Rule, locale: str | None) -> str:
    """The rule in the language of ``locale`` where meetctl can say it, else in English."""
    if not uses_babel(locale):
        return describe(rule)
    assert locale is not None
    language = locale.replace("-", "_").split("_")[0].lower()
    words = _WORDS.get(language)
    if (words is None and language != "cy") or rule.extra or rule.bysetpos or rule.freq not in ("WEEKLY", "MONTHLY"):
        return describe(rule)
    from babel.dates import get_day_names, get_month_names

    code = locale.replace("-", "_")
    day_names = get_day_names("wide", locale=code)  # 0 is Monday, as in meetctl
    month_names = get_month_names("wide", context="stand-alone", locale=code)
    if language == "cy":
        return _welsh(rule, [day_names[d] for d in range(7)], [month_names[m] for m in range(1, 13)])

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {words['and']} " + items[-1]

    months_of, months_except = "", ""
    if rule.bymonth and len(rule.bymonth) < 12:
        left_out = [m for m in range(1, 13) if m not in rule.bymonth]
        if len(left_out) < len(rule.bymonth):
            months_except = str(words["except"]).format(months=join([month_names[m] for m in left_out]))
        else:
            months_of = join([month_names[m] for m in rule.bymonth])
    ordinals: dict[int, str] = words["ordinals"]  # type: ignore[assignment]
    if rule.freq == "WEEKLY" and rule.byday and all(n is None for n, _ in rule.byday) and not months_of:
        days = join([day_names[d] for _, d in rule.byday])
        if rule.interval == 1:
            text = str(words["weekly"]).format(days=days)
        elif rule.interval == 2:
            text = str(words["fortnightly"]).format(days=days)
        else:
            text = str(words["every_n_weeks"]).format(n=rule.interval, days=days)
        return text + months_except
    if rule.freq != "MONTHLY" or rule.interval != 1:
        return describe(rule)
    if rule.byday and not rule.bymonthday and all(n in ordinals for n, _ in rule.byday):
        weekdays = {d for _, d in rule.byday}
        if len(weekdays) != 1:
            return describe(rule)
        named = join([ordinals[n] for n, _ in rule.byday if n is not None])
        what = words["article"](named) + named + " " + day_names[weekdays.pop()]  # type: ignore[operator]
    elif rule.bymonthday == (-1,) and not rule.byday and not months_of:
        return str(words["last_day"]) + months_except
    elif rule.bymonthday and not rule.byday and all(d > 0 for d in rule.bymonthday):
        what = join([str(d) for d in rule.bymonthday])
        key = "monthday_in" if months_of else "monthday"
        return str(words[key]).format(days=what, months=months_of) + months_except
    else:
        return describe(rule)
    key = "monthly_in" if months_of else "monthly"
    return str(words[key]).format(what=what, months=months_of) + months_except


# --------------------------------------------------------------------------- Welsh

#: Ordinals before the weekday ("ail" alone soft-mutates it: "yr ail ddydd Llun", "y trydydd dydd Llun");
#: "cyntaf" and "olaf" follow it.
_CY_BEFORE = {2: "ail", 3: "trydydd", 4: "pedwerydd", 5: "pumed"}
#: Day-of-month ordinals as Welsh writes them in figures: 1af, 2il, 3ydd ... 15fed ... 21ain.
_CY_MONTHDAY = {1: "af", 2: "il", 3: "ydd", 4: "ydd", 5: "ed", 6: "ed", 11: "eg", 13: "eg", 14: "eg",
                16: "eg", 17: "eg", 19: "eg"}  # fmt: skip


#: Days of the month whose ordinal begins with a vowel sound (ail, wythfed, unfed ...): "yr 2il", "yr 8fed".
_CY_VOWEL_DAYS = {2, 8, 11, 16, 21, 28, 31}


def _cy_soft(word: str) -> str:
    """The soft mutation of the few words a rule puts after "ail", "ar" or "bob yn ail": dydd -> ddydd."""
    return "d" + word if word.startswith("dydd") else word


def _cy_and(items: list[str]) -> str:
    """'Gorffennaf ac Awst', 'Medi a Thachwedd': "ac" before a vowel, and the aspirate mutation after "a"."""
    if len(items) == 1:
        return items[0]
    last = items[-1]
    if last[:1].lower() in "aeiouwy":
        joiner = "ac"
    else:
        joiner = "a"
        for plain, mutated in (("C", "Ch"), ("P", "Ph"), ("T", "Th")):
            if last.startswith(plain) and not last.startswith(mutated):
                last = mutated + last[1:]
                break
    return ", ".join(items[:-1]) + f" {joiner} {last}"


def _cy_monthday(n: int) -> str:
    return f"{n}{_CY_MONTHDAY.get(n, 'ain' if n > 20 else 'fed')}"


def _welsh(rule: Rule, day_names: list[str], month_names: list[str]) -> str:
    """A rule in Welsh: "bob dydd Iau", "y dydd Mercher olaf o bob mis", "yr ail ddydd Mawrth o bob mis"."""
    days = [name[:1].lower() + name[1:] for name in day_names]  # "Dydd Iau" is "dydd Iau" mid-sentence
    months_of, months_except = "", ""
    if rule.bymonth and len(rule.bymonth) < 12:
        left_out = [m for m in range(1, 13) if m not in rule.bymonth]
        if len(left_out) < len(rule.bymonth):
            months_except = " ac eithrio " + _cy_and([month_names[m - 1] for m in left_out])
        else:
            months_of = _cy_and([month_names[m - 1] for m in rule.bymonth])
    if rule.freq == "WEEKLY" and rule.byday and all(n is None for n, _ in rule.byday) and not months_of:
        named = " a ".join(days[d] for _, d in rule.byday)
        if rule.interval == 1:
            return f"bob {named}" + months_except
        if rule.interval == 2:
            return f"bob yn ail {_cy_soft(named)}" + months_except
        return f"bob {rule.interval} wythnos, ar {_cy_soft(named)}" + months_except
    if rule.freq != "MONTHLY" or rule.interval != 1:
        return describe(rule)
    where = f" ym mis {months_of}" if months_of else " o bob mis"
    if rule.byday and not rule.bymonthday:
        weekdays = {d for _, d in rule.byday}
        if len(weekdays) != 1 or not all(n in (1, 2, 3, 4, 5, -1, -2) for n, _ in rule.byday):
            return describe(rule)
        day = days[weekdays.pop()]
        phrases = []
        for n, _ in rule.byday:
            if n == 1:
                phrases.append(f"{day} cyntaf")
            elif n == -1:
                phrases.append(f"{day} olaf")
            elif n == -2:
                phrases.append(f"{day} olaf ond un")
            else:
                assert n is not None
                phrases.append(f"{_CY_BEFORE[n]} {_cy_soft(day) if n == 2 else day}")
        # "y" before a consonant, "yr" before a vowel; the second and later take "a'r" ("and the").
        first = ("yr " if phrases[0][:1] in "aeiouwy" else "y ") + phrases[0]
        return " a'r ".join([first, *phrases[1:]]) + where + months_except
    if rule.bymonthday == (-1,) and not rule.byday and not months_of:
        return "y diwrnod olaf o bob mis" + months_except
    if rule.bymonthday and not rule.byday and all(d > 0 for d in rule.bymonthday):
        named = " a'r ".join(_cy_monthday(d) for d in rule.bymonthday)
        article = "yr" if rule.bymonthday[0] in _CY_VOWEL_DAYS else "y"
        return f"{article} {named}{where}" + months_except
    return describe(rule)
