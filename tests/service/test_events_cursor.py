"""GET /_a2i/events over raw HTTP: the cursor, the long poll, the admin token and refusals at the door."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

ADMIN = "X-A2I-Admin-Token"


def get(service: Any, token: str | None = None, **params: Any) -> httpx.Response:
    headers = {ADMIN: service.admin_token if token is None else token}
    return httpx.get(f"{service.url}/_a2i/events", params=params, headers=headers, timeout=60)


def start_loops(make_flow: Any, runtime_client: Any, n: int) -> list[str]:
    flow = make_flow("cursor-flow")
    names = [f"cursor-loop-{k}" for k in range(n)]
    for name in names:
        runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": json.dumps({"text": name})})
    return names


def test_cursor_walks_every_event_once_in_order(service, make_flow, runtime_client):
    names = start_loops(make_flow, runtime_client, 5)
    for name in names:
        runtime_client.stop_human_loop(HumanLoopName=name)
    seen, cursor = [], 0
    while True:
        answer = get(service, after=cursor, limit=2)
        assert answer.status_code == 200
        body = answer.json()
        assert len(body["events"]) <= 2
        if not body["events"]:
            assert body["next"] == cursor
            break
        assert body["next"] > cursor
        seen += body["events"]
        cursor = body["next"]
    assert [e["detail"]["humanLoopName"] for e in seen] == names
    assert {e["detail"]["humanLoopStatus"] for e in seen} == {"Stopped"}
    assert len({e["id"] for e in seen}) == 5
    assert seen[0]["source"] == "aws.sagemaker"
    assert get(service, after="latest").json() == {"events": [], "next": cursor}


def test_long_poll_answers_when_an_event_arrives(service, make_flow, runtime_client):
    names = start_loops(make_flow, runtime_client, 1)
    head = get(service, after="latest").json()["next"]
    timer = threading.Timer(0.3, lambda: runtime_client.stop_human_loop(HumanLoopName=names[0]))
    timer.start()
    body = get(service, after=head, wait=20).json()
    timer.join()
    assert [e["detail"]["humanLoopName"] for e in body["events"]] == names
    assert body["next"] == head + 1


def test_long_poll_with_nothing_new_answers_empty(service):
    assert get(service, after=0, wait="0.2").json() == {"events": [], "next": 0}


@pytest.mark.parametrize(("params", "message"), [
    ({"after": "-1"}, "query parameter after='-1' must be a whole number from 0 to 9223372036854775807 "
                      "(the \"next\" of the previous answer) or latest"),
    ({"after": "1.5"}, "query parameter after='1.5' must be a whole number from 0 to"),
    ({"after": "ten"}, "query parameter after='ten' must be a whole number"),
    ({"after": "9" * 30}, "must be a whole number from 0 to 9223372036854775807"),
    ({"limit": "0"}, "query parameter limit='0' must be a whole number from 1 to 1000"),
    ({"limit": "1001"}, "query parameter limit='1001' must be a whole number from 1 to 1000"),
    ({"wait": "21"}, "query parameter wait='21' must be a number of seconds from 0 to 20"),
    ({"wait": "nan"}, "query parameter wait='nan' must be a number of seconds from 0 to 20"),
    ({"wait": "1e3"}, "query parameter wait='1e3' must be a number of seconds from 0 to 20"),
    ({"afer": "1"}, "unknown query parameter 'afer'; /_a2i/events takes after, limit and wait"),
    ({"after": ["1", "2"]}, "query parameter 'after' is given 2 times; give it once"),
])
def test_bad_parameters_are_refused_at_the_door(service, params, message):
    answer = get(service, **params)
    assert answer.status_code == 400
    assert answer.json()["code"] == "InvalidRequest"
    assert message in answer.json()["error"]


def test_events_need_the_admin_token(service):
    for token in ("", "wrong"):
        answer = get(service, token=token)
        assert answer.status_code == 401
        assert answer.json()["code"] == "Unauthorized"
        assert "missing or wrong X-A2I-Admin-Token header" in answer.json()["error"]
