"""The local engine: inputs -> steps -> store, with resumable, batched commits and run statistics."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from khabar.document import Document
from khabar.extract.article import Extract
from khabar.extract.boilerplate import BoilerplateRules
from khabar.extract.decode import Decode
from khabar.extract.language import DetectLanguage
from khabar.pipeline import Pipeline
from khabar.sources.fetch import Fetch, Fetcher
from khabar.store.db import Store


@dataclass
class RunOptions:
    """How a run processes its inputs."""

    max_bytes: int = 10 * 1024 * 1024
    encoding: str | None = None
    boilerplate_dir: str | None = None
    force: bool = False
    annotate: bool = True
    lexicons: list[str] = field(default_factory=list)
    verbs: list[str] = field(default_factory=list)
    ner_model: str | None = None
    commit_every: int = 200
    commit_seconds: float = 5.0


@dataclass
class RunSummary:
    """What a run did, for the summary table and ``--json``."""

    inputs: int = 0
    articles: int = 0
    failed: int = 0
    skipped: int = 0
    already_done: int = 0
    seconds: float = 0.0
    failures_by_reason: Counter = field(default_factory=Counter)
    skipped_by_reason: Counter = field(default_factory=Counter)
    non_arabic: int = 0

    def count(self, doc: Document, status: str) -> None:
        """Tally one stored document under its status (ok, failed, skipped)."""
        self.inputs += 1
        if status == "ok":
            self.articles += 1
            self.non_arabic += doc.language != "ar"
        elif status == "failed":
            self.failed += 1
            self.failures_by_reason[doc.error.reason] += 1
        else:
            self.skipped += 1
            self.skipped_by_reason[doc.skipped] += 1

    @property
    def pages_per_second(self) -> float:
        """Processed inputs per second of wall time."""
        return self.inputs / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        """A JSON-ready view."""
        return {
            "inputs": self.inputs, "articles": self.articles, "failed": self.failed,
            "skipped": self.skipped, "already_done": self.already_done,
            "non_arabic": self.non_arabic, "seconds": round(self.seconds, 3),
            "pages_per_second": round(self.pages_per_second, 2),
            "failures_by_reason": dict(self.failures_by_reason.most_common()),
            "skipped_by_reason": dict(self.skipped_by_reason.most_common()),
        }


def build_pipeline(options: RunOptions, fetcher: Fetcher | None = None) -> Pipeline:
    """The article pipeline: fetch (URLs) -> decode -> extract -> language -> annotate (Arabic only)."""
    rules = BoilerplateRules.load(options.boilerplate_dir)
    steps = []
    if fetcher is not None:
        steps.append(Fetch(fetcher))
    steps += [Decode(max_bytes=options.max_bytes, encoding=options.encoding), Extract(rules), DetectLanguage()]
    if options.annotate:
        from khabar.entities.step import Annotate

        steps.append(Annotate(options.lexicons, options.ner_model, options.verbs))
    return Pipeline(steps)


def process_documents(docs: Iterable[Document], options: RunOptions | None = None,
                      fetcher: Fetcher | None = None) -> Iterator[Document]:
    """Run the article pipeline over documents without a store (``khabar extract``, tests, engines)."""
    yield from build_pipeline(options or RunOptions(), fetcher)(docs)


def run_local(inputs: Iterable[Document], store: Store, options: RunOptions, fetcher: Fetcher | None = None,
              on_document: Callable[[Document, str], None] | None = None, command: str = "run") -> RunSummary:
    """Process every input into the store; inputs already stored unchanged are skipped (resume)."""
    summary = RunSummary()
    pipeline = build_pipeline(options, fetcher)
    run_id = store.start_run(command)
    started = time.perf_counter()

    def pending() -> Iterator[Document]:
        for doc in inputs:
            if not options.force and doc.error is None and store.is_done(doc):
                summary.already_done += 1
                if on_document:
                    on_document(doc, "done")
                continue
            yield doc

    since_commit, last_commit = 0, time.monotonic()
    try:
        for doc in pipeline(pending()):
            status = store.save(doc, run_id)
            summary.count(doc, status)
            since_commit += 1
            if since_commit >= options.commit_every or time.monotonic() - last_commit > options.commit_seconds:
                store.commit()
                since_commit, last_commit = 0, time.monotonic()
            if on_document:
                on_document(doc, status)
    finally:
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.inputs, summary.articles, summary.failed, summary.skipped)
    return summary
