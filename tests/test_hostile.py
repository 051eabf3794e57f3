"""Hostile and broken input, crashes and concurrency: every input ends stored or as a recorded failure."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from khabar.engine import process_documents
from khabar.sources import Inputs
from test_sources import P1, P2, page

BOMB_SIZE = 200 * 1024 * 1024  # decompresses to 200 MB; the limit is 10 MB


def bomb(size: int = BOMB_SIZE) -> bytes:
    """gzip data that expands to ``size`` bytes of zeros (about 200 KB compressed)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join([*(comp.compress(chunk) for _ in range(size // len(chunk))), comp.flush()])


def run(paths):
    return list(process_documents(Inputs([str(p) for p in paths])))


def test_decompression_bombs_in_warc_records_and_files(tmp_path):
    warc = tmp_path / "bomb.warc"
    with open(warc, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://bomb.example/", "response",
                                                      payload=io.BytesIO(bomb()), http_headers=headers))
        ok = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://ok.example/", "response",
                                                      payload=io.BytesIO(page().encode()), http_headers=ok))
    (tmp_path / "bomb.html.gz").write_bytes(bomb())
    docs = run([warc, tmp_path / "bomb.html.gz"])
    reasons = [d.error.reason if d.error else "ok" for d in docs]
    assert reasons[1] == "ok"  # the good record after the bomb is still read
    assert "too large" in reasons[0] and "too large" in reasons[2]


def test_huge_single_line_malformed_and_mixed_encodings(tmp_path):
    huge = tmp_path / "line.txt"
    with open(huge, "wb") as fh:
        for _ in range(100):
            fh.write(("كلمة " * 200_000).encode()[: 1 << 20])
    mixed = tmp_path / "mixed.html"
    mixed.write_bytes(b"<html><body><p>" + P1.encode("utf-8") + b"</p><p>" + P2.encode("cp1256") +
                      b"</p><p>\xff\xfe\xc3\x28 broken \xe2\x82</p></body></html>")
    docs = run([huge, mixed])
    assert "too large" in docs[0].error.reason
    assert docs[1].error is None or docs[1].error.reason  # decoded by detection or recorded, never raised


def test_other_languages_are_stored_but_not_annotated(tmp_path):
    zh = "<html><body><article><p>" + "北京时间周一，多国外长在日内瓦举行会谈，讨论地区局势和人道主义援助问题。" * 4 + "</p></article></body></html>"
    ru = "<html><body><article><p>" + "Министр иностранных дел заявил журналистам, что переговоры в Женеве продолжатся на следующей неделе. " * 3 + "</p></article></body></html>"
    (tmp_path / "zh.html").write_text(zh, encoding="utf-8")
    (tmp_path / "ru.html").write_text(ru, encoding="utf-8")
    docs = run([tmp_path])
    assert sorted(d.language for d in docs) == ["ru", "zh"]
    assert all(d.error is None and d.entities == [] and d.events == [] for d in docs)


def test_billion_laughs_feed_is_bounded(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    feed = (f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><rss version="2.0"><channel><title>&lol9;</title>'
            "<item><title>x</title><link>https://a.example/1</link></item></channel></rss>")
    (tmp_path / "lol.rss").write_text(feed, encoding="utf-8")
    docs = run([tmp_path / "lol.rss"])
    assert docs and all(d.error is not None for d in docs)  # a URL without fetching, or the feed refused


def _write_pages(folder, n):
    folder.mkdir()
    for i in range(n):
        html = page(f"خبر رقم {i} عن المزارعين").replace(P2, f"{P2} وذكر التقرير رقم {i} تفاصيل إضافية عن الأضرار.")
        (folder / f"p{i:04d}.html").write_text(html, encoding="utf-8")


def _khabar(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "khabar", "run", *args, "-q", "--no-fetch"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def _article_ids(db):
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}


def test_sigkill_mid_run_then_rerun_equals_a_clean_run(tmp_path):
    pages = tmp_path / "pages"
    _write_pages(pages, 300)
    clean = tmp_path / "clean.db"
    assert _khabar(str(pages), "--db", str(clean), "--no-annotate").wait(timeout=300) == 0
    killed = tmp_path / "killed.db"
    # with annotation the run is slow enough (seconds) to be killed between two of its commits
    proc = _khabar(str(pages), "--db", str(killed), "--commit-every", "5")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some batches are committed, then kill without warning
        time.sleep(0.05)
        if killed.exists():
            try:
                if len(_article_ids(killed)) >= 20:
                    break
            except sqlite3.OperationalError:
                continue
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    partial = _article_ids(killed)
    assert 0 < len(partial) < 300  # killed mid-run
    assert _khabar(str(pages), "--db", str(killed), "--no-annotate").wait(timeout=300) == 0
    assert _article_ids(killed) == _article_ids(clean) and len(_article_ids(clean)) == 300
    with sqlite3.connect(killed) as conn:
        assert conn.execute("SELECT COUNT(*) FROM inputs").fetchone()[0] == 300  # no duplicates


def test_two_runs_on_one_store_serialise(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _write_pages(a, 40)
    for f in sorted(a.iterdir())[20:]:
        b.mkdir(exist_ok=True)
        f.rename(b / f.name)
    db = tmp_path / "shared.db"
    procs = [_khabar(str(folder), "--db", str(db), "--no-annotate", "--commit-every", "2") for folder in (a, b)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0], [p.stderr.read() for p in procs]
    assert len(_article_ids(db)) == 40
    info = subprocess.run([sys.executable, "-m", "khabar", "info", "--db", str(db), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert json.loads(info.stdout)["inputs"] == {"ok": 40}


def test_a_reader_searches_while_a_run_writes(tmp_path):
    pages = tmp_path / "pages"
    _write_pages(pages, 200)
    db = tmp_path / "live.db"
    writer = _khabar(str(pages), "--db", str(db), "--commit-every", "3")
    reads = 0
    from khabar.store.db import Store

    while writer.poll() is None:  # a second process reading (as the web server will) during the writes
        if db.exists():
            try:
                reader = Store(db)
                reader.search("المزارعين", limit=5)
                reader.info()
                reader.close()
                reads += 1
            except Exception as exc:  # noqa: BLE001 - any error here is the failure being tested for
                raise AssertionError(f"reader failed while a run was writing: {exc}") from exc
        time.sleep(0.05)
    assert writer.returncode == 0 and reads > 0
    assert len(_article_ids(db)) == 200
