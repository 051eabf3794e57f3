"""Dates in article text, absolute and relative, resolved against the publication date (ISO date or interval)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from khabar.arabic.dates import MonthNames, find_absolute_dates
from khabar.arabic.normalize import normalize, normalize_with_offsets

WEEKDAYS = {normalize(k): v for k, v in {"الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الخميس": 3,
                                         "الجمعة": 4, "السبت": 5, "الأحد": 6}.items()}
NUMBER_WORDS = {normalize(k): v for k, v in {"يوم": 1, "يومين": 2, "ثلاثة": 3, "أربعة": 4, "خمسة": 5, "ستة": 6,
                                             "سبعة": 7, "ثمانية": 8, "تسعة": 9, "عشرة": 10, "أسبوع": 1,
                                             "أسبوعين": 2, "شهر": 1, "شهرين": 2, "عام": 1, "عامين": 2,
                                             "سنة": 1, "سنتين": 2, "ثلاث": 3, "أربع": 4, "خمس": 5}.items()}
UNIT_DAYS = {"يوم": 1, "ايام": 1, "يومين": 1, "اسبوع": 7, "اسابيع": 7, "اسبوعين": 7, "شهر": 30, "اشهر": 30,
             "شهور": 30, "شهرين": 30, "عام": 365, "اعوام": 365, "عامين": 365, "سنه": 365, "سنوات": 365, "سنتين": 365}
PART = {normalize(k): v for k, v in {"بداية": "start", "بدايه": "start", "مطلع": "start", "أوائل": "start",
                                     "أول": "start", "منتصف": "middle", "أواسط": "middle", "نهاية": "end",
                                     "أواخر": "end", "آخر": "end"}.items()}
PAST = {normalize(w) for w in ("الماضي الماضية المنصرم المنصرمة الفائت الفائتة السابق").split()}
NEXT = {normalize(w) for w in ("المقبل المقبلة القادم القادمة").split()}


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _interval(a: dt.date, b: dt.date) -> str:
    return _iso(a) if a == b else f"{_iso(a)}/{_iso(b)}"


def _month_range(year: int, month: int, part: str | None = None) -> str:
    last = calendar.monthrange(year, month)[1]
    lo, hi = {"start": (1, 10), "middle": (11, 20), "end": (21, last)}.get(part or "", (1, last))
    return _interval(dt.date(year, month, lo), dt.date(year, month, hi))


class DateResolver:
    """Finds dates in text and resolves relative ones against a reference (publication) date."""

    def __init__(self, months: MonthNames | None = None) -> None:
        self.months = months or MonthNames()
        gregorian = sorted((n for n, (cal, _) in self.months.by_name.items() if cal == "gregorian"),
                           key=len, reverse=True)
        month = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in gregorian)
        weekday = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
        self.pattern = re.compile(
            rf"(?<!\w)(?:(?P<part>{'|'.join(PART)})\s+)?(?:شهر\s+)?(?P<month>{month})"
            rf"(?:\s*[/(]\s*(?:{month})\s*\)?)?\s+(?:(?P<rel>{'|'.join(PAST | NEXT)})|(?:من\s+)?(?:عام\s+)?"
            rf"(?P<year>[12]\d{{3}}))(?!\w)"
            rf"|(?<!\w)(?:(?:يوم|مساء|صباح|ليل|ليله|فجر|ظهر|عصر)\s+)?(?:[وف]?)(?P<weekday>{weekday})"
            rf"(?:\s+(?P<wrel>{'|'.join(PAST | NEXT)}))?(?!\w)"
            r"|(?<!\w)(?P<simple>اول\s+امس|امس|البارحه|اليوم|غدا|بعد\s+غد)(?!\w)"
            rf"|(?<!\w)(?P<period>الاسبوع|الشهر|العام|السنه)\s+(?P<prel>{'|'.join(PAST | NEXT)})(?!\w)"
            r"|(?<!\w)(?P<ago>منذ|قبل)\s+(?:(?P<n>\d+|\w+)\s+)?(?P<unit>ايام|يوما|يوم|يومين|اسابيع|اسبوع|اسبوعين"
            r"|اشهر|شهور|شهر|شهرين|اعوام|سنوات|عام|عامين|سنه|سنتين)(?!\w)(?!\s+(?:19|20)\d\d)"
            r"|(?<!\w)(?:عام|سنه|العام)\s+(?P<lone_year>(?:19|20)\d\d)(?!\w)"
        )

    def find(self, text: str, published: str | None) -> list[dict[str, Any]]:
        """Dates in ``text`` as ``{text, start, end, value, kind}``; relative ones need ``published``."""
        ref = dt.date.fromisoformat(published[:10]) if published else None
        found = [{"text": d.text, "start": d.start, "end": d.end, "value": d.value, "kind": "absolute",
                  "calendar": d.calendar} for d in find_absolute_dates(text, self.months)]
        taken = [(d["start"], d["end"]) for d in found]
        norm = normalize_with_offsets(text)
        for m in self.pattern.finditer(norm.text):
            start, end = norm.to_source(m.start(), m.end())
            if any(s < end and start < e for s, e in taken):
                continue
            value, kind = self._resolve(m, ref)
            found.append({"text": text[start:end], "start": start, "end": end, "value": value, "kind": kind})
            taken.append((start, end))
        return sorted(found, key=lambda d: d["start"])

    def _resolve(self, m: re.Match, ref: dt.date | None) -> tuple[str | None, str]:
        if m.group("month"):
            month = self.months.by_name[re.sub(r"\s+", " ", m.group("month"))][1]
            part = PART.get(m.group("part")) if m.group("part") else None
            if m.group("year"):
                return _month_range(int(m.group("year")), month, part), "absolute"
            if ref is None:
                return None, "relative"
            if m.group("rel") in PAST:
                year = ref.year if month < ref.month else ref.year - 1
            else:
                year = ref.year if month > ref.month else ref.year + 1
            return _month_range(year, month, part), "relative"
        if m.group("lone_year"):
            year = int(m.group("lone_year"))
            return _interval(dt.date(year, 1, 1), dt.date(year, 12, 31)), "absolute"
        if ref is None:
            return None, "relative"
        if m.group("weekday"):
            target = WEEKDAYS[m.group("weekday")]
            if m.group("wrel") in NEXT:
                delta = (target - ref.weekday()) % 7 or 7
                return _iso(ref + dt.timedelta(days=delta)), "relative"
            back = (ref.weekday() - target) % 7
            if m.group("wrel") in PAST and back == 0:
                back = 7
            return _iso(ref - dt.timedelta(days=back)), "relative"
        if simple := m.group("simple"):
            offset = {"امس": -1, "البارحه": -1, "اليوم": 0, "غدا": 1}.get(simple)
            if offset is None:
                offset = -2 if simple.startswith("اول") else 2
            return _iso(ref + dt.timedelta(days=offset)), "relative"
        if m.group("period"):
            sign = -1 if m.group("prel") in PAST else 1
            period = m.group("period")
            if period == "الاسبوع":
                monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(weeks=sign)
                return _interval(monday, monday + dt.timedelta(days=6)), "relative"
            if period == "الشهر":
                year, month = divmod(ref.year * 12 + ref.month - 1 + sign, 12)
                return _month_range(year, month + 1), "relative"
            year = ref.year + sign
            return _interval(dt.date(year, 1, 1), dt.date(year, 12, 31)), "relative"
        unit = m.group("unit")
        n_text = m.group("n")
        count = 2 if unit.endswith(("ين", "تين")) else 1
        if n_text:
            count = int(n_text) if n_text.isdigit() else NUMBER_WORDS.get(n_text, 0)
            if not count:
                return None, "relative"
        step = UNIT_DAYS.get(unit, 1)
        if step >= 30:  # months and years move on the calendar (قبل ثلاثة أشهر from 30 Nov = 30 Aug)
            months_back = count * (12 if step == 365 else 1)
            year, month = divmod(ref.year * 12 + ref.month - 1 - months_back, 12)
            day = min(ref.day, calendar.monthrange(year, month + 1)[1])
            return _iso(dt.date(year, month + 1, day)), "relative"
        return _iso(ref - dt.timedelta(days=step * count)), "relative"
