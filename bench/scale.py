"""Benchmark: end-to-end scale — articles/s per core on N generated pages (default 20,000) through the whole
pipeline into the store, next to trafilatura-only extraction of the same pages in the same run; the Ray engine
with 1 and 2 workers (scaling efficiency); peak RSS of the local engine for N/10 and N pages (flat = streaming).
Usage: python bench/scale.py [--pages N] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events import generate, paragraphs  # noqa: E402  (the same generated pages as bench/events.py)

RSS_WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
               "print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def write_pages(folder: Path, n: int, pool: list[str], seed: int) -> None:
    folder.mkdir(parents=True)
    for doc in generate(n, pool, seed):
        (folder / f"{doc.locator.rsplit(':', 1)[1]}.html").write_bytes(doc.raw)


def measured(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a command run in a fresh child process."""
    out = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *cmd], capture_output=True, text=True, check=True)
    rc, seconds, rss_kb = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}")
    return float(seconds), int(rss_kb) / 1024


def trafilatura_only(folder: Path) -> float:
    import trafilatura

    start = time.perf_counter()
    for path in sorted(folder.iterdir()):
        trafilatura.extract(path.read_bytes())
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray runs")
    args = parser.parse_args()
    n = args.pages
    pool = paragraphs()
    khabar = [sys.executable, "-m", "khabar"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big, small = tmp / "big", tmp / "small"
        write_pages(big, n, pool, 21)
        write_pages(small, n // 10, pool, 22)
        seconds, rss = measured([*khabar, "run", str(big), "--db", str(tmp / "local.db"), "-q"])
        rows.append(("khabar local engine (full pipeline)", n, seconds, 1, rss))
        rows.append(("peer: trafilatura.extract only", n, trafilatura_only(big), 1, None))
        seconds_small, rss_small = measured([*khabar, "run", str(small), "--db", str(tmp / "small.db"), "-q"])
        rows.append(("khabar local engine, 1/10 of the input", n // 10, seconds_small, 1, rss_small))
        if not args.no_ray:
            for workers in (1, 2):
                parts = tmp / f"parts{workers}"
                seconds, _ = measured([*khabar, "run", str(big), "--db", str(tmp / f"ray{workers}.db"), "-q",
                                       "--engine", "ray", "--workers", str(workers), "--parts", str(parts)])
                rows.append((f"khabar Ray engine, {workers} worker(s)", n, seconds, workers, None))
                shutil.rmtree(parts, ignore_errors=True)
    table = Table(title=f"end-to-end on {n} generated Arabic news pages (this machine: 2 cores)")
    for col in ("run", "pages", "seconds", "pages/s", "pages/s per core", "peak RSS MB"):
        table.add_column(col, justify="right")
    for label, pages, seconds, cores, rss in rows:
        table.add_row(label, str(pages), f"{seconds:.1f}", f"{pages / seconds:.0f}", f"{pages / seconds / cores:.0f}",
                      f"{rss:.0f}" if rss else "-")
    Console().print(table)
    local = rows[0]
    traf = rows[1]
    print(f"khabar full pipeline / trafilatura-only speed: {(local[1] / local[2]) / (traf[1] / traf[2]):.2f}x")
    print(f"peak RSS, 10x input / 1x input: {rows[0][4] / rows[2][4]:.2f} (flat if about 1)")
    ray_rows = [r for r in rows if r[0].startswith("khabar Ray")]
    if len(ray_rows) == 2:
        one, two = (r[1] / r[2] for r in ray_rows)
        print(f"Ray scaling efficiency, 2 workers vs 1: {two / (2 * one):.2f} (1.0 = linear)")
    print(json.dumps({r[0]: {"pages": r[1], "seconds": round(r[2], 2), "rss_mb": r[4]} for r in rows},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
