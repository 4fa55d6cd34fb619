"""Webhooks end to end: a real receiving HTTP server checks signatures, fails on purpose, sees every event.

Retries wait on the service clock, so the tests move it (``/_a2i/admin/clock``) instead of sleeping
through backoffs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from a2i_kit.service import webhooks
from a2i_kit.service.webhook_delivery import start_delivery, stop_delivery

SECRET = "a2i-kit-test-secret-0123456789"
ADMIN = "X-A2I-Admin-Token"


class Receiver:
    """A loopback HTTP server: answers 500 to the first ``fail_first`` tries of each delivery."""

    def __init__(self, secret: str = SECRET, fail_first: int = 0, port: int = 0) -> None:
        self.secret, self.fail_first = secret, fail_first
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.record(self.headers, body, self)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, headers: Any, body: bytes, handler: BaseHTTPRequestHandler) -> None:
        verified = webhooks.verify_signature(self.secret, body, headers[webhooks.SIGNATURE_HEADER])
        delivery = headers[webhooks.DELIVERY_HEADER]
        with self.lock:
            tries = sum(1 for call in self.calls if call["delivery"] == delivery)
            status = 401 if not verified else 500 if tries < self.fail_first else 200
            self.calls.append({"delivery": delivery, "attempt": int(headers[webhooks.ATTEMPT_HEADER]),
                               "event_id": headers[webhooks.EVENT_ID_HEADER], "event": json.loads(body),
                               "verified": verified, "status": status})
        handler.send_response(status)
        handler.end_headers()

    def delivered(self) -> list[dict[str, Any]]:
        with self.lock:
            return [call for call in self.calls if call["status"] == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**options: Any) -> Receiver:
        made.append(Receiver(**options))
        return made[-1]

    yield make
    for one in made:
        one.close()


@pytest.fixture
def deliver(service: Any) -> Iterator[Callable[[float], Any]]:
    """``deliver(interval)`` starts the service's deliverer (the service does not start one yet)."""
    yield lambda interval: start_delivery(service.context, interval=interval)
    stop_delivery(service.context)


def register(service: Any, url: str, secret: str = SECRET) -> httpx.Response:
    return httpx.post(f"{service.url}/_a2i/admin/webhooks", json={"url": url, "secret": secret},
                      headers={ADMIN: service.admin_token})


def stop_loops(make_flow: Any, runtime_client: Any, n: int, name: str = "hook-flow") -> list[str]:
    flow = make_flow(name)
    names = [f"{name}-{k}" for k in range(n)]
    for loop in names:
        runtime_client.start_human_loop(HumanLoopName=loop, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": json.dumps({"text": loop})})
        runtime_client.stop_human_loop(HumanLoopName=loop)
    return names


def drive(service: Any, done: Callable[[], bool], step: float = 5.0, rounds: int = 400) -> None:
    """Move the service clock by ``step`` until ``done()`` (retries come due), then stop."""
    for _ in range(rounds):
        if done():
            return
        httpx.post(f"{service.url}/_a2i/admin/clock", json={"seconds": step}, headers={ADMIN: service.admin_token})
        time.sleep(0.1)
    raise AssertionError("the deliveries did not finish")


def log_of(service: Any, webhook_id: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{service.url}/_a2i/admin/webhooks/{webhook_id}/deliveries",
                       headers={ADMIN: service.admin_token})
    assert answer.status_code == 200
    return answer.json()["deliveries"]


def test_signature_header_verifies_only_the_right_secret_body_and_time():
    body = b'{"id":"e"}'
    header = webhooks.signature_header(SECRET, body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert webhooks.verify_signature(SECRET, body, header, now=1_700_000_100)
    assert not webhooks.verify_signature(SECRET, body + b" ", header, now=1_700_000_100)
    assert not webhooks.verify_signature("another-secret-0123456789", body, header, now=1_700_000_100)
    assert not webhooks.verify_signature(SECRET, body, header, now=1_700_000_000 + 301)
    assert not webhooks.verify_signature(SECRET, body, "v1=" + header.split("v1=")[1], now=1_700_000_000)
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]


@pytest.mark.parametrize(("body", "message"), [
    ({"url": "ftp://hooks.example.com/a", "secret": SECRET}, "webhook URLs must be http:// or https://, not 'ftp:'"),
    ({"url": "file:///etc/passwd", "secret": SECRET}, "webhook URLs must be http:// or https://, not 'file:'"),
    ({"url": "https:///path", "secret": SECRET}, "names no host"),
    ({"url": "https://u:p@hooks.example.com/", "secret": SECRET}, "holds a user name or password"),
    ({"url": "https://hooks.example.com/a b", "secret": SECRET}, "holds a space or control character"),
    ({"url": "https://hooks.example.com/", "secret": "short"}, "the webhook secret is 5 characters; use 16 to 256"),
    ({"url": "https://hooks.example.com/"}, 'the webhook needs "secret"'),
    ({"url": "https://hooks.example.com/", "secret": SECRET, "events": "all"}, "unknown field 'events'"),
])
def test_registration_refuses_what_cannot_be_delivered(service, body, message):
    answer = httpx.post(f"{service.url}/_a2i/admin/webhooks", json=body, headers={ADMIN: service.admin_token})
    assert answer.status_code == 400
    assert answer.json()["code"] == "InvalidRequest"
    assert message in answer.json()["error"]
    assert httpx.get(f"{service.url}/_a2i/admin/webhooks", headers={ADMIN: service.admin_token}).json() == {
        "webhooks": []}


def test_webhook_routes_need_the_admin_token_and_remove(service):
    answer = httpx.post(f"{service.url}/_a2i/admin/webhooks", json={"url": "https://h.example.com/", "secret": SECRET})
    assert answer.status_code == 401
    assert answer.json()["code"] == "Unauthorized"
    missing = httpx.delete(f"{service.url}/_a2i/admin/webhooks/99", headers={ADMIN: service.admin_token})
    assert missing.status_code == 404
    assert "no webhook '99'; list them with GET /_a2i/admin/webhooks" in missing.json()["error"]
    hook = register(service, "https://h.example.com/a2i").json()
    removed = httpx.delete(f"{service.url}/_a2i/admin/webhooks/{hook['id']}", headers={ADMIN: service.admin_token})
    assert removed.json() == {"deleted": hook["id"]}
    gone = httpx.get(f"{service.url}/_a2i/admin/webhooks/{hook['id']}/deliveries", headers={ADMIN: service.admin_token})
    assert gone.status_code == 404
    assert gone.json()["code"] == "NotFound"


def test_every_event_arrives_signed_after_retries(service, make_flow, runtime_client, receiver, deliver):
    hook_server = receiver(fail_first=2)
    created = register(service, hook_server.url)
    assert created.status_code == 201
    hook = created.json()
    assert hook["url"] == hook_server.url
    deliver(0.1)
    names = stop_loops(make_flow, runtime_client, 3)
    drive(service, lambda: len(hook_server.delivered()) >= 3)
    delivered = hook_server.delivered()
    assert sorted(c["event"]["detail"]["humanLoopName"] for c in delivered) == names
    assert all(call["verified"] for call in hook_server.calls)
    for call in delivered:
        tries = [c for c in hook_server.calls if c["delivery"] == call["delivery"]]
        assert [c["attempt"] for c in tries] == [1, 2, 3]  # two 500s, then delivered
        assert {c["event_id"] for c in tries} == {call["event"]["id"]}
    log = log_of(service, hook["id"])
    assert [(d["status"], d["attempts"], d["lastStatus"]) for d in log] == [("delivered", 3, 200)] * 3
    assert all(d["deliveredAt"] and d["lastError"] is None for d in log)
    listed = httpx.get(f"{service.url}/_a2i/admin/webhooks", headers={ADMIN: service.admin_token}).json()
    assert listed["webhooks"][0]["deliveries"] == {"pending": 0, "sending": 0, "delivered": 3, "failed": 0}
    assert "secret" not in json.dumps(listed)


def test_a_delivery_fails_after_the_last_attempt(service, make_flow, runtime_client, receiver, deliver):
    hook_server = receiver(fail_first=10**6)
    hook = register(service, hook_server.url).json()
    deliver(0.1)
    stop_loops(make_flow, runtime_client, 1)
    drive(service, lambda: log_of(service, hook["id"])[:1] and log_of(service, hook["id"])[0]["status"] == "failed",
          step=300)
    (entry,) = log_of(service, hook["id"])
    assert entry["attempts"] == webhooks.MAX_ATTEMPTS
    assert entry["lastStatus"] == 500
    assert entry["lastError"].startswith("HTTP 500")
    assert len(hook_server.calls) == webhooks.MAX_ATTEMPTS


def test_two_deliverers_send_each_event_once_when_it_succeeds(service, make_flow, runtime_client, receiver,
                                                              deliver):
    from a2i_kit.service.webhook_delivery import WebhookDeliverer

    hook_server = receiver()
    register(service, hook_server.url)
    second = WebhookDeliverer(service.context, interval=0.05).start()
    try:
        deliver(0.05)
        names = stop_loops(make_flow, runtime_client, 6)
        drive(service, lambda: len(hook_server.delivered()) >= 6, step=0)
        time.sleep(0.5)
    finally:
        second.stop()
    assert sorted(c["event"]["detail"]["humanLoopName"] for c in hook_server.calls) == names


SERVE = """
import sys, time
from pathlib import Path
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.webhook_delivery import start_delivery, stop_delivery
thread = ServiceThread(ServiceConfig(data_dir=Path(sys.argv[1]))).start()
start_delivery(thread.context, interval=0.1)
print(thread.url, thread.admin_token, flush=True)
time.sleep(3600)
"""


def serve(data_dir: Path) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(data_dir)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert process.stdout is not None
    url, token = process.stdout.readline().split()
    return process, url, token


def test_a_killed_service_delivers_pending_rows_after_restart(tmp_path, receiver):
    import boto3

    from a2i_kit.session import LOCAL_CREDENTIALS

    hook_server = receiver()
    dead_url = hook_server.url
    hook_server.close()  # nothing listens there now: every delivery fails and stays pending
    process, url, token = serve(tmp_path / "data")
    try:
        sm = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1", **LOCAL_CREDENTIALS)
        rt = boto3.client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1", **LOCAL_CREDENTIALS)
        answer = httpx.post(f"{url}/_a2i/admin/webhooks", json={"url": dead_url, "secret": SECRET},
                            headers={ADMIN: token})
        assert answer.status_code == 201
        team = sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "g", "ClientId": "c"}}])["WorkteamArn"]
        ui = sm.create_human_task_ui(HumanTaskUiName="u", UiTemplate={"Content": "<crowd-form></crowd-form>"})
        flow = sm.create_flow_definition(
            FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r",
            HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                             "TaskDescription": "d", "TaskCount": 1},
            OutputConfig={"S3OutputPath": "s3://b-u-c/out"})["FlowDefinitionArn"]
        names = [f"kill-{k}" for k in range(3)]
        for name in names:
            rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                                HumanLoopInput={"InputContent": "{}"})
            rt.stop_human_loop(HumanLoopName=name)

        def tried() -> bool:
            log = httpx.get(f"{url}/_a2i/admin/webhooks/1/deliveries", headers={ADMIN: token}).json()["deliveries"]
            return len(log) == 3 and all(d["attempts"] >= 1 for d in log)

        deadline = time.monotonic() + 30
        while not tried():
            assert time.monotonic() < deadline, "the deliveries were never tried"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    port = int(dead_url.split(":")[2].split("/")[0])
    back = receiver(port=port)  # the receiver comes back on the same address
    process, url, token = serve(tmp_path / "data")
    try:
        deadline = time.monotonic() + 60
        while len({c["delivery"] for c in back.delivered()}) < 3:
            assert time.monotonic() < deadline, f"only {len(back.delivered())} deliveries after the restart"
            httpx.post(f"{url}/_a2i/admin/clock", json={"seconds": 10}, headers={ADMIN: token})
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert sorted(c["event"]["detail"]["humanLoopName"] for c in back.delivered()) == names
    assert all(c["verified"] for c in back.calls)


def test_cli_adds_lists_logs_and_removes(tmp_path, capsys):
    from a2i_kit.cli import main

    options = ["--data-dir", str(tmp_path / "cli")]
    assert main(["admin", "add-webhook", "https://hooks.example.com/a2i", "--secret", SECRET, *options]) == 0
    assert "webhook 1: https://hooks.example.com/a2i receives every event recorded from now on" in \
        capsys.readouterr().out
    assert main(["admin", "list-webhooks", *options]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "URL", "CREATED", "DELIVERED", "PENDING", "FAILED"]
    assert listing[1].split()[:2] == ["1", "https://hooks.example.com/a2i"]
    assert main(["admin", "webhook-log", "1", *options]) == 0
    assert capsys.readouterr().out == "webhook 1 has no deliveries yet\n"
    assert main(["admin", "add-webhook", "gopher://x", "--secret", SECRET, *options]) == 2
    assert "a2i-kit: error: webhook URLs must be http:// or https://, not 'gopher:'" in capsys.readouterr().err
    assert main(["admin", "remove-webhook", "1", *options]) == 0
    assert main(["admin", "remove-webhook", "1", *options]) == 2
    assert "there is no webhook 1; `a2i-kit admin list-webhooks` shows them" in capsys.readouterr().err


def test_an_idle_deliverer_sleeps_through_events_and_wakes_for_a_new_webhook(
        service, make_flow, runtime_client, receiver, monkeypatch):
    """No webhook: events do not start passes (each would read the webhooks table for nothing);
    a webhook added over the admin API wakes the deliverer and receives what follows at once."""
    from a2i_kit.service import webhook_delivery

    passes: list[float] = []
    real = webhook_delivery.run_pass

    def counted(ctx: Any, hooks: Any = None) -> Any:
        passes.append(time.monotonic())
        return real(ctx, hooks)

    monkeypatch.setattr(webhook_delivery, "run_pass", counted)
    interval = service.context.webhook_deliverer.interval
    started = time.monotonic()
    stop_loops(make_flow, runtime_client, 20, name="idle-flow")  # 20 Stopped events
    elapsed = time.monotonic() - started
    during = [t for t in passes if t >= started]
    assert len(during) <= elapsed / interval + 1, (len(during), elapsed)

    hook_server = receiver()
    assert register(service, hook_server.url).status_code == 201
    stop_loops(make_flow, runtime_client, 2, name="awake-flow")
    deadline = time.monotonic() + 10
    while len(hook_server.delivered()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(call["event"]["detail"]["humanLoopName"] for call in hook_server.delivered()) == [
        "awake-flow-0", "awake-flow-1"]
