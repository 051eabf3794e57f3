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
