"""Find lexicon phrases in tokenised text: clitic-aware, longest match first, offsets into the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from khabar.arabic.normalize import normalize_with_offsets
from khabar.arabic.tokens import Token, clitic_analyses
from khabar.entities.lexicon import Entry, PhraseIndex

MIN_STRIPPED_STEM = 3  # after removing a proclitic, a one-word name keeps at least three letters
_JOINER = re.compile(r"[\s\u00a0\-]*")


@dataclass(slots=True)
class Mention:
    """A span of text naming one or more lexicon entries (ambiguous until resolved)."""

    start: int
    end: int
    tok_start: int
    tok_end: int  # exclusive
    text: str
    candidates: list[Entry]
    clitic: str = ""  # the proclitics stripped in front of the span (و، ب، ل…)
    key: tuple[str, ...] = ()  # the normalised name that matched


def _prefix_surface_length(token: Token, prefix_len: int) -> int:
    """How many characters of the token's surface the first ``prefix_len`` normalised letters take."""
    if not prefix_len:
        return 0
    offsets = normalize_with_offsets(token.text).offsets
    return offsets[prefix_len] if prefix_len < len(offsets) else len(token.text)


def adjacent(text: str, left: Token, right: Token) -> bool:
    """Whether two tokens belong to one name: only spaces or hyphens between them."""
    return _JOINER.fullmatch(text, left.end, right.start) is not None


def find_mentions(text: str, tokens: list[Token], index: PhraseIndex) -> list[Mention]:
    """Non-overlapping lexicon mentions, scanning left to right and preferring the longest phrase."""
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        best: tuple[int, int, list[Entry]] | None = None  # (length, prefix length, candidates)
        best_key: tuple[str, ...] = ()
        for prefix, stem in clitic_analyses(tokens[i].norm):
            lengths = index.lengths.get(stem)
            if not lengths:
                continue
            for length in sorted(lengths, reverse=True):
                if i + length > len(tokens) or (best and length < best[0]):
                    continue
                if length == 1 and prefix and len(stem) < MIN_STRIPPED_STEM:
                    continue
                if any(not adjacent(text, tokens[j], tokens[j + 1]) for j in range(i, i + length - 1)):
                    continue
                key = (stem, *(t.norm for t in tokens[i + 1:i + length]))
                if candidates := index.lookup(key):
                    if best and length == best[0]:  # another reading of the same words: keep both senses
                        best = (length, best[1], best[2] + [c for c in candidates if c not in best[2]])
                    else:
                        best = (length, len(prefix) if prefix != "ال" else 0, list(candidates))
                        best_key = key
                    break
        if best is None:
            i += 1
            continue
        length, prefix_len, candidates = best
        if prefix_len >= 3 and tokens[i].norm[prefix_len - 2:prefix_len] == "ال":
            prefix_len -= 2  # keep the article in the span (والجيش -> الجيش), drop only و/ف/ب/ك
        elif prefix_len >= 2 and tokens[i].norm[prefix_len - 2:prefix_len] == "لل":
            prefix_len -= 1  # للأمم: the preposition goes, the article's lam stays (لأمم المتحدة)
        first, last = tokens[i], tokens[i + length - 1]
        start = first.start + _prefix_surface_length(first, prefix_len)
        mentions.append(Mention(start, last.end, i, i + length, text[start:last.end], candidates,
                                tokens[i].norm[:prefix_len], best_key))
        i += length
    return mentions
