"""The widgets in real marimo: a notebook served here on 127.0.0.1 by
`marimo run` (app mode: every cell runs on open), driven by Playwright in
headless Chromium (Debian's, or the one NORMSCOPE_CHROMIUM names).

Scope: the panels draw; dragging the contrast slider and pressing arrow keys
on it reach Python (a cell that reads `scope.value["contrast"]` re-runs and
shows the kernel's number). Lab: the recorded race draws in marimo too.
Both: no console errors, and no request leaves 127.0.0.1.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from _chromium import chromium_page, missing

if shutil.which("marimo", path=str(Path(sys.executable).parent)) is None:
    missing("marimo is not installed next to this Python")

# The notebook as a marimo file: the README's example, and one cell that
# shows what the kernel holds (marimo re-runs it when the widget changes).
NOTEBOOK = textwrap.dedent('''\
    import marimo

    app = marimo.App()


    @app.cell
    def _():
        import marimo as mo
        import normscope
        return mo, normscope


    @app.cell
    def _(mo, normscope):
        scope = mo.ui.anywidget(normscope.Scope(images=["chelsea", "coffee", "astronaut"], contrast=0.5))
        scope
        return (scope,)


    @app.cell
    def _(mo, scope):
        mo.md(f"kernel contrast = {scope.value['contrast']}")
        return


    @app.cell
    def _(mo, normscope):
        lab = mo.ui.anywidget(normscope.Lab(experiment="race"))
        lab
        return (lab,)


    if __name__ == "__main__":
        app.run()
''')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def marimo(tmp_path_factory):
    home = tmp_path_factory.mktemp("marimo")
    notebook = home / "widgets.py"
    notebook.write_text(NOTEBOOK)
    port = free_port()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "MARIMO_SKIP_UPDATE_CHECK": "1"}
    log = open(home / "marimo.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", str(notebook), "--headless", "--host", "127.0.0.1",
         "--port", str(port), "--no-token"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"marimo did not start:\n{(home / 'marimo.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield {"base": base, "log": home / "marimo.log"}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture
def page(marimo):
    # Requests that would leave the machine are recorded and refused.
    with chromium_page(refuse_outside=True) as page:
        yield page


def kernel_contrast(page):
    text = page.get_by_text(re.compile(r"kernel contrast = ")).first.inner_text()
    return float(text.split("=")[1])


def test_scope_and_lab_draw_and_round_trip_in_marimo(marimo, page):
    page.set_default_timeout(90_000)
    page.goto(marimo["base"])
    view = page.locator("norm-scope[data-ready='true']")
    view.wait_for(timeout=120_000)
    assert kernel_contrast(page) == 0.5

    # The panels draw: every picture has many colours.
    drawn = view.evaluate(
        """(el) => [...el.shadowRoot.querySelectorAll('#grid canvas')].map((c) => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const seen = new Set();
             for (let i = 0; i < d.length; i += 4) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]);
             return seen.size;
           })"""
    )
    assert len(drawn) >= 12 and sum(n > 8 for n in drawn) >= 12, drawn

    # Drag the slider with the mouse: the kernel's cell follows.
    slider = view.locator("#contrast")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * (0.5 - 0.2) / (3 - 0.2), y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, y, steps=8)
    page.mouse.up()
    moved = float(slider.input_value())
    assert 1.0 < moved < 1.6, moved
    page.wait_for_function(
        f"() => /kernel contrast = {re.escape(str(moved))}$/m.test(document.body.innerText)"
    )

    # The keyboard: arrows on the focused slider move it, and the kernel follows.
    slider.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowLeft"):
        page.keyboard.press(key)
    expected = round(moved + 0.05, 2)
    assert float(slider.input_value()) == pytest.approx(expected), slider.input_value()
    page.wait_for_function(
        "(want) => [...document.body.innerText.matchAll(/kernel contrast = ([0-9.]+)/g)].some((m) => Math.abs(Number(m[1]) - want) < 1e-9)",
        arg=expected,
    )

    # The lab shows its recorded race in marimo too.
    lab = page.locator("norm-lab[data-ready='true']")
    lab.wait_for(timeout=120_000)
    lab.locator("tbody tr").first.wait_for()
    assert lab.locator("tbody tr").count() == 7

    artifacts = Path(os.environ.get("NORMSCOPE_ARTIFACTS", marimo["log"].parent))
    page.screenshot(path=str(artifacts / "marimo.png"), full_page=True)
    assert page.errors == [], page.errors
    assert page.outside == [], f"requests left 127.0.0.1: {page.outside}"
