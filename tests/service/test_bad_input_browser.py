"""A hostile page on another loopback port cannot start or stop loops through the AWS routes
(issue 10 item 7, AWS half): no-cors fetches, a CORS fetch and form posts all leave the store as it was."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HOSTILE = """<!doctype html><html><body>
<form id="stop" method="POST" enctype="text/plain" action="{url}/human-loops/stop">
  <input name='{{"HumanLoopName": "victim", "x": "' value='"}}'>
</form>
<form id="start" method="POST" action="{url}/human-loops">
  <input name="HumanLoopName" value="evil-form">
</form>
<script>
window.attack = async () => {{
  const start = JSON.stringify({{HumanLoopName: "evil-fetch", FlowDefinitionArn: "{flow}",
                                 HumanLoopInput: {{InputContent: "{{}}"}}}});
  const results = [];
  const attempts = [
    ["{url}/human-loops", {{method: "POST", mode: "no-cors", body: start}}],
    ["{url}/human-loops", {{method: "POST", mode: "no-cors", body: start,
                            headers: {{"Content-Type": "application/json"}}}}],
    ["{url}/human-loops/stop", {{method: "POST", mode: "no-cors", body: JSON.stringify({{HumanLoopName: "victim"}})}}],
    ["{url}/human-loops/stop", {{method: "POST", mode: "no-cors",
                                 body: new URLSearchParams({{HumanLoopName: "victim"}})}}],
    ["{url}/", {{method: "POST", mode: "no-cors", body: JSON.stringify({{FlowDefinitionName: "{flow_name}"}})}}],
    ["{url}/human-loops", {{method: "POST", mode: "cors", body: start,
                            headers: {{"Content-Type": "application/json"}}}}],
    ["{url}/human-loops/victim", {{method: "DELETE", mode: "cors"}}],
  ];
  for (const [target, init] of attempts) {{
    try {{ const r = await fetch(target, init); results.push(r.type + ":" + r.status); }}
    catch (e) {{ results.push("blocked"); }}
  }}
  return results;
}};
</script></body></html>"""


@pytest.fixture
def hostile_site(service: Any, make_flow: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    flow = make_flow("target-flow")
    page = HOSTILE.format(url=service.url, flow=flow["flow_definition_arn"], flow_name=flow["name"]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", flow
    finally:
        server.shutdown()
        server.server_close()


def _state(runtime_client: Any, sagemaker_client: Any, flow_arn: str) -> dict[str, Any]:
    loops = runtime_client.list_human_loops(FlowDefinitionArn=flow_arn)["HumanLoopSummaries"]
    flows = sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"]
    return {"loops": sorted((s["HumanLoopName"], s["HumanLoopStatus"]) for s in loops),
            "flows": sorted((s["FlowDefinitionName"], s["FlowDefinitionStatus"]) for s in flows)}


@pytest.mark.browser
def test_hostile_page_cannot_start_or_stop_loops(page, hostile_site, runtime_client, sagemaker_client, start_loop):
    url, flow = hostile_site
    start_loop("victim", flow["flow_definition_arn"])
    before = _state(runtime_client, sagemaker_client, flow["flow_definition_arn"])
    assert before["loops"] == [("victim", "InProgress")]

    page.goto(url)
    results = page.evaluate("window.attack()")
    assert len(results) == 7
    assert results[-2:] == ["blocked", "blocked"]  # CORS preflights fail: nothing answers OPTIONS
    for form in ("#stop", "#start"):
        page.goto(url)
        with page.expect_navigation():
            page.eval_on_selector(form, "f => f.submit()")
        answer = json.loads(page.inner_text("body"))
        assert answer["Message"].startswith("Requests from web pages (Origin 'http://127.0.0.1:")

    assert _state(runtime_client, sagemaker_client, flow["flow_definition_arn"]) == before


def test_the_repository_browser_code_never_calls_the_aws_routes():
    from pathlib import Path

    import a2i_kit

    root = Path(a2i_kit.__file__).parent
    scripts = [p for folder in ("widgets/static", "portal/static") for p in (root / folder).rglob("*.js")]
    assert scripts
    for script in scripts:
        text = script.read_text()
        assert "/human-loops" not in text, script
        assert "x-amz-target" not in text.lower(), script
