"""The embedded SQLite store: articles, inputs and their failures, raw pages, full-text search."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khabar.arabic.normalize import normalize_for_search, normalize_with_offsets
from khabar.arabic.search import query_stem
from khabar.document import Document
from khabar.store.index import index_article
from khabar.store.migrations import migrate

DEFAULT_DB = "khabar.db"
ANNOTATION_KEYS = ("entities", "places", "dates", "numbers", "quotes", "events")


class StoreError(Exception):
    """The store cannot be opened or used (path, permissions, corruption)."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(slots=True)
class SearchHit:
    """One search result: the article's id, title, source, date and a snippet of its original text."""

    id: str
    title: str | None
    source: str | None
    published: str | None
    url: str | None
    snippet: str
    score: float


class Store:
    """A khabar SQLite database (WAL); created and migrated on first use."""

    def __init__(self, path: str | Path = DEFAULT_DB, keep_raw: bool = True, read_only: bool = False) -> None:
        self.path = str(path)
        self.keep_raw = keep_raw
        self.read_only = read_only
        if read_only:
            self._open_read_only()
            self._source_ids: dict[str, int] = {}
            self._in_tx = False
            return
        try:
            self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                                        check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=60000")
            self.version = migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the khabar store ({exc}); "
                             "check the path and permissions, or pass another --db") from exc
        self._source_ids: dict[str, int] = {}
        self._in_tx = False

    def _open_read_only(self) -> None:
        """Open without any write: no migration, no WAL switch; an outdated store is refused with what to do."""
        from khabar.store.migrations import MIGRATIONS

        uri = "file:" + Path(self.path).resolve().as_posix().replace("?", "%3f").replace("#", "%23") + "?mode=ro"
        try:
            self.conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout=60000")
            self.conn.execute("PRAGMA query_only=ON")
            self.version = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the khabar store read-only ({exc}); check the path, "
                             "or create it with `khabar run`") from exc
        latest = MIGRATIONS[-1][0]
        if self.version < latest:
            self.conn.close()
            raise StoreError(f"{self.path}: the store has schema version {self.version}, this khabar needs "
                             f"{latest}; upgrade it once with `khabar info --db {self.path}` (that opens it for "
                             "writing), then start again")

    # -- transactions -------------------------------------------------------------------------
    def begin(self) -> None:
        """Start a write transaction (batched commits keep runs fast and crash-safe)."""
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def commit(self) -> None:
        """Commit the open write transaction, if any."""
        if self._in_tx:
            self.conn.execute("COMMIT")
            self._in_tx = False

    def close(self) -> None:
        """Commit what is pending and close the database."""
        self.commit()
        self.conn.close()

    # -- runs and idempotency -----------------------------------------------------------------
    def start_run(self, command: str) -> int:
        """Record the start of a run and return its id."""
        cur = self.conn.execute("INSERT INTO runs (started_at, command) VALUES (?, ?)", (_now(), command))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, inputs: int, articles: int, failures: int, skipped: int) -> None:
        """Record a run's totals when it ends."""
        self.commit()
        self.conn.execute(
            "UPDATE runs SET finished_at=?, inputs=?, articles=?, failures=?, skipped=? WHERE id=?",
            (_now(), inputs, articles, failures, skipped, run_id),
        )

    def is_done(self, doc: Document) -> bool:
        """Whether this exact input (same locator and bytes; same URL if not yet fetched) is stored."""
        if doc.raw is None:
            row = self.conn.execute(
                "SELECT 1 FROM inputs WHERE locator = ? AND status != 'failed' LIMIT 1", (doc.locator,)
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT 1 FROM inputs WHERE locator = ? AND hash = ? AND status != 'failed'",
                (doc.locator, doc.input_hash),
            ).fetchone()
        return row is not None

    # -- writing ------------------------------------------------------------------------------
    def save(self, doc: Document, run_id: int | None = None) -> str:
        """Store a processed document as an article, a failure or a skipped input; return the status."""
        self.begin()
        status = "failed" if doc.error else ("skipped" if doc.skipped else "ok")
        article_id = None
        if status == "ok":
            article_id = self._save_article(doc)
        if doc.raw is not None and self.keep_raw and status != "skipped":
            self.conn.execute(
                "INSERT OR IGNORE INTO raw_pages (hash, kind, content_type, size, body) VALUES (?,?,?,?,?)",
                (doc.input_hash, doc.kind, doc.content_type, len(doc.raw), zlib.compress(doc.raw, 6)),
            )
        err = doc.error
        reason = err.reason if err else doc.skipped
        self.conn.execute(
            """INSERT INTO inputs (locator, hash, url, fetched_at, processed_at, status, step, reason,
                                   detail, article_id, size, encoding, run_id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (locator, hash) DO UPDATE SET
                 url=excluded.url, fetched_at=excluded.fetched_at, processed_at=excluded.processed_at,
                 status=excluded.status, step=excluded.step, reason=excluded.reason,
                 detail=excluded.detail, article_id=excluded.article_id, size=excluded.size,
                 encoding=excluded.encoding, run_id=excluded.run_id""",
            (doc.locator, doc.input_hash, doc.url, doc.fetched_at, _now(), status,
             err.step if err else None, reason, err.detail if err else None, article_id,
             len(doc.raw) if doc.raw is not None else None, doc.encoding, run_id),
        )
        if status == "ok" and doc.raw is not None:
            # a URL that failed before being fetched leaves a hash-less row: it is resolved now
            self.conn.execute("DELETE FROM inputs WHERE locator = ? AND hash = '' AND status = 'failed'",
                              (doc.locator,))
        return status

    def _source_id(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self._source_ids:
            self.conn.execute("INSERT OR IGNORE INTO sources (name, first_seen) VALUES (?, ?)", (name, _now()))
            row = self.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
            self._source_ids[name] = int(row[0])
        return self._source_ids[name]

    def _save_article(self, doc: Document) -> str:
        annotations = json.dumps({k: getattr(doc, k) for k in ANNOTATION_KEYS}, ensure_ascii=False)
        now = _now()
        article_id = doc.id
        self.conn.execute(
            """INSERT INTO articles (id, url, source_id, title, published, author, language, text, locator,
                                     input_hash, encoding, text_map, annotations, created_at, updated_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (id) DO UPDATE SET
                 source_id=excluded.source_id, title=excluded.title, published=excluded.published,
                 author=excluded.author, language=excluded.language, locator=excluded.locator,
                 input_hash=excluded.input_hash, encoding=excluded.encoding, text_map=excluded.text_map,
                 annotations=excluded.annotations, updated_at=excluded.updated_at""",
            (article_id, doc.url, self._source_id(doc.source), doc.title, doc.published, doc.author,
             doc.language, doc.text, doc.locator, doc.input_hash, doc.encoding,
             json.dumps(doc.text_map), annotations, now, now),
        )
        rowid = self.conn.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        index_article(self.conn, rowid, {"id": article_id, "title": doc.title, "text": doc.text,
                                         "published": doc.published, "source": doc.source,
                                         "source_id": self._source_id(doc.source),
                                         **{k: getattr(doc, k) for k in ANNOTATION_KEYS}})
        return article_id

    # -- reading ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Articles matching every word of ``query`` (Arabic-normalised, clitic-insensitive; ``word*`` for a
        prefix), best first. The same query as the web UI and API (:func:`khabar.store.queries.search_articles`)."""
        from khabar.store.queries import Filters, search_articles

        if not build_fts_query(query):
            return []
        found = search_articles(self, Filters(q=query), limit, offset)["items"]
        return [SearchHit(h["id"], h["title"], h["source"], h["published"], h["url"], h["snippet"], h["score"])
                for h in found]

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The output-contract record of one article (by id or unique id prefix), or None."""
        rows = self.conn.execute(
            "SELECT a.*, s.name AS source FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.id LIKE ? LIMIT 2", (article_id.replace("%", "") + "%",)
        ).fetchall()
        return article_record(rows[0]) if len(rows) == 1 else None

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        """Every stored article as an output-contract record, oldest first."""
        cur = self.conn.execute(
            "SELECT a.*, s.name AS source FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "ORDER BY a.rowid"
        )
        for row in cur:
            yield article_record(row)

    def iter_inputs(self, status: str | None = None) -> Iterator[dict[str, Any]]:
        """Every recorded input (or those with ``status``), as plain dicts."""
        sql, args = "SELECT * FROM inputs", ()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        for row in self.conn.execute(sql + " ORDER BY id", args):
            yield dict(row)

    def rebuild_stories(self, threshold: float | None = None) -> dict[str, int]:
        """Recompute stories and event records from every stored article (one transaction)."""
        from khabar.stories import STORY_THRESHOLD, cluster_stories, merge_events

        articles = {a["id"]: a for a in self.iter_articles()}
        clusters = cluster_stories(articles.values(), threshold or STORY_THRESHOLD)
        records = merge_events(articles.values())
        self.begin()
        for table in ("story_articles", "stories", "event_mentions", "event_records"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self.conn.execute("UPDATE events SET record_id = NULL WHERE record_id IS NOT NULL")
        for cluster in clusters:
            members = sorted((articles[a] for a in cluster), key=lambda a: (a.get("published") or "", a["id"]))
            dates = [a["published"] for a in members if a.get("published")]
            story_id = members[0]["id"]
            self.conn.execute("INSERT INTO stories VALUES (?,?,?,?,?,?)",
                              (story_id, members[0]["title"], len(members),
                               len({a.get("source") for a in members if a.get("source")}),
                               min(dates) if dates else None, max(dates) if dates else None))
            self.conn.executemany("INSERT INTO story_articles VALUES (?,?)", [(story_id, a["id"]) for a in members])
        for record in records:
            row = record.summary()
            self.conn.execute("INSERT OR REPLACE INTO event_records VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              tuple(row[k] for k in ("id", "type", "cameo", "source", "target", "location", "date",
                                                     "goldstein", "n_articles", "n_sources", "n_mentions",
                                                     "first_seen", "last_seen")))
            self.conn.executemany(
                'INSERT INTO event_mentions (record_id, article_id, sentence, start, "end", confidence) '
                "VALUES (?,?,?,?,?,?)",
                [(row["id"], m["article_id"], m["sentence"], m["start"], m["end"], m["confidence"])
                 for m in record.mentions])
            self.conn.executemany("UPDATE events SET record_id = ? WHERE id = ?",
                                  [(row["id"], m["event_id"]) for m in record.mentions])
        self.commit()
        return {"articles": len(articles), "stories": len(clusters),
                "multi_article_stories": sum(len(c) > 1 for c in clusters), "event_records": len(records),
                "event_mentions": sum(len(r.mentions) for r in records)}

    def iter_table(self, table: str) -> Iterator[dict[str, Any]]:
        """Rows of a derived table: stories (with their article ids) or event_records (with their mentions)."""
        if table == "stories":
            for row in self.conn.execute("SELECT * FROM stories ORDER BY n_articles DESC, id"):
                ids = [r[0] for r in self.conn.execute(
                    "SELECT article_id FROM story_articles WHERE story_id = ?", (row["id"],))]
                yield {**dict(row), "article_ids": ids}
        elif table == "event_records":
            for row in self.conn.execute("SELECT * FROM event_records ORDER BY n_articles DESC, id"):
                mentions = [dict(m) for m in self.conn.execute(
                    'SELECT article_id, sentence, start, "end", confidence FROM event_mentions WHERE record_id = ?',
                    (row["id"],))]
                yield {**dict(row), "mentions": mentions}
        else:
            raise ValueError(f"unknown table {table!r}")

    def raw_page(self, input_hash: str) -> bytes | None:
        """The raw input bytes as received, when the store kept them."""
        row = self.conn.execute("SELECT body FROM raw_pages WHERE hash = ?", (input_hash,)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def info(self) -> dict[str, Any]:
        """Counts a user wants at a glance: articles, sources, inputs by status, failures by reason."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        by_status = dict(self.conn.execute("SELECT status, COUNT(*) FROM inputs GROUP BY status").fetchall())
        reasons = self.conn.execute(
            "SELECT reason, COUNT(*) FROM inputs WHERE status='failed' GROUP BY reason ORDER BY 2 DESC LIMIT 20"
        ).fetchall()
        languages = self.conn.execute(
            "SELECT COALESCE(language,'?'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        return {
            "path": self.path,
            "schema_version": self.version,
            "articles": one("SELECT COUNT(*) FROM articles"),
            "sources": one("SELECT COUNT(*) FROM sources"),
            "inputs": by_status,
            "failures_by_reason": dict(reasons),
            "languages": dict(languages),
            "published_range": list(self.conn.execute(
                "SELECT MIN(published), MAX(published) FROM articles").fetchone()),
            "runs": one("SELECT COUNT(*) FROM runs"),
        }


def article_record(row: sqlite3.Row) -> dict[str, Any]:
    """Turn an ``articles`` row into the output-contract record."""
    record = {
        "id": row["id"], "url": row["url"], "source": row["source"], "title": row["title"],
        "published": row["published"], "language": row["language"], "text": row["text"],
        "author": row["author"], "locator": row["locator"], "encoding": row["encoding"],
    }
    record.update(json.loads(row["annotations"]))
    for key in ANNOTATION_KEYS:
        record.setdefault(key, [])
    record["error"] = None
    return record


_WORD = re.compile(r"[\w\u0600-\u06FF]+\*?")


def query_terms(query: str) -> list[str]:
    """The normalised words of a search query (a trailing ``*`` kept for prefix search)."""
    return _WORD.findall(normalize_for_search(query))


def build_fts_query(query: str) -> str:
    """A safe FTS5 query: every word quoted (no operator injection), all words required."""
    parts = []
    for term in query_terms(query):
        prefix = term.endswith("*")
        word = query_stem(term.rstrip("*").replace('"', ""))
        if word:
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(parts)


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """A window of the ORIGINAL text around the first query word (found on normalised text)."""
    norm = normalize_with_offsets(text)
    lowered = norm.text.lower()
    for term in terms:
        pos = lowered.find(query_stem(term.rstrip("*")))
        if pos >= 0:
            src, _ = norm.to_source(pos, pos + 1)
            start = max(0, src - width // 3)
            end = min(len(text), start + width)
            return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")
    return text[:width].replace("\n", " ")
