"""The ``khabar`` command line: run, extract, search, show, export, info."""

from __future__ import annotations

import itertools
import json
import logging
import os
import sys
from dataclasses import asdict
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from khabar import __version__
from khabar.engine import RunOptions, RunSummary, process_documents, run_local
from khabar.entities.model import ModelUnavailable
from khabar.sources import Inputs, SourceOptions
from khabar.sources.fetch import FetchOptions, Fetcher
from khabar.store.db import DEFAULT_DB, Store, StoreError

app = typer.Typer(
    help="khabar: Arabic news pages to clean articles and a searchable event dataset.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE = 0, 1, 2

DbOption = Annotated[str, typer.Option("--db", envvar="KHABAR_DB", help="SQLite store file (created on first use).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"khabar {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _open_store(db: str) -> Store:
    try:
        return Store(db)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _fetcher(no_fetch: bool, delay: float, timeout: float, retries: int, ignore_robots: bool,
             max_bytes: int) -> Fetcher | None:
    if no_fetch:
        return None
    return Fetcher(FetchOptions(delay=delay, timeout=timeout, retries=retries,
                                respect_robots=not ignore_robots, max_bytes=max_bytes))


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="HTML/text files, folders, globs, .warc(.gz), .jsonl, "
                                                     "feeds, URLs, URL lists, or '-' for stdin.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    max_bytes: Annotated[int, typer.Option(help="Largest page accepted, in bytes.")] = 10 * 1024 * 1024,
    encoding: Annotated[Optional[str], typer.Option(help="Force this charset instead of detecting it.")] = None,
    boilerplate: Annotated[Optional[str], typer.Option(help="Folder of extra rule files (drop.txt, cut.txt, related.txt, prune.xpath).")] = None,
    force: Annotated[bool, typer.Option(help="Reprocess inputs already in the store.")] = False,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Never fetch URLs (record them as failures).")] = False,
    delay: Annotated[float, typer.Option(help="Seconds between two requests to one host.")] = 1.0,
    timeout: Annotated[float, typer.Option(help="HTTP timeout per request, seconds.")] = 20.0,
    retries: Annotated[int, typer.Option(help="HTTP retries on timeouts and 429/5xx.")] = 3,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots", help="Do not obey robots.txt.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary table.")] = False,
    lexicon: Annotated[Optional[list[str]], typer.Option(help="Extra lexicon TSV (TYPE, id, English name, "
                                                              "Arabic names|…); repeatable.")] = None,
    ner_model: Annotated[Optional[str], typer.Option(help="Local Hugging Face token-classification model "
                                                          "folder, merged with the lexicon engine.")] = None,
    no_annotate: Annotated[bool, typer.Option("--no-annotate", help="Extract and store only.")] = False,
    commit_every: Annotated[int, typer.Option(help="Commit after this many inputs (a crash loses at most these).")] = 200,
    engine: Annotated[str, typer.Option(help="local (one process) or ray (Ray Data over file shards).")] = "local",
    address: Annotated[Optional[str], typer.Option(help="Ray cluster address (default: start a local Ray).")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Ray workers (default 2).")] = None,
    parts: Annotated[Optional[str], typer.Option(help="Folder for the Ray engine's Parquet partitions "
                                                      "(default: <db>.parts).")] = None,
    verbs: Annotated[Optional[list[str]], typer.Option(help="Extra event-pattern TSV (TYPE, CAMEO, mode, "
                                                            "pattern); repeatable.")] = None,
) -> None:
    """Ingest inputs into the store: every input ends as an article or a recorded failure.

    Exit status: 0 when every input was stored or deliberately skipped, 1 when any input failed.
    """
    if engine not in ("local", "ray"):
        err.print(f"[red]error:[/] unknown engine {engine!r}; use local or ray")
        raise typer.Exit(EXIT_USAGE)
    if engine == "ray":
        _run_ray(inputs, db, parts or f"{db}.parts", address, workers, as_json, quiet,
                 RunOptions(max_bytes=max_bytes, encoding=encoding, boilerplate_dir=boilerplate,
                            annotate=not no_annotate, lexicons=lexicon or [], verbs=verbs or []))
        return
    store = _open_store(db)
    fetcher = _fetcher(no_fetch, delay, timeout, retries, ignore_robots, max_bytes)
    source = Inputs(inputs, fetcher=fetcher, options=SourceOptions(max_bytes=max_bytes))
    options = RunOptions(max_bytes=max_bytes, encoding=encoding, boilerplate_dir=boilerplate, force=force,
                         annotate=not no_annotate, lexicons=lexicon or [], ner_model=ner_model, verbs=verbs or [],
                         commit_every=max(1, commit_every))
    _check_model_options(options)
    show_progress = not quiet and not as_json
    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                        console=err, disable=not show_progress, transient=False)
    try:
        with progress:
            task = progress.add_task("khabar run", total=None, status="")

            def tick(doc, status: str) -> None:
                label = {"ok": "[green]article", "failed": "[red]failed", "skipped": "[yellow]skipped",
                         "done": "[dim]already stored"}[status]
                progress.update(task, advance=1, status=f"{label}[/] {doc.locator[-50:]}")

            summary = run_local(source, store, options, fetcher, on_document=tick,
                                command=" ".join(["khabar", "run", *inputs]))
    except ModelUnavailable as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: everything committed so far is kept; run the same command to resume.")
        raise typer.Exit(130) from None
    finally:
        store.close()
        if fetcher:
            fetcher.close()
    if as_json:
        out.print_json(json.dumps({"db": db, **summary.as_dict()}, ensure_ascii=False))
    elif not quiet:
        _print_summary(summary, db)
    raise typer.Exit(EXIT_FAILED_INPUTS if summary.failed else EXIT_OK)


def _run_ray(inputs: list[str], db: str, parts: str, address: str | None, workers: int | None, as_json: bool,
             quiet: bool, options: RunOptions) -> None:
    """``khabar run --engine ray``: shards on Ray, Parquet partitions, then merged into the store."""
    from khabar.ray_engine import RayUnavailable, load_partitions, run_ray

    try:
        if not quiet and not as_json:
            err.print(f"khabar: processing on Ray ({address or 'local'}), partitions in {parts} …")
        result = run_ray(inputs, parts, options, address=address, workers=workers)
    except (RayUnavailable, ValueError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    store = _open_store(db)
    try:
        summary = load_partitions(result.out_dir, store)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps({"db": db, "engine": "ray", "shards": result.shards, "parts": result.out_dir,
                                   **summary.as_dict()}, ensure_ascii=False))
    elif not quiet:
        _print_summary(summary, db)
    raise typer.Exit(EXIT_FAILED_INPUTS if summary.failed else EXIT_OK)


@app.command()
def load(
    parts: Annotated[str, typer.Argument(help="Folder of Parquet partitions written by `khabar run --engine ray`.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Merge Parquet partitions (from a Ray run, here or on a cluster) into the store; safe to repeat."""
    from khabar.ray_engine import load_partitions

    if not os.path.isdir(parts):
        err.print(f"[red]error:[/] {parts!r} is not a folder of Parquet partitions")
        raise typer.Exit(EXIT_USAGE)
    store = _open_store(db)
    try:
        summary = load_partitions(parts, store)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps({"db": db, **summary.as_dict()}, ensure_ascii=False))
    else:
        _print_summary(summary, db)
    raise typer.Exit(EXIT_FAILED_INPUTS if summary.failed else EXIT_OK)


def _check_model_options(options: RunOptions) -> None:
    """Fail early, in the user's words, on lexicon files or a model folder that cannot be used."""
    for flag, paths in (("--lexicon", options.lexicons), ("--verbs", options.verbs)):
        for path in paths:
            if not os.path.isfile(path):
                err.print(f"[red]error:[/] {flag} file {path!r} not found; pass a TSV file")
                raise typer.Exit(EXIT_USAGE)
    if options.ner_model and not os.path.isdir(options.ner_model):
        err.print(f"[red]error:[/] --ner-model {options.ner_model!r} is not a folder; give the local folder of a "
                  "Hugging Face token-classification model (config.json, weights, tokenizer)")
        raise typer.Exit(EXIT_USAGE)


def _print_summary(summary: RunSummary, db: str) -> None:
    table = Table(title=f"khabar run → {db}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("inputs processed", str(summary.inputs))
    table.add_row("articles stored", f"[green]{summary.articles}")
    if summary.non_arabic:
        table.add_row("  of which not Arabic", str(summary.non_arabic))
    table.add_row("already stored (skipped)", str(summary.already_done))
    table.add_row("skipped (not pages)", str(summary.skipped))
    table.add_row("failures", f"[red]{summary.failed}" if summary.failed else "0")
    for reason, n in summary.failures_by_reason.most_common(10):
        table.add_row(f"  {reason}", str(n))
    table.add_row("pages/s", f"{summary.pages_per_second:.1f}")
    err.print(table)
    if summary.failed:
        err.print(f"See every failure with: khabar export --table failures --format csv --db {db}")


@app.command()
def extract(
    file: Annotated[str, typer.Argument(help="A page, text file, .warc, .jsonl, feed, URL, or '-' for stdin.")],
    as_json: JsonOption = False,
    url: Annotated[Optional[str], typer.Option(help="The page's URL, when extracting a local file.")] = None,
    max_bytes: Annotated[int, typer.Option(help="Largest page accepted, in bytes.")] = 10 * 1024 * 1024,
    encoding: Annotated[Optional[str], typer.Option(help="Force this charset.")] = None,
    lexicon: Annotated[Optional[list[str]], typer.Option(help="Extra lexicon TSV; repeatable.")] = None,
    ner_model: Annotated[Optional[str], typer.Option(help="Local token-classification model folder.")] = None,
    verbs: Annotated[Optional[list[str]], typer.Option(help="Extra event-pattern TSV; repeatable.")] = None,
) -> None:
    """Extract articles from one input without a store and print them (one JSON object per article)."""
    fetcher = Fetcher(FetchOptions(delay=0.0))
    source = Inputs([file], fetcher=fetcher, options=SourceOptions(max_bytes=max_bytes))
    failed = 0

    def with_url(docs):
        for d in docs:
            if url and not d.url:
                d.url = url
            yield d

    options = RunOptions(max_bytes=max_bytes, encoding=encoding, lexicons=lexicon or [], ner_model=ner_model,
                         verbs=verbs or [])
    _check_model_options(options)
    docs = process_documents(with_url(source), options, fetcher)  # streamed: a WARC may hold millions
    try:
        first = next(docs, None)  # builds the pipeline: a model that cannot load fails here, before any output
    except ModelUnavailable as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    docs = itertools.chain([first] if first is not None else [], docs)
    for doc in docs:
        if doc.skipped:
            continue
        failed += doc.error is not None
        if as_json:
            sys.stdout.write(json.dumps(doc.record(), ensure_ascii=False) + "\n")
        elif doc.error:
            err.print(f"[red]{doc.locator}[/]: {doc.error.reason}" + (f" ({doc.error.detail})" if doc.error.detail else ""))
        else:
            out.print(f"[bold]{doc.title or '(no title)'}[/]  {doc.published or ''}  {doc.source or ''}")
            out.print(doc.text, markup=False)
            out.print()
    fetcher.close()
    raise typer.Exit(EXIT_FAILED_INPUTS if failed else EXIT_OK)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find (spelling variants and diacritics ignored; word* for a prefix).")],
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Results to show.")] = 20,
    offset: Annotated[int, typer.Option(help="Results to skip (pagination).")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over stored articles, Arabic-normalised."""
    store = _open_store(db)
    hits = store.search(query, limit=limit, offset=offset)
    store.close()
    if as_json:
        out.print_json(json.dumps([asdict(h) for h in hits], ensure_ascii=False))
        return
    if not hits:
        err.print(f"no article matches {query!r}")
        raise typer.Exit(EXIT_FAILED_INPUTS)
    for hit in hits:
        out.print(f"[bold cyan]{hit.id}[/]  [bold]{hit.title or '(no title)'}[/]  {hit.published or ''}  {hit.source or ''}",
                  highlight=False)
        out.print(f"  {hit.snippet}", markup=False, highlight=False)


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Show one stored article."""
    store = _open_store(db)
    record = store.article(article_id)
    store.close()
    if record is None:
        err.print(f"[red]error:[/] no single article with id {article_id!r} in {db}; find ids with `khabar search`")
        raise typer.Exit(EXIT_FAILED_INPUTS)
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"[bold]{record['title'] or '(no title)'}[/]", highlight=False)
    out.print(f"id {record['id']} · {record['source'] or '?'} · {record['published'] or 'date unknown'} · "
              f"{record['language']} · {record['url'] or record['locator']}", markup=False, highlight=False)
    out.print()
    out.print(record["text"], markup=False, highlight=False)


@app.command()
def stories(
    db: DbOption = DEFAULT_DB,
    threshold: Annotated[Optional[float], typer.Option(help="Jaccard similarity for one story (default 0.5).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Group near-duplicate articles into stories and merge events across articles into event records."""
    store = _open_store(db)
    try:
        counts = store.rebuild_stories(threshold)
        top = list(itertools.islice(store.iter_table("stories"), 10))
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(counts, ensure_ascii=False))
        return
    table = Table(title=f"stories and event records in {db}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), str(value))
    out.print(table)
    for story in top:
        if story["n_articles"] > 1:
            out.print(f"  {story['n_articles']} articles, {story['n_sources']} sources: {story['title']}", markup=False)


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or parquet.")] = "jsonl",
    table: Annotated[str, typer.Option("--table", help=(
        "articles, inputs, failures, stories, event_records, events (one row per coded event), gdelt (GDELT 2.0 "
        "event columns; CSV is tab-separated without header, as GDELT's) or acled (ACLED-like table). Stories "
        "and event records come from `khabar stories`."))] = "articles",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Output file (stdout when omitted).")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Event tables: events on or after this day.")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Event tables: events on or before this day.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Event tables: one outlet.")] = None,
    country: Annotated[Optional[str], typer.Option("--country", help="Event tables: ISO country code.")] = None,
    event_type: Annotated[Optional[str], typer.Option("--type", help="Event tables: PLOVER type.")] = None,
    actor: Annotated[Optional[str], typer.Option("--actor", help="Event tables: actor code prefix or id.")] = None,
    header: Annotated[Optional[bool], typer.Option("--header/--no-header", help="CSV header line.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export stored articles, inputs, failures, stories, events and event records, or GDELT/ACLED-style tables."""
    from khabar.store.export import EVENT_TABLES, export
    from khabar.store.queries import Filters

    values = {"date_from": date_from, "date_to": date_to, "source": source, "country": country,
              "event_type": event_type, "actor": actor}
    filters = None
    if any(values.values()):
        if table not in EVENT_TABLES:
            err.print(f"[red]error:[/] --from/--to/--source/--country/--type/--actor filter the event tables "
                      f"({', '.join(EVENT_TABLES)}), not {table}")
            raise typer.Exit(EXIT_USAGE)
        filters = Filters.from_mapping({**values, "include_unasserted": table == "events"})
    store = _open_store(db)
    try:
        n = export(store, fmt, table, output, filters=filters, header=header)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        store.close()
    if output and output != "-":
        err.print(f"wrote {n} {table} rows to {output}")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to bind; the default keeps the server on this machine.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_writes: Annotated[bool, typer.Option("--allow-writes", help=(
        "Open the store for writing: enables POST /api/articles (process a page) and POST /api/stories/rebuild. "
        "Without it the server opens the database read-only."))] = False,
    tiles: Annotated[Optional[str], typer.Option(help=(
        "Map tile URL template, e.g. https://tile.example.org/{z}/{x}/{y}.png (none by default: the map then "
        "shows markers on a plain background)."))] = None,
    tiles_attribution: Annotated[str, typer.Option(help="Attribution text shown for the tiles.")] = "",
    workers: Annotated[int, typer.Option(help="Server threads answering requests.")] = 8,
) -> None:
    """Serve the web UI (right-to-left Arabic, English toggle) and the JSON API (OpenAPI at /openapi.json)."""
    import uvicorn

    from khabar.web import create_app

    if not os.path.exists(db):
        err.print(f"[red]error:[/] no store at {db}; create one with `khabar run INPUT... --db {db}`")
        raise typer.Exit(EXIT_USAGE)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/] binding {host}: the UI and API are reachable from other machines")
    try:
        app_ = create_app(db, writable=allow_writes, tiles=tiles, tiles_attribution=tiles_attribution,
                          threads=workers)
    except StoreError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    err.print(f"khabar serving {db} on http://{host}:{port}/ ({'read-write' if allow_writes else 'read-only'})")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command()
def info(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """What the store holds: articles, sources, inputs by status, failures by reason."""
    if not os.path.exists(db):
        err.print(f"[red]error:[/] no store at {db}; create one with `khabar run INPUT... --db {db}`")
        raise typer.Exit(EXIT_USAGE)
    store = _open_store(db)
    data = store.info()
    store.close()
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title=f"khabar store {db}")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("schema version", str(data["schema_version"]))
    table.add_row("articles", str(data["articles"]))
    table.add_row("sources", str(data["sources"]))
    for status, n in sorted(data["inputs"].items()):
        table.add_row(f"inputs {status}", str(n))
    for lang, n in data["languages"].items():
        table.add_row(f"language {lang}", str(n))
    lo, hi = data["published_range"]
    table.add_row("published", f"{lo or '?'} … {hi or '?'}")
    for reason, n in data["failures_by_reason"].items():
        table.add_row(f"failure: {reason}", str(n))
    out.print(table)


from khabar.cli_eval import eval_app  # noqa: E402 - the eval commands live in their own module

app.add_typer(eval_app, name="eval")


def main() -> None:
    """Entry point of the ``khabar`` console script."""
    app()
