"""The web UI in a real headless Chromium (Debian's ``chromium``, driven by Playwright with executable_path).

Loads the pages, searches, filters, opens an event and an article, switches language, and checks that the
hostile fixture page stays inert: no script of it runs, no handler attribute reaches the DOM. Screenshots go to
the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi", reason="the web server's dependencies (fastapi) are not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

CHROMIUM = os.environ.get("KHABAR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("no Chromium on this machine: install Debian's package (apt-get install chromium) or set "
                "KHABAR_CHROMIUM; .ci/run installs it", allow_module_level=True)


@pytest.fixture(scope="module")
def server(web_db):
    import uvicorn

    from khabar.web import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(web_db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the khabar server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--no-first-run"])
        except Exception as exc:  # a broken browser install is an environment problem: say so clearly
            pytest.skip(f"Chromium at {CHROMIUM} could not be started: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="ar")
    pg = context.new_page()
    pg.problems = []  # console errors, page errors, dialogs, requests leaving 127.0.0.1
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("request", lambda r: r.url.startswith(server) or r.url.startswith("data:") or
          pg.problems.append(f"external request: {r.url}"))
    yield pg
    context.close()


def shot(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000  # a rendered page, not a blank image


def test_search_with_filters_and_open_an_article(page, tmp_path):
    page.goto("/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("input[name=q]", "مفاوضات")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=*")
    titles = page.locator(".hit .title").all_inner_texts()
    assert "وقفة احتجاجية للعمال في القاهرة" in titles and "استئناف المفاوضات في جنيف" in titles
    page.select_option("select[name=country]", "EG")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".hit .title").all_inner_texts() == ["وقفة احتجاجية للعمال في القاهرة"]
    shot(page, tmp_path, "search")
    page.click(".hit .title")
    page.wait_for_selector("#article-body")
    assert page.locator("#article-body .trig").count() >= 1 and page.locator("#article-body .place").count() >= 1
    assert page.locator("#article-body .place").first.is_visible()
    shot(page, tmp_path, "article")
    assert not page.problems, page.problems


def test_events_table_filter_sort_and_detail(page, tmp_path):
    page.goto("/events")
    all_rows = page.locator("tr.event-row").count()
    page.select_option("select[name=event_type]", "ASSAULT")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    types = page.locator("tr.event-row .type").all_inner_texts()
    assert types and set(types) == {"ASSAULT"} and len(types) < all_rows
    page.click("th a.sort >> nth=2")  # sort by source actor
    page.wait_for_load_state()
    assert "sort=source" in page.url and "event_type=ASSAULT" in page.url
    shot(page, tmp_path, "events")
    page.goto("/events?actor=SYRMIL&event_type=ASSAULT")
    page.click("tr.event-row a >> nth=0")
    page.wait_for_selector("#mentions")
    assert page.locator(".mention").count() >= 1
    assert page.locator("mark.sentence").first.inner_text().startswith("هاجم الجيش السوري")
    shot(page, tmp_path, "event")
    assert not page.problems, page.problems


def test_map_without_tiles_and_timeline(page, tmp_path):
    page.goto("/map")
    page.wait_for_function("document.getElementById('map').dataset.markers !== undefined", timeout=15000)
    assert int(page.get_attribute("#map", "data-markers")) >= 3
    assert page.locator("#map .leaflet-interactive").count() >= 3  # circle markers drawn by the vendored Leaflet
    assert page.locator("#no-tiles").is_visible()
    assert page.locator("svg.timeline rect").count() >= 3
    page.locator("#map .leaflet-interactive").first.click(force=True)
    page.wait_for_selector(".map-popup")
    assert page.locator(".map-popup b").inner_text().strip()
    shot(page, tmp_path, "map")
    assert not page.problems, page.problems


def test_english_toggle_switches_labels_and_direction(page):
    page.goto("/events")
    page.click("#lang-toggle")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Events" in page.locator("header nav").inner_text()
    page.goto("/")  # the choice is remembered
    assert page.get_attribute("html", "dir") == "ltr"
    page.click("#lang-toggle")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"


def test_hostile_page_renders_inert(page, tmp_path):
    page.goto("/?q=الأنقاض")
    link = page.locator(".hit .title").first
    assert "<img src=x" in link.inner_text()  # the title's markup is shown as text
    link.click()
    page.wait_for_selector("#article-body")
    page.mouse.move(300, 300)
    for anchor in page.locator("#article-body a, .meta a").all():
        assert not (anchor.get_attribute("href") or "").lower().startswith("javascript:")
    page.locator("#article-body").hover()
    page.locator("#article-body p >> nth=1").click()
    found = page.evaluate("""() => ({
        pwned: window.__pwned,
        handlers: document.querySelectorAll('[onerror],[onclick],[onmouseover],[onload]').length,
        scripts: [...document.scripts].map(s => s.src || 'inline'),
        images: document.querySelectorAll('img').length,
    })""")
    assert found["pwned"] is None and found["handlers"] == 0 and found["images"] == 0
    assert all(src.startswith(page.url.split("/articles")[0] + "/static/") for src in found["scripts"])
    assert "<script>window.__pwned=7</script>" in page.locator("#article-body").inner_text()
    shot(page, tmp_path, "hostile")
    for url in ("/events?q=الأنقاض", "/stories", "/entities", "/map?q=حلب"):
        page.goto(url)
        assert page.evaluate("window.__pwned") is None, url
    assert not page.problems, page.problems
