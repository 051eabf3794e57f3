"""Property-based tests: the pipeline never raises on any input, and text maps stay consistent."""

from hypothesis import HealthCheck, given, settings, strategies as st

from khabar.document import Document
from khabar.engine import process_documents

TAGS = ["<p>", "</p>", "<div class='x'>", "</div>", "<table><tr><td>", "</td></tr></table>", "<br>", "<h1>",
        "</h1>", "<script>var a='</p>';</script>", "<!--", "-->", "<meta charset='windows-1256'>", "&amp;", "&#1575;"]
html_pieces = st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_end_as_article_or_failure(raw):
    doc = next(process_documents([Document("fuzz", raw=raw)]))
    if doc.error is None:
        assert doc.text
    else:
        assert doc.error.reason and doc.error.step


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_pieces)
def test_any_markup_ends_as_article_or_failure_with_a_consistent_text_map(pieces):
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    doc = next(process_documents([Document("fuzz.html", raw=html.encode("utf-8", "surrogatepass"))]))
    if doc.error is None:
        for text_start, source_start, length in doc.text_map:
            assert 0 <= text_start and text_start + length <= len(doc.text)
            assert doc.html[source_start:source_start + 1] == doc.text[text_start:text_start + 1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ابتثجحخدرزسشصطعفقكلمنهوي ٠١٢٣٤٥6789.:|-\u060c", min_size=1, max_size=120), max_size=20))
def test_crawled_text_map_slices_the_source(lines):
    text = "\n".join(lines)
    doc = next(process_documents([Document("fuzz.txt", raw=text.encode("utf-8"), kind="text")]))
    if doc.error is None:
        for text_start, source_start, length in doc.text_map:
            assert doc.text[text_start:text_start + length] == doc.html[source_start:source_start + length]


WORDS = ["قال", "وزير", "الخارجية", "الروسي", "سيرغي", "لافروف", "إن", "الجيش", "السوري", "اقتحم", "حلب", "شرق",
         "وبحلب", "مقتل", "12", "مدنياً", "أمس", "بداية", "أيلول", "الماضي", "ستة", "إلى", "سبعة", "آلاف", "مسلح",
         "روسيا", "والصين", "استخدمتا", "حق", "الفيتو", "في", "مجلس", "الأمن", "“", "”", "،", ".", "«", "»", "منظمة",
         "العفو", "الدولية", "نظيره", "الأمريكي", "جون", "كيري", "لم", "سيتم", "القضاء", "عليهم", "ـ", "ً", "١٢"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=60), st.sampled_from([None, "2016-12-08"]))
def test_every_annotation_slices_the_text_to_its_surface(words, published):
    text = " ".join(words)
    doc = Document("fuzz", text=text, language="ar", published=published)
    _annotate().process(doc)
    for kind in ("entities", "places", "dates", "numbers", "quotes"):
        for a in getattr(doc, kind):
            assert 0 <= a["start"] <= a["end"] <= len(text)
            assert text[a["start"]:a["end"]] == a["text"], (kind, a)
    for e in doc.events:
        assert text[e["start"]:e["end"]] == e["sentence"]
        assert text[e["trigger"]["start"]:e["trigger"]["end"]] == e["trigger"]["text"]


_ANNOTATE = []


def _annotate():
    """One Annotate step for all examples (loading lexicons per example would dominate the test)."""
    if not _ANNOTATE:
        from khabar.entities.step import Annotate

        _ANNOTATE.append(Annotate())
    return _ANNOTATE[0]
