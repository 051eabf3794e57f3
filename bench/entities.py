"""Benchmark: MB/s of Arabic text through khabar's language + entity stage (entities, places, dates, numbers).

Texts: the clean text of every Arabic sample, held-out and seed page, plus the gold sentences, shuffled into
articles. Reported next to a peer measured in the same run: tokenising and normalising the same text (the floor
of any Arabic NLP pass). Target (issue 3): >= 1 MB/s per core. "cold" clears the memo of clitic analyses first;
"warm" is a second pass, as over a long corpus where the vocabulary repeats.
Usage: python bench/entities.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from khabar.arabic.normalize import normalize_with_offsets
from khabar.arabic.tokens import clitic_analyses, tokenize
from khabar.document import Document
from khabar.engine import RunOptions, process_documents
from khabar.entities.step import Annotate
from khabar.sources import Inputs

ROOT = Path(__file__).resolve().parents[1]


def corpus(repeat: int) -> list[str]:
    """Articles built from the repository's Arabic texts, shuffled (deterministic seed)."""
    inputs = [str(ROOT / "samples"), str(ROOT / "tests" / "fixtures" / "heldout")]
    seed = ROOT.parent / "shared" / "seeds"
    if seed.exists():
        inputs.append(str(seed))
    paragraphs = []
    for doc in process_documents(Inputs(inputs), RunOptions(annotate=False)):
        if doc.error is None and doc.language == "ar":
            paragraphs += doc.text.split("\n\n")
    for name in ("ner.jsonl", "ner_heldout.jsonl"):
        paragraphs += [json.loads(line)["text"] for line in (ROOT / "tests" / "gold" / name).open(encoding="utf-8")]
    rng = random.Random(7)
    articles = []
    for _ in range(repeat):
        rng.shuffle(paragraphs)
        articles += ["\n\n".join(paragraphs[i:i + 6]) for i in range(0, len(paragraphs), 6)]
    return articles


def run_annotate(step: Annotate, texts: list[str]) -> None:
    for text in texts:
        doc = Document("bench", text=text, language="ar", published="2023-06-01")
        step.process(doc)


def run_floor(texts: list[str]) -> None:
    for text in texts:
        tokenize(text)
        normalize_with_offsets(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="shuffled passes over the texts")
    args = parser.parse_args()
    texts = corpus(args.repeat)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    step = Annotate()
    clitic_analyses.cache_clear()
    timings = {}
    for label, fn in (("khabar annotate (cold)", lambda: run_annotate(step, texts)),
                      ("khabar annotate (warm)", lambda: run_annotate(step, texts)),
                      ("peer: tokenize + normalise", lambda: run_floor(texts))):
        start = time.perf_counter()
        fn()
        timings[label] = time.perf_counter() - start
    table = Table(title=f"language + entity stage on {len(texts)} articles, {mb:.2f} MB (one core)")
    for col in ("pass", "seconds", "MB/s", "x of peer time"):
        table.add_column(col, justify="right")
    floor = timings["peer: tokenize + normalise"]
    for label, seconds in timings.items():
        table.add_row(label, f"{seconds:.2f}", f"{mb / seconds:.2f}", f"{seconds / floor:.1f}")
    Console().print(table)
    cold = mb / timings["khabar annotate (cold)"]
    print(f"target >= 1 MB/s per core: cold {cold:.2f} MB/s -> {'met' if cold >= 1 else 'NOT met'}")
    return 0 if cold >= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
