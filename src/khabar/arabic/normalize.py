"""Arabic normalisation for matching and search, keeping a map from normalised offsets to the original."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Harakat, tanwin, shadda, sukun, dagger alef, Quranic marks: removed for matching.
_DIACRITICS = set(chr(c) for c in range(0x064B, 0x0660)) | {"\u0670", "\u06D6", "\u06D7", "\u06D8",
                                                                "\u06D9", "\u06DA", "\u06DB", "\u06DC",
                                                                "\u06DF", "\u06E0", "\u06E1", "\u06E2",
                                                                "\u06E3", "\u06E4", "\u06E7", "\u06E8",
                                                                "\u06EA", "\u06EB", "\u06EC", "\u06ED"}
_TATWEEL = "\u0640"
_DROP = _DIACRITICS | {_TATWEEL, "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"}

_FOLD = {
    # alef and hamza-on-alef forms -> bare alef
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627", "\u0672": "\u0627",
    "\u0673": "\u0627",
    # hamza on waw / ya -> waw / ya
    "\u0624": "\u0648", "\u0626": "\u064A",
    # ta marbuta -> ha, alef maqsura -> ya, Persian ya/kaf -> Arabic
    "\u0629": "\u0647", "\u0649": "\u064A", "\u06CC": "\u064A", "\u06D2": "\u064A", "\u06A9": "\u0643",
    "\u06C0": "\u0647", "\u06C1": "\u0647",
    # Arabic punctuation -> Latin equivalents
    "\u060C": ",", "\u061B": ";", "\u061F": "?", "\u066A": "%", "\u066B": ".", "\u066C": ",",
    # typographic quotes -> plain
    "\u201C": '"', "\u201D": '"', "\u00AB": '"', "\u00BB": '"', "\u2018": "'", "\u2019": "'",
}
# Eastern Arabic (U+0660..) and Persian (U+06F0..) digits -> ASCII digits
_FOLD.update({chr(0x0660 + i): str(i) for i in range(10)})
_FOLD.update({chr(0x06F0 + i): str(i) for i in range(10)})

_DROP_RE = re.compile("[" + "".join(sorted(_DROP)) + "]")
_TABLE = str.maketrans({**_FOLD, **{ch: None for ch in _DROP}})


@dataclass(slots=True)
class Normalized:
    """A normalised string and, for each of its characters, the index of its source character."""

    text: str
    offsets: list[int]
    source_length: int

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back to the original text."""
        if start >= len(self.offsets):
            return self.source_length, self.source_length
        src_start = self.offsets[start]
        src_end = self.offsets[end - 1] + 1 if end > start else src_start
        return src_start, src_end


def normalize(text: str) -> str:
    """Fold Arabic spelling variants for matching: alef/hamza, ta marbuta, alef maqsura, digits; drop marks."""
    return text.translate(_TABLE)


def normalize_with_offsets(text: str) -> Normalized:
    """Like :func:`normalize`, also returning the offset map back into ``text`` (one-to-one or deleted)."""
    if not _DROP_RE.search(text):  # nothing deleted: folding is one-to-one, the map is the identity
        return Normalized(text.translate(_TABLE), list(range(len(text))), len(text))
    offsets = [i for i, ch in enumerate(text) if ch not in _DROP]
    return Normalized(text.translate(_TABLE), offsets, len(text))


_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_LETTER = re.compile(r"[^\W\d_]")


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic-script letters (0..1)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0.0
    return len(_ARABIC_LETTER.findall(text)) / letters


def normalize_for_search(text: str) -> str:
    """Normalised, lower-cased text, as indexed by the full-text search and used for queries."""
    return normalize(text).lower()
