"""What the notebook tests (JupyterLab, Notebook 7, marimo) share: Debian's
Chromium (or the one NORMSCOPE_CHROMIUM names) driven by Playwright, which
downloads no browser; `missing` for a piece that is not installed (a
failure under `cargo xtask test`, a skip elsewhere); and one headless page
with console and page errors collected in `page.errors` and every request or
websocket that would leave 127.0.0.1 listed in `page.outside` (and refused,
if asked). Importing this module checks Playwright and Chromium."""

import contextlib
import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NORMSCOPE_CHROMIUM", "/usr/bin/chromium")


def missing(reason):
    # `cargo xtask test` sets NORMSCOPE_REQUIRE_LAB: there a missing piece fails.
    if os.environ.get("NORMSCOPE_REQUIRE_LAB"):
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)


try:
    import playwright.sync_api as playwright_api
except ImportError:
    missing("the playwright package is not installed")
if not Path(CHROMIUM).is_file():
    missing(f"no Chromium at {CHROMIUM} (set NORMSCOPE_CHROMIUM)")

LOCAL = re.compile(r"^(https?|wss?)://127\.0\.0\.1:\d+/|^(data|blob):")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextlib.contextmanager
def chromium_page(refuse_outside=False):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.errors = []
        page.outside = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
        if refuse_outside:
            def outside(route):
                page.outside.append(route.request.url)
                route.abort()

            context.route(re.compile(r"^(?!(https?|wss?)://127\.0\.0\.1:\d+/|data:|blob:)"), outside)
        else:
            page.on("request", lambda r: None if LOCAL.match(r.url) else page.outside.append(r.url))
        page.on("websocket", lambda w: None if LOCAL.match(w.url) else page.outside.append(w.url))
        try:
            yield page
        finally:
            context.close()
            browser.close()
