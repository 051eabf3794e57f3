"""Composing steps over a stream of documents, and the local (single-process) engine."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from khabar.document import Document

log = logging.getLogger(__name__)


class StepTimeout(Exception):
    """A step spent longer than its time limit on one document."""


class StepFailure(Exception):
    """A step's expected, user-explainable failure for one document (reason is shown as is)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise StepTimeout in the block after ``seconds`` (main thread on POSIX only; else no limit)."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _expired(signum, frame):  # noqa: ARG001 - signal handler signature
        raise StepTimeout(f"took longer than {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class StepStats:
    """What one step did: documents seen, seconds spent, failures by reason."""

    seen: int = 0
    seconds: float = 0.0
    failures: Counter = field(default_factory=Counter)


class Step:
    """A pipeline step: ``process`` one document; the base class owns the loop, timing and counters.

    A step never drops a document. An exception inside ``process`` becomes ``doc.error`` (unless
    ``raise_errors`` is set, for tests and debugging) and the document goes on to the store.
    Documents already failed or skipped pass through untouched.
    """

    name = "step"
    time_limit_s: float | None = 60.0
    raise_errors = False

    def __init__(self) -> None:
        self.stats = StepStats()

    def process(self, doc: Document) -> None:
        """Do this step's work on one document, in place."""
        raise NotImplementedError

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            if doc.error is None and doc.skipped is None:
                self._run_one(doc)
            yield doc

    def _run_one(self, doc: Document) -> None:
        self.stats.seen += 1
        start = time.perf_counter()
        try:
            with time_limit(self.time_limit_s):
                self.process(doc)
        except StepFailure as exc:
            doc.fail(self.name, exc.reason, exc.detail)
        except StepTimeout as exc:
            doc.fail(self.name, f"timed out ({exc})", "the page is pathological or huge")
        except RecursionError:
            doc.fail(self.name, "document nested too deeply to process")
        except MemoryError:
            doc.fail(self.name, "ran out of memory on this document")
        except Exception as exc:  # noqa: BLE001 - one bad input must never stop a batch
            if self.raise_errors:
                raise
            log.debug("step %s failed on %s", self.name, doc.locator, exc_info=True)
            doc.fail(self.name, f"internal error: {type(exc).__name__}", str(exc)[:500])
        finally:
            self.stats.seconds += time.perf_counter() - start
            if doc.error is not None and doc.error.step == self.name:
                self.stats.failures[doc.error.reason] += 1


StepLike = Callable[[Iterable[Document]], Iterable[Document]]


class Pipeline:
    """Steps composed in order; calling it streams documents through all of them lazily."""

    def __init__(self, steps: list[StepLike]) -> None:
        self.steps = steps

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        stream: Iterable[Document] = docs
        for step in self.steps:
            stream = step(stream)
        yield from stream

    def stats(self) -> dict[str, StepStats]:
        """Per-step counters, by step name."""
        return {s.name: s.stats for s in self.steps if isinstance(s, Step)}
