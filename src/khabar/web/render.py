"""Pieces the templates render: labels in two languages, annotation highlights by offsets, the timeline chart.

Nothing here produces markup from scraped text: highlights are (text, classes, title, link) segments that the
autoescaping templates turn into elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from khabar.entities.lexicon import _data, _rows

LANGS = ("ar", "en")
# one colour per PLOVER type (material conflict in reds, verbal conflict in oranges, cooperation in blues/greens)
TYPE_COLOURS = {
    "ASSAULT": "#b2182b", "COERCE": "#d6604d", "MOBILIZE": "#e08214", "SANCTION": "#c51b7d", "PROTEST": "#f1a340",
    "THREATEN": "#fdb863", "REJECT": "#8c510a", "ACCUSE": "#bf812d", "REQUEST": "#80cdc1", "RETREAT": "#35978f",
    "AID": "#1b7837", "COOPERATE": "#5aae61", "CONCEDE": "#a6dba0", "SUPPORT": "#4393c3", "CONSULT": "#2166ac",
    "AGREE": "#542788",
}


@lru_cache(maxsize=1)
def _labels() -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in _rows(_data("ui/labels.tsv"))}


class Labels:
    """``t('key')`` in templates: the label in the page's language (the key itself when it has none)."""

    def __init__(self, lang: str) -> None:
        self.index = 0 if lang == "ar" else 1

    def __call__(self, key: str) -> str:
        pair = _labels().get(key)
        return pair[self.index] if pair else key


def type_colour(kind: str | None) -> str:
    """The colour of an event type (grey for unknown types)."""
    return TYPE_COLOURS.get(kind or "", "#777777")


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) (a scraped ``javascript:`` or ``data:`` URL is never made a link)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


@dataclass(slots=True)
class Segment:
    """A run of article text covered by the same annotations."""

    text: str
    classes: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    href: str | None = None

    @property
    def title(self) -> str:
        return " · ".join(dict.fromkeys(self.titles))


def _spans(record: dict[str, Any]) -> list[tuple[int, int, str, str, str | None]]:
    """(start, end, class, title, link) of every annotation, outermost kinds first."""
    out: list[tuple[int, int, str, str, str | None]] = []
    for event in record.get("events") or []:
        title = f"{event['type']} {event.get('cameo') or ''}"
        out.append((event["start"], event["end"], "ev", title, None))
        trig = event.get("trigger") or {}
        if "start" in trig:
            flags = " (negated)" if event.get("negated") else ""
            out.append((trig["start"], trig["end"], "trig", title + flags, f"/events/{event.get('id', '')}"))
    for quote in record.get("quotes") or []:
        out.append((quote["start"], quote["end"], "quote", f"“{quote.get('speaker') or '?'}”", None))
    for ent in record.get("entities") or []:
        title = " · ".join(str(x) for x in (ent.get("type"), ent.get("name_en"), ent.get("code") or ent.get("id"))
                           if x)
        out.append((ent["start"], ent["end"], "ent", title, None))
    for place in record.get("places") or []:
        coords = f"{place['lat']:.3f}, {place['lon']:.3f}" if place.get("lat") is not None else ""
        out.append((place["start"], place["end"], "place",
                    " · ".join(x for x in (place.get("name_en"), place.get("country"), coords) if x), None))
    for date in record.get("dates") or []:
        out.append((date["start"], date["end"], "date", str(date.get("value") or "?"), None))
    for num in record.get("numbers") or []:
        value = str(num.get("min")) if num.get("min") == num.get("max") else f"{num.get('min')}–{num.get('max')}"
        extra = " ".join(str(x) for x in (num.get("unit"), num.get("category")) if x)
        out.append((num["start"], num["end"], "num", f"{value} {extra}".strip(), None))
    return out


def article_segments(record: dict[str, Any]) -> list[list[Segment]]:
    """The article's paragraphs as segments carrying the annotations that cover them (offsets into the text)."""
    text = record.get("text") or ""
    spans = [s for s in _spans(record) if 0 <= s[0] < s[1] <= len(text)]
    cuts = {0, len(text)}
    for start, end, *_ in spans:
        cuts.update((start, end))
    pos = text.find("\n")
    while pos >= 0:
        cuts.update((pos, pos + 1))
        pos = text.find("\n", pos + 1)
    bounds = sorted(cuts)
    paragraphs: list[list[Segment]] = [[]]
    for a, b in zip(bounds, bounds[1:]):
        piece = text[a:b]
        if piece == "\n":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        segment = Segment(piece)
        for start, end, cls, title, href in spans:
            if start <= a and b <= end:
                if cls not in segment.classes:
                    segment.classes.append(cls)
                segment.titles.append(title)
                if href and segment.href is None:
                    segment.href = href
        segment.titles.reverse()  # innermost (entity, place, number) first in the tooltip
        paragraphs[-1].append(segment)
    return [p for p in paragraphs if p]


def timeline_chart(data: dict[str, Any], width: int = 960, height: int = 180) -> dict[str, Any]:
    """Stacked bars (one per day, one colour per type) laid out for an inline SVG."""
    days = data["days"]
    if not days:
        return {"bars": [], "width": width, "height": height, "types": [], "labels": []}
    peak = max(d["total"] for d in days)
    step = width / len(days)
    bar = max(1.0, min(28.0, step * 0.8))
    bars, labels = [], []
    for i, day in enumerate(days):
        x = i * step + (step - bar) / 2
        y = float(height)
        for kind in data["types"]:
            n = day["counts"].get(kind, 0)
            if not n:
                continue
            h = n / peak * (height - 10)
            y -= h
            bars.append({"x": round(x, 2), "y": round(y, 2), "w": round(bar, 2), "h": round(h, 2),
                         "colour": type_colour(kind), "title": f"{day['day']} {kind}: {n}"})
    every = max(1, len(days) // 8)
    for i in range(0, len(days), every):
        labels.append({"x": round(i * step + step / 2, 2), "text": days[i]["day"]})
    return {"bars": bars, "width": width, "height": height, "peak": peak,
            "types": [(k, type_colour(k)) for k in data["types"]], "labels": labels, "days": len(days)}
