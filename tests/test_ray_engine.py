"""The Ray engine in local mode: same articles as the local engine, Parquet partitions, idempotent load."""

import json
import sqlite3

import pytest

pytest.importorskip("ray", reason="Ray engine not installed: pip install -e '.[ray]' (CI installs it)")

from test_sources import build_warc  # noqa: E402


def _ids(db):
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}


def test_ray_engine_matches_the_local_engine_and_loads_idempotently(cli, samples, tmp_path):
    build_warc(tmp_path / "crawl.warc.gz")
    inputs = [str(samples), str(tmp_path / "crawl.warc.gz")]
    local_db, ray_db = str(tmp_path / "local.db"), str(tmp_path / "ray.db")
    assert cli("run", *inputs, "--db", local_db, "-q", "--no-fetch").exit_code == 0
    result = cli("run", *inputs, "--db", ray_db, "--engine", "ray", "--workers", "2", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["engine"] == "ray" and summary["shards"] == 12
    assert _ids(ray_db) == _ids(local_db) and len(_ids(ray_db)) == 15
    with sqlite3.connect(ray_db) as conn:
        annotations = json.loads(conn.execute("SELECT annotations FROM articles WHERE title LIKE 'اشتباكات%'")
                                 .fetchone()[0])
    assert annotations["entities"] and annotations["events"]  # the language stage ran on the workers
    again = json.loads(cli("load", summary["parts"], "--db", ray_db, "--json").stdout)
    assert again["articles"] == 15 and len(_ids(ray_db)) == 15  # re-loading upserts, no duplicates


def test_ray_engine_refuses_urls_clearly(cli, tmp_path):
    result = cli("run", "https://example.org/feed", "--engine", "ray", "--db", str(tmp_path / "k.db"))
    assert result.exit_code == 2 and "local engine" in result.output
