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


# -- entities, places, dates ---------------------------------------------------------------------------
ENTITY_TYPES = ("PER", "ORG", "GPE", "LOC", "NORP")


def load_ner_gold(path: str | Path) -> list[dict[str, Any]]:
    """NER gold as ``{text, entities:[{start,end,type,id?}]}``: JSON Lines spans, or CoNLL/BIO (token TAG lines)."""
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    if path.suffix in (".jsonl", ".json"):
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    records, tokens = [], []
    for line in raw.splitlines() + [""]:
        if line.strip() and not line.startswith("-DOCSTART-"):
            parts = line.split()
            tokens.append((parts[0], parts[-1]))
            continue
        if tokens:
            records.append(_from_bio(tokens))
            tokens = []
    return records


def _from_bio(tokens: list[tuple[str, str]]) -> dict[str, Any]:
    text, entities, pos, current = [], [], 0, None
    for word, tag in tokens:
        start = pos
        text.append(word)
        pos += len(word) + 1
        kind = tag[2:] if len(tag) > 2 else None
        if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current["type"] != kind)):
            current = {"start": start, "end": start + len(word), "type": kind}
            entities.append(current)
        elif tag.startswith("I-") and current is not None:
            current["end"] = start + len(word)
        else:
            current = None
    return {"text": " ".join(text), "entities": entities}


@dataclass
class EntityReport:
    """Per-type and overall (micro) precision/recall/F1 of exact-span entity matches."""

    by_type: dict[str, PRF] = field(default_factory=dict)
    total: PRF = field(default_factory=PRF)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        row = lambda p: {"precision": p.precision, "recall": p.recall, "f1": p.f1,  # noqa: E731
                         "gold": p.gold, "predicted": p.predicted}
        return {"overall": row(self.total), "by_type": {k: row(v) for k, v in self.by_type.items()},
                "errors": self.errors[:200]}


def score_entities(gold: list[dict[str, Any]], predicted: list[list[dict[str, Any]]]) -> EntityReport:
    """Exact (start, end, type) matching of predicted entity lists against gold sentences."""
    report = EntityReport(by_type={t: PRF() for t in ENTITY_TYPES})
    for rec, pred in zip(gold, predicted, strict=True):
        g = {(e["start"], e["end"], e["type"]) for e in rec["entities"]}
        p = {(e["start"], e["end"], e["type"]) for e in pred if e["type"] in ENTITY_TYPES}
        for kind in ENTITY_TYPES:
            gk, pk = {x for x in g if x[2] == kind}, {x for x in p if x[2] == kind}
            report.by_type[kind].add(PRF(len(gk & pk), len(pk), len(gk)))
        report.total.add(PRF(len(g & p), len(p), len(g)))
        for s, e, t in sorted(g - p):
            report.errors.append({"missed": rec["text"][s:e], "type": t, "sentence": rec["text"]})
        for s, e, t in sorted(p - g):
            report.errors.append({"spurious": rec["text"][s:e], "type": t, "sentence": rec["text"]})
    return report


def score_places(gold: list[dict[str, Any]], predicted: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Place resolution accuracy: gold places with an id whose overlapping predicted place has that id."""
    total = correct = found = 0
    errors = []
    for rec, places in zip(gold, predicted, strict=True):
        for ent in rec["entities"]:
            if ent["type"] not in ("GPE", "LOC") or "id" not in ent:
                continue
            total += 1
            match = next((p for p in places if p["start"] < ent["end"] and ent["start"] < p["end"]), None)
            found += match is not None
            if match is not None and match.get("id") == ent["id"]:
                correct += 1
            else:
                errors.append({"place": ent["text"], "gold": ent["id"], "got": match.get("id") if match else None,
                               "sentence": rec["text"]})
    return {"places": total, "found": found, "correct": correct,
            "accuracy": correct / total if total else 0.0,
            "resolution_accuracy_of_found": correct / found if found else 0.0, "errors": errors}


def score_dates(gold: list[dict[str, Any]], predicted: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Date resolution accuracy: each gold date expression found (overlapping span) with the same value."""
    total = correct = 0
    errors = []
    for rec, dates in zip(gold, predicted, strict=True):
        for want in rec["dates"]:
            total += 1
            got = next((d for d in dates if d["start"] < want["end"] and want["start"] < d["end"]), None)
            if got is not None and got.get("value") == want["value"]:
                correct += 1
            else:
                errors.append({"date": want["text"], "gold": want["value"], "got": got.get("value") if got else None,
                               "sentence": rec["text"]})
    return {"dates": total, "correct": correct, "accuracy": correct / total if total else 0.0, "errors": errors}


EVENT_LEVELS = ("type", "type+countries", "type+actors+location")


def _country(code: str | None) -> str | None:
    """The country part of a CAMEO-style actor code (IGO/NGO bodies are their own 'country')."""
    return code[:3] if code else None


def _event_key(event: dict[str, Any], level: str) -> tuple:
    if level == "type":
        return (event["type"],)
    if level == "type+countries":
        return (event["type"], _country(event.get("source")), _country(event.get("target")))
    return (event["type"], event.get("source"), event.get("target"), event.get("location"))


def flatten_event(event: dict[str, Any]) -> dict[str, Any]:
    """A coded event (DESIGN.md record) in gold form: type, source/target codes, location id."""
    return {"type": event["type"], "source": (event.get("source") or {}).get("code"),
            "target": (event.get("target") or {}).get("code"), "location": (event.get("location") or {}).get("id")}


def score_events(gold: list[dict[str, Any]], predicted: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Precision/recall/F1 at three levels; asserted, non-negated predictions only; multiset match per sentence."""
    totals = {level: PRF() for level in EVENT_LEVELS}
    errors = []
    for rec, events in zip(gold, predicted, strict=True):
        pred = [flatten_event(e) for e in events if not e.get("negated") and e.get("modality", "asserted") == "asserted"]
        for level in EVENT_LEVELS:
            g = Counter(_event_key(e, level) for e in rec["events"])
            p = Counter(_event_key(e, level) for e in pred)
            totals[level].add(PRF(sum((g & p).values()), sum(p.values()), sum(g.values())))
        g3 = Counter(_event_key(e, EVENT_LEVELS[2]) for e in rec["events"])
        p3 = Counter(_event_key(e, EVENT_LEVELS[2]) for e in pred)
        if g3 != p3:
            errors.append({"sentence": rec["text"], "missed": sorted(map(str, (g3 - p3).elements())),
                           "spurious": sorted(map(str, (p3 - g3).elements()))})
    row = lambda p: {"precision": p.precision, "recall": p.recall, "f1": p.f1, "gold": p.gold,  # noqa: E731
                     "predicted": p.predicted}
    return {"levels": {level: row(p) for level, p in totals.items()}, "errors": errors}
