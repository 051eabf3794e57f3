"""Benchmark: khabar's extractor vs plain trafilatura on the same Arabic news pages, in the same run.

Prints one table: pages/s and token F1 (against tests/gold/extract.jsonl) for each, and the ratios.
Targets (issue 2): F1 at least trafilatura's; speed at least 0.8x trafilatura's.
Usage: python bench/extract.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import trafilatura
from rich.console import Console
from rich.table import Table

from khabar.document import Document
from khabar.engine import RunOptions, build_pipeline
from khabar.evaluation import PRF, load_gold, text_prf

ROOT = Path(__file__).resolve().parents[1]


def load_pages() -> list[tuple[dict, bytes]]:
    """The HTML pages of the gold set, with their raw bytes (crawled text is not trafilatura's input)."""
    gold = [rec for name in ("extract.jsonl", "extract_heldout.jsonl")
            for rec in load_gold(ROOT / "tests" / "gold" / name)]
    return [(rec, (ROOT / rec["input"]).read_bytes()) for rec in gold if rec["input"].endswith(".html")]


def run_khabar(pages, pipeline) -> list[str]:
    docs = pipeline(Document(rec["input"], raw=raw) for rec, raw in pages)
    return [d.text for d in docs]


def run_trafilatura(pages) -> list[str]:
    return [trafilatura.extract(raw) or "" for _, raw in pages]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the pages for timing")
    args = parser.parse_args()
    pages = load_pages()
    pipeline = build_pipeline(RunOptions(annotate=False))  # extraction only, like the peer
    runners = {"khabar": lambda: run_khabar(pages, pipeline), "trafilatura": lambda: run_trafilatura(pages)}
    quality: dict[str, PRF] = {}
    for name, fn in runners.items():  # warm-up pass doubles as the quality pass
        total = PRF()
        for (rec, _), text in zip(pages, fn(), strict=True):
            total.add(text_prf(text, "\n".join(rec["paragraphs"])))
        quality[name] = total
    seconds = {name: 0.0 for name in runners}
    for _ in range(args.rounds):  # interleave the peers so machine noise hits both alike
        for name, fn in runners.items():
            start = time.perf_counter()
            fn()
            seconds[name] += time.perf_counter() - start
    n = len(pages) * args.rounds
    speed = {name: n / s for name, s in seconds.items()}
    table = Table(title=f"extraction on {len(pages)} gold HTML pages x {args.rounds} rounds")
    for col in ("extractor", "pages/s", "precision", "recall", "F1"):
        table.add_column(col, justify="right")
    for name in runners:
        q = quality[name]
        table.add_row(name, f"{speed[name]:.1f}", f"{q.precision:.3f}", f"{q.recall:.3f}", f"{q.f1:.3f}")
    speed_ratio = speed["khabar"] / speed["trafilatura"]
    f1_delta = quality["khabar"].f1 - quality["trafilatura"].f1
    table.add_row("khabar / trafilatura", f"{speed_ratio:.2f}x", "", "", f"{f1_delta:+.3f}")
    Console().print(table)
    ok = speed_ratio >= 0.8 and f1_delta >= 0
    print(f"targets: speed >= 0.8x -> {speed_ratio:.2f}x; F1 >= trafilatura -> {f1_delta:+.3f}: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
