"""Exports: JSON Lines (the output contract), CSV and Parquet of articles, inputs, stories, events and event
records, plus GDELT 2.0 event rows and an ACLED-like table (filters apply to the event tables)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from khabar.store.db import ANNOTATION_KEYS, Store
from khabar.store.index import EVENT_COLUMNS
from khabar.store.queries import Filters, _event_where

FORMATS = ("jsonl", "csv", "parquet")
TABLES = ("articles", "inputs", "failures", "stories", "event_records", "events", "gdelt", "acled")
EVENT_TABLES = ("events", "gdelt", "acled")
ARTICLE_COLUMNS = ["id", "url", "source", "title", "published", "language", "author", "locator", "text"]
PARQUET_BATCH = 1000


def _event_rows(store: Store, filters: Filters) -> Iterator[dict[str, Any]]:
    where, args = _event_where(filters)
    columns = ", ".join(f'e."{c}"' for c in EVENT_COLUMNS)
    sql = (f"SELECT {columns}, substr(a.text, e.start + 1, e.\"end\" - e.start) AS sentence, "  # noqa: S608
           f"a.title, a.url FROM events e JOIN articles a ON a.id = e.article_id{where} ORDER BY e.day, e.id")
    for row in store.conn.execute(sql, args):
        yield dict(row)


def _rows(store: Store, table: str, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
    from khabar.store.datasets import GDELT_COLUMNS, acled_rows, gdelt_rows

    filters = filters or Filters(include_unasserted=table == "events")
    if table == "events":
        return _event_rows(store, filters)
    if table == "gdelt":
        return (dict(zip(GDELT_COLUMNS, row)) for row in gdelt_rows(store, filters))
    if table == "acled":
        return acled_rows(store, filters)
    if table == "articles":
        return store.iter_articles()
    if table in ("stories", "event_records"):
        return store.iter_table(table)
    return store.iter_inputs("failed" if table == "failures" else None)


def _flat(record: dict[str, Any], table: str) -> dict[str, Any]:
    """A flat row for CSV/Parquet: annotation lists become JSON strings plus a count column."""
    if table in TYPED_COLUMNS:
        return record
    if table in ("stories", "event_records"):
        return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in record.items()}
    if table != "articles":
        return record
    row = {k: record.get(k) for k in ARTICLE_COLUMNS}
    for key in ANNOTATION_KEYS:
        row[f"n_{key}"] = len(record.get(key) or [])
        row[key] = json.dumps(record.get(key) or [], ensure_ascii=False)
    return row


def export(store: Store, fmt: str, table: str = "articles", out: str | None = None,
           filters: Filters | None = None, header: bool | None = None) -> int:
    """Write ``table`` in ``fmt`` to ``out`` (stdout when None or '-'); return the number of rows.

    ``filters`` narrow the event tables (events, gdelt, acled). GDELT rows as CSV are tab-separated without a
    header line, as GDELT publishes them, unless ``header`` is true; other CSVs have a header unless it is false.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    if filters is not None and table not in EVENT_TABLES:
        raise ValueError(f"filters apply to the event tables ({', '.join(EVENT_TABLES)}), not to {table}")
    rows = _rows(store, table, filters)
    if fmt == "parquet":
        if not out or out == "-":
            raise ValueError("Parquet is binary: give an output file with --output")
        return _write_parquet(rows, table, Path(out))
    if header is None:
        header = table != "gdelt"
    if out and out != "-":
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return write_text(rows, fmt, table, fh, header)
    return write_text(rows, fmt, table, sys.stdout, header)


def write_text(rows: Iterable[dict[str, Any]], fmt: str, table: str, fh: TextIO, header: bool = True) -> int:
    """Write rows as JSON Lines or CSV (tab-separated for GDELT) to an open text file; return the count."""
    n = 0
    writer = None
    for record in rows:
        if fmt == "jsonl":
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            row = _flat(record, table)
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row), delimiter="\t" if table == "gdelt" else ",",
                                        lineterminator="\n" if table == "gdelt" else "\r\n")
                if header:
                    writer.writeheader()
            writer.writerow(row)
        n += 1
    return n


INT_COLUMNS = {"id", "size", "run_id"}
TYPED_COLUMNS = {
    "events": ({"idx", "quad_class", "date_stated", "negated", "start", "end", "trigger_start", "trigger_end"},
               {"goldstein", "lat", "lon", "confidence"}),
    "gdelt": ({"GlobalEventID", "QuadClass", "IsRootEvent", "NumMentions", "NumSources", "NumArticles",
               "ActionGeo_Type"}, {"GoldsteinScale", "ActionGeo_Lat", "ActionGeo_Long"}),
    "acled": ({"time_precision", "inter1", "inter2", "interaction", "geo_precision", "fatalities"},
              {"latitude", "longitude", "khabar_confidence"}),
}


def _schema(columns: list[str], table: str):
    """Explicit Arrow schema (a first batch full of nulls must not fix a column's type)."""
    import pyarrow as pa

    ints, floats = TYPED_COLUMNS.get(table, (set(), set()))

    def kind(col: str):
        if col in ints:
            return pa.int64()
        if col in floats:
            return pa.float64()
        if table in TYPED_COLUMNS:
            return pa.string()
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
    if table in TYPED_COLUMNS:  # blanks of numeric columns are nulls in Parquet; other values as text
        ints, floats = TYPED_COLUMNS[table]
        batch[:] = [{k: (None if v == "" and k in ints | floats else
                         str(v) if v is not None and k not in ints | floats else v) for k, v in row.items()}
                    for row in batch]
    if writer is None:
        writer = pq.ParquetWriter(str(path), _schema(list(batch[0]), table))
    writer.write_table(pa.Table.from_pylist(batch, schema=writer.schema))
    batch.clear()
    return writer
