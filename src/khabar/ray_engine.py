"""The Ray engine: the same pipeline steps as Ray Data ``map_batches`` over input shards, Parquet out, merged
into the store by ``khabar load``. Works on a local Ray started here or on an existing cluster address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from khabar.document import Document, Failure
from khabar.engine import RunOptions, RunSummary, build_pipeline
from khabar.sources import Inputs, SourceOptions, expand_paths, is_url
from khabar.store.db import Store

JSON_FIELDS = ("entities", "places", "dates", "numbers", "quotes", "events", "hints", "text_map")
TEXT_FIELDS = ("locator", "kind", "url", "content_type", "fetched_at", "encoding", "html", "text", "title",
               "published", "author", "site", "language", "skipped")


class RayUnavailable(RuntimeError):
    """Ray is not installed or the cluster cannot be reached."""


def document_to_row(doc: Document) -> dict[str, Any]:
    """A flat, Parquet-friendly row holding everything the store needs from a processed document."""
    row: dict[str, Any] = {name: getattr(doc, name) for name in TEXT_FIELDS}
    row["html"] = None  # re-derivable from raw; keeps partitions small
    row["raw"] = doc.raw
    for name in JSON_FIELDS:
        row[name] = json.dumps(getattr(doc, name), ensure_ascii=False)
    row["error"] = json.dumps(doc.error.as_dict()) if doc.error else None
    return row


def row_to_document(row: dict[str, Any]) -> Document:
    """The document a row was made from (what ``Store.save`` needs)."""
    doc = Document(row["locator"])
    for name in TEXT_FIELDS:
        setattr(doc, name, row.get(name))
    doc.raw = row.get("raw")
    for name in JSON_FIELDS:
        value = json.loads(row[name]) if row.get(name) else ([] if name != "hints" else {})
        setattr(doc, name, [tuple(x) for x in value] if name == "text_map" else value)
    if row.get("error"):
        doc.error = Failure(**json.loads(row["error"]))
    doc.text = doc.text or ""
    return doc


def shards_of(inputs: list[str]) -> list[str]:
    """The files a Ray run distributes (one shard each: a page, a WARC, a JSON Lines file, a feed)."""
    shards = []
    for arg in inputs:
        if arg == "-" or is_url(arg):
            raise ValueError(f"{arg!r}: the Ray engine reads files and folders; fetch URLs and stdin with the "
                             "local engine (khabar run without --engine ray)")
        paths = expand_paths(arg)
        if paths is None:
            raise ValueError(f"{arg!r}: no such file, folder or glob match")
        shards += [str(p) for p in paths]
    return shards


class ShardProcessor:
    """A Ray actor body: builds the pipeline once, then turns batches of shard paths into document rows."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = RunOptions(**options)
        self.pipeline = build_pipeline(self.options)  # once per worker: lexicons and patterns load here

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        rows: list[dict[str, Any]] = []
        for path in list(batch["path"]):
            for doc in self.pipeline(Inputs([str(path)], options=SourceOptions(max_bytes=self.options.max_bytes))):
                rows.append(document_to_row(doc))
        columns = list(document_to_row(Document("x")))
        return {col: [r[col] for r in rows] for col in columns}


@dataclass
class RayRunResult:
    """Where a Ray run wrote its partitions and how many documents they hold."""

    out_dir: str
    shards: int
    documents: int


def run_ray(inputs: list[str], out_dir: str | Path, options: RunOptions, address: str | None = None,
            workers: int | None = None) -> RayRunResult:
    """Process ``inputs`` on Ray (local or at ``address``) and write Parquet partitions to ``out_dir``."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayUnavailable("--engine ray needs Ray: pip install -e '.[ray]'") from exc
    shards = shards_of(inputs)
    if not shards:
        raise ValueError("no input files to process")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                     log_to_driver=False, ignore_reinit_error=True)
        except (ConnectionError, RuntimeError) as exc:
            raise RayUnavailable(f"cannot reach the Ray cluster at {address!r} ({exc})") from exc
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ds = ray.data.from_items([{"path": p} for p in shards], override_num_blocks=max(1, min(len(shards) // 64, 400)))
        ds = ds.map_batches(ShardProcessor, fn_constructor_kwargs={"options": asdict(options)}, batch_size=64,
                            concurrency=workers or 2, batch_format="pandas")
        ds.write_parquet(str(out_dir))
        documents = sum(pq_rows(p) for p in out_dir.glob("*.parquet"))
    finally:
        if started_here:
            ray.shutdown()
    return RayRunResult(str(out_dir), len(shards), documents)


def pq_rows(path: Path) -> int:
    """Rows in one Parquet file (from its footer)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def iter_partition_documents(out_dir: str | Path) -> Iterator[Document]:
    """Documents of every Parquet partition under ``out_dir``, streamed batch by batch."""
    import pyarrow.parquet as pq

    for path in sorted(Path(out_dir).glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=256):
            for row in batch.to_pylist():
                yield row_to_document(row)


def load_partitions(out_dir: str | Path, store: Store, commit_every: int = 500) -> RunSummary:
    """Merge Parquet partitions into the store (idempotent: the same upserts as a local run)."""
    summary = RunSummary()
    run_id = store.start_run(f"khabar load {out_dir}")
    for n, doc in enumerate(iter_partition_documents(out_dir), 1):
        summary.count(doc, store.save(doc, run_id))
        if n % commit_every == 0:
            store.commit()
    store.finish_run(run_id, summary.inputs, summary.articles, summary.failed, summary.skipped)
    return summary
