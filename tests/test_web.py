"""The web UI and JSON API over a store built from the web fixtures (five outlets' pages, one hostile)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web server's dependencies (fastapi) are not installed")
from fastapi.testclient import TestClient  # noqa: E402

from khabar.store.datasets import ACLED_COLUMNS, GDELT_COLUMNS  # noqa: E402
from khabar.store.db import Store, StoreError  # noqa: E402
from khabar.web import create_app  # noqa: E402

WEB = Path(__file__).parent / "fixtures" / "web"


@pytest.fixture(scope="module")
def db(web_db) -> str:
    return web_db


@pytest.fixture(scope="module")
def client(db) -> TestClient:
    return TestClient(create_app(db))


def test_every_page_renders_right_to_left_with_an_english_toggle(client):
    for url in ("/", "/events", "/map", "/stories", "/entities", "/api"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert '<html lang="ar" dir="rtl">' in page.text
        assert "Content-Security-Policy" in page.headers and "script-src 'self'" in page.headers[
            "Content-Security-Policy"]
    english = client.get("/events?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text and ">Events<" in english.text
    assert english.cookies.get("lang") == "en"
    assert '<html lang="en" dir="ltr">' in client.get("/").text  # the cookie keeps the choice
    client.get("/?lang=ar")


def test_search_is_clitic_insensitive_both_ways(client):
    # "والمفاوضات" is written only in the Cairo article; "المفاوضات" only in the Geneva title
    titles = lambda q: {h["title"] for h in client.get("/api/search", params={"q": q}).json()["items"]}  # noqa: E731
    bare = titles("مفاوضات")
    assert "وقفة احتجاجية للعمال في القاهرة" in bare and "استئناف المفاوضات في جنيف" in bare
    assert titles("المفاوضات") == bare == titles("والمفاوضات")
    assert "اشتباكات عنيفة في ريف إدلب" in titles("ادلب")  # hamza folded
    assert titles('"; DROP TABLE articles; --') == set()  # quoted, never an FTS/SQL operator


def test_search_filters_narrow_consistently(client):
    everything = client.get("/api/articles", params={"limit": 100}).json()
    assert everything["total"] == 5
    by_source = client.get("/api/articles", params={"source": "شبكة الشمال"}).json()
    assert by_source["total"] == 2 and {h["source"] for h in by_source["items"]} == {"شبكة الشمال"}
    by_date = client.get("/api/articles", params={"date_from": "2024-03-05", "date_to": "2024-03-06"}).json()
    assert {h["published"][:10] for h in by_date["items"]} <= {"2024-03-05", "2024-03-06"} and by_date["total"] == 2
    egypt = client.get("/api/articles", params={"country": "EG"}).json()
    assert [h["title"] for h in egypt["items"]] == ["وقفة احتجاجية للعمال في القاهرة"]
    protests = client.get("/api/articles", params={"event_type": "PROTEST"}).json()
    assert protests["total"] == 1
    russian = client.get("/api/articles", params={"actor": "RUS", "q": "حلب"}).json()
    assert russian["total"] >= 1 and all("حلب" in h["snippet"] or "حلب" in h["title"] for h in russian["items"])
    page = client.get("/", params={"q": "الجيش", "source": "وكالة المشرق"})
    assert "اشتباكات عنيفة في ريف ادلب" in page.text and "شبكة الشمال</bdi>" not in page.text


def test_events_filter_sort_and_paginate(client):
    all_events = client.get("/api/events", params={"limit": 500}).json()
    assert all_events["total"] == len(all_events["items"]) >= 8
    assaults = client.get("/api/events", params={"event_type": "ASSAULT", "country": "SY", "limit": 500}).json()
    assert assaults["total"] >= 4 and all(e["type"] == "ASSAULT" and e["country"] == "SY" for e in assaults["items"])
    by_actor = client.get("/api/events", params={"actor": "SYRMIL"}).json()["items"]
    assert by_actor and all("SYRMIL" in (e["source_code"], e["target_code"]) for e in by_actor)
    window = client.get("/api/events", params={"date_from": "2024-03-06", "date_to": "2024-03-08"}).json()["items"]
    assert window and all("2024-03-06" <= e["day"] <= "2024-03-08" for e in window)
    ordered = client.get("/api/events", params={"sort": "type", "desc": "false", "limit": 500}).json()["items"]
    assert [e["type"] for e in ordered] == sorted(e["type"] for e in ordered)
    pages = [client.get("/api/events", params={"limit": 3, "offset": o}).json()["items"]
             for o in range(0, all_events["total"], 3)]
    ids = [e["id"] for p in pages for e in p]
    assert len(ids) == len(set(ids)) == all_events["total"]
    unasserted = client.get("/api/events", params={"include_unasserted": "true", "limit": 500}).json()
    assert unasserted["total"] >= all_events["total"]
    assert client.get("/api/events", params={"sort": "id; DROP TABLE events"}).status_code == 422
    html = client.get("/events", params={"event_type": "ASSAULT", "sort": "day"}).text
    assert 'class="event-row' in html and 'data-type="PROTEST"' not in html.split("<tbody>")[1]


def test_event_detail_merges_the_syndicated_copy(client):
    events = client.get("/api/events", params={"actor": "SYRMIL", "event_type": "ASSAULT"}).json()["items"]
    merged = [e for e in events if (e["n_articles"] or 0) >= 2]
    assert merged, "the same attack reported by two outlets is one event record"
    detail = client.get(f"/api/events/{merged[0]['id']}").json()
    assert detail["record"]["n_articles"] == 2 and detail["record"]["n_sources"] == 2
    assert {m["outlet"] for m in detail["mentions"]} == {"شبكة الشمال", "وكالة المشرق"}
    assert all(m["sentence"] and "الجيش السوري" in m["sentence"] for m in detail["mentions"])
    page = client.get(f"/events/{merged[0]['id']}").text
    assert page.count('class="mention"') == 2 and "<mark class=\"sentence\">" in page
    assert client.get("/events/nope").status_code == 404 and client.get("/api/events/nope").status_code == 404


def test_article_view_highlights_annotations_by_offset(client):
    hit = client.get("/api/search", params={"q": "جنيف"}).json()["items"][0]
    record = client.get(f"/api/articles/{hit['id']}").json()
    page = client.get(f"/articles/{hit['id']}").text
    for ent in record["entities"]:
        assert ent["text"] == record["text"][ent["start"]:ent["end"]]
    import re
    for kind in ("ent", "place", "trig", "quote", "ev", "date"):
        assert re.search(rf'class="[^"]*\b{kind}\b', page), kind
    assert f'href="/events/{record["events"][0]["id"]}"' in page
    # the text is rendered whole: stripping the tags gives back the article text, paragraph by paragraph
    body = page.split('id="article-body">')[1].split("</div>")[0]
    plain = re.sub(r"<[^>]+>", "", body).replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
    for para in record["text"].split("\n"):
        if para.strip():
            assert para.strip() in plain


def test_timeline_map_entities_stories_stats(client):
    timeline = client.get("/api/timeline").json()
    assert "ASSAULT" in timeline["types"] and all(d["total"] == sum(d["counts"].values()) for d in timeline["days"])
    points = client.get("/api/map").json()
    assert any(p["name"] == "Idlib" and p["n"] >= 2 for p in points)
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in points)
    map_page = client.get("/map").text
    assert "<svg class=\"timeline\"" in map_page and 'id="no-tiles"' in map_page and "leaflet.js" in map_page
    people = client.get("/api/entities", params={"kind": "PER"}).json()["items"]
    assert any(e["name_en"] and "Lavrov" in e["name_en"] for e in people)
    stories = client.get("/api/stories", params={"min_articles": 2}).json()
    assert stories["total"] == 1 and stories["items"][0]["n_sources"] == 2
    stats = client.get("/api/stats").json()
    assert stats["articles"] == 5 and stats["events"] >= 8 and stats["stories"] >= 4


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/search", "/api/events", "/api/events/{event_id}", "/api/event-records",
                 "/api/stories", "/api/entities", "/api/stats", "/api/export/{table}", "/api/timeline", "/api/map"):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"q", "date_from", "date_to", "source", "country", "event_type", "actor", "sort", "limit",
            "offset"} <= params
    assert "/api/events" in client.get("/api").text


def test_exports_over_the_api(client, tmp_path):
    gdelt = client.get("/api/export/gdelt", params={"format": "csv"}).text
    rows = list(csv.reader(io.StringIO(gdelt), delimiter="\t"))
    assert rows and all(len(r) == len(GDELT_COLUMNS) == 61 for r in rows)
    first = dict(zip(GDELT_COLUMNS, rows[0]))
    assert first["Day"].startswith("2024") and first["EventRootCode"] == first["EventCode"][:2]
    syria = [dict(zip(GDELT_COLUMNS, r)) for r in rows if r[GDELT_COLUMNS.index("ActionGeo_CountryCode")] == "SY"]
    assert syria and any(r["Actor1Code"] == "SYRMIL" and r["Actor1CountryCode"] == "SYR" and
                         r["Actor1Type1Code"] == "MIL" for r in syria)
    un = [dict(zip(GDELT_COLUMNS, r)) for r in rows if r[GDELT_COLUMNS.index("Actor1Code")] == "IGOUNO"]
    assert un and un[0]["Actor1KnownGroupCode"] == "UNO" and un[0]["Actor1Type1Code"] == "IGO"
    merged = [dict(zip(GDELT_COLUMNS, r)) for r in rows if r[GDELT_COLUMNS.index("NumArticles")] == "2"]
    assert merged and merged[0]["NumSources"] == "2"
    turkey_geo = [r for r in rows if r[GDELT_COLUMNS.index("ActionGeo_FullName")].startswith("Geneva")]
    assert turkey_geo and turkey_geo[0][GDELT_COLUMNS.index("ActionGeo_CountryCode")] == "SZ"  # FIPS, not ISO
    acled = list(csv.DictReader(io.StringIO(client.get("/api/export/acled", params={"format": "csv"}).text)))
    assert list(acled[0]) == ACLED_COLUMNS
    assert {r["event_type"] for r in acled} <= {"Battles", "Explosions/Remote violence", "Violence against civilians",
                                                "Protests", "Riots", "Strategic developments"}
    protest = [r for r in acled if r["event_type"] == "Protests"]
    assert protest and protest[0]["country"] == "Egypt" and protest[0]["inter1"] == "6"
    assert any(r["fatalities"] == "12" for r in acled if r["location"] in ("Idlib", "Kafranbel"))
    assert not any(r["khabar_type"] in ("CONSULT", "SUPPORT", "REQUEST") for r in acled)
    filtered = client.get("/api/export/events", params={"format": "jsonl", "country": "EG"}).text
    assert filtered and all(json.loads(line)["country"] == "EG" for line in filtered.splitlines())
    parquet = client.get("/api/export/event_records", params={"format": "parquet"})
    (tmp_path / "r.parquet").write_bytes(parquet.content)
    import pyarrow.parquet as pq
    assert pq.read_table(tmp_path / "r.parquet").num_rows >= 1
    assert client.get("/api/export/secrets").status_code == 404


def test_cli_exports_gdelt_and_acled(db, cli, tmp_path):
    out = tmp_path / "g.tsv"
    result = cli("export", "--table", "gdelt", "-f", "csv", "-o", str(out), "--country", "SY", "--db", db)
    assert result.exit_code == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(r) == 61 and r[GDELT_COLUMNS.index("ActionGeo_CountryCode")] == "SY" for r in rows)
    result = cli("export", "--table", "acled", "-f", "parquet", "-o", str(tmp_path / "a.parquet"), "--db", db)
    assert result.exit_code == 0
    import pyarrow.parquet as pq
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == ACLED_COLUMNS and str(table.schema.field("fatalities").type) == "int64"
    assert cli("export", "--table", "articles", "--country", "SY", "--db", db).exit_code == 2


def test_read_only_by_default_and_writes_only_when_allowed(db, tmp_path):
    client = TestClient(create_app(db))
    assert client.post("/api/articles", json={"html": "<p>نص</p>"}).status_code == 403
    assert client.post("/api/stories/rebuild").status_code == 403
    with pytest.raises(sqlite3.OperationalError):
        Store(db, read_only=True).conn.execute("DELETE FROM articles")
    import shutil
    copy = tmp_path / "w.db"
    shutil.copy(db, copy)
    writer = TestClient(create_app(str(copy), writable=True))
    html = (WEB / "cairo-protest.html").read_text(encoding="utf-8").replace("القاهرة", "الإسكندرية").replace(
        "cairo-protest", "alex-protest")
    made = writer.post("/api/articles", json={"html": html, "url": "https://nile.example/a/alex-protest"})
    assert made.status_code == 201 and made.json()["article"]["title"].endswith("الإسكندرية")
    assert writer.get("/api/stats").json()["articles"] == 6
    assert writer.post("/api/articles", json={"html": "   "}).status_code == 422
    assert writer.post("/api/stories/rebuild").json()["articles"] == 6


def test_outdated_store_is_refused_read_only(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT)")
    conn.execute("INSERT INTO schema_version VALUES (1, 'x', 'y')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="khabar info"):
        create_app(str(path))


def test_scraped_markup_is_escaped_everywhere(client):
    hit = client.get("/api/search", params={"q": "الأنقاض"}).json()["items"][0]
    urls = [f"/articles/{hit['id']}", "/?q=حلب", "/events", "/stories", "/entities",
            f"/events/{client.get('/api/events', params={'q': 'الأنقاض'}).json()['items'][0]['id']}"]
    for url in urls:
        page = client.get(url).text
        assert "<script>window" not in page and "<img src=x" not in page, url
        assert 'href="javascript:' not in page.lower(), url
        assert "onerror=\"window" not in page and "onclick=" not in page, url
    article = client.get(f"/articles/{hit['id']}").text
    assert "&lt;img src=x onerror=" in article and "&lt;script&gt;window.__pwned=" in article
    assert 'class="source-url" dir="ltr">javascript:' in article  # shown as text, never as a link


def test_migration_backfills_query_tables_for_an_existing_store(tmp_path, db):
    import shutil
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    conn.execute("DELETE FROM schema_version WHERE version = 3")
    for table in ("events", "article_entities", "event_actors"):
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    store = Store(old)
    assert store.version == 3
    assert store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] >= 8
    assert store.conn.execute("SELECT COUNT(*) FROM article_entities").fetchone()[0] >= 10
    store.close()


def test_date_tokens_cover_exactly_the_range():
    import datetime as dt

    from khabar.store.queries import date_tokens
    assert date_tokens(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == ["xy2024"]
    tokens = date_tokens(dt.date(2024, 2, 27), dt.date(2024, 4, 2))
    assert tokens == ["xd20240227", "xd20240228", "xd20240229", "xm202403", "xd20240401", "xd20240402"]
    assert date_tokens(dt.date(2024, 3, 5), dt.date(2024, 3, 4)) == []
    assert date_tokens(dt.date(1900, 1, 2), dt.date(2030, 1, 1)) is None  # too many: filtered in SQL instead


@pytest.mark.parametrize("params", [
    {"country": "SY"}, {"country": "EG", "q": "مفاوضات"}, {"date_from": "2024-03-04", "date_to": "2024-03-05"},
    {"date_from": "2024-03-06"}, {"date_to": "2024-03-05", "q": "حلب"}, {"source": "شبكة الشمال"},
    {"source": "لا يوجد"}, {"event_type": "ASSAULT"}, {"event_type": "ASSAULT", "actor": "RUS"},
    {"actor": "SYRMIL"}, {"actor": "SY"}, {"actor": "khabar:per/sergey-lavrov"},
    {"event_type": "CONSULT", "actor": "khabar:per/sergey-lavrov", "country": "CH"},
])
def test_facet_search_agrees_with_plain_sql(client, db, params):
    """The index's facet tokens give exactly what the same filters give computed on the rows themselves."""
    from khabar.store.queries import Filters
    f = Filters.from_mapping(params)
    conn = sqlite3.connect(db)
    expected = set()
    for aid, published, source in conn.execute(
            "SELECT a.id, a.published, s.name FROM articles a LEFT JOIN sources s ON s.id = a.source_id"):
        day = (published or "")[:10]
        if (f.date_from and day < f.date_from) or (f.date_to and day > f.date_to) or (
                f.source and source != f.source):
            continue
        if f.country and not conn.execute("SELECT 1 FROM article_entities WHERE article_id = ? AND country = ?",
                                          (aid, f.country)).fetchone():
            continue
        if f.event_type or f.actor:
            events = conn.execute("SELECT type, source_code, target_code, source_id, target_id FROM events "
                                  "WHERE article_id = ? AND asserted = 1", (aid,)).fetchall()
            actor = f.actor or ""
            if not any((not f.event_type or t == f.event_type) and (not actor or any(
                    (c or "").startswith(actor) for c in (sc, tc)) or actor in (si, ti))
                       for t, sc, tc, si, ti in events):
                continue
        expected.add(aid)
    if f.q:
        expected &= {h["id"] for h in client.get("/api/search", params={"q": f.q, "limit": 500}).json()["items"]}
    got = client.get("/api/articles", params={**params, "limit": 500}).json()
    assert {h["id"] for h in got["items"]} == expected and got["total"] == len(expected)
