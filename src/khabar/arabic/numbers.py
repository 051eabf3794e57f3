"""Numbers in Arabic text: digits and words, scales, ranges, approximations, units and casualty counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses

_WORDS = {
    1: "واحد واحدة", 2: "اثنان اثنين اثنتان اثنتين", 3: "ثلاث ثلاثة", 4: "أربع أربعة", 5: "خمس خمسة",
    6: "ست ستة", 7: "سبع سبعة", 8: "ثمان ثماني ثمانية", 9: "تسع تسعة", 10: "عشر عشرة",
    11: "أحد إحدى", 12: "اثنا اثنتا اثني", 20: "عشرون عشرين", 30: "ثلاثون ثلاثين", 40: "أربعون أربعين",
    50: "خمسون خمسين", 60: "ستون ستين", 70: "سبعون سبعين", 80: "ثمانون ثمانين", 90: "تسعون تسعين",
    100: "مئة مائة", 200: "مئتان مئتين مئتي مائتان مائتين مائتي", 300: "ثلاثمئة ثلاثمائة", 400: "أربعمئة أربعمائة",
    500: "خمسمئة خمسمائة", 600: "ستمئة ستمائة", 700: "سبعمئة سبعمائة", 800: "ثمانمئة ثمانمائة",
    900: "تسعمئة تسعمائة",
}
_SCALES = {1000: "ألف آلاف ألفا ألفي ألفين الاف", 10**6: "مليون ملايين مليونا مليوني مليونين",
           10**9: "مليار مليارات مليارا ملياري مليارين بليون"}
WORD_VALUE = {normalize(w): n for n, ws in _WORDS.items() for w in ws.split()}
SCALE_VALUE = {normalize(w): n for n, ws in _SCALES.items() for w in ws.split()}
# dual scale words carry their own "two": ألفين = 2000
DUAL_SCALES = {normalize(w) for w in ("ألفا ألفي ألفين مليونا مليوني مليونين ملياري مليارين").split()}
APPROX = {normalize(w) for w in ("نحو حوالي قرابة زهاء ما يقارب يقارب حوالى").split()}
MORE_THAN = {normalize(w) for w in ("أكثر أزيد").split()}
LESS_THAN = {normalize(w) for w in ("أقل").split()}
RANGE_JOINERS = {normalize(w) for w in ("إلى الى و أو حتى").split()}
CASUALTY_CUES = {normalize(k): v for k, v in {
    "مقتل": "killed", "قتل": "killed", "مصرع": "killed", "استشهاد": "killed", "وفاة": "killed",
    "إصابة": "injured", "جرح": "injured", "إصابات": "injured", "اعتقال": "detained", "أسر": "detained",
    "اختطاف": "abducted", "نزوح": "displaced", "تهجير": "displaced", "إجلاء": "evacuated"}.items()}
UNIT_CASUALTY = {normalize(k): v for k, v in {"قتيل": "killed", "قتلى": "killed", "قتيلا": "killed",
                                              "جريح": "injured", "جرحى": "injured", "جريحا": "injured",
                                              "مصاب": "injured", "مصابين": "injured", "مصابا": "injured"}.items()}


def _units() -> dict[str, str]:
    text = resources.files("khabar.data").joinpath("lexicons/units.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            unit, forms = line.split("\t")
            for form in forms.split("|"):
                out[normalize(form)] = unit
    return out


@dataclass(slots=True)
class _Value:
    value: float
    start: int  # token index
    end: int  # token index, exclusive


_HAS_DIGIT = re.compile(r"\d")
NUMBER_WORDS = frozenset(WORD_VALUE) | frozenset(SCALE_VALUE)


def _digit_value(norm: str) -> float | None:
    if not _HAS_DIGIT.search(norm):
        return None
    if norm[:1] in ("و", "ف", "ب", "ل") and norm[1:2].isdigit():
        norm = norm[1:]  # و19.25
    try:
        return float(norm.replace(",", ""))
    except ValueError:
        return None


def _stems(norm: str) -> set[str]:
    return {stem for _, stem in clitic_analyses(norm)}


class NumberFinder:
    """Finds counts and amounts in tokenised text (units from the shipped ``units.tsv``)."""

    def __init__(self) -> None:
        self.units = _units()
        self.multi_word_units = {k for k in self.units if " " in k}

    def _word(self, norm: str) -> tuple[str, float] | None:
        """(kind, value) of a number word, its clitics removed: kind is 'num' or 'scale'."""
        for _, stem in clitic_analyses(norm):
            if stem in WORD_VALUE:
                return "num", WORD_VALUE[stem]
            if stem in SCALE_VALUE:
                return "scale", SCALE_VALUE[stem]
        return None

    def _number_at(self, tokens: list[Token], i: int) -> _Value | None:
        """A whole number phrase at token ``i``: '660 ألف', 'ستة آلاف', 'مليون وثلاثمئة ألف', 'ثلاثة عشر'."""
        total, current, j, seen = 0.0, None, i, False
        while j < len(tokens):
            norm = tokens[j].norm
            digit = _digit_value(norm.rstrip("%"))
            word = None if digit is not None else self._word(norm)
            if digit is not None and not seen:
                current, seen = digit, True
            elif word and word[0] == "num" and (current is None or (norm.startswith("و") and seen)):
                if current is not None:
                    total += current
                current, seen = word[1], True
            elif word and word[0] == "num" and current is not None and current < 10 and word[1] == 10:
                current += 10  # ثلاثة عشر
            elif word and word[0] == "scale":
                base = 2.0 if norm in DUAL_SCALES or any(s in DUAL_SCALES for _, s in clitic_analyses(norm)) \
                    else (current if current is not None else 1.0)
                total += base * word[1]
                current, seen = None, True
            else:
                break
            j += 1
        if not seen:
            return None
        return _Value(total + (current or 0.0), i, j)

    def find(self, text: str, tokens: list[Token]) -> list[dict[str, Any]]:
        """Numbers with offsets, ``min``/``max`` (ranges, approximations), ``unit`` and casualty ``category``."""
        found: list[dict[str, Any]] = []
        i = 0
        while i < len(tokens):
            norm = tokens[i].norm
            if not _HAS_DIGIT.search(norm) and not any(stem in NUMBER_WORDS for _, stem in clitic_analyses(norm)):
                i += 1  # cheap rejection: most words are not numbers
                continue
            first = self._number_at(tokens, i)
            if first is None:
                i += 1
                continue
            low, high, end = first.value, first.value, first.end
            # a range: 'ستة إلى سبعة آلاف' (the scale of the second applies to the first), '5 أو 6'
            if end < len(tokens) and tokens[end].norm in RANGE_JOINERS | {"-"}:
                second = self._number_at(tokens, end + 1)
                if second is not None and second.start == end + 1:
                    high = second.value
                    if second.value >= 1000 and first.value < 1000 and first.value < second.value / 100:
                        scale = second.value / max(1.0, self._leading(tokens, second))
                        low = first.value * scale
                    end = second.end
            elif (end < len(tokens) and tokens[end].norm.startswith("و") and first.value >= 1000
                  and text[tokens[end - 1].end:tokens[end - 1].end + 1] not in ("%", "٪")
                  and (second := self._number_at(tokens, end)) is not None and second.value < first.value):
                low = high = low + second.value  # مليون وثلاثمئة ألف (a compound, not a list of two numbers)
                end = second.end
            record: dict[str, Any] = {"min": low, "max": high}
            start_tok = i
            before = _stems(tokens[i - 1].norm) if i > 0 else set()
            before2 = _stems(tokens[i - 2].norm) if i > 1 else set()
            if before & APPROX:
                record["approx"], start_tok = True, i - 1
            elif tokens[i - 1].norm == "من" and before2 & (MORE_THAN | LESS_THAN) if i > 1 else False:
                start_tok = i - 2
                if before2 & MORE_THAN:
                    record["max"] = None
                else:
                    record["min"] = None
            if text[tokens[end - 1].end:tokens[end - 1].end + 1] in ("%", "٪"):
                record["unit"] = "percent"
            elif end < len(tokens) and (unit := self._unit(tokens, end)) is not None:
                record["unit"], end = unit
            category = self._category(tokens, start_tok, end)
            if category:
                record["category"] = category
            s, e = tokens[start_tok].start, tokens[end - 1].end
            if record.get("unit") == "percent" and text[e:e + 1] in ("%", "٪"):
                e += 1
            for key in ("min", "max"):
                if isinstance(record[key], float) and record[key].is_integer():
                    record[key] = int(record[key])
            found.append({"text": text[s:e], "start": s, "end": e, **record})
            i = end
        return found

    def _leading(self, tokens: list[Token], value: _Value) -> float:
        """The leading number of a scaled phrase ('سبعة آلاف' -> 7), so the scale can be shared."""
        lead = self._number_at(tokens[value.start:value.start + 1], 0)
        return lead.value if lead and lead.value < value.value else 1.0

    def _unit(self, tokens: list[Token], j: int) -> tuple[str, int] | None:
        two = f"{tokens[j].norm} {tokens[j + 1].norm}" if j + 1 < len(tokens) else None
        if two in self.units:
            return self.units[two], j + 2
        for _, stem in clitic_analyses(tokens[j].norm):
            if stem in self.units:
                return self.units[stem], j + 1
        return None

    def _category(self, tokens: list[Token], start: int, end: int) -> str | None:
        for k in range(max(0, start - 2), start):
            for _, stem in clitic_analyses(tokens[k].norm):
                if stem in CASUALTY_CUES:
                    return CASUALTY_CUES[stem]
        if end - 1 >= 0 and tokens[end - 1].norm in UNIT_CASUALTY:
            return UNIT_CASUALTY[tokens[end - 1].norm]
        return None
