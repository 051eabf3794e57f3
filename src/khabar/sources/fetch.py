"""Polite HTTP fetching: timeouts, retries with backoff, robots.txt, per-host rate limit, size cap."""

from __future__ import annotations

import datetime as dt
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from khabar import __version__
from khabar.document import Document
from khabar.pipeline import Step, StepFailure

USER_AGENT = f"khabar/{__version__} (Arabic news research crawler; respects robots.txt)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL could not be fetched; the message says why in words a user can act on."""


@dataclass(slots=True)
class FetchResult:
    """What a fetch returned: the final URL after redirects, status, content type and body bytes."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: str
    retry_after: float | None = None


@dataclass
class FetchOptions:
    """Fetch policy. ``delay`` is the minimum seconds between two requests to one host."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5
    delay: float = 1.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    respect_robots: bool = True
    user_agent: str = USER_AGENT
    transport: httpx.BaseTransport | None = field(default=None, repr=False)


class Fetcher:
    """Fetches URLs one at a time, obeying robots.txt and a per-host request interval."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        o = self.options
        self.client = httpx.Client(
            timeout=o.timeout, follow_redirects=True, max_redirects=o.max_redirects,
            headers={"User-Agent": o.user_agent, "Accept-Language": "ar,en;q=0.5"},
            transport=o.transport,
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def _wait_turn(self, host: str, crawl_delay: float | None = None) -> None:
        delay = max(self.options.delay, crawl_delay or 0.0)
        last = self._last_request.get(host)
        if last is not None and (wait := last + delay - time.monotonic()) > 0:
            time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._robots:
            return self._robots[origin]
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        self._wait_turn(parts.netloc)
        try:
            resp = self.client.get(origin + "/robots.txt", timeout=min(self.options.timeout, 10.0))
            if resp.status_code >= 500:
                parser.disallow_all = True  # RFC 9309: unreachable robots.txt means disallow
            elif resp.status_code >= 400:
                parser.allow_all = True
            else:
                parser.parse(resp.text.splitlines())
        except httpx.HTTPError:
            parser.disallow_all = True
        self._robots[origin] = parser
        return parser

    def get(self, url: str) -> FetchResult:
        """Fetch ``url``; raise FetchError with a clear reason when it cannot be had."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"not an http(s) URL: {url!r}")
        crawl_delay = None
        if self.options.respect_robots:
            robots = self._robots_for(url)
            if robots is not None and not robots.can_fetch(self.options.user_agent, url):
                if robots.disallow_all:
                    raise FetchError("robots.txt unreachable (server error), so fetching is not allowed")
                raise FetchError("disallowed by the site's robots.txt")
            if robots is not None:
                crawl_delay = robots.crawl_delay(self.options.user_agent)
        last_error, wait = "no attempt made", None
        for attempt in range(self.options.retries + 1):
            if attempt:
                time.sleep(wait if wait is not None else self._backoff(attempt))
            self._wait_turn(parts.netloc, float(crawl_delay) if crawl_delay else None)
            try:
                result = self._get_once(url)
            except httpx.TooManyRedirects:
                raise FetchError(f"too many redirects (more than {self.options.max_redirects})") from None
            except httpx.TimeoutException:
                last_error = f"timed out after {self.options.timeout:g}s"
                continue
            except httpx.TransportError as exc:
                last_error = f"connection failed ({type(exc).__name__}: {exc})"
                continue
            if result.status in RETRY_STATUSES:
                last_error, wait = f"HTTP {result.status}", result.retry_after
                continue
            if result.status >= 400:
                raise FetchError(f"HTTP {result.status}")
            return result
        raise FetchError(f"{last_error}, after {self.options.retries + 1} attempts")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff before retry ``attempt`` (capped at 30 s)."""
        return min(30.0, self.options.backoff * 2 ** (attempt - 1))

    def _get_once(self, url: str) -> FetchResult:
        with self.client.stream("GET", url) as resp:
            chunks, size = [], 0
            if resp.status_code < 400:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.options.max_bytes:
                        raise FetchError(f"page too large (over {self.options.max_bytes / 1e6:.1f} MB)")
                    chunks.append(chunk)
            return FetchResult(str(resp.url), resp.status_code, resp.headers.get("content-type"),
                               b"".join(chunks), dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                               _retry_after(resp.headers.get("retry-after")))


MAX_RETRY_AFTER = 60.0


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    delta = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


class Fetch(Step):
    """Fill ``doc.raw`` of URL documents (those not read from a file) by fetching them."""

    name = "fetch"
    time_limit_s = None  # the fetcher's own timeouts bound each request

    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def process(self, doc: Document) -> None:
        if doc.raw is not None or not doc.url:
            return
        try:
            result = self.fetcher.get(doc.url)
        except FetchError as exc:
            raise StepFailure(f"fetch failed: {exc}", doc.url) from None
        doc.raw = result.body
        doc.content_type = result.content_type
        doc.fetched_at = result.fetched_at
        doc.url = result.url
