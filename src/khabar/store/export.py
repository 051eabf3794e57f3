"""Exports of stored articles and inputs: JSON Lines (the output contract), CSV and Parquet."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from khabar.store.db import ANNOTATION_KEYS, Store

FORMATS = ("jsonl", "csv", "parquet")
TABLES = ("articles", "inputs", "failures", "stories", "event_records")
ARTICLE_COLUMNS = ["id", "url", "source", "title", "published", "language", "author", "locator", "text"]
PARQUET_BATCH = 1000


def _rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    if table == "articles":
        return store.iter_articles()
    if table in ("stories", "event_records"):
        return store.iter_table(table)
    return store.iter_inputs("failed" if table == "failures" else None)


def _flat(record: dict[str, Any], table: str) -> dict[str, Any]:
    """A flat row for CSV/Parquet: annotation lists become JSON strings plus a count column."""
    if table in ("stories", "event_records"):
        return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in record.items()}
    if table != "articles":
        return record
    row = {k: record.get(k) for k in ARTICLE_COLUMNS}
    for key in ANNOTATION_KEYS:
        row[f"n_{key}"] = len(record.get(key) or [])
        row[key] = json.dumps(record.get(key) or [], ensure_ascii=False)
    return row


def export(store: Store, fmt: str, table: str = "articles", out: str | None = None) -> int:
    """Write ``table`` in ``fmt`` to ``out`` (stdout when None or '-'); return the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    rows = _rows(store, table)
    if fmt == "parquet":
        if not out or out == "-":
            raise ValueError("Parquet is binary: give an output file with --output")
        return _write_parquet(rows, table, Path(out))
    if out and out != "-":
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return _write_text(rows, fmt, table, fh)
    return _write_text(rows, fmt, table, sys.stdout)


def _write_text(rows: Iterable[dict[str, Any]], fmt: str, table: str, fh: TextIO) -> int:
    n = 0
    writer = None
    for record in rows:
        if fmt == "jsonl":
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            row = _flat(record, table)
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
        n += 1
    return n


INT_COLUMNS = {"id", "size", "run_id"}


def _schema(columns: list[str], table: str):
    """Explicit Arrow schema (a first batch full of nulls must not fix a column's type)."""
    import pyarrow as pa

    def kind(col: str):
        if col.startswith("n_") or (table in ("inputs", "failures") and col in INT_COLUMNS):
            return pa.int64()
        if col == "goldstein":
            return pa.float64()
        return pa.string()

    return pa.schema([(c, kind(c)) for c in columns])


def _write_parquet(rows: Iterable[dict[str, Any]], table: str, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    batch: list[dict[str, Any]] = []
    n = 0
    try:
        for record in rows:
            batch.append(_flat(record, table))
            n += 1
            if len(batch) >= PARQUET_BATCH:
                writer = _flush(batch, table, path, writer)
        writer = _flush(batch, table, path, writer)
    finally:
        if writer is not None:
            writer.close()
    if n == 0:
        pq.write_table(pa.table({c: pa.array([], pa.string()) for c in ARTICLE_COLUMNS}), str(path))
    return n


def _flush(batch: list[dict[str, Any]], table: str, path: Path, writer):
    """Write a batch of rows to the Parquet file, opening the writer on the first batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not batch:
        return writer
    if writer is None:
        writer = pq.ParquetWriter(str(path), _schema(list(batch[0]), table))
    writer.write_table(pa.Table.from_pylist(batch, schema=writer.schema))
    batch.clear()
    return writer
