"""The store (idempotency, search, exports, migrations, resume) and the CLI (help, exit codes, bad inputs)."""

import csv
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from khabar.engine import RunOptions, run_local
from khabar.sources import Inputs
from khabar.store.db import Store, build_fts_query
from test_sources import page

COMMANDS = ["run", "extract", "search", "show", "export", "info", "eval"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_run_samples_is_idempotent_and_searchable(cli, samples, tmp_path):
    db = str(tmp_path / "k.db")
    first = cli("run", str(samples), "--db", db, "--json", "--no-fetch")
    assert first.exit_code == 0, first.output
    stats = json.loads(first.stdout)
    assert stats["articles"] == 13 and stats["failed"] == 0 and stats["non_arabic"] == 1
    again = json.loads(cli("run", str(samples), "--db", db, "--json", "--no-fetch").stdout)
    assert again["already_done"] == 13 and again["articles"] == 0
    forced = json.loads(cli("run", str(samples), "--db", db, "--json", "--force", "--no-fetch").stdout)
    assert forced["articles"] == 13
    info = json.loads(cli("info", "--db", db, "--json").stdout)
    assert info["articles"] == 13 and info["inputs"] == {"ok": 13}
    # normalised search: hamza and alef-maqsura spellings find each other
    hits = json.loads(cli("search", "صندوق النقد", "--db", db, "--json").stdout)
    titles = [h["title"] for h in hits]
    assert any(t.startswith("البنك المركزي") for t in titles) and any(t.startswith("تعثر جديد") for t in titles)
    hits = json.loads(cli("search", "الأردنيه", "--db", db, "--json").stdout)
    assert hits and "الأردنية" in hits[0]["snippet"]


def test_seed_search_folds_spelling(cli, seed, tmp_path):
    db = str(tmp_path / "k.db")
    assert cli("run", str(seed), "--db", db, "-q").exit_code == 0
    for query in ["الأمريكي", "الامريكى", "الأمريكيّ", "لافروف", "مجلس الأمن", "تستان*"]:
        hits = json.loads(cli("search", query, "--db", db, "--json").stdout)
        assert len(hits) == 1, query
    shown = cli("show", hits[0]["id"][:8], "--db", db, "--json")
    assert json.loads(shown.stdout)["title"].startswith("حلب")


def test_fts_query_cannot_inject_operators():
    assert build_fts_query('حلب" OR "x') == '"حلب" "or" "x"'
    assert build_fts_query("NEAR(a b) -c") == '"near" "a" "b" "c"'
    assert build_fts_query("  ") == ""


def test_exports(cli, samples, tmp_path):
    db = str(tmp_path / "k.db")
    cli("run", str(samples), "--db", db, "-q", "--no-fetch")
    jsonl = cli("export", "--format", "jsonl", "--db", db)
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == 13 and all(r["text"] for r in records)
    rows = list(csv.DictReader(io.StringIO(cli("export", "-f", "csv", "--db", db).stdout)))
    assert len(rows) == 13 and isinstance(json.loads(rows[0]["entities"]), list)
    out = tmp_path / "a.parquet"
    assert cli("export", "-f", "parquet", "-o", str(out), "--db", db).exit_code == 0
    table = pq.read_table(out)
    assert table.num_rows == 13 and "title" in table.column_names
    assert cli("export", "-f", "parquet", "--db", db).exit_code == 2  # binary needs a file
    assert cli("export", "-f", "xml", "--db", db).exit_code == 2


def bad_inputs(tmp_path):
    files = {
        "empty.html": b"",
        "image.html": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        "truncated.html.gz": __import__("gzip").compress(page().encode())[:-40],
        "huge.html": b"<html><body><p>" + "كلمة ".encode() * (50 * 1024 * 1024 // 10) + b"</p></body></html>",
        "nested.html": b"<html><body>" + b"<div>" * 10000 + "<p>نص</p>".encode() + b"</div>" * 10000 + b"</body></html>",
        "no-article.html": "<html><body><nav>الرئيسية | أخبار</nav><footer>جميع الحقوق محفوظة</footer></body></html>".encode(),
        "not-a-feed.rss": b"<html>this is not a feed",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.html").write_text(page(), encoding="utf-8")
    return files


def test_bad_inputs_become_failures_and_the_batch_goes_on(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    files = bad_inputs(src)
    db = str(tmp_path / "k.db")
    result = cli("run", str(src), "--db", db, "--json")
    assert result.exit_code == 1  # some inputs failed
    stats = json.loads(result.stdout)
    assert stats["articles"] == 1 and stats["failed"] == len(files)
    store = Store(db)
    reasons = {r["locator"].rsplit("/", 1)[-1]: r["reason"] for r in store.iter_inputs("failed")}
    store.close()
    assert "empty" in reasons["empty.html"]
    assert "binary" in reasons["image.html"]
    assert "gzip" in reasons["truncated.html.gz"]
    assert "too large" in reasons["huge.html"]
    assert "nested too deeply" in reasons["nested.html"]
    assert "no article" in reasons["no-article.html"]
    assert "feed" in reasons["not-a-feed.rss"]
    failures = cli("export", "--table", "failures", "-f", "csv", "--db", db).stdout
    assert len(list(csv.DictReader(io.StringIO(failures)))) == len(files)


def test_article_below_the_parser_depth_limit_is_recovered():
    from khabar.document import Document
    from khabar.engine import process_documents

    para = "قال وزير الخارجية إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة بمشاركة وفود عربية. " * 3
    html = "<html><body>" + "<div>" * 5000 + f"<p>{para}</p>" + "</div>" * 5000 + "<footer>جميع الحقوق محفوظة</footer></body></html>"
    doc = next(process_documents([Document("deep.html", raw=html.encode())]))
    assert doc.error is None and doc.text == para.strip()


def test_crash_mid_run_loses_nothing_committed_and_rerun_completes(samples, tmp_path):
    db = tmp_path / "k.db"
    store = Store(db)

    class Boom(Exception):
        pass

    def crash_after(n):
        seen = 0

        def hook(doc, status):
            nonlocal seen
            seen += 1
            if seen == n:
                raise Boom

        return hook

    with pytest.raises(Boom):
        run_local(Inputs([str(samples)]), store, RunOptions(commit_every=2), on_document=crash_after(5))
    store.conn.rollback() if store.conn.in_transaction else None
    store._in_tx = False
    committed = store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 0 < committed <= 5
    summary = run_local(Inputs([str(samples)]), store, RunOptions())
    assert summary.already_done == committed
    assert store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 13
    assert store.conn.execute("SELECT COUNT(*) FROM inputs").fetchone()[0] == 13
    store.close()


def test_stdin_and_exit_codes(cli, tmp_path):
    db = str(tmp_path / "k.db")
    ok = cli("run", "-", "--db", db, "--json", input=page().encode("utf-8"))
    assert ok.exit_code == 0 and json.loads(ok.stdout)["articles"] == 1
    assert cli("show", "nonexistent", "--db", db).exit_code == 1
    assert cli("info", "--db", str(tmp_path / "none.db")).exit_code == 2
    assert cli("search", "لا يوجد شيء كهذا", "--db", db).exit_code == 1


def test_store_migrations_are_recorded_and_reopen_cleanly(tmp_path):
    s = Store(tmp_path / "k.db")
    version = s.version
    s.close()
    again = Store(tmp_path / "k.db")
    assert again.version == version >= 1
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_console_script_runs(tmp_path, samples):
    proc = subprocess.run([sys.executable, "-m", "khabar", "extract", str(samples / "amp-baghdad.html"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["source"] == "شبكة الرافدين"
