"""``khabar serve``: the server-rendered web UI (right-to-left Arabic, English labels) and the JSON API.

Scraped text is untrusted: templates autoescape everything, annotation highlights are built from text segments
(never from stored markup), links are emitted only for http(s) URLs, and a strict Content-Security-Policy forbids
inline scripts, so a page that carried ``<script>``, event handlers or ``javascript:`` links stays inert.
The database is opened read-only unless the server is started with ``--allow-writes``.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.background import BackgroundTask

from khabar import __version__
from khabar.store import queries
from khabar.store.db import Store, StoreError
from khabar.store.queries import Filters
from khabar.web.render import LANGS, Labels, article_segments, safe_url, timeline_chart, type_colour

WEB_DIR = Path(str(resources.files("khabar.web")))
PAGE_SIZE = 25


class StorePool:
    """One connection per server thread (SQLite connections are not shared across threads)."""

    def __init__(self, path: str, writable: bool) -> None:
        self.path, self.writable = path, writable
        self._local = threading.local()
        self.get()  # fail at start-up, not on the first request, if the store cannot be opened

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, read_only=not self.writable)
            self._local.store = store
        return store


class _Cache:
    """Filter choices (outlets, countries, types) change only when a run adds articles: kept for a minute."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl, self.values, self.lock = ttl, {}, threading.Lock()

    def get(self, key: str, compute):
        with self.lock:
            hit = self.values.get(key)
            if hit and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
        value = compute()
        with self.lock:
            self.values[key] = (time.monotonic(), value)
        return value


def filters_dependency(
    q: Annotated[str, Query(description="Words to find (Arabic-normalised, clitic-insensitive; word* = prefix)")] = "",
    date_from: Annotated[str | None, Query(description="ISO day: on or after")] = None,
    date_to: Annotated[str | None, Query(description="ISO day: on or before")] = None,
    source: Annotated[str | None, Query(description="Outlet name")] = None,
    country: Annotated[str | None, Query(description="ISO 3166 alpha-2 country code")] = None,
    event_type: Annotated[str | None, Query(description="PLOVER event type, e.g. ASSAULT")] = None,
    actor: Annotated[str | None, Query(description="CAMEO actor code prefix (SYR, SYRMIL) or entity id")] = None,
    include_unasserted: Annotated[bool, Query(description="Events: include negated and hypothetical")] = False,
) -> Filters:
    return Filters.from_mapping({"q": q, "date_from": date_from, "date_to": date_to, "source": source,
                                 "country": country, "event_type": event_type, "actor": actor,
                                 "include_unasserted": include_unasserted})


FiltersDep = Annotated[Filters, Depends(filters_dependency)]


def found(value: dict[str, Any] | None, what: str, key: str) -> dict[str, Any]:
    """The value, or a 404 naming what was not found."""
    if value is None:
        raise HTTPException(404, f"no {what} {key!r}")
    return value
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]
EventSort = Literal["day", "type", "source", "target", "country", "outlet", "confidence", "goldstein", "location"]
ExportFormat = Literal["jsonl", "csv", "parquet"]


def create_app(db: str, writable: bool = False, tiles: str | None = None, tiles_attribution: str = "",
               threads: int = 8) -> FastAPI:
    """The FastAPI application over the store at ``db``."""
    if tiles and urlsplit(tiles).scheme not in ("http", "https"):
        raise StoreError(f"--tiles must be an http(s) URL template, not {tiles!r}")
    pool = StorePool(db, writable)
    cache = _Cache()
    app = FastAPI(title="khabar", version=__version__, docs_url=None, redoc_url=None,
                  description="Arabic news events: articles, coded events (PLOVER/CAMEO), event records, stories, "
                              "entities. Filters and pagination are the UI's. Read-only unless the server was "
                              "started with --allow-writes.")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    env = Environment(loader=FileSystemLoader(str(WEB_DIR / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(type_colour=type_colour, safe_url=safe_url, version=__version__)
    tile_origin = "{uri.scheme}://{uri.netloc}".format(uri=urlsplit(tiles)) if tiles else ""
    tile_origin = tile_origin.replace("{s}.", "*.")
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
           f"frame-ancestors 'none'; form-action 'self'; connect-src 'self'; img-src 'self' data: {tile_origin}")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = csp.strip()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def store() -> Store:
        return pool.get()

    def choices() -> dict[str, list[str]]:
        def compute() -> dict[str, list[str]]:
            s = store()
            return {"sources": queries.sources(s), "types": queries.event_types(s),
                    "countries": [r[0] for r in s.conn.execute(
                        "SELECT DISTINCT country FROM events WHERE country IS NOT NULL ORDER BY country")]}
        return cache.get("choices", compute)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or "ar"
        lang = lang if lang in LANGS else "ar"
        params = dict(request.query_params)
        params.pop("lang", None)
        other = "en" if lang == "ar" else "ar"
        html = env.get_template(template).render(
            t=Labels(lang), lang=lang, dir="rtl" if lang == "ar" else "ltr", request=request,
            path=request.url.path, toggle_url=request.url.path + "?" + urlencode({**params, "lang": other}),
            writable=writable, choices=choices(), **context)
        response = HTMLResponse(html, status_code=status)
        if "lang" in request.query_params and request.query_params["lang"] in LANGS:
            response.set_cookie("lang", lang, samesite="strict", httponly=True)
        return response

    def link(base: str, filters: Filters, **extra: Any) -> str:
        params = {**filters.as_params(), **{k: v for k, v in extra.items() if v not in (None, "")}}
        return base + ("?" + urlencode(params) if params else "")

    # -- HTML pages ------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, filters: FiltersDep, offset: Offset = 0) -> HTMLResponse:
        result = queries.search_articles(store(), filters, PAGE_SIZE, offset)
        return page(request, "search.html", filters=filters, result=result, link=link,
                    stats=cache.get("stats", lambda: queries.stats(store())))

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, filters: FiltersDep, sort: str = "day", desc: bool = True,
                    offset: Offset = 0) -> HTMLResponse:
        result = queries.list_events(store(), filters, sort, desc, PAGE_SIZE, offset)
        return page(request, "events.html", filters=filters, result=result, link=link)

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: str) -> HTMLResponse:
        detail = queries.event_detail(store(), event_id)
        if detail is None:
            return page(request, "missing.html", status=404, what=event_id)
        return page(request, "event.html", detail=detail)

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, filters: FiltersDep) -> HTMLResponse:
        points = queries.map_points(store(), filters, limit=200)
        chart = timeline_chart(queries.timeline(store(), filters))
        return page(request, "map.html", filters=filters, points=points, chart=chart, link=link,
                    map_api=link("/api/map", filters), tiles=tiles or "", tiles_attribution=tiles_attribution)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        record = queries.article_view(store(), article_id)
        if record is None:
            return page(request, "missing.html", status=404, what=article_id)
        return page(request, "article.html", a=record, paragraphs=article_segments(record))

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, offset: Offset = 0, min_articles: int = 2) -> HTMLResponse:
        result = queries.list_stories(store(), PAGE_SIZE, offset, min_articles)
        return page(request, "stories.html", result=result, min_articles=min_articles)

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(request: Request, kind: str | None = None, country: str | None = None, q: str | None = None,
                      offset: Offset = 0) -> HTMLResponse:
        result = queries.list_entities(store(), kind or None, country or None, q or None, PAGE_SIZE, offset)
        return page(request, "entities.html", result=result, kind=kind or "", country=country or "", q=q or "")

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        routes = [(path, method.upper(), op.get("summary", ""), [p["name"] for p in op.get("parameters", [])])
                  for path, ops in app.openapi()["paths"].items() for method, op in ops.items()]
        return page(request, "api.html", routes=routes)

    # -- JSON API --------------------------------------------------------------------------------------------
    @app.get("/api/articles", summary="Search or list articles (newest first without a query)", tags=["articles"])
    def api_articles(filters: FiltersDep, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return queries.search_articles(store(), filters, limit, offset)

    @app.get("/api/search", summary="Full-text search over articles, best match first", tags=["articles"])
    def api_search(filters: FiltersDep, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return queries.search_articles(store(), filters, limit, offset)

    @app.get("/api/articles/{article_id}", summary="One article with all its annotations", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        return found(queries.article_view(store(), article_id), "article", article_id)

    @app.get("/api/events", summary="Coded events, filtered, sorted and paginated", tags=["events"])
    def api_events(filters: FiltersDep, sort: EventSort = "day",
                   desc: bool = True, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        return queries.list_events(store(), filters, sort, desc, limit, offset)

    @app.get("/api/events/{event_id}", summary="One event, its record and every mention in context",
             tags=["events"])
    def api_event(event_id: str) -> dict[str, Any]:
        return found(queries.event_detail(store(), event_id), "event", event_id)

    @app.get("/api/event-records", summary="Event records: one happening merged across articles",
             tags=["events"])
    def api_records(filters: FiltersDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        return queries.list_records(store(), filters, limit, offset)

    @app.get("/api/timeline", summary="Events per day by type", tags=["events"])
    def api_timeline(filters: FiltersDep) -> dict[str, Any]:
        return queries.timeline(store(), filters)

    @app.get("/api/map", summary="Event locations with counts", tags=["events"])
    def api_map(filters: FiltersDep, limit: Annotated[int, Query(ge=1, le=10000)] = 2000) -> list[dict[str, Any]]:
        return queries.map_points(store(), filters, limit)

    @app.get("/api/stories", summary="Stories: near-duplicate articles across outlets", tags=["stories"])
    def api_stories(limit: Limit = 50, offset: Offset = 0, min_articles: int = 1) -> dict[str, Any]:
        return queries.list_stories(store(), limit, offset, min_articles)

    @app.get("/api/stories/{story_id}", summary="One story with its articles", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        return found(queries.story(store(), story_id), "story", story_id)

    @app.get("/api/entities", summary="People, organisations, places with article and mention counts",
             tags=["entities"])
    def api_entities(kind: Annotated[str | None, Query(description="PER, ORG, GPE, NORP, LOC...")] = None,
                     country: str | None = None, q: str | None = None, limit: Limit = 50,
                     offset: Offset = 0) -> dict[str, Any]:
        return queries.list_entities(store(), kind, country, q, limit, offset)

    @app.get("/api/stats", summary="Counts at a glance", tags=["stats"])
    def api_stats() -> dict[str, Any]:
        return queries.stats(store())

    @app.get("/api/export/{table}", summary="Export a table (JSONL, CSV or Parquet); filters narrow event tables",
             tags=["export"])
    def api_export(table: str, filters: FiltersDep,
                   format: ExportFormat = "jsonl"):
        from khabar.store.export import EVENT_TABLES, TABLES, export, write_text
        from khabar.store.export import _rows as export_rows

        if table not in TABLES:
            raise HTTPException(404, f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
        if format not in ("jsonl", "csv", "parquet"):
            raise HTTPException(422, "format must be jsonl, csv or parquet")
        use = filters if table in EVENT_TABLES and filters.as_params() else None
        name = f"khabar-{table}.{'tsv' if table == 'gdelt' and format == 'csv' else format}"
        if format == "parquet":
            tmp = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False)
            tmp.close()
            export(store(), "parquet", table, tmp.name, filters=use)
            return FileResponse(tmp.name, filename=name, media_type="application/vnd.apache.parquet",
                                background=BackgroundTask(Path(tmp.name).unlink, missing_ok=True))

        def stream():
            buffer, batch, header = io.StringIO(), [], table != "gdelt"
            for row in export_rows(pool.get(), table, use):
                batch.append(row)
                if len(batch) >= 500:
                    write_text(batch, format, table, buffer, header)
                    header, batch = False, []
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            write_text(batch, format, table, buffer, header)
            yield buffer.getvalue()

        media = "application/x-ndjson" if format == "jsonl" else "text/csv"
        return StreamingResponse(stream(), media_type=media + "; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- writes (only with --allow-writes) -------------------------------------------------------------------
    def require_writable() -> None:
        if not writable:
            raise HTTPException(403, "this server is read-only; start it with `khabar serve --allow-writes`")

    @app.post("/api/articles", summary="Process one page (HTML or text) and store it (--allow-writes only)",
              tags=["writes"], status_code=201)
    def api_ingest(page_: Annotated[dict[str, Any], Body(
            alias="page", examples=[{"html": "<html>...</html>", "url": "https://example.org/a"}],
            embed=False)]) -> dict[str, Any]:
        require_writable()
        from khabar.document import Document
        from khabar.engine import process_documents

        body = page_.get("html") if page_.get("html") is not None else page_.get("text")
        if not isinstance(body, str) or not body.strip():
            raise HTTPException(422, "give the page as 'html' or 'text' (a non-empty string)")
        kind = "html" if page_.get("html") is not None else "text"
        url = page_.get("url") if isinstance(page_.get("url"), str) else None
        doc = Document(locator=url or f"api:{int(time.time() * 1000)}", raw=body.encode("utf-8"), kind=kind,
                       url=url, content_type="text/html; charset=utf-8" if kind == "html" else "text/plain")
        doc = next(iter(process_documents([doc])))
        s = store()
        status = s.save(doc)
        s.commit()
        if status != "ok":
            reason = doc.error.reason if doc.error else doc.skipped
            detail = doc.error.detail if doc.error else ""
            return JSONResponse({"status": status, "reason": reason, "detail": detail}, status_code=422)
        cache.values.clear()
        return {"status": status, "article": queries.article_view(s, doc.id)}

    @app.post("/api/stories/rebuild", summary="Recompute stories and event records (--allow-writes only)",
              tags=["writes"])
    def api_rebuild() -> dict[str, Any]:
        require_writable()
        result = store().rebuild_stories()
        cache.values.clear()
        return result

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"ok": True, "read_only": not writable}

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            detail = getattr(exc, "detail", "not found")
            return JSONResponse({"detail": detail}, status_code=404)
        return page(request, "missing.html", status=404, what=request.url.path)

    return app
