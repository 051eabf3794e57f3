"""Fetching against a local HTTP server on 127.0.0.1: robots.txt, retries, redirects, charsets, feeds, rate limit."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khabar.engine import RunOptions, process_documents, run_local
from khabar.sources import Inputs
from khabar.sources.fetch import FetchError, FetchOptions, Fetcher
from test_sources import P1, page

pytestmark = pytest.mark.network


class Site(BaseHTTPRequestHandler):
    hits: dict = {}
    times: list = []
    agents: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        path = self.path
        Site.hits[path] = Site.hits.get(path, 0) + 1
        Site.times.append(time.monotonic())
        Site.agents.append(self.headers.get("User-Agent", ""))
        host = f"http://127.0.0.1:{self.server.server_port}"
        if path == "/robots.txt":
            return self._send(200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
        if path == "/news/1":
            return self._send(200, "text/html; charset=windows-1256", page(charset="").replace("<meta charset=''>", "").encode("cp1256"))
        if path == "/news/2":
            return self._send(200, "text/html", page("خبر آخر").encode("utf-8"))
        if path == "/flaky":
            if Site.hits[path] < 3:
                return self._send(503, "text/plain", b"busy")
            return self._send(200, "text/html", page("خبر بعد إعادة المحاولة").encode("utf-8"))
        if path == "/throttled":
            if Site.hits[path] == 1:
                self.send_response(429)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send(200, "text/html", page().encode("utf-8"))
        if path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return None
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, "text/html", page().encode("utf-8"))
        if path == "/private/secret":
            return self._send(200, "text/html", page().encode("utf-8"))
        if path == "/feed.xml":
            items = "".join(f"<item><title>خبر {i}</title><link>{host}/news/{i}</link>"
                            f"<pubDate>Mon, 01 May 2023 10:00:00 +0000</pubDate></item>" for i in (1, 2))
            body = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
            return self._send(200, "application/rss+xml", body.encode("utf-8"))
        return self._send(404, "text/html", b"<html>404</html>")

    def _send(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    Site.hits, Site.times, Site.agents = {}, [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def fetcher(**kw):
    opts = dict(delay=0.0, timeout=1.0, retries=2, backoff=0.01)
    opts.update(kw)
    return Fetcher(FetchOptions(**opts))


def test_charset_from_http_header_only(site):
    f = fetcher()
    docs = list(process_documents(Inputs([f"{site}/news/1"], fetcher=f), fetcher=f))
    assert docs[0].error is None and P1 in docs[0].text and docs[0].encoding == "cp1256"
    assert Site.agents[-1].startswith("khabar/")


def test_robots_txt_is_obeyed(site):
    with pytest.raises(FetchError, match="robots.txt"):
        fetcher().get(f"{site}/private/secret")
    assert "/private/secret" not in Site.hits
    assert fetcher(respect_robots=False).get(f"{site}/private/secret").status == 200


def test_retries_with_backoff_then_success(site):
    result = fetcher().get(f"{site}/flaky")
    assert result.status == 200 and Site.hits["/flaky"] == 3


def test_retry_after_is_honoured(site):
    f = fetcher()
    starts = []
    send = f._get_once

    def timed(url):  # measured where the client sends (server arrival times jitter under load)
        starts.append(time.monotonic())
        return send(url)

    f._get_once = timed
    result = f.get(f"{site}/throttled")
    assert result.status == 200 and Site.hits["/throttled"] == 2
    assert starts[1] - starts[0] >= 0.999  # waited the server's Retry-After (1 s), not the 10 ms backoff


def test_redirect_loop_timeout_and_404_fail_clearly(site):
    f = fetcher(retries=1)
    with pytest.raises(FetchError, match="too many redirects"):
        f.get(f"{site}/loop")
    with pytest.raises(FetchError, match="timed out"):
        f.get(f"{site}/slow")
    with pytest.raises(FetchError, match="HTTP 404"):
        f.get(f"{site}/nothing")


def test_per_host_rate_limit(site):
    f = fetcher(delay=0.3)
    starts = []
    send = f._get_once

    def timed(url):  # when each request leaves the client (server arrival times jitter under load)
        starts.append(time.monotonic())
        return send(url)

    f._get_once = timed
    for _ in range(3):
        f.get(f"{site}/news/2")
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 3 and min(gaps) >= 0.299  # the limiter stamps its time microseconds before sending


def test_feed_url_expands_to_fetched_articles_in_the_store(site, store):
    f = fetcher()
    summary = run_local(Inputs([f"{site}/feed.xml", f"{site}/loop"], fetcher=f), store, RunOptions(), f)
    assert summary.articles == 2 and summary.failed == 1
    assert any("redirects" in r for r in summary.failures_by_reason)
    records = list(store.iter_articles())
    assert {r["published"] for r in records} == {"2023-05-01"}
    # a second run skips the URLs already stored and re-tries only the failed one
    again = run_local(Inputs([f"{site}/feed.xml", f"{site}/loop"], fetcher=f), store, RunOptions(), f)
    assert again.already_done == 2 and again.failed == 1 and again.articles == 0
