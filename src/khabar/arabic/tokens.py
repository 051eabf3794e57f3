"""Tokens with offsets, sentence splitting, and clitic analysis for matching Arabic words to lexicons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from khabar.arabic.normalize import normalize

# letters/digits (\w) plus Arabic combining marks and tatweel; never Arabic punctuation (، ؛ ؟ ٪ ۔)
_TOKEN = re.compile(r"[\w\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED]+(?:[.,٫٬][0-9٠-٩]+)*", re.U)
# sentence ends: . ! ? ؟ ؛ and the Arabic full stop, followed by space/end; not inside numbers (3.5)
_SENTENCE_END = re.compile(r"(?<![0-9٠-٩])[.!?؟؛\u06D4]+[\"'”»)]*(?=\s|$)|\n\s*\n")
# proclitic sequences, longest first: conjunction (و ف) + preposition (ب ل ك) + article (ال), and ل+ال = لل
_PROCLITICS = ("وبال", "وكال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
               "وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
MIN_STEM = 2


@dataclass(frozen=True, slots=True)
class Token:
    """A word: its span in the original text, surface form and normalised form."""

    start: int
    end: int
    text: str
    norm: str


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` with offsets into it (numbers with decimal marks kept whole)."""
    return [Token(m.start(), m.end(), m.group(), normalize(m.group())) for m in _TOKEN.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of sentences: split on Arabic and Latin sentence punctuation and blank lines."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_CLITIC_FIRST = frozenset("وفبلكا")


@lru_cache(maxsize=200_000)
def clitic_analyses(norm: str) -> tuple[tuple[str, str], ...]:
    """``(prefix, stem)`` readings of a normalised token: the bare token first, then with proclitics removed.

    ``وبحلب`` -> (('', 'وبحلب'), ('وب', 'حلب'), ('و', 'بحلب')); a stem keeps at least two letters.
    Memoised: a pure function of the word, called for every word by every matcher.
    A stem after a stripped article keeps its article too (``بالحكومه`` -> 'الحكومه' and 'حكومه').
    """
    if norm[:1] not in _CLITIC_FIRST:
        return (("", norm),)
    out = [("", norm)]
    for prefix in _PROCLITICS:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= MIN_STEM:
            stem = norm[len(prefix):]
            out.append((prefix, stem))
            if prefix.endswith("ال") and prefix != "ال":
                out.append((prefix[:-2], "ال" + stem))
            elif prefix.endswith("لل"):
                out.append((prefix[:-1], "ال" + stem))
    seen, unique = set(), []
    for item in out:
        if item[1] not in seen:
            seen.add(item[1])
            unique.append(item)
    return tuple(unique)


# pronoun suffixes (attached object/possessive pronouns), longest first; ة before a suffix is written ت
_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه", "ك", "ي")
_VERB_PREFIXES = ("وس", "فس", "س")


@lru_cache(maxsize=200_000)
def enclitic_analyses(norm: str) -> tuple[tuple[str, str], ...]:
    """``(stem, suffix)`` readings with a pronoun suffix removed (``حكومتها`` -> ('حكومه', 'ها')), bare first."""
    out = [(norm, "")]
    for suffix in _ENCLITICS:
        if norm.endswith(suffix) and len(norm) - len(suffix) >= MIN_STEM + 1:
            stem = norm[: -len(suffix)]
            out.append((stem[:-1] + "ه" if stem.endswith("ت") else stem, suffix))
            if stem.endswith("ت"):
                out.append((stem, suffix))
    return tuple(out)


def verb_analyses(norm: str) -> tuple[tuple[str, str], ...]:
    """``(prefix, stem)`` readings of a verb with the future ``س`` (and a conjunction) removed (وسيقتحم -> يقتحم)."""
    out = [("", norm)]
    for prefix in _VERB_PREFIXES:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= 3 and norm[len(prefix)] in "يتنا":
            out.append((prefix, norm[len(prefix):]))
    return tuple(out)
