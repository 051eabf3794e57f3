"""The one record that flows through every step: a Document, its failure and its annotations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Failure:
    """Why a document stopped: the step that failed and a reason a user can act on."""

    step: str
    reason: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """The failure as a JSON-ready mapping."""
        return {"step": self.step, "reason": self.reason, "detail": self.detail}


@dataclass(slots=True)
class Document:
    """One input on its way to becoming a stored article (or a recorded failure).

    ``raw`` is the input exactly as received and is never overwritten; ``html`` is its decoded
    form; ``text`` is the clean article text every annotation points into by character offsets.
    ``text_map`` holds ``(text_start, source_start, length)`` segments mapping ``text`` back into
    ``html`` (or the decoded crawled text) where a paragraph could be located there.
    """

    locator: str
    raw: bytes | None = None
    kind: str = "auto"  # html | text | auto (sniffed by the decode step)
    url: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    encoding: str | None = None
    html: str | None = None
    text: str = ""
    title: str | None = None
    published: str | None = None
    author: str | None = None
    site: str | None = None
    language: str | None = None
    text_map: list[tuple[int, int, int]] = field(default_factory=list)
    hints: dict[str, Any] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    error: Failure | None = None
    skipped: str | None = None  # a reason when the input is deliberately not an article

    @property
    def input_hash(self) -> str:
        """SHA-256 of the raw input bytes ('' before the input is read)."""
        return hashlib.sha256(self.raw).hexdigest() if self.raw is not None else ""

    @property
    def id(self) -> str:
        """Content-hash article id: stable across re-runs, independent of where the file lies."""
        h = hashlib.blake2b(digest_size=10)
        h.update((self.url or "").encode("utf-8"))
        h.update(b"\x00")
        h.update(self.text.encode("utf-8"))
        return h.hexdigest()

    @property
    def source(self) -> str | None:
        """The outlet: the site name, else the host of the URL."""
        if self.site:
            return self.site
        if self.url and "://" in self.url:
            return self.url.split("://", 1)[1].split("/", 1)[0].lower()
        return None

    def fail(self, step: str, reason: str, detail: str = "") -> Document:
        """Mark the document failed at ``step`` (first failure wins) and return it."""
        if self.error is None:
            self.error = Failure(step, reason, detail)
        return self

    def record(self) -> dict[str, Any]:
        """The output-contract record (see DESIGN.md) for this document."""
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "published": self.published,
            "language": self.language,
            "text": self.text,
            "author": self.author,
            "locator": self.locator,
            "entities": self.entities,
            "places": self.places,
            "dates": self.dates,
            "numbers": self.numbers,
            "quotes": self.quotes,
            "events": self.events,
            "error": self.error.as_dict() if self.error else None,
        }
