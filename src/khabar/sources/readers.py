"""Readers turning one input (file, WARC, JSON Lines, feed) into a stream of Documents."""

from __future__ import annotations

import gzip
import io
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from khabar.document import Document

HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


class TooLarge(Exception):
    """An input is bigger than the configured limit."""


def read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``stream``; raise TooLarge when there is more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"input too large (over {max_bytes / 1e6:.1f} MB)")
    return data


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip/zlib ``data`` to at most ``max_bytes`` (a bomb raises TooLarge)."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 32)
    out = d.decompress(data, max_bytes + 1)
    if len(out) > max_bytes or d.unconsumed_tail:
        raise TooLarge(f"decompressed input too large (over {max_bytes / 1e6:.1f} MB)")
    if not d.eof:
        raise EOFError("truncated gzip data (the file ends before the compressed stream does)")
    return out


def read_file(path: Path, max_bytes: int) -> Document:
    """A plain HTML or crawled-text file (gzip-compressed too) as one Document."""
    doc = Document(str(path))
    try:
        with open(path, "rb") as fh:
            data = read_capped(fh, max_bytes)
        if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
            data = gunzip_capped(data, max_bytes)
    except TooLarge as exc:
        return doc.fail("read", f"page too large: {exc}", "raise the limit with --max-bytes")
    except (EOFError, zlib.error) as exc:
        return doc.fail("read", f"corrupt or truncated gzip file ({exc})")
    except OSError as exc:
        return doc.fail("read", f"cannot read file ({exc.strerror or exc})")
    doc.raw = data
    return doc


class _TruncationAwareGzip:
    """A gzip stream that ends cleanly where a truncated file breaks off, remembering that it did.

    fastwarc reads ahead in large blocks; letting gzip's EOFError through would lose the complete
    records decompressed in the same block. Reading with ``read1`` keeps the loss to the broken record.
    Only ``tell`` and forward ``seek`` are offered: what fastwarc needs from a stream.
    """

    def __init__(self, fileobj: BinaryIO) -> None:
        self._gz = gzip.GzipFile(fileobj=fileobj, mode="rb")
        self._pos = 0
        self.truncated = False

    def read(self, size: int = -1) -> bytes:
        chunks, want = [], size if size >= 0 else 1 << 62
        while want > 0 and not self.truncated:
            try:
                chunk = self._gz.read1(min(want, 1 << 16))
            except EOFError:
                self.truncated = True
                break
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        data = b"".join(chunks)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._pos + offset if whence == io.SEEK_CUR else -1
        if target < self._pos:
            raise io.UnsupportedOperation("a gzip stream only seeks forward")
        self.read(target - self._pos)
        return self._pos

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._gz.close()


def iter_warc(path: Path, max_bytes: int) -> Iterator[Document]:
    """Response and resource records of a .warc / .warc.gz file, one Document per HTML page.

    A gzip-compressed file is read through Python's gzip stream (one pass), which notices a file that
    ends mid-stream; the records before the break are kept and the break is recorded as a failure.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    count = 0
    try:
        fh = open(path, "rb")
        compressed = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
    except OSError as exc:
        yield Document(str(path)).fail("read", f"cannot read WARC file ({exc.strerror or exc})")
        return
    stream = _TruncationAwareGzip(fh) if compressed else fh
    with fh:
        try:
            records = ArchiveIterator(stream,
                                      record_types=WarcRecordType.response | WarcRecordType.resource,
                                      parse_http=True)
            for record in records:
                if compressed and stream.truncated and _record_end(record) > stream.tell():
                    yield Document(f"{path}#{record.stream_pos}", url=record.headers.get("WARC-Target-URI")).fail(
                        "read", "truncated WARC record: the file ends inside it",
                        "re-download or re-crawl the file; the complete records were kept")
                    continue
                count += 1
                yield _warc_document(path, record, max_bytes)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - fastwarc reports some breaks as Rust panics
            yield Document(f"{path}#error").fail(
                "read", f"corrupt WARC file after {count} records ({type(exc).__name__}: {exc})")
            return
    if compressed and stream.truncated:
        yield Document(f"{path}#truncated").fail(
            "read", f"truncated WARC file: the gzip stream ends early (read {count} complete records)",
            "re-download or re-crawl the file; the records before the break were kept")
    elif count == 0:
        yield Document(str(path)).fail("read", "no WARC response records found (not a WARC file?)")


def _record_end(record) -> int:
    """Where a record ends in the decompressed stream (its WARC header size estimated from its fields)."""
    header = len("WARC/1.0\r\n\r\n") + sum(len(k) + len(v) + 4 for k, v in record.headers.items())
    return record.stream_pos + header + record.content_length


def _warc_document(path: Path, record, max_bytes: int) -> Document:
    url = record.headers.get("WARC-Target-URI")
    doc = Document(f"{path}#{record.stream_pos}", url=url, fetched_at=record.headers.get("WARC-Date"))
    http = record.http_headers
    if http is not None:
        status = http.status_code
        doc.content_type = http.get("Content-Type")
        if status and not 200 <= status < 300:
            doc.skipped = f"HTTP {status} response, not a page"
    else:
        doc.content_type = record.headers.get("Content-Type")
    ctype = (doc.content_type or "text/html").split(";")[0].strip().lower()
    if doc.skipped is None and ctype and not ctype.startswith(HTML_TYPES):
        doc.skipped = f"not a web page ({ctype})"
    if doc.skipped:
        return doc
    try:
        body = read_capped(record.reader, max_bytes)
        encoding = (http.get("Content-Encoding") or "").lower() if http is not None else ""
        if encoding in ("gzip", "x-gzip", "deflate"):
            body = gunzip_capped(body, max_bytes)
    except TooLarge as exc:
        return doc.fail("read", f"page too large: {exc}", "raise the limit with --max-bytes")
    except (EOFError, zlib.error) as exc:
        return doc.fail("read", f"corrupt compressed WARC record ({exc})")
    doc.raw = body
    return doc


def iter_jsonl(path_or_name: str, stream: BinaryIO, max_bytes: int) -> Iterator[Document]:
    """JSON Lines of ``{url, html}`` or ``{url, text}`` (optional title, published, author)."""
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        locator = f"{path_or_name}:{lineno}"
        if len(line) > max_bytes:
            yield Document(locator).fail("read", f"JSON line {lineno} too large ({len(line) / 1e6:.1f} MB)")
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Document(locator).fail("read", f"line {lineno} is not valid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            yield Document(locator).fail("read", f"line {lineno} is not a JSON object")
            continue
        body, kind = obj.get("html"), "html"
        if not isinstance(body, str):
            body, kind = obj.get("text"), "text"
        if not isinstance(body, str):
            yield Document(locator, url=obj.get("url")).fail(
                "read", f"JSON line {lineno} has neither an 'html' nor a 'text' string")
            continue
        doc = Document(locator, raw=body.encode("utf-8"), kind=kind, url=obj.get("url") or None,
                       content_type="text/html; charset=utf-8")
        doc.hints = {k: obj[k] for k in ("title", "published", "author") if isinstance(obj.get(k), str)}
        yield doc


def iter_feed(name: str, data: bytes, full_content_chars: int = 200) -> Iterator[Document]:
    """Entries of an RSS/Atom feed: full-content entries as pages, others as URLs to fetch."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries:
        why = parsed.get("bozo_exception")
        reason = f"not a valid RSS/Atom feed ({why})" if why else "feed has no entries"
        yield Document(name).fail("read", reason, "check that the file or URL is an RSS or Atom feed")
        return
    for i, entry in enumerate(parsed.entries):
        link = entry.get("link")
        hints = {"title": entry.get("title")}
        if entry.get("published_parsed") or entry.get("updated_parsed"):
            t = entry.get("published_parsed") or entry.get("updated_parsed")
            hints["published"] = time.strftime("%Y-%m-%d", t)
        if entry.get("author"):
            hints["author"] = entry.get("author")
        hints = {k: v for k, v in hints.items() if v}
        content = max((c.get("value", "") for c in entry.get("content", [])), key=len, default="")
        if len(content) >= full_content_chars:
            doc = Document(link or f"{name}#{i}", raw=content.encode("utf-8"), kind="html", url=link,
                           content_type="text/html; charset=utf-8")
        elif link:
            doc = Document(link, url=link)
        else:
            doc = Document(f"{name}#{i}").fail("read", "feed entry has neither a link nor full content")
        doc.hints = hints
        yield doc


def looks_like_feed(data: bytes) -> bool:
    """Whether bytes look like an RSS/Atom/RDF feed (sniffed from the first kilobytes)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") and any(t in data[:4096].lower() for t in (b"<rss", b"<feed", b"<rdf:rdf")) \
        or head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))
