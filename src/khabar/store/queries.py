"""Read queries the UI, the API and the exports share: filtered search, events, entities, stories, stats.

Every value reaches SQLite as a bound parameter; column names for sorting come from fixed whitelists.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from khabar.store.db import Store, build_fts_query, query_terms, snippet

_CODE = re.compile(r"^[A-Z0-9]{1,15}$")
EVENT_SORTS = {"day": "e.day", "type": "e.type", "source": "e.source_code", "target": "e.target_code",
               "country": "e.country", "outlet": "e.outlet", "confidence": "e.confidence",
               "goldstein": "e.goldstein", "location": "e.location_name"}
MAX_PAGE = 500
# totals are counted up to this many rows ("10,000+"): an exact count of a very common word would cost more
# than the page itself; `total_exact` says whether the total is exact
COUNT_CAP = 10_000


@dataclass(slots=True)
class Filters:
    """What a user narrows articles and events by; the same filters in the UI, the API and the exports."""

    q: str = ""
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    country: str | None = None
    event_type: str | None = None
    actor: str | None = None
    include_unasserted: bool = False

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Filters:
        """Filters from query parameters (empty strings mean 'not set'; bad dates are ignored)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            value = values.get(f.name)
            if value in (None, ""):
                continue
            if f.name in ("date_from", "date_to"):
                value = _iso_day(str(value))
            elif f.name == "include_unasserted":
                value = str(value).lower() in ("1", "true", "on", "yes")
            elif f.name in ("country", "event_type"):
                value = str(value).strip().upper()
            else:
                value = str(value).strip()
            if value not in (None, ""):
                kwargs[f.name] = value
        return cls(**kwargs)

    def as_params(self) -> dict[str, Any]:
        """The filters that are set, as query parameters (for links that keep them)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", False)}

    def actor_key(self) -> str | None:
        """The key of the ``event_actors`` table this actor filter names (a code block prefix or an entity id)."""
        actor = self.actor or ""
        if _CODE.match(actor):
            return actor if len(actor) % 3 == 0 else None
        return actor or None

    def actor_clause(self, alias: str) -> tuple[str, list[Any]]:
        """Match an actor by CAMEO code prefix (SYR matches SYRMIL) or by canonical entity id, on either side.

        Block prefixes and ids are looked up in ``event_actors`` (one index range, whatever the side); another
        prefix (``SY``) compares both code columns."""
        key = self.actor_key()
        if key is not None:
            return f"{alias}.rowid IN (SELECT event_rowid FROM event_actors WHERE key = ?)", [key]
        actor, hi = self.actor or "", (self.actor or "") + "\uffff"
        return (f"{alias}.rowid IN (SELECT rowid FROM events WHERE source_code >= ? AND source_code < ? "
                "UNION ALL SELECT rowid FROM events WHERE target_code >= ? AND target_code < ?)",
                [actor, hi, actor, hi])


def _iso_day(value: str) -> str | None:
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _count(store: Store, from_where: str, args: list[Any]) -> tuple[int, bool]:
    """(rows matching, exact?) counting at most COUNT_CAP + 1 rows."""
    n = store.conn.execute(f"SELECT COUNT(*) FROM (SELECT 1 {from_where} LIMIT {COUNT_CAP + 1})",  # noqa: S608
                           args).fetchone()[0]
    return min(n, COUNT_CAP), n <= COUNT_CAP


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


# -- articles ----------------------------------------------------------------------------------------------------
MAX_DATE_TOKENS = 120  # a date range written as more day/month/year tokens than this is filtered in SQL instead


def date_tokens(first: dt.date, last: dt.date) -> list[str] | None:
    """The fewest facet tokens covering [first, last]: whole years, then whole months, then single days."""
    out: list[str] = []
    day = first
    while day <= last:
        year_end, month_end = dt.date(day.year, 12, 31), _month_end(day)
        if day.month == 1 and day.day == 1 and year_end <= last:
            out.append(f"xy{day.year}")
            day = year_end + dt.timedelta(days=1)
        elif day.day == 1 and month_end <= last:
            out.append(f"xm{day:%Y%m}")
            day = month_end + dt.timedelta(days=1)
        else:
            out.append(f"xd{day:%Y%m%d}")
            day += dt.timedelta(days=1)
        if len(out) > MAX_DATE_TOKENS:
            return None
    return out


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _article_filters(store: Store, filters: Filters) -> tuple[list[str], list[str], list[Any]]:
    """(facet terms for the full-text MATCH, SQL conditions, their arguments) for the article filters.

    Filters the index knows as facet tokens are matched inside it; the rest (an entity-id actor, a date range
    too long to spell out) fall back to SQL on the article rows.
    """
    facets: list[str] = []
    where: list[str] = []
    args: list[Any] = []
    if filters.date_from or filters.date_to:
        first, last = filters.date_from, filters.date_to
        if not (first and last):  # an open end is closed at the store's first or last publication day
            bounds = store.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
            first, last = first or (bounds[0] or "")[:10], last or (bounds[1] or "")[:10]
        tokens = date_tokens(dt.date.fromisoformat(first), dt.date.fromisoformat(last)) if first and last else []
        if tokens is None:
            if filters.date_from:
                where.append("a.published >= ?")
                args.append(filters.date_from)
            if filters.date_to:
                where.append("a.published < ?")
                args.append(_next_day(filters.date_to))
        else:
            facets.append("(" + " OR ".join(f'"{t}"' for t in tokens or ["xnone"]) + ")")
    if filters.source:
        row = store.conn.execute("SELECT id FROM sources WHERE name = ?", (filters.source,)).fetchone()
        facets.append(f'"xs{row[0] if row else 0}"')
    if filters.country:
        facets.append(f'"xc{filters.country.lower()}"' if filters.country.isalnum() else '"xnone"')
    key = filters.actor_key()
    actor_code = key if key and _CODE.match(key) else None  # a code block prefix: a facet token
    if filters.actor and actor_code is None:  # an entity id or a partial code: the events tables know them
        cond = ["v.article_id = a.id", "v.asserted = 1"]
        if filters.event_type:
            cond.append("v.type = ?")
            args.append(filters.event_type)
        clause, more = filters.actor_clause("v")
        cond.append(clause)
        args.extend(more)
        where.append(f"EXISTS (SELECT 1 FROM events v WHERE {' AND '.join(cond)})")
    elif filters.event_type or actor_code:
        kind = f"t{filters.event_type}" if filters.event_type and filters.event_type.isalnum() else ""
        actor = f"a{actor_code}" if actor_code else ""
        facets.append(f'"x{kind}{actor}"'.lower())
    facets = ["{facets}: " + f for f in facets]
    return facets, where, args


def search_articles(store: Store, filters: Filters, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """Articles matching the query words (clitic-insensitive) and the filters: best first, or newest first."""
    limit, offset = _page(limit, offset)
    words = build_fts_query(filters.q)
    if filters.q and not words:
        return {"total": 0, "total_exact": True, "items": [], "limit": limit, "offset": offset}
    facets, where, args = _article_filters(store, filters)
    match = " AND ".join(([f"({words})"] if words else []) + facets)
    score = "bm25(articles_fts, 3.0, 1.0, 0.0)"
    if match and not where and words:  # rank inside the index; no article row is read until the page is known
        base, order, args = "FROM articles_fts WHERE articles_fts MATCH ?", "ORDER BY score", [match]
        id_column = "articles_fts.rowid"
    elif match:
        base = ("FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?")
        args = [match, *args]
        order = "ORDER BY score" if words else "ORDER BY a.published DESC, a.rowid DESC"
        score = score if words else "0.0"
        id_column = "a.rowid"
    else:
        base, order, score, id_column = "FROM articles a WHERE 1", "ORDER BY a.published DESC, a.rowid DESC", \
            "0.0", "a.rowid"
    cond = "".join(f" AND {w}" for w in where)
    total, exact = _count(store, base + cond, args)
    # two phases: rank and page on row ids alone (the sorter then never carries article text), then fetch
    ranked = store.conn.execute(f"SELECT {id_column}, {score} AS score {base}{cond} {order} "  # noqa: S608
                                "LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    scores = {r[0]: r[1] for r in ranked}
    fetched = {r["rowid"]: r for r in store.conn.execute(
        "SELECT a.rowid, a.id, a.title, s.name AS source, a.published, a.url, a.language, "
        "substr(a.text, 1, 4000) AS text FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
        f"WHERE a.rowid IN ({','.join('?' * len(scores))})", list(scores))} if scores else {}
    rows = [(fetched[rowid], scores[rowid]) for rowid in scores if rowid in fetched]
    terms = query_terms(filters.q)
    items = [{"id": r["id"], "title": r["title"], "source": r["source"], "published": r["published"],
              "url": r["url"], "language": r["language"], "snippet": snippet(r["text"], terms),
              "score": round(-score, 4)} for r, score in rows]
    return {"total": total, "total_exact": exact, "items": items, "limit": limit, "offset": offset}


def sources(store: Store) -> list[str]:
    """Every outlet name, for the source filter."""
    return [r[0] for r in store.conn.execute("SELECT name FROM sources ORDER BY name")]


# -- events ------------------------------------------------------------------------------------------------------
def _event_where(filters: Filters) -> tuple[str, list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    # every event index leads with `asserted`: the default (asserted events only) and the full set both use them
    where.append("e.asserted = 1" if not filters.include_unasserted else "e.asserted IN (0, 1)")
    for column, value in (("e.type", filters.event_type), ("e.country", filters.country),
                          ("e.outlet", filters.source)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if filters.date_from:
        where.append("e.day >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        where.append("e.day <= ?")
        args.append(filters.date_to)
    if filters.actor:
        clause, more = filters.actor_clause("e")
        where.append(clause)
        args.extend(more)
    fts = build_fts_query(filters.q)
    if fts:
        where.append("e.article_id IN (SELECT a.id FROM articles_fts JOIN articles a "
                     "ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?)")
        args.append(fts)
    return (" WHERE " + " AND ".join(where)) if where else "", args


EVENT_FIELDS = ("e.id, e.article_id, e.type, e.cameo, e.quad_class, e.goldstein, e.mode, e.source_code, "
                "e.source_text, e.source_id, e.target_code, e.target_text, e.target_id, e.location_text, "
                "e.location_id, e.location_name, e.lat, e.lon, e.country, e.day, e.outlet, e.confidence, "
                "e.negated, e.modality, e.start, e.\"end\", e.trigger_start, e.trigger_end, e.record_id, e.date_stated")


def list_events(store: Store, filters: Filters, sort: str = "day", desc: bool = True, limit: int = 50,
                offset: int = 0) -> dict[str, Any]:
    """A page of coded events matching the filters, sorted by a whitelisted column."""
    limit, offset = _page(limit, offset)
    where, args = _event_where(filters)
    column = EVENT_SORTS.get(sort, "e.day")
    direction = "DESC" if desc else "ASC"
    # the tie-breakers (day, then row id) follow the indexes' own order, so a sort on an indexed column is an
    # index walk that stops after one page instead of a sort of every matching row
    order = ", ".join(dict.fromkeys(f"{c} {direction}" for c in (column, "e.day", "e.rowid")))
    key = filters.actor_key()
    if key is not None and column == "e.day":
        # an actor's events in date order straight from its index range (the busiest actors have tens of
        # thousands of events: no set of them is built or sorted)
        rest = Filters(**{**asdict(filters), "actor": None})
        more_where, more_args = _event_where(rest)
        asserted = "x.asserted = 1" if not filters.include_unasserted else "x.asserted IN (0, 1)"
        base = (f" FROM event_actors x JOIN events e ON e.rowid = x.event_rowid "
                f"{more_where} AND x.key = ? AND {asserted}")
        args = [*more_args, key]
        for op, value in ((">=", filters.date_from), ("<=", filters.date_to)):
            if value:
                base += f" AND x.day {op} ?"
                args.append(value)
        order = f"x.day {direction}, x.event_rowid {direction}"
        total, exact = _count(store, base, args)
        ids = [r[0] for r in store.conn.execute(f"SELECT x.event_rowid{base} ORDER BY {order} "  # noqa: S608
                                                "LIMIT ? OFFSET ?", [*args, limit, offset])]
    else:
        total, exact = _count(store, f"FROM events e{where}", args)
        ids = [r[0] for r in store.conn.execute(
            f"SELECT e.rowid FROM events e{where} ORDER BY {order} "  # noqa: S608
            "LIMIT ? OFFSET ?", [*args, limit, offset])]
    fetched = {r["rowid"]: r for r in store.conn.execute(
        f"SELECT e.rowid, {EVENT_FIELDS}, a.title, r.n_articles, r.n_sources, r.n_mentions "  # noqa: S608
        "FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN event_records r ON r.id = e.record_id "
        f"WHERE e.rowid IN ({','.join('?' * len(ids))})", ids)} if ids else {}
    rows = [{k: fetched[i][k] for k in fetched[i].keys() if k != "rowid"} for i in ids if i in fetched]
    return {"total": total, "total_exact": exact, "items": [dict(r) for r in rows], "limit": limit,
            "offset": offset, "sort": sort if sort in EVENT_SORTS else "day", "desc": desc}


def event_detail(store: Store, event_id: str) -> dict[str, Any] | None:
    """One event, its record's counts, and every mention of the same happening with its sentence in context."""
    row = store.conn.execute(f"SELECT {EVENT_FIELDS}, a.title FROM events e JOIN articles a "  # noqa: S608
                             "ON a.id = e.article_id WHERE e.id = ?", (event_id,)).fetchone()
    if row is None:
        return None
    event = dict(row)
    record = None
    if event["record_id"]:
        rec = store.conn.execute("SELECT * FROM event_records WHERE id = ?", (event["record_id"],)).fetchone()
        record = dict(rec) if rec else None
        ids = [r[0] for r in store.conn.execute("SELECT id FROM events WHERE record_id = ? ORDER BY day, id",
                                                (event["record_id"],))]
    else:
        ids = [event_id]
    mentions = []
    for mid in ids:
        m = store.conn.execute(
            f"SELECT {EVENT_FIELDS}, a.title, a.published, substr(a.text, e.start + 1, e.\"end\" - e.start) "  # noqa: S608
            "AS sentence, substr(a.text, max(1, e.start - 199), min(e.start, 200)) AS before, "
            "substr(a.text, e.\"end\" + 1, 200) AS after FROM events e JOIN articles a ON a.id = e.article_id "
            "WHERE e.id = ?", (mid,)).fetchone()
        if m is not None:
            mentions.append(dict(m))
    return {"event": event, "record": record, "mentions": mentions}


def timeline(store: Store, filters: Filters) -> dict[str, Any]:
    """Events per day by type (the timeline chart's data)."""
    where, args = _event_where(filters)
    cond = (where + " AND" if where else " WHERE") + " e.day IS NOT NULL"
    rows = store.conn.execute(f"SELECT e.day, e.type, COUNT(*) FROM events e{cond} "  # noqa: S608
                              "GROUP BY e.day, e.type ORDER BY e.day", args).fetchall()
    days: dict[str, dict[str, int]] = {}
    for day, kind, n in rows:
        days.setdefault(day, {})[kind] = n
    types = sorted({kind for per in days.values() for kind in per})
    return {"types": types, "days": [{"day": d, "counts": c, "total": sum(c.values())} for d, c in days.items()]}


def map_points(store: Store, filters: Filters, limit: int = 2000) -> list[dict[str, Any]]:
    """Event locations with their counts and types (the map's markers), largest first."""
    where, args = _event_where(filters)
    cond = (where + " AND" if where else " WHERE") + " e.lat IS NOT NULL"
    rows = store.conn.execute(
        f"SELECT e.location_id, MAX(e.location_name) AS name, MAX(e.location_text) AS text, "  # noqa: S608
        f"MAX(e.country) AS country, AVG(e.lat) AS lat, AVG(e.lon) AS lon, COUNT(*) AS n, "
        f"GROUP_CONCAT(DISTINCT e.type) AS types FROM events e{cond} GROUP BY e.location_id "
        f"ORDER BY n DESC LIMIT ?", [*args, max(1, min(limit, 10000))]).fetchall()
    return [{**dict(r), "types": sorted((r["types"] or "").split(","))} for r in rows]


# -- entities, stories, stats ------------------------------------------------------------------------------------
def list_entities(store: Store, kind: str | None = None, country: str | None = None, q: str | None = None,
                  limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Entities and places with the number of articles and mentions, most frequent first."""
    limit, offset = _page(limit, offset)
    where, args = [], []
    if kind:
        where.append("type = ?")
        args.append(kind.upper())
    if country:
        where.append("country = ?")
        args.append(country.upper())
    if q:
        where.append("(name_en LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args += [like, like]
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    total = store.conn.execute(f"SELECT COUNT(DISTINCT entity_id) FROM article_entities{cond}",  # noqa: S608
                               args).fetchone()[0]
    rows = store.conn.execute(
        f"SELECT entity_id AS id, MAX(type) AS type, MAX(name_en) AS name_en, MAX(text) AS text, "  # noqa: S608
        f"MAX(country) AS country, MAX(lat) AS lat, MAX(lon) AS lon, COUNT(*) AS n_articles, "
        f"SUM(n) AS n_mentions, MIN(day) AS first_seen, MAX(day) AS last_seen FROM article_entities{cond} "
        f"GROUP BY entity_id ORDER BY n_articles DESC, id LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    return {"total": total, "items": [dict(r) for r in rows], "limit": limit, "offset": offset}


def list_stories(store: Store, limit: int = 50, offset: int = 0, min_articles: int = 1) -> dict[str, Any]:
    """Stories (groups of near-duplicate articles), largest first, with their articles."""
    limit, offset = _page(limit, offset)
    total = store.conn.execute("SELECT COUNT(*) FROM stories WHERE n_articles >= ?", (min_articles,)).fetchone()[0]
    rows = store.conn.execute("SELECT * FROM stories WHERE n_articles >= ? ORDER BY n_articles DESC, last_seen "
                              "DESC, id LIMIT ? OFFSET ?", (min_articles, limit, offset)).fetchall()
    items = [story(store, row["id"]) for row in rows]
    return {"total": total, "items": items, "limit": limit, "offset": offset}


def story(store: Store, story_id: str) -> dict[str, Any] | None:
    """One story with its articles."""
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    members = store.conn.execute(
        "SELECT a.id, a.title, a.published, s.name AS source, a.url FROM story_articles sa "
        "JOIN articles a ON a.id = sa.article_id LEFT JOIN sources s ON s.id = a.source_id "
        "WHERE sa.story_id = ? ORDER BY a.published, a.id", (story_id,)).fetchall()
    return {**dict(row), "articles": [dict(m) for m in members]}


def list_records(store: Store, filters: Filters, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Event records (one happening merged across articles), most reported first."""
    limit, offset = _page(limit, offset)
    where, args = [], []
    if filters.event_type:
        where.append("type = ?")
        args.append(filters.event_type)
    if filters.date_from:
        where.append("date >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        where.append("date < ?")
        args.append(_next_day(filters.date_to))
    if filters.actor:
        where.append("(source LIKE ? OR target LIKE ?)")
        prefix = filters.actor.replace("%", "").replace("_", "") + "%"
        args += [prefix, prefix]
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    total = store.conn.execute(f"SELECT COUNT(*) FROM event_records{cond}", args).fetchone()[0]  # noqa: S608
    rows = store.conn.execute(f"SELECT * FROM event_records{cond} ORDER BY n_articles DESC, "  # noqa: S608
                              "n_mentions DESC, id LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    items = []
    for row in rows:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM events WHERE record_id = ? ORDER BY day, id",
                                                (row["id"],))]
        items.append({**dict(row), "event_ids": ids})
    return {"total": total, "items": items, "limit": limit, "offset": offset}


def stats(store: Store) -> dict[str, Any]:
    """Counts at a glance: articles, events by type and country, top actors and outlets, date ranges."""
    one = lambda sql: store.conn.execute(sql).fetchone()[0]  # noqa: E731
    pairs = lambda sql: [list(r) for r in store.conn.execute(sql)]  # noqa: E731
    return {
        "articles": one("SELECT COUNT(*) FROM articles"),
        "sources": one("SELECT COUNT(*) FROM sources"),
        "events": one("SELECT COUNT(*) FROM events"),
        "event_records": one("SELECT COUNT(*) FROM event_records"),
        "stories": one("SELECT COUNT(*) FROM stories"),
        "failures": one("SELECT COUNT(*) FROM inputs WHERE status = 'failed'"),
        "published_range": list(store.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()),
        "events_by_type": pairs("SELECT type, COUNT(*) FROM events GROUP BY type ORDER BY 2 DESC"),
        "events_by_country": pairs("SELECT country, COUNT(*) FROM events WHERE country IS NOT NULL "
                                   "GROUP BY country ORDER BY 2 DESC LIMIT 30"),
        "top_actors": pairs("SELECT code, COUNT(*) FROM (SELECT source_code AS code FROM events UNION ALL "
                            "SELECT target_code FROM events) WHERE code IS NOT NULL GROUP BY code "
                            "ORDER BY 2 DESC LIMIT 30"),
        "top_sources": pairs("SELECT s.name, COUNT(*) FROM articles a JOIN sources s ON s.id = a.source_id "
                             "GROUP BY s.name ORDER BY 2 DESC LIMIT 30"),
    }


def article_view(store: Store, article_id: str) -> dict[str, Any] | None:
    """An article record plus its story id and the ids of its coded events (for links)."""
    record = store.article(article_id)
    if record is None:
        return None
    story = store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = ?",
                               (record["id"],)).fetchone()
    record["story_id"] = story[0] if story else None
    for idx, event in enumerate(record.get("events") or []):
        event["id"] = f"{record['id']}:{idx}"
    return record


def event_types(store: Store) -> list[str]:
    """The PLOVER types present in the store (for the type filter)."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT type FROM events ORDER BY type")]


def to_json(value: Any) -> str:
    """JSON for embedding into a page's data attribute (escaped again by the template)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
