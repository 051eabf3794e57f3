"""Query tables kept beside each article: the search index, one row per coded event, one per entity.

The article row keeps the full annotations (the output contract); these tables hold the same facts in a shape
that indexes can serve, so the UI and API filter 50,000+ articles without parsing JSON.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.search import index_text
from khabar.events import is_asserted

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

EVENT_COLUMNS = ("id", "article_id", "idx", "type", "cameo", "quad_class", "goldstein", "mode", "source_code",
                 "source_text", "source_id", "target_code", "target_text", "target_id", "location_text",
                 "location_id", "location_name", "lat", "lon", "country", "day", "date_stated", "outlet",
                 "confidence", "negated", "modality", "asserted", "start", "end", "trigger_start", "trigger_end", "record_id")
ENTITY_COLUMNS = ("article_id", "entity_id", "type", "text", "name_en", "country", "lat", "lon", "n", "day")
_EVENT_SQL = "INSERT INTO events ({}) VALUES ({})".format(
    ", ".join(f'"{c}"' for c in EVENT_COLUMNS), ", ".join("?" * len(EVENT_COLUMNS)))
_ENTITY_SQL = "INSERT INTO article_entities ({}) VALUES ({})".format(
    ", ".join(ENTITY_COLUMNS), ", ".join("?" * len(ENTITY_COLUMNS)))


def day_of(value: str | None) -> str | None:
    """The ISO day at the start of a date value (a day, a datetime or an interval), else None."""
    if not value:
        return None
    match = _DAY.match(value)
    return match.group() if match else None


def event_rows(record: dict[str, Any]) -> list[tuple]:
    """Rows of the ``events`` table for one article record."""
    published = day_of(record.get("published"))
    rows = []
    for idx, event in enumerate(record.get("events") or []):
        source = event.get("source") or {}
        target = event.get("target") or {}
        place = event.get("location") or {}
        trigger = event.get("trigger") or {}
        stated = day_of(event.get("date"))
        values = {
            "id": f"{record['id']}:{idx}", "article_id": record["id"], "idx": idx, "type": event["type"],
            "cameo": event.get("cameo"), "quad_class": event.get("quad_class"), "goldstein": event.get("goldstein"),
            "mode": event.get("mode"), "source_code": source.get("code"), "source_text": source.get("text"),
            "source_id": source.get("id"), "target_code": target.get("code"), "target_text": target.get("text"),
            "target_id": target.get("id"), "location_text": place.get("text"), "location_id": place.get("id"),
            "location_name": place.get("name_en"), "lat": place.get("lat"), "lon": place.get("lon"),
            "country": place.get("country"), "day": stated or published,
            "date_stated": int(bool(stated) and stated != published), "outlet": record.get("source"),
            "confidence": event.get("confidence"), "negated": int(bool(event.get("negated"))),
            "modality": event.get("modality"),
            "asserted": int(is_asserted(event)),
            "start": event.get("start"), "end": event.get("end"),
            "trigger_start": trigger.get("start"), "trigger_end": trigger.get("end"), "record_id": None,
        }
        rows.append(tuple(values[c] for c in EVENT_COLUMNS))
    return rows


def entity_key(mention: dict[str, Any]) -> str:
    """A mention's canonical id; mentions the lexicons do not know are keyed by their normalised text."""
    return mention.get("id") or "text:" + normalize(mention.get("text") or "").strip()


def entity_rows(record: dict[str, Any]) -> list[tuple]:
    """Rows of ``article_entities``: each entity or place of the article once, with its mention count."""
    day = day_of(record.get("published"))
    seen: dict[str, list] = {}
    mentions = [(m, m.get("type") or "ORG") for m in record.get("entities") or []]
    mentions += [(p, "LOC") for p in record.get("places") or []]
    for mention, kind in mentions:
        key = entity_key(mention)
        if key in seen:
            seen[key][8] += 1
            continue
        seen[key] = [record["id"], key, kind, mention.get("text"), mention.get("name_en"), mention.get("country"),
                     mention.get("lat"), mention.get("lon"), 1, day]
    return [tuple(row) for row in seen.values()]


_CODE_BLOCK = 3  # CAMEO actor codes are built of three-letter blocks: SYR, SYRMIL, IGOUNO...


def code_prefixes(code: str) -> list[str]:
    """The block prefixes an actor filter may name: SYRMILREB -> SYR, SYRMIL, SYRMILREB."""
    return [code[:i] for i in range(_CODE_BLOCK, len(code) + 1, _CODE_BLOCK)] + (
        [code] if len(code) % _CODE_BLOCK else [])


def actor_keys(event: dict[str, Any]) -> set[str]:
    """What an actor filter can name for this event: code block prefixes and entity ids of both sides."""
    keys: set[str] = set()
    for side in ("source", "target"):
        actor = event.get(side) or {}
        if actor.get("code"):
            keys.update(code_prefixes(actor["code"]))
        if actor.get("id"):
            keys.add(actor["id"])
    return keys


def facet_tokens(record: dict[str, Any]) -> str:
    """Filter values as search tokens (day/month/year, outlet, countries, event types, actors, type+actor), so a
    filtered search is one index intersection instead of a lookup of every matching article."""
    tokens: set[str] = set()
    day = day_of(record.get("published"))
    if day:
        tokens.update((f"xd{day.replace('-', '')}", f"xm{day[:7].replace('-', '')}", f"xy{day[:4]}"))
    if record.get("source_id"):
        tokens.add(f"xs{record['source_id']}")
    for mention in (record.get("entities") or []) + (record.get("places") or []):
        if mention.get("country"):
            tokens.add(f"xc{mention['country']}")
    for event in record.get("events") or []:
        if not is_asserted(event):
            continue
        kind = event["type"]
        tokens.add(f"xt{kind}")
        for side in ("source", "target"):
            code = (event.get(side) or {}).get("code")
            for prefix in code_prefixes(code) if code and code.isalnum() else []:
                tokens.update((f"xa{prefix}", f"xt{kind}a{prefix}"))
    return " ".join(sorted(t.lower() for t in tokens))


def index_article(conn: sqlite3.Connection, rowid: int, record: dict[str, Any]) -> None:
    """(Re)write the search index and query rows of one article (inside the caller's transaction)."""
    conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (rowid,))
    conn.execute("INSERT INTO articles_fts (rowid, title, text, facets) VALUES (?, ?, ?, ?)",
                 (rowid, index_text(record.get("title") or ""), index_text(record.get("text") or ""),
                  facet_tokens(record)))
    conn.execute("DELETE FROM event_actors WHERE event_rowid IN (SELECT rowid FROM events WHERE article_id = ?)",
                 (record["id"],))
    conn.execute("DELETE FROM events WHERE article_id = ?", (record["id"],))
    actors = []
    for row, event in zip(event_rows(record), record.get("events") or []):
        rowid = conn.execute(_EVENT_SQL, row).lastrowid
        values = dict(zip(EVENT_COLUMNS, row))
        actors += [(key, values["asserted"], values["day"], rowid) for key in actor_keys(event)]
    conn.executemany("INSERT INTO event_actors VALUES (?, ?, ?, ?)", actors)
    conn.execute("DELETE FROM article_entities WHERE article_id = ?", (record["id"],))
    conn.executemany(_ENTITY_SQL, entity_rows(record))


def backfill(conn: sqlite3.Connection) -> None:
    """Fill the query tables from articles stored before they existed (migration 3)."""
    rows = conn.execute("SELECT a.rowid, a.id, a.title, a.text, a.published, a.annotations, s.name AS source, "
                        "a.source_id FROM articles a LEFT JOIN sources s ON s.id = a.source_id").fetchall()
    for row in rows:
        record = {"id": row[1], "title": row[2], "text": row[3], "published": row[4], "source": row[6],
                  "source_id": row[7], **json.loads(row[5] or "{}")}
        index_article(conn, row[0], record)
