"""Stories across outlets (near-duplicate articles) and event records (one happening, many mentions)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from khabar.arabic.normalize import normalize_for_search
from khabar.arabic.tokens import tokenize
from khabar.events import is_asserted

SHINGLE_WORDS = 5
NUM_PERM = 128
STORY_THRESHOLD = 0.5  # estimated Jaccard of word 5-gram shingles; measured on the fixtures in tests/test_stories.py
EVENT_WINDOW_DAYS = 2


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of the normalised text (spelling variants and diacritics do not split a story)."""
    words = [t.norm for t in tokenize(normalize_for_search(text))]
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_stories(articles: Iterable[dict[str, Any]], threshold: float = STORY_THRESHOLD) -> list[list[str]]:
    """Groups of article ids telling the same story (MinHash LSH candidates confirmed by estimated Jaccard)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    groups = _UnionFind()
    for article in articles:
        grams = shingles(article["text"])
        if not grams:
            continue
        mh = MinHash(num_perm=NUM_PERM)
        mh.update_batch([g.encode("utf-8") for g in grams])
        aid = article["id"]
        groups.find(aid)
        for other in lsh.query(mh):
            if hashes[other].jaccard(mh) >= threshold:
                groups.union(aid, other)
        lsh.insert(aid, mh)
        hashes[aid] = mh
    clusters: dict[str, list[str]] = defaultdict(list)
    for aid in hashes:
        clusters[groups.find(aid)].append(aid)
    return sorted(clusters.values(), key=lambda c: (-len(c), c[0]))


@dataclass
class EventRecord:
    """One happening reported in several articles: GDELT-style counts and every mention."""

    type: str
    cameo: str
    source: str | None
    target: str | None
    location: str | None
    date: str | None
    goldstein: float
    mentions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Stable id from the record's key and its first mention."""
        first = self.mentions[0]
        key = f"{self.type}|{self.source}|{self.target}|{self.location}|{self.date}|{first['article_id']}"
        return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()

    def summary(self) -> dict[str, Any]:
        """The record with its counts (articles, sources, mentions, first and last seen)."""
        dates = sorted(m["published"] for m in self.mentions if m.get("published"))
        return {"id": self.id, "type": self.type, "cameo": self.cameo, "source": self.source, "target": self.target,
                "location": self.location, "date": self.date, "goldstein": self.goldstein,
                "n_articles": len({m["article_id"] for m in self.mentions}),
                "n_sources": len({m.get("outlet") for m in self.mentions if m.get("outlet")}),
                "n_mentions": len(self.mentions), "first_seen": dates[0] if dates else None,
                "last_seen": dates[-1] if dates else None}


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def merge_events(articles: Iterable[dict[str, Any]], window_days: int = EVENT_WINDOW_DAYS) -> list[EventRecord]:
    """Events of all articles merged into records: same type, source, target and place within a date window."""
    records: list[EventRecord] = []
    index: dict[tuple, list[EventRecord]] = defaultdict(list)
    for article in articles:
        for idx, event in enumerate(article.get("events") or []):
            if not is_asserted(event):
                continue
            source = (event.get("source") or {}).get("code")
            target = (event.get("target") or {}).get("code")
            location = (event.get("location") or {}).get("id")
            key = (event["type"], source, target, location)
            day = _day(event.get("date"))
            record = next((r for r in index[key] if day is None or _day(r.date) is None
                           or abs((_day(r.date) - day).days) <= window_days), None)
            if record is None:
                record = EventRecord(event["type"], event["cameo"], source, target, location, event.get("date"),
                                     event.get("goldstein", 0.0))
                index[key].append(record)
                records.append(record)
            record.mentions.append({"article_id": article["id"], "event_id": f"{article['id']}:{idx}",
                                    "outlet": article.get("source"),
                                    "published": article.get("published"), "sentence": event.get("sentence"),
                                    "start": event.get("start"), "end": event.get("end"),
                                    "confidence": event.get("confidence")})
    return records
