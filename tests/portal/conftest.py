"""Harness for the crowd elements: a tiny starlette app on port 0 that serves test pages."""

from __future__ import annotations

import io
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from a2i_kit.crowd import CROWD_DIR, prepare_task_html

LOADER = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'


def png_bytes(width: int, height: int) -> bytes:
    """A PNG of the given natural size (a gradient, so it is visibly an image)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class Harness:
    """Serves registered pages at /page/<n>, the elements at /static and PNGs at /img/<w>x<h>.png."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.url = ""
        app = Starlette(routes=[
            Route("/page/{pid}", self._page),
            Route("/img/{w:int}x{h:int}.png", self._image),
            Mount("/static/crowd", StaticFiles(directory=CROWD_DIR)),
        ])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def _page(self, request: Request) -> Response:
        return HTMLResponse(self.pages[request.path_params["pid"]])

    async def _image(self, request: Request) -> Response:
        return Response(png_bytes(request.path_params["w"], request.path_params["h"]), media_type="image/png")

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("harness server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)

    def add(self, body: str, *, inline: bool = False, loader: bool = True) -> str:
        """Register a task page (``body`` as a template author writes it); returns its URL."""
        html = (LOADER + "\n" if loader else "") + body
        doc = ("<!doctype html><html><head><meta charset='utf-8'><title>harness</title></head><body>"
               + prepare_task_html(html, static_base=None if inline else "/static") + "</body></html>")
        pid = str(next(self._ids))
        self.pages[pid] = doc
        return f"{self.url}/page/{pid}"


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    server = Harness()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def open_task(harness: Harness, page: Any):
    """Open a task page and wait for all-crowd-elements-ready; returns the Playwright page."""

    def open_(body: str, *, inline: bool = False) -> Any:
        page.goto(harness.add(body, inline=inline))
        page.wait_for_selector("html[data-crowd-ready]", state="attached")
        return page

    return open_


@pytest.fixture
def submitted() -> Any:
    """``submitted(page)``: the answer of the last successful submit on a top-level page (or None)."""
    return lambda page: page.evaluate("() => globalThis.__a2iKitLastAnswer ?? null")
