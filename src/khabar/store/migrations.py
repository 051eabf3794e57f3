"""Numbered schema migrations; each runs once, in its own transaction, recorded in schema_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from khabar.store.index import backfill

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "sources, inputs (with failures), articles, raw pages, runs, full-text index",
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            first_seen TEXT NOT NULL
        );
        CREATE TABLE inputs (
            id INTEGER PRIMARY KEY,
            locator TEXT NOT NULL,
            hash TEXT NOT NULL DEFAULT '',
            url TEXT,
            fetched_at TEXT,
            processed_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
            step TEXT,
            reason TEXT,
            detail TEXT,
            article_id TEXT,
            size INTEGER,
            encoding TEXT,
            run_id INTEGER,
            UNIQUE (locator, hash)
        );
        CREATE INDEX inputs_status ON inputs (status, reason);
        CREATE INDEX inputs_url ON inputs (url);
        CREATE TABLE articles (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            url TEXT,
            source_id INTEGER REFERENCES sources (id),
            title TEXT,
            published TEXT,
            author TEXT,
            language TEXT,
            text TEXT NOT NULL,
            locator TEXT,
            input_hash TEXT,
            encoding TEXT,
            text_map TEXT NOT NULL DEFAULT '[]',
            annotations TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX articles_published ON articles (published);
        CREATE INDEX articles_source ON articles (source_id);
        CREATE INDEX articles_url ON articles (url);
        CREATE TABLE raw_pages (
            hash TEXT PRIMARY KEY,
            kind TEXT,
            content_type TEXT,
            size INTEGER NOT NULL,
            body BLOB NOT NULL
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            command TEXT,
            inputs INTEGER DEFAULT 0,
            articles INTEGER DEFAULT 0,
            failures INTEGER DEFAULT 0,
            skipped INTEGER DEFAULT 0
        );
        CREATE VIEW failures AS
            SELECT id, locator, url, step, reason, detail, processed_at, run_id
            FROM inputs WHERE status = 'failed';
        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            title, text, tokenize = 'unicode61 remove_diacritics 2'
        );
        """,
    ),
    (
        2,
        "stories (near-duplicate articles) and event records (one happening, many mentions)",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT,
            n_articles INTEGER NOT NULL,
            n_sources INTEGER NOT NULL,
            first_seen TEXT,
            last_seen TEXT
        );
        CREATE TABLE story_articles (
            story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            PRIMARY KEY (story_id, article_id)
        );
        CREATE INDEX story_articles_article ON story_articles (article_id);
        CREATE TABLE event_records (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            cameo TEXT,
            source TEXT,
            target TEXT,
            location TEXT,
            date TEXT,
            goldstein REAL,
            n_articles INTEGER NOT NULL,
            n_sources INTEGER NOT NULL,
            n_mentions INTEGER NOT NULL,
            first_seen TEXT,
            last_seen TEXT
        );
        CREATE INDEX event_records_type ON event_records (type, date);
        CREATE TABLE event_mentions (
            record_id TEXT NOT NULL REFERENCES event_records (id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            sentence TEXT,
            start INTEGER,
            "end" INTEGER,
            confidence REAL
        );
        CREATE INDEX event_mentions_record ON event_mentions (record_id)
        """,
    ),
    (
        3,
        "query tables: one row per coded event and per entity in an article; clitic-insensitive search index",
        """
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            type TEXT NOT NULL,
            cameo TEXT,
            quad_class INTEGER,
            goldstein REAL,
            mode TEXT,
            source_code TEXT,
            source_text TEXT,
            source_id TEXT,
            target_code TEXT,
            target_text TEXT,
            target_id TEXT,
            location_text TEXT,
            location_id TEXT,
            location_name TEXT,
            lat REAL,
            lon REAL,
            country TEXT,
            day TEXT,
            date_stated INTEGER NOT NULL DEFAULT 0,
            outlet TEXT,
            confidence REAL,
            negated INTEGER NOT NULL DEFAULT 0,
            modality TEXT,
            asserted INTEGER NOT NULL DEFAULT 1,
            start INTEGER,
            "end" INTEGER,
            trigger_start INTEGER,
            trigger_end INTEGER,
            record_id TEXT
        );
        CREATE INDEX events_day ON events (asserted, day);
        CREATE INDEX events_type_day ON events (asserted, type, day);
        CREATE INDEX events_country_day ON events (asserted, country, day);
        CREATE INDEX events_type_country_day ON events (asserted, type, country, day);
        CREATE INDEX events_source_code ON events (source_code, day);
        CREATE INDEX events_target_code ON events (target_code, day);
        CREATE INDEX events_source_id ON events (source_id);
        CREATE INDEX events_target_id ON events (target_id);
        CREATE INDEX events_outlet_day ON events (asserted, outlet, day);
        CREATE INDEX events_article ON events (article_id);
        CREATE INDEX events_record ON events (record_id);
        CREATE TABLE event_actors (
            key TEXT NOT NULL,
            asserted INTEGER NOT NULL,
            day TEXT,
            event_rowid INTEGER NOT NULL
        );
        CREATE INDEX event_actors_key ON event_actors (key, asserted, day, event_rowid);
        CREATE INDEX event_actors_event ON event_actors (event_rowid);
        CREATE TABLE article_entities (
            article_id TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            type TEXT NOT NULL,
            text TEXT,
            name_en TEXT,
            country TEXT,
            lat REAL,
            lon REAL,
            n INTEGER NOT NULL,
            day TEXT,
            PRIMARY KEY (article_id, entity_id)
        );
        CREATE INDEX article_entities_entity ON article_entities (entity_id);
        CREATE INDEX article_entities_country ON article_entities (country, article_id);
        DROP TABLE articles_fts;
        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            title, text, facets, tokenize = 'unicode61 remove_diacritics 2'
        )
        """,
    ),
]

# Python steps run after a migration's SQL, in the same transaction (filling new tables from stored articles).
POST_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {3: backfill}


def current_version(conn: sqlite3.Connection) -> int:
    """The highest migration applied to this database (0 for a new one)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "description TEXT, applied_at TEXT DEFAULT CURRENT_TIMESTAMP)"
    )
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database lacks, each atomically; return the resulting version."""
    version = current_version(conn)
    for number, description, sql in MIGRATIONS:
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-check inside the write lock: another process may have migrated meanwhile
            if conn.execute("SELECT 1 FROM schema_version WHERE version = ?", (number,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            if number in POST_STEPS:
                POST_STEPS[number](conn)
            conn.execute("INSERT INTO schema_version (version, description) VALUES (?, ?)",
                         (number, description))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = number
    return version


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (the scripts hold no semicolons inside literals)."""
    return [s.strip() for s in sql.split(";") if s.strip()]
