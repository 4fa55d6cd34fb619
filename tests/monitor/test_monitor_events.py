"""Status-change events through the service's HTTP cursor (/_a2i/events): pages, follow, callbacks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest

from a2i_kit.errors import InputError, ServiceError
from a2i_kit.monitor import Deduper, bus_events, event_key, iter_events, read_events, subscribe
from a2i_kit.monitor.events import Event


def finished_keys(events: list[Event]) -> list[tuple[str, str]]:
    return sorted((e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in events)


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_cursor_pages_and_filters_over_http(service, started, runtime_client):
    from a2i_kit.review import simulate_reviewers

    flow = started(3)
    simulate_reviewers(service.url, service.admin_token, workers=1, max_tasks=2, seed=2)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][2])
    expected = sorted([(flow["names"][0], "Completed"), (flow["names"][1], "Completed"),
                       (flow["names"][2], "Stopped")])
    assert finished_keys(list(iter_events(service))) == expected
    assert finished_keys(list(iter_events(service.url, admin_token=service.admin_token))) == expected
    assert finished_keys(list(iter_events((service.url, service.admin_token)))) == expected
    first, cursor = read_events(service, limit=2)
    assert (len(first), cursor) == (2, 2)
    rest, cursor = read_events(service, after=cursor)
    assert (len(rest), cursor) == (1, 3)
    assert read_events(service, after=cursor) == ([], 3)
    assert read_events(service, after="latest") == ([], 3)
    assert finished_keys(first + rest) == expected
    assert first[0]["detail-type"] == "SageMaker A2I HumanLoop Status Change"
    only_stopped = list(iter_events(service, statuses=["Stopped"], flow_definition_arn=flow["flow_definition_arn"]))
    assert [e["detail"]["humanLoopName"] for e in only_stopped] == [flow["names"][2]]


def test_follow_stops_at_the_timeout(service, started):
    started(1)
    assert list(iter_events(service, follow=True, timeout=0.3, poll_seconds=0.05)) == []


def test_follow_long_polls_until_an_event_arrives(service, started, runtime_client):
    flow = started(1)
    timer = threading.Timer(0.3, lambda: runtime_client.stop_human_loop(HumanLoopName=flow["names"][0]))
    timer.start()
    got = next(iter_events(service, follow=True, timeout=30, poll_seconds=10))
    timer.join()
    assert event_key(got)[1] == "Stopped"
    assert got["detail"]["humanLoopName"] == flow["names"][0]


def test_http_needs_the_admin_token_and_a_service(service, tmp_path):
    with pytest.raises(ServiceError, match=r"GET /_a2i/events answered 401: .*X-A2I-Admin-Token"):
        read_events(service.url, admin_token="wrong")
    with pytest.raises(InputError, match="needs the service URL and its admin token"):
        read_events(service.url)
    with pytest.raises(InputError, match="events are read from the service over HTTP, not from"):
        read_events(tmp_path)
    with pytest.raises(ServiceError, match=r"GET /_a2i/events answered 400: .*limit='0' must be a whole number "
                       r"from 1 to 1000"):
        read_events(service, limit=0)


def test_subscribe_calls_back_from_now_on_until_unsubscribed(service, started, runtime_client):
    flow = started(3)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][0])  # before subscribing: not seen
    got: list[Event] = []
    unsubscribe = subscribe(service, got.append, poll_seconds=0.2)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][1])
    wait_for(lambda: len(got) == 1)
    unsubscribe()
    time.sleep(0.5)  # the follower's last long poll ends
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][2])
    time.sleep(0.5)
    assert [e["detail"]["humanLoopName"] for e in got] == [flow["names"][1]]


def test_bus_events_yields_what_happens_after_the_call(service, started, runtime_client):
    flow = started(3)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][0])  # before: not yielded
    stream = bus_events(service, timeout=20, count=2, flow_definition_arn=flow["flow_definition_arn"])
    for name in flow["names"][1:]:
        runtime_client.stop_human_loop(HumanLoopName=name)
    assert sorted(e["detail"]["humanLoopName"] for e in stream) == flow["names"][1:]


def test_deduper_and_subscribe_needs_a_service():
    seen = Deduper()
    event = {"detail": {"humanLoopArn": "arn:x", "humanLoopStatus": "Completed"}}
    assert seen(event) is True
    assert seen(json.loads(json.dumps(event))) is False
    assert seen({"detail": {"humanLoopArn": "arn:x", "humanLoopStatus": "Failed"}}) is True
    with pytest.raises(InputError, match=r"following events needs the service: pass a2i_kit\.connect"):
        subscribe(object(), print)
