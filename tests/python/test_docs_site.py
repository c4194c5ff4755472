"""The dbt docs site, opened as a person opens it: served on 127.0.0.1 and rendered by headless Chromium.

`dbt docs generate` writes a single-page app that fetches manifest.json and catalog.json, so a broken
artifact, a failing doc block or a JavaScript error gives a page that loads but shows nothing. These tests
assert on what the browser rendered: the DOM of fct_sales's model page, and a screenshot of its lineage
graph (a canvas, so the pixels are what can be checked). Chromium comes from Debian's package
(scripts/setup/install_chromium.sh); without it the tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import functools
import json
import re
import struct
import subprocess
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tiny_warehouse import require_tool

pytestmark = pytest.mark.slow

MODEL_ID = "model.globalretail.fct_sales.v1"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
    # Let the app fetch the artifacts and render before the DOM is dumped or the screenshot taken.
    "--virtual-time-budget=20000",
)
WINDOW = (1400, 900)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def docs_url(tiny_docs: Path) -> Iterator[str]:
    """The generated site served on 127.0.0.1 (an ephemeral port), as `make docs` serves it."""
    handler = functools.partial(_QuietHandler, directory=str(tiny_docs))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_tool("chromium", "chromium", "chromium-browser", "google-chrome")


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Chromium with a fresh profile each time, so no state carries over between runs."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, f"chromium failed: {result.stderr.decode(errors='replace')[-2000:]}"
    return result


def dump_dom(chromium: str, url: str) -> str:
    return run_chromium(chromium, "--dump-dom", url).stdout.decode("utf-8", errors="replace")


def screenshot(chromium: str, url: str, path: Path) -> Path:
    run_chromium(chromium, f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={path}", url)
    assert path.is_file() and path.stat().st_size > 0, f"no screenshot written for {url}"
    return path


class _VisibleText(HTMLParser):
    """The text a reader sees: everything outside <script>, <style> and <template>."""

    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__()
        self._hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " | ".join(parser.parts)


def png_colours(path: Path) -> Counter[bytes]:
    """Pixel colours of an 8-bit, non-interlaced PNG (what Chromium writes), counted. Standard library only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    position, chunks = 8, []
    width = height = bytes_per_pixel = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "only 8-bit, non-interlaced PNGs are decoded here"
            bytes_per_pixel = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    raw, stride = zlib.decompress(b"".join(chunks)), width * bytes_per_pixel
    previous, colours, bpp = bytearray(stride), Counter[bytes](), bytes_per_pixel
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:  # Average
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + previous[i]) // 2) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        colours.update(bytes(line[i : i + bpp]) for i in range(0, stride, bpp))
        previous = line
    return colours


def test_fct_sales_model_page_renders_its_name_description_and_columns(
    chromium: str, docs_url: str, tiny_docs: Path
) -> None:
    text = visible_text(dump_dom(chromium, f"{docs_url}#!/model/{MODEL_ID}"))
    assert "dbt Docs" in text
    # The model's own page, not the overview: its name, its description, its contract and every column.
    assert "fct_sales" in text
    assert "Sales at line grain: every online order line" in text
    assert "Revenue | is net sales value of lines" in text, "the revenue doc block is rendered into the description"
    assert "Contract | Enforced" in text
    assert "Access | public" in text, "gold models are public (their access level is on the page)"
    assert "analytics-engineering@globalretail.example" in text, "the owner (meta.owner) is on the page"
    assert "Relation | warehouse.gold.fct_sales" in text
    columns = json.loads((tiny_docs / "manifest.json").read_text(encoding="utf-8"))["nodes"][MODEL_ID]["columns"]
    assert len(columns) >= 20
    missing = [name for name in columns if f"| {name} |" not in text]
    assert not missing, f"columns not rendered on the fct_sales page: {missing}"
    assert "| sales_line_id | VARCHAR |" in text, "column types come from catalog.json (the built warehouse)"


def test_fct_sales_lineage_graph_renders(chromium: str, docs_url: str, tmp_path: Path) -> None:
    # The lineage view the model page's graph button opens: fct_sales with its parents and children.
    lineage_url = f"{docs_url}#!/model/{MODEL_ID}?g_v=1&g_i=%2Bfct_sales%2B"
    page = screenshot(chromium, lineage_url, tmp_path / "fct_sales_lineage.png")
    blank = screenshot(chromium, "about:blank", tmp_path / "blank.png")

    blank_colours = png_colours(blank)
    assert len(blank_colours) <= 2, "control: a blank page has (almost) one colour"

    colours = png_colours(page)
    pixels = sum(colours.values())
    assert pixels == WINDOW[0] * WINDOW[1]
    # A drawn graph: dozens of labelled nodes and edges in several colours on the graph's background.
    assert len(colours) >= 500, f"only {len(colours)} distinct colours: the lineage graph did not draw ({page})"
    dominant_share = colours.most_common(1)[0][1] / pixels
    assert dominant_share < 0.95, f"{dominant_share:.0%} of the screenshot is one colour ({page})"

    # The graph is drawn by cytoscape on canvases: the node layer exists and has a size.
    dom = dump_dom(chromium, lineage_url)
    node_layer = re.search(r'<canvas[^>]*data-id="layer2-node"[^>]*width="(\d+)" height="(\d+)"', dom)
    assert node_layer is not None, "the lineage graph has no node canvas"
    assert int(node_layer.group(1)) > 100 and int(node_layer.group(2)) > 100
