"""Page metadata from a parsed HTML tree: title, site name, author, canonical URL, publication date."""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from typing import Any

_BYLINE_PREFIX = re.compile(r"^\s*(كتب|كتبت|بقلم|إعداد|اعداد|تقرير|مرسلة بواسطة|بواسطة|by)\s*[:：]?\s*", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:«»]\s+|\s*[|:]\s+")
AUTHOR_MAX_WORDS = 6
_AUTHOR_XPATH = (
    '//*[@rel="author"]|//*[contains(@class,"author") and not(contains(@class,"comment"))]'
    '|//*[contains(@class,"byline")]|//*[contains(@class,"writer")]'
)


@dataclass(slots=True)
class PageMetadata:
    """What the page says about itself; any field may be None."""

    title: str | None = None
    site: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None


def _meta_tags(tree) -> dict[str, str]:
    """Every <meta property|name|itemprop=... content=...> of the page, first one per key, in one pass."""
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = el.get(attr)
            if key:
                tags.setdefault(key.strip().lower(), " ".join(content.split()))
    return tags


def _meta(tags: dict[str, str], *names: str) -> str | None:
    return next((tags[n] for n in names if n in tags), None)


def _json_ld(tree) -> dict[str, Any]:
    """The first NewsArticle/Article-like JSON-LD object on the page (or {})."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except (json.JSONDecodeError, ValueError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and "Article" in str(item.get("@type", "")):
                return item
    return {}


def _name(value: Any) -> str | None:
    """A person's or organisation's name from a JSON-LD value (string, object or list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def clean_title(title: str | None) -> str | None:
    """Unescape and collapse whitespace in a title."""
    if not title:
        return None
    return " ".join(html_lib.unescape(title).split()) or None


def choose_title(candidate: str | None, html_title: str | None, site: str | None) -> str | None:
    """The headline: the candidate, unless it is only the site name inside a longer <title>."""
    if site and html_title and html_title.endswith(site) and len(html_title) > len(site) + 5:
        html_title = html_title[: -len(site)].rstrip(" |-–—:")
    if not html_title:
        return candidate
    segments = [s.strip() for s in _TITLE_SEPARATORS.split(html_title) if s.strip()]
    longest = max(segments, key=len) if segments else html_title
    if not candidate:
        return longest
    if candidate == site or (len(segments) > 1 and candidate in segments and len(candidate) < 0.6 * len(longest)):
        return longest
    return candidate


def clean_author(author: str | None) -> str | None:
    """A byline without its 'كتب:' / 'by' prefix; None when it does not look like a name."""
    if not author:
        return None
    author = _BYLINE_PREFIX.sub("", " ".join(author.split())).strip(" ،,|-")
    if not author or author.startswith("http") or len(author.split()) > AUTHOR_MAX_WORDS:
        return None
    return author


def _first_text(tree, xpath: str) -> str | None:
    for el in tree.xpath(xpath):
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _author_from_markup(tree) -> str | None:
    for el in tree.xpath(_AUTHOR_XPATH)[:10]:
        if (author := clean_author(el.text_content())) is not None:
            return author
    return None


_ISO_DATE = re.compile(r"^\s*((19|20)\d\d-[01]\d-[0-3]\d)")
PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "publishdate", "pubdate",
                  "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date")


def stated_date(tree, tags: dict[str, str], ld: dict[str, Any]) -> str | None:
    """An ISO publication date the page states outright: <meta>, JSON-LD, or a <time datetime> element."""
    times = tree.xpath("//time/@datetime")[:1]
    for value in [ld.get("datePublished"), *(tags.get(k) for k in PUBLISHED_META), *times]:
        if isinstance(value, str) and (m := _ISO_DATE.match(value)):
            return m.group(1)
    return None


def page_date(tree) -> str | None:
    """The publication date from markup (meta tags, JSON-LD, <time>, URL) via htmldate, no guessing."""
    from htmldate import find_date

    try:
        return find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None


def extract_metadata(tree) -> PageMetadata:
    """Title, site, author, canonical URL and stated date from the page's markup (see also page_date)."""
    ld = _json_ld(tree)
    tags = _meta_tags(tree)
    site = _meta(tags, "og:site_name", "application-name") or _name(ld.get("publisher"))
    html_title = clean_title(_first_text(tree, "//title"))
    candidate = clean_title(_meta(tags, "og:title", "twitter:title") or ld.get("headline")
                            or _first_text(tree, "//h1"))
    author = clean_author(_meta(tags, "author", "article:author", "dc.creator") or _name(ld.get("author")))
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    return PageMetadata(
        title=choose_title(candidate, html_title, site),
        site=site,
        author=author or _author_from_markup(tree),
        url=(canonical[0].strip() if canonical else None) or _meta(tags, "og:url"),
        published=stated_date(tree, tags, ld),
    )
