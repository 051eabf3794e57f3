"""``khabar eval``: measure each NLP stage against a gold file (precision/recall/F1, accuracy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from khabar.engine import RunOptions, build_pipeline

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
EXIT_OK, EXIT_BELOW_FLOOR = 0, 1
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
LexiconOption = Annotated[list[str] | None, typer.Option("--lexicon", help="Extra lexicon TSV; repeatable.")]

eval_app = typer.Typer(help="Measure quality against gold files (precision/recall/F1).", no_args_is_help=True)



@eval_app.command("extract")
def eval_extract(
    gold: Annotated[str, typer.Argument(help="Gold JSON Lines: {input, title, published, paragraphs, without}.")],
    as_json: JsonOption = False,
    min_f1: Annotated[float, typer.Option(help="Exit 1 when overall F1 is below this floor.")] = 0.0,
) -> None:
    """Token-level P/R/F1 of the main-text extractor, title and date accuracy, leaked furniture."""
    from khabar.document import Document
    from khabar.evaluation import load_gold, score_extraction
    from khabar.sources import Inputs

    records = load_gold(gold)
    present = [r for r in records if Path(r["input"]).exists()]
    for r in records:
        if r not in present:
            err.print(f"[yellow]skipping[/] {r['input']}: file not found (run from the repository root)")
    extracted: dict[str, dict] = {}
    pipeline = build_pipeline(RunOptions(annotate=False))  # built once; extraction needs no language stage
    for rec in present:
        docs = list(pipeline(Inputs([rec["input"]])))
        first = next((d for d in docs if not d.skipped), Document(rec["input"]))
        extracted[rec["input"]] = first.record()
    report = score_extraction(present, extracted)
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        table = Table(title=f"extraction vs {gold}")
        for col in ("input", "P", "R", "F1", "title", "date", "leaked"):
            table.add_column(col)
        for row in report.rows:
            table.add_row(row["input"], f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                          "ok" if row["title_ok"] else "[red]no", "ok" if row["date_ok"] else "[red]no",
                          ", ".join(row["leaked"]) or "-")
        t = report.total
        table.add_row("[bold]overall (micro)", f"{t.precision:.3f}", f"{t.recall:.3f}", f"[bold]{t.f1:.3f}",
                      f"{report.title_accuracy:.2f}", f"{report.date_accuracy:.2f}", "")
        out.print(table)
    raise typer.Exit(EXIT_BELOW_FLOOR if report.total.f1 < min_f1 else EXIT_OK)


def _annotate_gold(gold: str, lexicon: list[str] | None) -> tuple[list[dict], list[tuple[list, list]]]:
    """The gold records and, for each, the annotator's ``(entities, places)``."""
    from khabar.entities.annotate import EntityAnnotator
    from khabar.entities.lexicon import Lexicon
    from khabar.evaluation import load_ner_gold

    records = load_ner_gold(gold)
    annotator = EntityAnnotator(Lexicon(lexicon or []))
    return records, [annotator.annotate(r["text"]) for r in records]


@eval_app.command("ner")
def eval_ner(
    gold: Annotated[str, typer.Argument(help="Gold: JSON Lines {text, entities:[{start,end,type}]} or CoNLL/BIO.")],
    as_json: JsonOption = False,
    lexicon: LexiconOption = None,
    min_f1: Annotated[float, typer.Option(help="Exit 1 when overall F1 is below this floor.")] = 0.0,
    errors: Annotated[int, typer.Option(help="Show this many misses and spurious entities.")] = 20,
) -> None:
    """Entity precision/recall/F1 per type (exact span and type) on a gold file."""
    from khabar.evaluation import score_entities

    records, predicted = _annotate_gold(gold, lexicon)
    report = score_entities(records, [entities for entities, _ in predicted])
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        table = Table(title=f"entities vs {gold} ({len(records)} sentences)")
        for col in ("type", "gold", "predicted", "P", "R", "F1"):
            table.add_column(col, justify="right")
        for kind, prf in [*report.by_type.items(), ("overall", report.total)]:
            table.add_row(kind, f"{prf.gold:.0f}", f"{prf.predicted:.0f}", f"{prf.precision:.3f}",
                          f"{prf.recall:.3f}", f"{prf.f1:.3f}")
        out.print(table)
        for e in report.errors[:errors]:
            what = "missed" if "missed" in e else "spurious"
            out.print(f"  {what} {e['type']}: {e.get('missed') or e.get('spurious')}  ← {e['sentence'][:90]}",
                      markup=False)
    raise typer.Exit(EXIT_BELOW_FLOOR if report.total.f1 < min_f1 else EXIT_OK)


@eval_app.command("places")
def eval_places(
    gold: Annotated[str, typer.Argument(help="Gold JSON Lines whose GPE/LOC entities carry an 'id'.")],
    as_json: JsonOption = False,
    lexicon: LexiconOption = None,
    min_accuracy: Annotated[float, typer.Option(help="Exit 1 below this accuracy.")] = 0.0,
) -> None:
    """Place resolution accuracy: gold places found with the right GeoNames/khabar id."""
    from khabar.evaluation import score_places

    records, predicted = _annotate_gold(gold, lexicon)
    result = score_places(records, [places for _, places in predicted])
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
    else:
        out.print(f"places {result['places']}  found {result['found']}  correct {result['correct']}  "
                  f"accuracy {result['accuracy']:.3f}  (of found: {result['resolution_accuracy_of_found']:.3f})")
        for e in result["errors"][:20]:
            out.print(f"  {e['place']}: gold {e['gold']}, got {e['got']}", markup=False)
    raise typer.Exit(EXIT_BELOW_FLOOR if result["accuracy"] < min_accuracy else EXIT_OK)


@eval_app.command("dates")
def eval_dates(
    gold: Annotated[str, typer.Argument(help="Gold JSON Lines {published, text, dates:[{start,end,value}]}.")],
    as_json: JsonOption = False,
    min_accuracy: Annotated[float, typer.Option(help="Exit 1 below this accuracy.")] = 0.0,
) -> None:
    """Date resolution accuracy: each gold date expression found with the same ISO value or interval."""
    from khabar.arabic.date_resolution import DateResolver
    from khabar.evaluation import score_dates

    records = [json.loads(line) for line in Path(gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    resolver = DateResolver()
    result = score_dates(records, [resolver.find(r["text"], r.get("published")) for r in records])
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
    else:
        out.print(f"dates {result['dates']}  correct {result['correct']}  accuracy {result['accuracy']:.3f}")
        for e in result["errors"][:20]:
            out.print(f"  {e['date']}: gold {e['gold']}, got {e['got']}", markup=False)
    raise typer.Exit(EXIT_BELOW_FLOOR if result["accuracy"] < min_accuracy else EXIT_OK)


@eval_app.command("events")
def eval_events(
    gold: Annotated[str, typer.Argument(help="Gold JSON Lines {text, events:[{type, source, target, location}]}.")],
    as_json: JsonOption = False,
    lexicon: LexiconOption = None,
    verbs: Annotated[list[str] | None, typer.Option("--verbs", help="Extra event-pattern TSV; repeatable.")] = None,
    errors: Annotated[int, typer.Option(help="Show this many sentences with differences.")] = 15,
    min_precision: Annotated[float, typer.Option(help="Exit 1 when type+countries precision is below.")] = 0.0,
) -> None:
    """Event precision/recall at three levels: type; type + source/target country; type + actors + location."""
    from khabar.entities.step import Annotate
    from khabar.document import Document
    from khabar.evaluation import score_events

    records = [json.loads(line) for line in Path(gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    step = Annotate(lexicon or [], verb_files=verbs or [])
    predicted = []
    for rec in records:
        doc = Document("gold", text=rec["text"], language="ar", published=rec.get("published"))
        step.process(doc)
        predicted.append(doc.events)
    result = score_events(records, predicted)
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
    else:
        table = Table(title=f"events vs {gold} ({len(records)} sentences)")
        for col in ("level", "gold", "predicted", "P", "R", "F1"):
            table.add_column(col, justify="right")
        for level, r in result["levels"].items():
            table.add_row(level, f"{r['gold']:.0f}", f"{r['predicted']:.0f}", f"{r['precision']:.3f}",
                          f"{r['recall']:.3f}", f"{r['f1']:.3f}")
        out.print(table)
        for e in result["errors"][:errors]:
            out.print(f"  {e['sentence'][:80]}\n     missed {e['missed']}\n     spurious {e['spurious']}", markup=False)
    level = result["levels"]["type+countries"]
    raise typer.Exit(EXIT_BELOW_FLOOR if level["precision"] < min_precision else EXIT_OK)
