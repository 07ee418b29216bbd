"""Years, dates and weekdays a post's text names, against its publish time.

A campaign file copied for next year keeps last year's words: a post timed
"day 1 at 09:00" moves with the conference, but its text may still say
"2020", "Monday 23 November" or "today, 23 November". These rules find the
words that no longer fit, in English, French and Spanish:

- ``year``: a year (1990-2099) that is not one of the campaign's years (the
  years of its window and conference); links and hashtags are not read;
- ``weekday``: a weekday written with a date that falls on another weekday
  ("Monday 23 November" when 23 November is a Tuesday that year);
- ``date``: "today", "tomorrow" (and their French and Spanish words) beside a
  date or a weekday that is not the publish day's (or the next day's).

Each finding is a warning: a text may name another year on purpose. A date
without a year is read in the year that puts it nearest the publish time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.config import Campaign
from scheduler.content.problems import FileProblems
from scheduler.yamlsafe import Path as YamlPath

# Month and weekday names of the campaign's languages, so a fix is written in
# the words of the text it fixes.
MONTH_NAMES = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
DAY_NAMES = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
}
MONTHS: dict[str, int] = {}
for _names in MONTH_NAMES.values():
    for _number, _name in enumerate(_names.lower().split(), start=1):
        MONTHS[_name] = _number
for _short, _number in (("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7),
                        ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
                        ("setiembre", 9), ("fevrier", 2), ("aout", 8), ("decembre", 12)):  # fmt: skip
    MONTHS.setdefault(_short, _number)

WEEKDAYS: dict[str, int] = {}
for _names in DAY_NAMES.values():
    for _number, _name in enumerate(_names.lower().split()):
        WEEKDAYS[_name] = _number
WEEKDAYS.update({"miercoles": 2, "sabado": 5})
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?:,?\s+(?:de(?:l)?\s+)?(?P<year>(?:19|20)\d\d))?"
_WEEKDAY_BEFORE = rf"(?:(?P<weekday>{_WEEKDAY})\b,?\s+(?:the\s+|le\s+|el\s+)?)?"
DATE = re.compile(
    rf"(?<![\w/#@]){_WEEKDAY_BEFORE}(?:"
    rf"{_DAY}\s+(?:de\s+)?(?P<month>{_MONTH})\.?"
    rf"|(?P<month2>{_MONTH})\.?\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?"
    rf"){_YEAR}(?![\w/])",
    re.IGNORECASE,
)
WEEKDAY = re.compile(rf"(?<![\w#@])(?P<weekday>{_WEEKDAY})\b", re.IGNORECASE)
YEAR = re.compile(r"(?<![\w/#@.-])(?P<year>(?:199|20\d)\d)(?![\w/]|-\d)")
TODAY = re.compile(r"\b(?:today|tonight|aujourd['’]hui|ce soir|hoy|esta noche)\b", re.IGNORECASE)
# "mañana" is also "morning": only "mañana" that is not "la/esta/por la mañana".
TOMORROW = re.compile(r"\b(?:tomorrow|demain)\b|(?<!la )(?<!esta )\bmañana\b", re.IGNORECASE)
# Links and hashtags name years that are no date ("#2RevCon2020", ".../2020/").
_SKIP = re.compile(r"https?://\S+|www\.\S+|[#@]\w+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(frozen=True)
class DateFinding:
    """One word of the text that does not fit: ``written`` is the words as they
    stand in the text (to point at them), ``rule`` one of the module's rules."""

    rule: str
    written: str
    message: str
    hint: str


def _blanked(text: str) -> str:
    """``text`` with links and hashtags replaced by spaces (offsets kept)."""
    return _SKIP.sub(lambda match: " " * len(match.group()), text)


def _nearest(day: int, month: int, around: date) -> date | None:
    candidates = []
    for year in (around.year - 1, around.year, around.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda found: abs(found - around), default=None)


def _named_date(match: re.Match[str], around: date) -> date | None:
    day = int(match["day"] or match["day2"])
    month = MONTHS[(match["month"] or match["month2"]).lower()]
    if match["year"]:
        try:
            return date(int(match["year"]), month, day)
        except ValueError:
            return None
    return _nearest(day, month, around)


def _long(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {day:%B %Y}"


def _language(words: str) -> str:
    """``fr`` or ``es`` when ``words`` use a French or Spanish month or weekday, else ``en``."""
    found = set(re.findall(r"\w+", words.lower()))
    for language in ("fr", "es"):
        names = f"{MONTH_NAMES[language]} {DAY_NAMES[language]}".lower().split()
        if found & set(names):
            return language
    return "en"


def _weekday_in(language: str, number: int) -> str:
    return DAY_NAMES[language].split()[number]


def _day_in(language: str, day: date) -> str:
    """``24 November``, ``24 novembre``, ``24 de noviembre``."""
    month = MONTH_NAMES[language].split()[day.month - 1]
    return f"{day.day} de {month}" if language == "es" else f"{day.day} {month}"


def check_text_dates(
    text: str, publish_local: datetime, campaign_years: frozenset[int]
) -> list[DateFinding]:
    """The years, dates and weekdays of ``text`` that do not fit a post published
    at ``publish_local`` (local time) in a campaign of ``campaign_years``."""
    readable = _blanked(text)
    published = publish_local.date()
    findings: list[DateFinding] = []
    years = " or ".join(str(year) for year in sorted(campaign_years))
    dates = list(DATE.finditer(readable))
    for match in YEAR.finditer(readable):
        year = int(match["year"])
        if year in campaign_years:
            continue
        findings.append(
            DateFinding(
                "year",
                match.group(),
                f"the text names the year {year}, but this campaign runs in {years}",
                f"write the campaign's year, or leave it if the text means {year} on purpose "
                "(a date in the treaty's history, say)",
            )
        )
    for match in dates:
        named = _named_date(match, published)
        if named is None or not match["weekday"]:
            continue
        weekday = WEEKDAYS[match["weekday"].lower()]
        if weekday != named.weekday():
            findings.append(
                DateFinding(
                    "weekday",
                    match.group().strip(),
                    f"the text says {match.group().strip()!r}, but {named.day} {named:%B %Y} is a "
                    f"{WEEKDAY_NAMES[named.weekday()]}",
                    f"write {_weekday_in(_language(match.group()), named.weekday())} (or the "
                    f"date that is a {WEEKDAY_NAMES[weekday]})",
                )
            )
    for sentence in _SENTENCE.finditer(readable):
        words = sentence.group()
        for pattern, offset, what in ((TODAY, 0, "today"), (TOMORROW, 1, "tomorrow")):
            relative = pattern.search(words)
            if relative is None:
                continue
            meant = published + timedelta(days=offset)
            findings.extend(_relative_findings(words, relative.group(), meant, what, published))
    return findings


def _relative_findings(
    sentence: str, word: str, meant: date, what: str, published: date
) -> list[DateFinding]:
    """A sentence saying "today" (or "tomorrow") beside a date or weekday that is not
    ``meant``: the publish day (or the next)."""
    found: list[DateFinding] = []
    dates = list(DATE.finditer(sentence))
    for match in dates:
        named = _named_date(match, published)
        if named is not None and named != meant:
            found.append(
                DateFinding(
                    "date",
                    match.group().strip(),
                    f"the text says {word!r} and {match.group().strip()!r}, but the post goes "
                    f"out on {_long(published)}",
                    f"write {_day_in(_language(match.group()), meant)}, or move the post to the "
                    "day it speaks of",
                )
            )
    if dates:
        return found
    for match in WEEKDAY.finditer(sentence):
        weekday = WEEKDAYS[match["weekday"].lower()]
        if weekday != meant.weekday():
            found.append(
                DateFinding(
                    "date",
                    match.group(),
                    f"the text says {word!r} and {match.group()!r}, but {what} is a "
                    f"{WEEKDAY_NAMES[meant.weekday()]} (the post goes out on {_long(published)})",
                    f"write {_weekday_in(_language(match.group()), meant.weekday())}, or move the "
                    "post to the day it speaks of",
                )
            )
    return found


class TextDates:
    """Reports the findings of :func:`check_text_dates` for one campaign, as
    warnings at the words they concern."""

    def __init__(self, campaign: Campaign) -> None:
        self.zone = campaign.zone
        window, conference = campaign.window, campaign.conference
        first = min(window.start, conference.start).year
        last = max(window.end, conference.end).year
        self.years = frozenset(range(first, last + 1))

    def report(
        self,
        texts: dict[str, str],
        text_paths: dict[str, YamlPath],
        instant: datetime,
        sink: FileProblems,
        post_id: str | None,
    ) -> None:
        """Warn about the words of each text (once per text as written) that do not
        fit a post published at ``instant`` (aware)."""
        local = instant.astimezone(self.zone)
        seen: set[YamlPath] = set()
        for platform, path in text_paths.items():
            if path in seen or platform not in texts:
                continue
            seen.add(path)
            for finding in check_text_dates(texts[platform], local, self.years):
                mark = None
                if sink.document is not None:
                    for words in (finding.written, finding.written.split()[0]):
                        mark = sink.document.find_in_value(path, re.compile(re.escape(words)))
                        if mark is not None:
                            break
                sink.warning(
                    finding.rule, finding.message, finding.hint, path, post_id=post_id, mark=mark
                )
