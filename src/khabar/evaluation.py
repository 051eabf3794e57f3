"""Quality measurement: token-level precision/recall/F1 of extracted text against gold files."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar.arabic.normalize import normalize

_TOKEN = re.compile(r"\w+", re.U)


def tokens(text: str) -> Counter:
    """Bag of normalised word tokens (the unit of text-extraction scoring)."""
    return Counter(_TOKEN.findall(normalize(text).lower()))


@dataclass
class PRF:
    """Counts of true positives, predicted and gold units, with precision/recall/F1."""

    tp: float = 0.0
    predicted: float = 0.0
    gold: float = 0.0

    def add(self, other: PRF) -> None:
        """Accumulate another score's counts (micro-average)."""
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        """tp / predicted (1.0 when nothing was predicted and nothing was expected)."""
        return self.tp / self.predicted if self.predicted else float(not self.gold)

    @property
    def recall(self) -> float:
        """tp / gold."""
        return self.tp / self.gold if self.gold else float(not self.predicted)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def text_prf(predicted: str, gold: str) -> PRF:
    """Bag-of-words overlap between an extracted text and the gold text."""
    pred, ref = tokens(predicted), tokens(gold)
    return PRF(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


@dataclass
class ExtractionReport:
    """Per-input and overall scores of an extraction run over a gold file."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: PRF = field(default_factory=PRF)

    @property
    def title_accuracy(self) -> float:
        """Share of inputs whose title matched the gold title exactly."""
        return sum(r["title_ok"] for r in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def date_accuracy(self) -> float:
        """Share of inputs whose publication date matched the gold date."""
        return sum(r["date_ok"] for r in self.rows) / len(self.rows) if self.rows else 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"precision": self.total.precision, "recall": self.total.recall, "f1": self.total.f1,
                "title_accuracy": self.title_accuracy, "date_accuracy": self.date_accuracy, "inputs": self.rows}


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold records (JSON Lines) with ``input`` paths resolved against the gold file's repository root."""
    path = Path(path)
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records


def score_extraction(gold: list[dict[str, Any]], extracted: dict[str, dict[str, Any]]) -> ExtractionReport:
    """Score ``extracted`` (input -> record with text/title/published) against ``gold`` records."""
    report = ExtractionReport()
    for rec in gold:
        got = extracted.get(rec["input"]) or {}
        text = got.get("text") or ""
        prf = text_prf(text, "\n".join(rec["paragraphs"]))
        report.total.add(prf)
        leaked = [w for w in rec.get("without", []) if w in text]
        report.rows.append({
            "input": rec["input"], "precision": prf.precision, "recall": prf.recall, "f1": prf.f1,
            "title_ok": got.get("title") == rec.get("title"),
            "date_ok": got.get("published") == rec.get("published"),
            "leaked": leaked, "error": got.get("error"),
        })
    return report
