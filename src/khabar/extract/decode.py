"""Bytes to text: the charset from the HTTP header, <meta charset>, a BOM, or detection."""

from __future__ import annotations

import codecs
import re

from khabar.document import Document
from khabar.pipeline import Step, StepFailure

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|article|div|p|meta|title)[\s>/]", re.I)

_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip data",
    b"\x7fELF": "an executable",
    b"RIFF": "a RIFF media file",
}

# Labels that browsers treat as aliases (WHATWG): iso-8859-6 pages are decoded by its superset only
# where the declared label is wrong; keep the declared codec otherwise.
_ALIASES = {"windows-1256": "cp1256", "x-mac-arabic": "mac_arabic", "iso-8859-6": "iso8859_6",
            "arabic": "iso8859_6", "asmo-708": "iso8859_6", "ecma-114": "iso8859_6"}


def _codec(label: str | bytes | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def describe_binary(raw: bytes) -> str | None:
    """Say what binary content this is ('a PNG image', ...), or None when it looks like text."""
    head = raw[:8192]
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return what
    if head.count(b"\x00") > max(2, len(head) // 100):
        return "binary data (NUL bytes)"
    return None


def declared_charsets(raw: bytes, content_type: str | None) -> list[str]:
    """Charsets the input declares, strongest first: BOM, HTTP header, <meta>, XML declaration."""
    found: list[str | None] = []
    if raw.startswith(codecs.BOM_UTF8):
        found.append("utf-8-sig")
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found.append("utf-16")
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        found.append(_codec(m.group(1)))
    head = raw[:8192]
    if m := _META_CHARSET.search(head):
        found.append(_codec(m.group(1)))
    if m := _XML_ENCODING.search(head[:200]):
        found.append(_codec(m.group(1)))
    out: list[str] = []
    for codec in found:
        if codec and codec not in out:
            out.append(codec)
    return out


def detect_charset(raw: bytes) -> str | None:
    """Guess the charset of undeclared bytes, preferring the encodings Arabic sites use."""
    from charset_normalizer import from_bytes

    sample = raw[:262144]
    best = from_bytes(sample, cp_isolation=["utf_8", "cp1256", "iso8859_6", "mac_arabic", "cp720",
                                            "cp864", "latin_1", "cp1252"]).best()
    if best is None:
        return None
    return best.encoding


def decode_bytes(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``raw`` and return ``(text, codec)``; raise StepFailure when it is not text."""
    for codec in declared_charsets(raw, content_type):
        try:
            return raw.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue  # declared wrongly, a common case on Arabic sites: fall through to detection
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    codec = detect_charset(raw)
    if codec is None:
        raise StepFailure("undecodable text: not UTF-8, windows-1256 or ISO-8859-6",
                          "pass --encoding to force a charset")
    return raw.decode(codec, errors="replace"), codec


def sniff_kind(raw: bytes) -> str:
    """'html' when the bytes look like markup, else 'text'."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and _HTML_SNIFF.search(raw[:65536]):
        return "html"
    return "html" if _HTML_SNIFF.search(head[:1024]) else "text"


class Decode(Step):
    """Turn ``doc.raw`` into ``doc.html`` (markup) or crawled text, recording the charset used."""

    name = "decode"

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.encoding = _codec(encoding) if encoding else None

    def process(self, doc: Document) -> None:
        raw = doc.raw
        if raw is None:
            raise StepFailure("no content was read for this input")
        if not raw.strip():
            raise StepFailure("empty input", "the file or response has no content")
        if len(raw) > self.max_bytes:
            raise StepFailure(
                f"page too large ({len(raw) / 1e6:.1f} MB > {self.max_bytes / 1e6:.1f} MB limit)",
                "raise the limit with --max-bytes",
            )
        if what := describe_binary(raw):
            raise StepFailure(f"binary content: {what}, not a web page or text")
        if self.encoding:
            text, codec = raw.decode(self.encoding, errors="replace"), self.encoding
        else:
            text, codec = decode_bytes(raw, doc.content_type)
        doc.encoding = codec
        if doc.kind == "auto":
            doc.kind = sniff_kind(raw)
        doc.html = text.lstrip("\ufeff")
