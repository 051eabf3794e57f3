"""Benchmark: latency of the web API on a store of >= 50,000 generated articles, under concurrent local requests.

The store is built through khabar's own write path (articles, search index, event and entity tables): a few
hundred generated pages go through the full pipeline (extract, annotate, code events), then each is re-published
by many outlets on many days, each copy with a paragraph of its own, its own URL and date. ``khabar serve`` runs
in its own process; a local client sends search requests and filtered events pages from several threads at once.
Reported: p50/p95 per kind of request and, as the peer in the same run, the same percentiles of /healthz (the
HTTP/framework floor). Targets (issue 5): p95 < 200 ms for search, < 100 ms for a filtered events page.
Usage: python bench/serve.py [--articles 50000] [--concurrency 4] [--requests 600] [--db PATH (kept, reused)]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events import generate, paragraphs  # noqa: E402  (bench/events.py: the generated news pages)

from khabar.document import Document  # noqa: E402
from khabar.engine import RunOptions, process_documents  # noqa: E402
from khabar.store.db import Store  # noqa: E402

OUTLETS = [f"منفذ {i}" for i in range(1, 41)]
SEARCHES = ["حلب", "المفاوضات", "مفاوضات", "الجيش السوري", "وزير الخارجية", "غزة", "الأمم المتحدة", "القصف",
            "اقتصاد*", "لافروف", "مجلس الأمن", "النفط", "الحكومة", "مساعدات إنسانية", "الرئيس"]
EVENT_FILTERS = [{"event_type": "ASSAULT", "country": "SY"}, {"event_type": "CONSULT"}, {"actor": "RUS"},
                 {"actor": "SYRMIL", "date_from": "2024-03-01", "date_to": "2024-06-30"},
                 {"country": "IQ", "sort": "confidence"}, {"event_type": "PROTEST", "date_from": "2024-09-01"},
                 {"source": "منفذ 7"}, {"event_type": "ASSAULT", "sort": "type", "offset": "100"}]


def build_store(path: Path, n: int, templates: int, console: Console) -> None:
    pool = paragraphs()
    annotated = [d for d in process_documents(generate(templates, pool, seed=5), RunOptions())
                 if d.error is None and not d.skipped]
    rng = random.Random(3)
    start = dt.date(2024, 1, 1)
    store = Store(path, keep_raw=False)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("building the store", total=n)
        for i in range(n):
            base = annotated[i % len(annotated)]
            day = (start + dt.timedelta(days=rng.randrange(366))).isoformat()
            doc = Document(f"bench:{i}", url=f"https://bench.example/{i}", kind="html")
            doc.title, doc.language, doc.published = base.title, base.language, day
            doc.text = base.text + "\n\n" + rng.choice(pool)  # a paragraph of its own; offsets stay valid
            doc.site = OUTLETS[rng.randrange(len(OUTLETS))]
            for key in ("entities", "places", "dates", "numbers", "quotes"):
                setattr(doc, key, getattr(base, key))
            doc.events = [{**e, "date": day} for e in base.events]
            store.save(doc)
            if i % 1000 == 999:
                store.commit()
                progress.advance(task, 1000)
    store.close()


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def load(base: str, jobs: list[tuple[str, str, dict]], concurrency: int) -> dict[str, list[float]]:
    """Send every job from ``concurrency`` threads; latencies (ms) by kind."""
    out: dict[str, list[float]] = {}
    lock = threading.Lock()
    queue = list(jobs)

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    kind, url, params = queue.pop()
                t0 = time.perf_counter()
                response = client.get(url, params=params)
                ms = (time.perf_counter() - t0) * 1000
                response.raise_for_status()
                with lock:
                    out.setdefault(kind, []).append(ms)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--templates", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, default=600, help="requests per kind")
    parser.add_argument("--db", type=Path, default=None, help="keep the generated store here (reused if present)")
    args = parser.parse_args()
    console = Console(stderr=True)
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.db"
    if not path.exists():
        t0 = time.perf_counter()
        build_store(path, args.articles, args.templates, console)
        console.print(f"built {args.articles} articles in {time.perf_counter() - t0:.0f} s")
    counts = Store(path, read_only=True)
    n_articles = counts.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    n_events = counts.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    counts.conn.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", "from khabar.cli import main; main()", "serve", "--db", str(path), "--port", str(port)],
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                console.print("[red]the server did not start[/]")
                return 1
            time.sleep(0.2)
        rng = random.Random(7)
        jobs = []
        for _ in range(args.requests):
            jobs.append(("search", "/api/search", {"q": rng.choice(SEARCHES)}))
            jobs.append(("search+filters", "/api/search", {"q": rng.choice(SEARCHES), "country": "SY",
                                                           "date_from": "2024-04-01", "date_to": "2024-09-30"}))
            jobs.append(("events page (filtered)", "/api/events", dict(rng.choice(EVENT_FILTERS))))
            jobs.append(("peer: /healthz", "/healthz", {}))
        rng.shuffle(jobs)
        load(base, jobs[:40], args.concurrency)  # warm-up: page cache, prepared statements
        t0 = time.perf_counter()
        latencies = load(base, jobs, args.concurrency)
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=20)
    floor = percentiles(latencies["peer: /healthz"])
    targets = {"search": 200, "search+filters": 200, "events page (filtered)": 100}
    table = Table(title=f"khabar serve: {n_articles:,} articles, {n_events:,} events, {args.concurrency} concurrent "
                        f"clients, {len(jobs) / elapsed:.0f} requests/s overall")
    for col in ("request", "n", "p50 ms", "p95 ms", "p95 / peer p95", "target p95", "met"):
        table.add_column(col)
    for kind, values in sorted(latencies.items()):
        p50, p95 = percentiles(values)
        target = targets.get(kind)
        table.add_row(kind, str(len(values)), f"{p50:.1f}", f"{p95:.1f}", f"{p95 / floor[1]:.1f}x",
                      f"< {target}" if target else "", ("yes" if p95 < target else "NO") if target else "")
    Console().print(table)
    return 0 if all(percentiles(latencies[k])[1] < v for k, v in targets.items()) else 1

if __name__ == "__main__":
    sys.exit(main())
