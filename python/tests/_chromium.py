"""One headless Chromium page for the notebook tests (JupyterLab, Notebook 7,
marimo): Debian's Chromium with the flags this machine needs, console and
page errors collected in `page.errors`, and every request or websocket that
would leave 127.0.0.1 listed in `page.outside` (and refused, if asked)."""

import contextlib
import re

LOCAL = re.compile(r"^(https?|wss?)://127\.0\.0\.1:\d+/|^(data|blob):")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextlib.contextmanager
def chromium_page(playwright_api, executable, refuse_outside=False):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
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
