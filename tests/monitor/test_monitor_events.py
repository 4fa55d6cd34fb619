"""Status-change events from the HTTP log, the log file and in-process callbacks, de-duplicated."""

from __future__ import annotations

import json

import pytest

from a2i_kit.errors import InputError, ServiceError
from a2i_kit.monitor import Deduper, bus_events, event_key, iter_events, read_events, subscribe
from a2i_kit.monitor.events import Event


def finished_keys(events: list[Event]) -> list[tuple[str, str]]:
    return sorted((e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in events)


def test_http_log_and_file_give_the_same_deduplicated_events(service, started, runtime_client):
    from a2i_kit.review import simulate_reviewers

    flow = started(3)
    simulate_reviewers(service.url, service.admin_token, workers=1, max_tasks=2, seed=2)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][2])
    log = service.config.data_dir / "events.jsonl"
    lines = log.read_text().splitlines()
    with open(log, "a", encoding="utf-8") as handle:  # at-least-once delivery: a repeat
        handle.write(lines[0] + "\n")
    over_http = list(iter_events(service))
    from_file = list(iter_events(service.config.data_dir))
    expected = sorted([(flow["names"][0], "Completed"), (flow["names"][1], "Completed"),
                       (flow["names"][2], "Stopped")])
    assert finished_keys(over_http) == expected
    assert finished_keys(from_file) == expected
    raw, cursor = read_events(log)
    assert len(raw) == 4
    assert cursor == 4
    assert read_events(log, after=cursor) == ([], 4)
    assert over_http[0]["detail-type"] == "SageMaker A2I HumanLoop Status Change"
    only_stopped = list(iter_events(service, statuses=["Stopped"],
                                    flow_definition_arn=flow["flow_definition_arn"]))
    assert [e["detail"]["humanLoopName"] for e in only_stopped] == [flow["names"][2]]


def test_follow_stops_at_the_timeout(service, started):
    started(1)
    assert list(iter_events(service, follow=True, timeout=0.3, poll_seconds=0.05)) == []


def test_http_needs_the_admin_token(service):
    with pytest.raises(ServiceError, match="GET /_a2i/events answered 401"):
        read_events(service.url, admin_token="wrong")
    with pytest.raises(InputError, match="needs the service URL and its admin token"):
        read_events(service.url)


def test_in_process_callbacks_are_deduplicated(service, started, runtime_client):
    flow = started(2)
    got: list[Event] = []
    unsubscribe = subscribe(service, got.append)
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][0])
    service.context.bus.publish(got[0])  # a duplicate delivery
    unsubscribe()
    runtime_client.stop_human_loop(HumanLoopName=flow["names"][1])
    assert [event_key(e)[1] for e in got] == ["Stopped"]
    assert got[0]["detail"]["humanLoopName"] == flow["names"][0]


def test_bus_events_yields_live_events(service, started, runtime_client):
    import threading

    flow = started(2)
    timer = threading.Timer(0.2, lambda: [runtime_client.stop_human_loop(HumanLoopName=n)
                                          for n in flow["names"]])
    timer.start()
    events = list(bus_events(service, timeout=20, count=2, flow_definition_arn=flow["flow_definition_arn"]))
    timer.join()
    assert sorted(e["detail"]["humanLoopName"] for e in events) == flow["names"]


def test_deduper_and_bus_needs_the_local_service():
    seen = Deduper()
    event = {"detail": {"humanLoopArn": "arn:x", "humanLoopStatus": "Completed"}}
    assert seen(event) is True
    assert seen(json.loads(json.dumps(event))) is False
    assert seen({"detail": {"humanLoopArn": "arn:x", "humanLoopStatus": "Failed"}}) is True
    with pytest.raises(InputError, match="in-process events need the local service"):
        subscribe(object(), print)
