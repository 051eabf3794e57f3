"""The event ontology (PLOVER + CAMEO) and the Arabic verb-pattern dictionary, loaded from data files."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses, enclitic_analyses, verb_analyses
from khabar.entities.matcher import adjacent


def _data(name: str) -> str:
    return resources.files("khabar.data").joinpath(name).read_text(encoding="utf-8")


def _rows(text: str) -> list[list[str]]:
    return [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True, slots=True)
class EventType:
    """A PLOVER type with its default CAMEO code, QuadClass and Goldstein value."""

    name: str
    cameo: str
    root: str
    quad_class: int
    goldstein: float


@dataclass(frozen=True, slots=True)
class Pattern:
    """A verb pattern: what it codes and the pattern text that fired (kept for provenance)."""

    type: str
    cameo: str
    mode: str | None
    source: str
    kind: str  # verb | noun | light (multi-word)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A matched pattern in a text: token span, character span and the future/negation-relevant prefix."""

    tok_start: int
    tok_end: int  # after the whole pattern (gap included)
    start: int
    end: int
    pattern: Pattern
    future: bool
    head_end: int = -1  # after the first word: words in a gap (the VSO subject) still count as after it
    words: tuple[int, ...] = ()  # token indices of the pattern's own words (not the gap)


class Ontology:
    """PLOVER types and CAMEO sub-codes (Goldstein values) from ``ontology.tsv`` and ``cameo.tsv``."""

    def __init__(self) -> None:
        self.types = {r[0]: EventType(r[0], r[1], r[2], int(r[3]), float(r[4]))
                      for r in _rows(_data("events/ontology.tsv"))}
        self.goldstein = {r[0]: float(r[1]) for r in _rows(_data("events/cameo.tsv"))}
        self.labels = {r[0]: r[2] for r in _rows(_data("events/cameo.tsv"))}

    def goldstein_of(self, cameo: str, event_type: str) -> float:
        """Goldstein value of a CAMEO code (falling back to the type's default)."""
        return self.goldstein.get(cameo, self.types[event_type].goldstein)


MAX_GAP = 3  # words allowed between the first and second word of a pattern (فرض الاتحاد الأوروبي عقوبات)


def _readings(token: Token) -> set[str]:
    """Every normalised form a token may stand for: clitics, future prefix and pronoun suffixes removed."""
    out = set()
    for _, stem in clitic_analyses(token.norm):
        out.add(stem)
        for _, verb in verb_analyses(stem):
            out.add(verb)
    for stem, _ in enclitic_analyses(token.norm):
        out.add(stem)
    return out


class VerbPatterns:
    """Patterns indexed by their first word; matching tries every reading of each text word."""

    def __init__(self, extra_files: list[str | Path] | None = None) -> None:
        self.ontology = Ontology()
        self.by_first: dict[str, list[tuple[tuple[str, ...], Pattern]]] = {}
        self._load(_data("events/verbs.tsv"), "verbs.tsv")
        for path in extra_files or []:
            self._load(Path(path).read_text(encoding="utf-8"), str(path))

    def _load(self, text: str, origin: str) -> None:
        for row in _rows(text):
            if len(row) < 4:
                raise ValueError(f"{origin}: each row needs TYPE, CAMEO, mode and pattern (got {row!r})")
            kind_name, cameo, mode, pattern = row[:4]
            if kind_name not in self.ontology.types:
                raise ValueError(f"{origin}: unknown PLOVER type {kind_name!r}")
            words = [[normalize(alt) for alt in word.split("/") if alt] for word in pattern.split()]
            kind = "light" if len(words) > 1 else ("noun" if all(not a.startswith(("ي", "ت")) for a in words[0])
                                                     else "verb")
            entry = Pattern(kind_name, cameo, mode or None, pattern, kind)
            for combo in itertools.product(*words):
                self.by_first.setdefault(combo[0], []).append((combo, entry))
        for bucket in self.by_first.values():
            bucket.sort(key=lambda item: -len(item[0]))

    def find(self, text: str, tokens: list[Token]) -> list[Trigger]:
        """Non-overlapping triggers, longest pattern first, left to right."""
        found = []
        i = 0
        while i < len(tokens):
            match = self._match_at(text, tokens, i)
            if match is None:
                i += 1
                continue
            found.append(match)
            i = match.tok_end
        return found

    def _match_at(self, text: str, tokens: list[Token], i: int) -> Trigger | None:
        first = tokens[i]
        readings = _readings(first)
        best = None  # (words, gap, pattern, reading)
        for reading in readings:
            for combo, pattern in self.by_first.get(reading, ()):
                n = len(combo)
                if best is not None and n <= best[0]:
                    break
                gap = self._second_word(text, tokens, i, combo)
                if gap is not None:
                    best = (n, gap, pattern, reading)
                    break
        if best is None:
            return None
        n, gap, pattern, reading = best
        future = any(prefix.endswith("س") for _, stem in clitic_analyses(first.norm)
                     for prefix, verb in verb_analyses(stem) if verb == reading and prefix)
        last = tokens[i + n - 1 + gap]
        words = (i, *range(i + 1 + gap, i + n + gap))
        return Trigger(i, i + n + gap, first.start, last.end, pattern, future, head_end=i + 1, words=words)

    @staticmethod
    def _second_word(text: str, tokens: list[Token], i: int, combo: tuple[str, ...]) -> int | None:
        """The gap (0..MAX_GAP words, no punctuation) after which the rest of the pattern follows, or None."""
        n = len(combo)
        if n == 1:
            return 0
        for gap in range(0, MAX_GAP + 1):
            j = i + 1 + gap
            if j + n - 2 >= len(tokens):
                return None
            if any(not adjacent(text, tokens[k], tokens[k + 1]) for k in range(i, j + n - 2)):
                return None  # punctuation inside: the pattern's words are not one construction
            if all(combo[k] in _readings(tokens[j + k - 1]) for k in range(1, n)):
                return gap
        return None
