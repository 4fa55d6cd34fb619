"""Harness for widget tests: a real JupyterLab 4 server, a notebook opened in Chromium, cells run.

One server per test module (``lab_server``); each test gets a fresh notebook with its own kernel
(``lab``). ``lab.run(code)`` appends a cell, runs it through JupyterLab's own command and returns
the cell's outputs; ``lab.value(expr)`` reads a JSON-able kernel value; ``lab.wait_value(expr)``
polls it (in new cells, so the kernel stays free to handle widget messages in between);
``lab.output(cell)`` is a Playwright locator on the cell's output area.

Example:
    def test_it(lab):
        cell = lab.run("import ipywidgets as w; w.Button(description='hi')")
        expect(lab.output(cell).locator("button")).to_have_text("hi")
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
KERNEL_TIMEOUT = 90.0
CELL_TIMEOUT = 120.0
EXPECT_TIMEOUT_MS = 45_000  # waits, not assertions on time: 2 shared cores can be slow

SETTINGS = {
    # Render every cell (no virtual scrolling), so locators find off-screen outputs too.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No news / update toasts over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


@dataclass
class LabServer:
    """A running ``jupyter lab`` subprocess."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"token {self.token}"},
                            timeout=30)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _write_settings(settings_dir: Path) -> None:
    for rel, value in SETTINGS.items():
        plugin, _, file = rel.rpartition("/")
        path = settings_dir / plugin / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _start_server(base: Path) -> LabServer:
    root, runtime = base / "root", base / "runtime"
    for folder in (root, runtime):
        folder.mkdir(parents=True, exist_ok=True)
    _write_settings(base / "user-settings")
    token = uuid.uuid4().hex
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(base / "config"),
           "IPYTHONDIR": str(base / "ipython"), "PYTHONPATH": str(REPO), "JUPYTER_PLATFORM_DIRS": "1",
           "A2I_KIT_DATA_DIR": str(base / "a2i-data")}
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            "--port=0", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            "--ServerApp.open_browser=False", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={base / 'user-settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
            "--ServerApp.disable_check_xsrf=False"]
    log = base / "server.log"
    process = subprocess.Popen(args, cwd=root, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(url="", token=token, root=root, process=process, log=log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited ({process.returncode}):\n{server.log_tail()}")
        info = _runtime_info(runtime, process.pid)
        if info and _answers(info["url"], token):
            server.url = info["url"].rstrip("/")
            return server
        time.sleep(0.2)
    _stop_server(server)
    raise RuntimeError(f"jupyter lab did not answer in {START_TIMEOUT}s:\n{server.log_tail()}")


def _runtime_info(runtime: Path, pid: int) -> dict[str, Any] | None:
    path = runtime / f"jpserver-{pid}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _answers(url: str, token: str) -> bool:
    try:
        response = httpx.get(f"{url.rstrip('/')}/api/status", timeout=2,
                             headers={"Authorization": f"token {token}"})
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _stop_server(server: LabServer) -> None:
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """One JupyterLab server for the whole test module (headless, token auth, loopback)."""
    server = _start_server(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        _stop_server(server)


class CellError(AssertionError):
    """A cell run by the harness raised in the kernel."""


@dataclass
class CellResult:
    """What one executed cell produced."""

    index: int
    tag: str
    outputs: list[dict[str, Any]]

    @property
    def text(self) -> str:
        """stdout plus text/plain results, in order."""
        parts = []
        for out in self.outputs:
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                parts.append(_joined(out.get("text", "")))
            elif out.get("output_type") in ("execute_result", "display_data"):
                parts.append(_joined(out.get("data", {}).get("text/plain", "")))
        return "".join(parts)

    @property
    def error(self) -> dict[str, Any] | None:
        return next((o for o in self.outputs if o.get("output_type") == "error"), None)


def _joined(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else text


_OPEN_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.sessionContext) { window.__a2iPanel = w; return true; }
  }
  return false;
}"""
_KERNEL_IDLE = """() => {
  const p = window.__a2iPanel;
  const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle' && p.context.isReady;
}"""
_RUN_CELL = """async ({code, tag}) => {
  const app = window.jupyterapp, panel = window.__a2iPanel, nb = panel.content;
  const shared = nb.model.sharedModel;
  const index = shared.cells.length;
  shared.insertCell(index, {cell_type: 'code', source: code});
  nb.activeCellIndex = index;
  const cell = nb.widgets[index];
  cell.node.setAttribute('data-a2i-cell', tag);
  await app.commands.execute('notebook:run-cell');
  return {index, outputs: cell.model.outputs.toJSON()};
}"""


@dataclass
class LabNotebook:
    """A notebook open in JupyterLab in Chromium, with a live kernel."""

    page: Any
    server: LabServer
    path: str
    console: list[str] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)

    def run(self, code: str, *, allow_error: bool = False, timeout: float = CELL_TIMEOUT) -> CellResult:
        """Append a code cell, run it, wait for it to finish and return its outputs."""
        tag = uuid.uuid4().hex[:10]
        self.page.set_default_timeout(timeout * 1000)
        raw = self.page.evaluate(_RUN_CELL, {"code": code, "tag": tag})
        result = CellResult(index=raw["index"], tag=tag, outputs=raw["outputs"])
        self.cells.append(result)
        if result.error and not allow_error:
            trace = "\n".join(result.error.get("traceback", []))
            raise CellError(f"cell failed: {result.error.get('ename')}: {result.error.get('evalue')}\n"
                            f"{_strip_ansi(trace)}\n--- code ---\n{code}")
        return result

    def value(self, expr: str) -> Any:
        """The JSON value of a kernel expression (``default=str`` for the rest)."""
        marker = "@@A2I@@"
        cell = self.run(f"import json as _j\nprint({marker!r} + _j.dumps({expr}, default=str))")
        line = next((ln for ln in cell.text.splitlines() if ln.startswith(marker)), None)
        if line is None:
            raise CellError(f"no value printed for {expr!r}: {cell.text!r}")
        return json.loads(line[len(marker):])

    def wait_value(self, expr: str, *, until: Any = bool, timeout: float = 60.0,
                   interval: float = 0.3) -> Any:
        """Poll ``expr`` in the kernel until ``until(value)`` holds; return the last value."""
        deadline = time.monotonic() + timeout
        value = self.value(expr)
        while not until(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"{expr!r} never met the condition; last value {value!r}")
            self.page.wait_for_timeout(interval * 1000)
            value = self.value(expr)
        return value

    def output(self, cell: CellResult) -> Any:
        """Playwright locator for the output area of ``cell``."""
        return self.page.locator(f"[data-a2i-cell='{cell.tag}'] .jp-OutputArea")


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _new_notebook(root: Path) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}.ipynb"
    notebook = {"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                          "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (root / name).write_text(json.dumps(notebook))
    return name


def _shutdown_kernels_for(server: LabServer, path: str) -> None:
    with server.api() as api:
        try:
            sessions = api.get("/api/sessions").json()
        except (httpx.HTTPError, ValueError):
            return
        for session in sessions:
            if session.get("path") == path:
                api.delete(f"/api/sessions/{session['id']}")


def _open(server: LabServer, browser: Any, route: str) -> Iterator[LabNotebook]:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    path = _new_notebook(server.root)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    notebook = LabNotebook(page=page, server=server, path=path)
    page.on("console", lambda msg: notebook.console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: notebook.console.append(f"pageerror: {exc}"))
    try:
        page.goto(f"{server.url}/{route}/{path}?reset&token={server.token}")
        page.wait_for_function(_OPEN_PANEL, arg=path, timeout=START_TIMEOUT * 1000)
        page.wait_for_function(_KERNEL_IDLE, timeout=KERNEL_TIMEOUT * 1000, polling=200)
        yield notebook
    finally:
        context.close()
        _shutdown_kernels_for(server, path)


@pytest.fixture
def lab(lab_server: LabServer, browser: Any) -> Iterator[LabNotebook]:
    """A fresh notebook opened in JupyterLab (own browser context), kernel idle and connected."""
    yield from _open(lab_server, browser, "lab/tree")


@pytest.fixture
def notebook7(lab_server: LabServer, browser: Any) -> Iterator[LabNotebook]:
    """The same, in the Notebook 7 interface (served by the same server at /notebooks/...)."""
    yield from _open(lab_server, browser, "notebooks")
