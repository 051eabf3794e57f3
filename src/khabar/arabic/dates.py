"""Absolute dates in Arabic text: all Gregorian month series, Hijri months, Eastern digits, numeric forms."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from khabar.arabic.normalize import normalize, normalize_with_offsets


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text: the span in the original text, its surface form and ISO value."""

    start: int
    end: int
    text: str
    value: str  # ISO date (YYYY-MM-DD)
    calendar: str


class MonthNames:
    """Month names by calendar, loaded from the shipped ``months.tsv`` data file."""

    def __init__(self) -> None:
        self.by_name: dict[str, tuple[str, int]] = {}
        raw = resources.files("khabar.data").joinpath("months.tsv").read_text(encoding="utf-8")
        for row in raw.splitlines():
            if not row.strip() or row.startswith("#"):
                continue
            calendar, number, names = row.split("\t")
            for name in names.split("|"):
                self.by_name[normalize(name.strip())] = (calendar, int(number))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """One regex finding day-month-year and numeric dates in normalised text."""
        names = sorted(self.by_name, key=len, reverse=True)
        month = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
        return re.compile(
            rf"(?<![\w])(?P<day>[0-3]?\d)\s*(?:من\s+)?(?:شهر\s+)?(?P<month>{month})"
            rf"(?:\s*[/(-]\s*(?P<month2>{month})\s*\)?)?\s*(?:(?:من\s+)?(?:عام|سنه|لعام)\s+)?,?\s*"
            rf"(?P<year>[12]\d{{3}})\s*(?P<era>هـ|ه|م)?(?![\w])"
            rf"|(?<![\w/.-])(?P<nd>[0-3]?\d)[/.-](?P<nm>[01]?\d)[/.-](?P<ny>[12]\d{{3}})(?![\w/.-])"
            rf"|(?<![\w/.-])(?P<iy>[12]\d{{3}})-(?P<im>[01]\d)-(?P<id>[0-3]\d)(?![\d/.-])"
        )


def _hijri_to_gregorian(year: int, month: int, day: int) -> dt.date | None:
    try:
        from hijridate import Hijri
    except ImportError:  # pragma: no cover - hijridate is a dependency
        return None
    try:
        return Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None


def _build(calendar: str, year: int, month: int, day: int) -> dt.date | None:
    if calendar == "hijri":
        return _hijri_to_gregorian(year, month, day)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_absolute_dates(text: str, months: MonthNames) -> list[DateMatch]:
    """Every absolute date in ``text``, with offsets into ``text`` and an ISO (Gregorian) value."""
    norm = normalize_with_offsets(text)
    found: list[DateMatch] = []
    for m in months.pattern.finditer(norm.text):
        if m.group("month"):
            calendar, month = months.by_name[re.sub(r"\s+", " ", m.group("month"))]
            date = _build(calendar, int(m.group("year")), month, int(m.group("day")))
        elif m.group("nd"):
            calendar = "gregorian"
            date = _build(calendar, int(m.group("ny")), int(m.group("nm")), int(m.group("nd")))
        else:
            calendar = "gregorian"
            date = _build(calendar, int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        if date is None:
            continue
        start, end = norm.to_source(m.start(), m.end())
        found.append(DateMatch(start, end, text[start:end], date.isoformat(), calendar))
    return found
