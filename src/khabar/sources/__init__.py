"""Turn what a user names (files, folders, globs, '-', URLs, URL lists, feeds) into Documents."""

from __future__ import annotations

import glob
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from khabar.document import Document
from khabar.sources.fetch import FetchError, Fetcher
from khabar.sources.readers import (
    TooLarge,
    iter_feed,
    iter_jsonl,
    iter_warc,
    looks_like_feed,
    read_capped,
    read_file,
)

PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".txt", ".text", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml", ".feed"}
URL_LIST_SUFFIXES = {".urls"}


@dataclass
class SourceOptions:
    """Limits shared by the readers."""

    max_bytes: int = 10 * 1024 * 1024


def _suffix(path: Path) -> str:
    """The meaningful suffix: '.warc' for 'x.warc.gz', '.html' for 'x.html.gz'."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return suffixes[0] if len(suffixes) == 2 else ""
    return suffixes[-1] if suffixes else ""


def is_url(text: str) -> bool:
    """Whether an argument names an http(s) URL."""
    return text.startswith(("http://", "https://"))


def expand_paths(arg: str) -> list[Path] | None:
    """Files an argument names (a file, a folder walked recursively, a glob); None when nothing matches."""
    path = Path(arg)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path) and _walkable(p))
    if path.exists():
        return [path]
    if any(ch in arg for ch in "*?["):
        matches = [Path(p) for p in sorted(glob.glob(arg, recursive=True))]
        files = []
        for m in matches:
            files.extend(expand_paths(str(m)) or [] if m.is_dir() else [m])
        return files or None
    return None


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _walkable(path: Path) -> bool:
    """Files a folder walk picks up: pages, text, WARC, JSON Lines, feeds, URL lists."""
    suffix = _suffix(path)
    return suffix in PAGE_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES | URL_LIST_SUFFIXES | {".warc", ".arc"}


def _url_list(data: bytes) -> list[str] | None:
    """The URLs of a URL-list file (every non-comment line an http(s) URL), else None."""
    try:
        lines = [ln.strip() for ln in data.decode("utf-8").splitlines()]
    except UnicodeDecodeError:
        return None
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if lines and all(is_url(ln) and " " not in ln for ln in lines):
        return lines
    return None


class Inputs:
    """An iterable of Documents over everything the user named, read lazily in order."""

    def __init__(self, args: list[str], fetcher: Fetcher | None = None,
                 options: SourceOptions | None = None, stdin: BinaryIO | None = None) -> None:
        self.args = args
        self.fetcher = fetcher
        self.options = options or SourceOptions()
        self.stdin = stdin

    def __iter__(self) -> Iterator[Document]:
        for arg in self.args:
            if arg == "-":
                yield from self._stdin()
            elif is_url(arg):
                yield from self._url(arg)
            else:
                paths = expand_paths(arg)
                if paths is None:
                    yield Document(arg).fail("read", "no such file, folder or glob match",
                                             "check the path; quote globs so the shell does not expand them")
                    continue
                for path in paths:
                    yield from self._path(path)

    def _path(self, path: Path) -> Iterator[Document]:
        suffix = _suffix(path)
        max_bytes = self.options.max_bytes
        if suffix in (".warc", ".arc"):
            yield from iter_warc(path, max_bytes)
        elif suffix in JSONL_SUFFIXES:
            yield from self._jsonl_file(path)
        elif suffix in FEED_SUFFIXES:
            doc = read_file(path, max_bytes)
            yield from (iter_feed(str(path), doc.raw) if doc.error is None else [doc])
        else:
            doc = read_file(path, max_bytes)
            urls = _url_list(doc.raw) if doc.error is None and suffix in {".txt", ".urls", ""} else None
            if urls is not None:
                for url in urls:
                    yield from self._url(url)
            elif doc.error is None and suffix in {".txt", ""} and looks_like_feed(doc.raw):
                yield from iter_feed(str(path), doc.raw)
            else:
                yield doc

    def _jsonl_file(self, path: Path) -> Iterator[Document]:
        import gzip

        opener = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rb") as fh:
                yield from iter_jsonl(str(path), fh, self.options.max_bytes)
        except (OSError, EOFError) as exc:
            yield Document(f"{path}#read-error").fail("read", f"cannot read JSON Lines file ({exc})")

    def _stdin(self) -> Iterator[Document]:
        stream = self.stdin or sys.stdin.buffer
        try:
            data = read_capped(stream, self.options.max_bytes * 10)
        except TooLarge as exc:
            yield Document("<stdin>").fail("read", f"standard input too large: {exc}")
            return
        head = data.lstrip()[:1]
        if head == b"{":
            yield from iter_jsonl("<stdin>", io.BytesIO(data), self.options.max_bytes)
        elif looks_like_feed(data):
            yield from iter_feed("<stdin>", data)
        elif (urls := _url_list(data)) is not None:
            for url in urls:
                yield from self._url(url)
        else:
            yield Document("<stdin>", raw=data)

    def _url(self, url: str) -> Iterator[Document]:
        """A URL: a page to fetch in the pipeline, or a feed (sniffed by fetching) expanded here."""
        if self.fetcher is None:
            yield Document(url, url=url).fail("read", "URL given but fetching is disabled (--no-fetch)")
            return
        if not _maybe_feed_url(url):
            yield Document(url, url=url)
            return
        try:
            result = self.fetcher.get(url)
        except FetchError as exc:
            yield Document(url, url=url).fail("fetch", f"fetch failed: {exc}", url)
            return
        if looks_like_feed(result.body):
            yield from iter_feed(url, result.body)
        else:
            yield Document(url, raw=result.body, url=result.url, content_type=result.content_type,
                           fetched_at=result.fetched_at)


def _maybe_feed_url(url: str) -> bool:
    """URLs that are probably feeds are fetched at once to expand them; pages are fetched later."""
    low = url.lower().split("?")[0]
    return low.endswith((".xml", ".rss", ".atom", "/feed", "/feed/", "/rss", "/rss/")) or "rss" in low \
        or "feed" in low
