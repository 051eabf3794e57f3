"""Arabic page-furniture rules (loaded from data files) and the line cleaner that applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from khabar.arabic.normalize import normalize

_EDGE_PUNCT = " \t\u00a0\u200f\u200e.:;,!?؟،؛·•|-–—_*\"'«»“”()[]{}<>"
_SENTENCE_END = (".", "!", "?", "؟", "…", ":", "\u06d4")
RELATED_BLOCK_MAX_LINES = 15
HEADLINE_MAX_WORDS = 18


def line_key(line: str) -> str:
    """The normalised, lower-cased, punctuation-trimmed form of a line that rules match against."""
    return normalize(line).strip(_EDGE_PUNCT).lower()


def _compile_file(text: str) -> list[re.Pattern[str]]:
    patterns = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        patterns.append(re.compile(normalize(raw).lower(), re.I))
    return patterns


@dataclass
class BoilerplateRules:
    """Compiled rules: lines to drop, lines where the article ends, related-block headings."""

    drop: list[re.Pattern[str]]
    cut: list[re.Pattern[str]]
    related: list[re.Pattern[str]]
    prune_xpath: list[str]

    @cached_property
    def prune(self):
        """One compiled XPath selecting every element to remove before extraction (or None)."""
        from lxml import etree

        return etree.XPath(" | ".join(self.prune_xpath)) if self.prune_xpath else None

    @classmethod
    def load(cls, extra_dir: str | Path | None = None) -> BoilerplateRules:
        """Load the shipped rule files, plus same-named files from ``extra_dir`` when given."""
        base = resources.files("khabar.data").joinpath("boilerplate")
        rules = {}
        for kind in ("drop", "cut", "related"):
            text = base.joinpath(f"{kind}.txt").read_text(encoding="utf-8")
            if extra_dir and (extra := Path(extra_dir) / f"{kind}.txt").is_file():
                text += "\n" + extra.read_text(encoding="utf-8")
            rules[kind] = _compile_file(text)
        xpaths = base.joinpath("prune.xpath").read_text(encoding="utf-8")
        if extra_dir and (extra := Path(extra_dir) / "prune.xpath").is_file():
            xpaths += "\n" + extra.read_text(encoding="utf-8")
        rules["prune_xpath"] = [ln.strip() for ln in xpaths.splitlines() if ln.strip() and not ln.startswith("#")]
        return cls(**rules)

    @cached_property
    def _combined(self) -> dict[str, re.Pattern[str] | None]:
        """Each kind's rules as one alternation (one regex run per line instead of one per rule)."""
        return {kind: re.compile("|".join(f"(?:{p.pattern})" for p in getattr(self, kind)), re.I)
                if getattr(self, kind) else None for kind in ("drop", "cut", "related")}

    def matches(self, kind: str, key: str) -> bool:
        """Whether a line key fully matches one of the ``kind`` rules."""
        pattern = self._combined[kind]
        return bool(pattern and pattern.fullmatch(key))


def is_headline_like(line: str) -> bool:
    """Short and not ending a sentence: reads like a link title rather than article prose."""
    stripped = line.strip()
    return len(stripped.split()) <= HEADLINE_MAX_WORDS and not stripped.endswith(_SENTENCE_END)


@dataclass(slots=True)
class Line:
    """A candidate paragraph and where it starts in the source it was cut from (-1 if unknown)."""

    text: str
    source_start: int = -1


def clean_lines(lines: list[Line], rules: BoilerplateRules, title: str | None = None) -> list[Line]:
    """Drop page furniture from a page's paragraphs: ad labels, repeated title, related blocks, forms."""
    title_key = line_key(title) if title else None
    kept: list[Line] = []
    in_related = 0
    for line in lines:
        key = line_key(line.text)
        if not key:
            continue
        if in_related:
            if in_related <= RELATED_BLOCK_MAX_LINES and is_headline_like(line.text):
                in_related += 1
                continue
            in_related = 0
        if title_key and key == title_key:
            continue
        if rules.matches("cut", key):
            if kept:
                break
            continue
        if rules.matches("related", key):
            in_related = 1
            continue
        if rules.matches("drop", key):
            continue
        kept.append(line)
    return kept
