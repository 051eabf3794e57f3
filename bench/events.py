"""Benchmark: articles/s through the whole pipeline (decode -> extract -> annotate -> events -> store), memory.

Articles are generated: HTML pages in a news layout whose paragraphs are drawn (seeded) from the repository's
Arabic texts (samples, gold sentences). Reported next to a peer in the same run: the same pipeline without the
language/event stage. Target (issue 4): >= 100 articles/s per core; memory flat as the input grows (peak traced
Python memory for N and 2N articles should be about equal: documents stream, nothing accumulates).
Usage: python bench/events.py [--articles N]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from rich.console import Console
from rich.table import Table

from khabar.document import Document
from khabar.engine import RunOptions, process_documents, run_local
from khabar.sources import Inputs
from khabar.store.db import Store

ROOT = Path(__file__).resolve().parents[1]


def paragraphs() -> list[str]:
    out = []
    for doc in process_documents(Inputs([str(ROOT / "samples"), str(ROOT / "tests/fixtures/heldout")]),
                                 RunOptions(annotate=False)):
        if doc.error is None and doc.language == "ar":
            out += doc.text.split("\n\n")
    for name in ("events.jsonl", "events_heldout.jsonl", "ner.jsonl"):
        out += [json.loads(line)["text"] for line in (ROOT / "tests/gold" / name).open(encoding="utf-8")]
    return out


def generate(n: int, pool: list[str], seed: int = 11):
    """``n`` generated article pages (as Documents with raw HTML), streamed."""
    rng = random.Random(seed)
    for i in range(n):
        paras = rng.sample(pool, 7)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        page = (f"<html><head><meta charset='utf-8'><title>{html.escape(paras[0][:60])} | موقع تجريبي</title>"
                f"<meta property='article:published_time' content='2023-0{1 + i % 9}-1{i % 9}'></head><body>"
                f"<nav>الرئيسية | سياسة | اقتصاد</nav><article><h1>{html.escape(paras[0][:60])}</h1>{body}</article>"
                f"<footer>جميع الحقوق محفوظة</footer></body></html>")
        yield Document(f"gen:{seed}:{i}", raw=page.encode("utf-8"), url=f"https://gen.example/{seed}/{i}")


def timed_run(n: int, pool: list[str], annotate: bool, seed: int, trace: bool = False) -> tuple[float, int, int]:
    """(seconds, articles stored, peak traced bytes or 0) for ``n`` generated articles into a fresh store.
    Timings are taken untraced (tracemalloc slows Python several-fold); memory runs trace and are not timed."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db", keep_raw=False)
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        summary = run_local(generate(n, pool, seed), store, RunOptions(annotate=annotate))
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        store.close()
    return seconds, summary.articles, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the base run (2x for memory)")
    args = parser.parse_args()
    pool = paragraphs()
    run_local([], Store(":memory:"), RunOptions())  # load lexicons/patterns once, outside the timings
    n = args.articles
    speed = {"khabar full pipeline": timed_run(n, pool, True, 1),
             "peer: without language/events": timed_run(n, pool, False, 2)}
    small = max(100, n // 4)
    memory = {small: timed_run(small, pool, True, 3, trace=True)[2],
              2 * small: timed_run(2 * small, pool, True, 4, trace=True)[2]}
    table = Table(title="pipeline on generated Arabic news pages (one core)")
    for col in ("run", "articles", "seconds", "articles/s", "x peer"):
        table.add_column(col, justify="right")
    peer_rate = speed["peer: without language/events"][1] / speed["peer: without language/events"][0]
    for label, (seconds, stored, _) in speed.items():
        table.add_row(label, str(stored), f"{seconds:.1f}", f"{stored / seconds:.0f}",
                      f"{stored / seconds / peer_rate:.2f}")
    Console().print(table)
    mem = Table(title="peak traced Python memory (separate, traced runs)")
    mem.add_column("articles", justify="right")
    mem.add_column("peak MB", justify="right")
    for count, peak in memory.items():
        mem.add_row(str(count), f"{peak / 1e6:.1f}")
    Console().print(mem)
    full = speed["khabar full pipeline"]
    rate = full[1] / full[0]
    growth = memory[2 * small] / memory[small]
    print(f"target >= 100 articles/s per core: {rate:.0f} -> {'met' if rate >= 100 else 'NOT met'}; "
          f"peak memory 2x input / 1x input = {growth:.2f} (flat if about 1)")
    return 0 if rate >= 100 and growth < 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
