"""Inputs: folders, globs, WARC (built here), JSON Lines, feeds, stdin, URL lists."""

import gzip
import io
import json

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from khabar.engine import process_documents
from khabar.sources import Inputs

ARTICLE = ("<html><head><title>{title}</title><meta charset='{charset}'></head><body><nav>الرئيسية | أخبار | رياضة</nav>"
           "<article><h1>{title}</h1><p>{p1}</p><p>{p2}</p></article><footer>جميع الحقوق محفوظة</footer></body></html>")
P1 = "أعلنت وزارة الزراعة الأردنية عن خطة لدعم مزارعي وادي الأردن بعد موجة الصقيع التي أتلفت محاصيل الخضروات في الأسبوع الماضي."
P2 = "وقال مسؤول في الوزارة إن التعويضات ستصرف خلال شهرين، وإن فرقا ميدانية بدأت حصر الأضرار في المزارع المتضررة."


def page(title="صقيع يتلف محاصيل وادي الأردن", charset="utf-8"):
    return ARTICLE.format(title=title, charset=charset, p1=P1, p2=P2)


def build_warc(path, gz=True):
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        records = [
            ("https://news.example/a1", "200 OK", "text/html; charset=windows-1256", page(charset="windows-1256").encode("cp1256")),
            ("https://news.example/a2", "200 OK", "text/html", page("خبر ثان عن المزارعين").encode("utf-8")),
            ("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
            ("https://news.example/missing", "404 Not Found", "text/html", b"<html>not found</html>"),
        ]
        for url, status, ctype, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def run(args, **kw):
    return list(process_documents(Inputs([str(a) for a in args], **kw)))


def test_warc_records_become_articles_or_skips(tmp_path):
    for gz in (True, False):
        path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
        build_warc(path, gz)
        docs = run([path])
        ok = [d for d in docs if d.error is None and not d.skipped]
        assert [d.url for d in ok] == ["https://news.example/a1", "https://news.example/a2"]
        assert ok[0].encoding == "cp1256" and P1 in ok[0].text
        assert sorted(d.skipped for d in docs if d.skipped) == ["HTTP 404 response, not a page", "not a web page (image/png)"]
        assert len({d.locator for d in docs}) == len(docs)  # record offsets make locators unique


def test_truncated_warc_keeps_complete_records_and_records_a_failure(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    build_warc(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    docs = run([cut])
    failures = [d for d in docs if d.error]
    assert any("truncated WARC file" in d.error.reason for d in failures)
    assert [d.url for d in docs if d.error is None and not d.skipped] == ["https://news.example/a1", "https://news.example/a2"]
    assert not any("no article" in d.error.reason for d in failures)  # the partial record is not taken for a page


def test_folders_globs_and_missing_paths(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.html").write_text(page(), encoding="utf-8")
    (tmp_path / "a" / "b" / "two.htm").write_text(page("عنوان آخر"), encoding="utf-8")
    (tmp_path / "a" / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "a" / ".hidden.html").write_text(page(), encoding="utf-8")
    assert len(run([tmp_path / "a"])) == 2
    assert len(run([f"{tmp_path}/a/**/*.htm*"])) == 2
    missing = run([tmp_path / "nope.html"])
    assert missing[0].error.reason.startswith("no such file")


def test_jsonl_good_and_bad_lines(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps({"url": "https://x.example/1", "html": page()}, ensure_ascii=False), "{not json",
             json.dumps({"url": "https://x.example/2"}), "[1, 2]",
             json.dumps({"url": "https://x.example/3", "text": f"عنوان نصي\n\n{P1}\n\n{P2}", "title": "عنوان نصي"}, ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = run([path])
    assert [bool(d.error) for d in docs] == [False, True, True, True, False]
    assert "not valid JSON" in docs[1].error.reason
    assert "neither an 'html' nor a 'text'" in docs[2].error.reason
    assert docs[4].title == "عنوان نصي" and docs[4].text.startswith("أعلنت")


def test_feed_file_and_not_a_feed(samples, tmp_path):
    docs = run([samples / "feed-amman.xml"])
    assert len(docs) == 2 and all(d.error is None for d in docs)
    assert docs[0].published == "2023-05-01" and docs[0].author == "هالة العمري"
    assert "تليغرام" not in docs[0].text
    bad = tmp_path / "broken.rss"
    bad.write_text("this is not XML at all {{{", encoding="utf-8")
    docs = run([bad])
    assert docs[0].error and "not a valid RSS/Atom feed" in docs[0].error.reason


def test_stdin_html_and_jsonl():
    docs = list(process_documents(Inputs(["-"], stdin=io.BytesIO(page().encode("utf-8")))))
    assert docs[0].error is None and P1 in docs[0].text
    line = json.dumps({"url": "https://x.example/9", "html": page()}, ensure_ascii=False).encode("utf-8")
    docs = list(process_documents(Inputs(["-"], stdin=io.BytesIO(line + b"\n" + line))))
    assert len(docs) == 2 and docs[0].url == "https://x.example/9"


def test_gzip_page_and_truncated_gzip(tmp_path):
    good = tmp_path / "page.html.gz"
    good.write_bytes(gzip.compress(page().encode("utf-8")))
    bad = tmp_path / "bad.html.gz"
    bad.write_bytes(gzip.compress(page().encode("utf-8"))[:-30])
    docs = run([good, bad])
    assert docs[0].error is None
    assert "truncated" in docs[1].error.reason or "corrupt" in docs[1].error.reason


def test_urls_without_fetching_are_recorded_failures(tmp_path):
    lst = tmp_path / "list.txt"
    lst.write_text("# urls\nhttps://a.example/1\nhttps://b.example/2\n", encoding="utf-8")
    docs = run([lst])
    assert [d.locator for d in docs] == ["https://a.example/1", "https://b.example/2"]
    assert all("fetching is disabled" in d.error.reason for d in docs)
