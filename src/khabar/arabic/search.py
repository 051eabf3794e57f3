"""Clitic-insensitive search terms: what the full-text index stores and what a query word looks for.

Arabic writes conjunctions, prepositions and the article onto the word (والمفاوضات = و + ال + مفاوضات), so a
plain word index misses most occurrences of a word. The index stores, for every word, each of its proclitic
readings (the bare word first); a query word is reduced to its stem without the article and the clitics before it,
so ``مفاوضات``, ``المفاوضات`` and ``والمفاوضات`` all find والمفاوضات, بالمفاوضات and مفاوضات alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from khabar.arabic.normalize import normalize_for_search
from khabar.arabic.tokens import clitic_analyses

# a stem indexed after stripping a proclitic keeps at least this many letters (short stems are mostly noise)
MIN_INDEX_STEM = 3
# article-bearing prefixes a query word loses (a bare و/ب/ل is too often a root letter to strip from a query)
_QUERY_PREFIXES = ("وبال", "وكال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال")
_WORD = re.compile(r"[\w\u0600-\u06FF]+")


@lru_cache(maxsize=200_000)
def word_forms(norm: str) -> tuple[str, ...]:
    """The index forms of one normalised word: itself, then its proclitic-stripped stems."""
    forms = [norm]
    for _prefix, stem in clitic_analyses(norm)[1:]:
        if len(stem) >= MIN_INDEX_STEM and stem not in forms:
            forms.append(stem)
    return tuple(forms)


def index_text(text: str) -> str:
    """The text as the full-text index stores it: normalised words, each followed by its stems."""
    out: list[str] = []
    for word in _WORD.findall(normalize_for_search(text)):
        out.extend(word_forms(word))
    return " ".join(out)


def query_stem(term: str) -> str:
    """The form a query word is looked up by: without the article and the clitics before it."""
    for prefix in _QUERY_PREFIXES:
        if term.startswith(prefix) and len(term) - len(prefix) >= MIN_INDEX_STEM:
            return term[len(prefix):]
    return term
