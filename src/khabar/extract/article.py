"""Main-text and metadata extraction: trafilatura for HTML, line rules for crawled text, Arabic cleaning."""

from __future__ import annotations

import html as html_lib
import re

from khabar.arabic.dates import MonthNames, find_absolute_dates
from khabar.document import Document
from khabar.extract.boilerplate import BoilerplateRules, Line, clean_lines, is_headline_like, line_key
from khabar.extract.metadata import clean_title, extract_metadata, page_date
from khabar.pipeline import Step, StepFailure

MIN_ARTICLE_CHARS = 120
TITLE_MAX_WORDS = 30
DATELINE_OTHER_WORDS = 7  # words besides the date: place, weekday, author, outlet
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")
_TAG = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)


PARSER_MAX_DEPTH = 250


def visible_text(page: str) -> str:
    """The page's text with tags, scripts and styles removed (one line per block boundary)."""
    return html_lib.unescape(_TAG.sub("\n", page))


LAYOUT_CELL_CHARS = 300


def unwrap_layout_tables(tree) -> None:
    """Turn tables used for page layout (cells holding blocks or long prose) into plain blocks.

    Data tables stay tables; layout tables, common on older Arabic sites, would otherwise reach the
    text flattened into one row of menu, sidebar and article.
    """
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td|./tr/th|./tbody/tr/td|./tbody/tr/th|./thead/tr/th")
        is_layout = table.xpath(".//td//table|.//td//p|.//td//div|.//td//h1|.//td//h2") or any(
            len(cell.text_content()) > LAYOUT_CELL_CHARS for cell in cells)
        if is_layout:
            # only this table's own sections, rows and cells: a data table nested inside stays a table
            own = table.xpath("./tbody|./thead|./tfoot|./tr|./*/tr|./tr/td|./tr/th|./*/tr/td|./*/tr/th")
            for el in [table, *own]:
                el.tag = "div"


def _parser_depth_reached(tree) -> bool:
    """Whether the parsed tree reaches the depth where libxml2 stops descending (content was cut)."""
    return bool(tree.xpath(f"boolean(//*[count(ancestor::*) >= {PARSER_MAX_DEPTH}])"))


def split_lines(source: str) -> list[Line]:
    """Non-empty lines of ``source``, stripped, each with its start offset in ``source``."""
    lines = []
    for m in re.finditer(r"[^\n]+", source):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            lines.append(Line(stripped, m.start() + raw.index(stripped[0])))
    return lines


def assemble_text(doc: Document, lines: list[Line]) -> None:
    """Join cleaned paragraphs into ``doc.text`` (blank-line separated) and record the offset map."""
    parts, text_map, pos = [], [], 0
    for line in lines:
        if line.source_start >= 0:
            text_map.append((pos, line.source_start, len(line.text)))
        parts.append(line.text)
        pos += len(line.text) + 2
    doc.text = "\n\n".join(parts)
    doc.text_map = text_map


def find_page_date(lines: list[str], months: MonthNames) -> str | None:
    """The first date on a short, byline-like line (a publication date rather than an event date)."""
    hijri = None
    for line in lines:
        if _DIGIT.search(line) and len(line.split()) <= 14:
            for match in find_absolute_dates(line, months):
                if match.calendar == "gregorian":
                    return match.value
                hijri = hijri or match.value
    # a Hijri date converts with a day's uncertainty (sighting vs Umm al-Qura); a stated Gregorian
    # date ('… هـ الموافق 2 أبريل 2023'), even one printed later on the page, is preferred
    return hijri


def is_dateline(text: str, months: MonthNames) -> bool:
    """A dateline/byline: a date plus a few words of place, weekday or author ('رام الله - الإثنين 10 …')."""
    if not _DIGIT.search(text):
        return False
    dates = find_absolute_dates(text, months)
    if not dates:
        return False
    rest = text
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end:]
    return len(_WORD.findall(rest)) <= DATELINE_OTHER_WORDS


def drop_datelines(lines: list[Line], months: MonthNames, head: int = 3) -> list[Line]:
    """Drop dateline/byline lines among the first lines of a body."""
    return [line for i, line in enumerate(lines) if i >= head or not is_dateline(line.text, months)]


def guess_title(lines: list[Line], rules: BoilerplateRules) -> str | None:
    """The crawled page's title: its first line that is not furniture and reads like a headline."""
    for line in lines[:8]:
        key = line_key(line.text)
        if not key or rules.matches("drop", key):
            continue
        words = len(line.text.split())
        if words <= TITLE_MAX_WORDS and is_headline_like(line.text) or words <= 12:
            return line.text
        return None
    return None


class Extract(Step):
    """Fill ``text``, ``title``, ``published``, ``author``, ``site`` from ``doc.html``; fail when no article."""

    name = "extract"

    def __init__(self, rules: BoilerplateRules | None = None, min_chars: int = MIN_ARTICLE_CHARS) -> None:
        super().__init__()
        self.rules = rules or BoilerplateRules.load()
        self.months = MonthNames()
        self.min_chars = min_chars

    def process(self, doc: Document) -> None:
        if doc.html is None:
            raise StepFailure("nothing decoded to extract from")
        if doc.kind == "html":
            self.extract_html(doc)
        else:
            self.extract_text(doc)
        hints = doc.hints
        doc.title = doc.title or hints.get("title")
        doc.published = doc.published or hints.get("published")
        doc.author = doc.author or hints.get("author")
        if len(doc.text) < self.min_chars:
            raise StepFailure(
                f"no article text found ({len(doc.text)} characters after cleaning)",
                "the page may be an index, a gallery, a login wall or rendered by JavaScript",
            )

    def extract_html(self, doc: Document) -> None:
        """Main text via trafilatura on a tree parsed once, Arabic furniture rules, metadata from markup."""
        from trafilatura import bare_extraction
        from trafilatura.utils import load_html

        tree = load_html(doc.html)
        if tree is None:
            raise StepFailure("unparseable HTML", "the markup could not be parsed into a document tree")
        meta = extract_metadata(tree)  # before trafilatura, which prunes the tree it is given
        unwrap_layout_tables(tree)
        if self.rules.prune is not None:  # once here, rather than on each of trafilatura's tree copies
            for el in self.rules.prune(tree):
                if el.getparent() is not None:
                    el.drop_tree()
        result = bare_extraction(
            tree, url=doc.url, with_metadata=False, include_comments=False,
            include_tables=True, include_images=False, deduplicate=False,
        )
        title = meta.title or clean_title(doc.hints.get("title"))
        if result is not None and result.text:
            lines, pos = [], 0
            for para in result.text.split("\n"):
                para = para.strip()
                if para:  # paragraphs come in page order: search on from the previous one
                    found = doc.html.find(para[:40], pos)
                    lines.append(Line(para, found))
                    pos = found + 1 if found >= 0 else pos
        elif _parser_depth_reached(tree):
            # libxml2 stops building the tree ~256 levels down, so the extractor never saw the content:
            # read the page's visible text instead, through the same furniture rules
            lines = [Line(ln.text) for ln in split_lines(visible_text(doc.html))]
            if sum(len(ln.text) for ln in lines) < self.min_chars:
                raise StepFailure(f"HTML nested too deeply (over {PARSER_MAX_DEPTH} levels) and no article text "
                                  "readable outside the markup")
        else:
            raise StepFailure("no article text found (extractor found no main content)",
                              "the page may be an index, a gallery or rendered by JavaScript")
        assemble_text(doc, drop_datelines(clean_lines(lines, self.rules, title), self.months))
        doc.title = title
        doc.site = meta.site
        doc.author = meta.author
        # stated markup dates first, then an Arabic byline date, then htmldate's search of the markup
        # (not its "extensive" mode, which guesses from copyright years)
        doc.published = meta.published or self._page_date_from_html(doc.html) or page_date(tree)
        if not doc.url and meta.url:
            doc.url = meta.url

    def _page_date_from_html(self, page: str) -> str | None:
        visible = visible_text(page[:300_000])
        return find_page_date([ln.strip() for ln in visible.split("\n") if ln.strip()], self.months)

    def extract_text(self, doc: Document) -> None:
        """Crawled plain text: title from the top, furniture dropped by the rules, date from bylines."""
        lines = split_lines(doc.html)
        title = doc.hints.get("title") or guess_title(lines, self.rules)
        body = drop_datelines(clean_lines(lines, self.rules, title), self.months)
        assemble_text(doc, body)
        doc.title = title
        doc.published = find_page_date([ln.text for ln in lines[:12]], self.months)
