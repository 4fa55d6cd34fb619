"""The Playwright fixture drives Debian's Chromium: a page served on loopback renders and clicks."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PAGE = b"""<!doctype html><button id=b onclick="this.textContent='clicked'">press</button>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.browser
def test_chromium_renders_and_clicks_a_loopback_page(page) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.click("#b")
        assert page.text_content("#b") == "clicked"
        assert "Chrom" in page.context.browser.version or page.context.browser.version[0].isdigit()
    finally:
        server.shutdown()
