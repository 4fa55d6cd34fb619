"""The quality routes refuse bad input with the status, code and a message that names the fix."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from quality_helpers import GOLD_PREFIX, items

GOOD = items(GOLD_PREFIX, 1)[0]


@pytest.fixture
def flow(make_flow: Any) -> str:
    return str(make_flow()["name"])


CASES = [
    ("no items or rate", {}, 'send "items" (gold items to add) and/or "rate"'),
    ("unknown field", {"rates": 0.1}, "unknown field(s) ['rates']; this route takes ['items', 'rate']"),
    ("items not a list", {"items": {"input": {}}}, '"items" must be a non-empty list'),
    ("empty items", {"items": []}, '"items" must be a non-empty list'),
    ("item not an object", {"items": ["x"]}, "item 1 must be an object"),
    ("unknown item key", {"items": [{**GOOD, "label": "x"}]}, "item 1: unknown key(s) ['label']"),
    ("input not an object", {"items": [{**GOOD, "input": "text"}]}, 'item 1: "input" must be the task input object'),
    ("empty answer", {"items": [{**GOOD, "answer": {}}]}, 'item 1: "answer" must be the known answerContent object'),
    ("path not in answer", {"items": [{**GOOD, "paths": ["sentiment.lable"]}]},
     "item 1: path(s) ['sentiment.lable'] are not in its answer; the answer has ['sentiment.label']"),
    ("paths not strings", {"items": [{**GOOD, "paths": [1]}]}, 'item 1: "paths" must list answer paths'),
    ("bad item id", {"items": [{**GOOD, "itemId": "has space"}]}, "item 1: itemId must be 1-128 letters"),
    ("duplicate ids", {"items": [GOOD, GOOD]}, "item 2: itemId 'gold-000' appears twice in this request"),
    ("rate too high", {"items": [GOOD], "rate": 0.9}, "rate must be a number in (0, 0.5], e.g. 0.1; got 0.9"),
    ("rate not a number", {"items": [GOOD], "rate": "10%"}, "rate must be a number in (0, 0.5]"),
    ("rate without items", {"rate": 0.1}, "has no gold items: send \"items\" with the rate"),
]


@pytest.mark.parametrize(("case", "body", "message"), CASES, ids=[c[0] for c in CASES])
def test_gold_route_refuses(quality_http: httpx.Client, flow: str, case: str, body: dict[str, Any],
                            message: str) -> None:
    answer = quality_http.post(f"/_a2i/quality/flows/{flow}/gold", json=body)
    assert answer.status_code == 400, (case, answer.text)
    assert answer.json()["code"] == "InvalidRequest"
    assert message in answer.json()["error"], answer.json()["error"]


def test_qualification_route_refuses_bad_threshold_and_items(quality_http: httpx.Client, flow: str) -> None:
    path = f"/_a2i/quality/flows/{flow}/qualification"
    answer = quality_http.put(path, json={"items": [GOOD], "threshold": 0})
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidRequest")
    assert answer.json()["error"] == ("threshold must be a number in (0, 1], e.g. 0.8 (80 % of the items right); "
                                      "got 0")
    answer = quality_http.put(path, json={"threshold": 0.8})
    assert answer.status_code == 400
    assert '"items" must be a non-empty list' in answer.json()["error"]


def test_unknown_flow_bad_name_and_missing_token(service: Any, quality_http: httpx.Client) -> None:
    answer = quality_http.post("/_a2i/quality/flows/no-such-flow/gold", json={"items": [GOOD]})
    assert (answer.status_code, answer.json()["code"]) == (404, "NotFound")
    assert answer.json()["error"] == ("flow definition 'no-such-flow' does not exist: create it with "
                                      "CreateFlowDefinition first (quality control is set per flow definition name)")
    answer = quality_http.get("/_a2i/quality/flows/bad_name!")
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidRequest")
    assert "is not a flow definition name: 1-63 letters, digits and hyphens" in answer.json()["error"]
    answer = httpx.get(f"{service.url}/_a2i/quality/accuracy", timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (401, "Unauthorized")
    assert "needs the admin token in the X-A2I-Admin-Token header" in answer.json()["error"]
    answer = quality_http.post("/_a2i/quality/flows/f/gold", content=b"{", headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidRequest")
    answer = quality_http.delete("/_a2i/quality/flows/nothing-here")
    assert (answer.status_code, answer.json()["code"]) == (404, "NotFound")
    assert answer.json()["error"] == "flow definition 'nothing-here' has no quality control to remove"


def test_an_input_the_template_cannot_render_is_refused(make_flow: Any, quality_http: httpx.Client) -> None:
    template = "<crowd-form><p>{{ task.input.text | nosuchfilter }}</p></crowd-form>"
    flow = make_flow(template=template)["name"]
    answer = quality_http.post(f"/_a2i/quality/flows/{flow}/gold", json={"items": [GOOD]})
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidRequest")
    assert answer.json()["error"].startswith("item 1: the flow's worker task template cannot render its input (")
