"""Bounded work before authentication: slow connections are cut, RenderUiTemplate is bounded and
throttled, the data directory is private whatever the umask (issue 10 items 5 and 9)."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from typing import Any

import httpx
import pytest

ROLE = "arn:aws:iam::111122223333:role/r"
HEAVY = ("{% for a in (1..99000) %}"
         + "{{ a | plus: 1 | times: 3 | modulo: 7 | append: 'x' | upcase | prepend: 'y' | size }}" * 8
         + "{% endfor %}")


def _connect(service: Any) -> socket.socket:
    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=30)


def _closed_by_server(sock: socket.socket) -> bool:
    """Wait (at most the socket timeout) for the server to close; True if it did."""
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


@pytest.mark.parametrize("sent", [
    b"",  # connects and sends nothing
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar",  # half a header block
    b"POST /human-loops HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100\r\n\r\n{\"HumanLoopName\": ",  # headers, then half the body
], ids=["nothing", "half-headers", "half-body"])
def test_half_sent_requests_are_closed_by_the_server(custom_service, sent):
    service, sm, _ = custom_service(request_read_seconds=1)
    sock = _connect(service)
    try:
        sock.sendall(sent)
        assert _closed_by_server(sock)
    finally:
        sock.close()
    assert sm.list_workteams()["Workteams"] == []
    assert httpx.get(f"{service.url}/_a2i/health").json()["status"] == "ok"


def test_a_request_sent_byte_by_byte_does_not_reset_the_deadline(custom_service):
    service, _, _ = custom_service(request_read_seconds=1)
    sock = _connect(service)
    request = b"GET /_a2i/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 200
    try:
        closed = False
        for byte in request:  # one byte every 50 ms: 10 s in all, far past the 1 s deadline
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        assert closed or _closed_by_server(sock)
    finally:
        sock.close()


def test_keep_alive_connections_still_serve_many_requests(custom_service):
    service, sm, _ = custom_service(request_read_seconds=1)
    with httpx.Client(base_url=service.url) as client:
        for _ in range(5):
            assert client.get("/_a2i/health").status_code == 200
    assert sm.list_workteams()["Workteams"] == []


def test_connections_beyond_the_limit_get_503(custom_service):
    service, _, _ = custom_service(max_connections=3, request_read_seconds=30)
    idle = [_connect(service) for _ in range(3)]
    try:
        for sock in idle:
            sock.sendall(b"GET /_a2i/health HTTP/1.1\r\n")
        time.sleep(0.2)  # let the server accept them
        response = httpx.get(f"{service.url}/_a2i/health")
        assert response.status_code == 503
        assert response.text == "Service Unavailable"
    finally:
        for sock in idle:
            sock.close()
    for _ in range(50):  # the server notices the closed sockets
        if httpx.get(f"{service.url}/_a2i/health").status_code == 200:
            break
        time.sleep(0.1)
    assert httpx.get(f"{service.url}/_a2i/health").json()["status"] == "ok"


def test_render_work_is_bounded(custom_service):
    _, sm, _ = custom_service(render_time_limit_seconds=0.5)
    rendered = sm.render_ui_template(UiTemplate={"Content": HEAVY}, Task={"Input": "{}"}, RoleArn=ROLE)
    assert rendered["RenderedContent"] == ""
    [error] = rendered["Errors"]
    assert error["Code"] == "ResourceLimitExceeded"
    assert "render time limit reached: the template does too much work for one render" in error["Message"]


def test_render_output_is_bounded(custom_service):
    _, sm, _ = custom_service(render_max_output_chars=10_000)
    template = "{% for a in (1..5000) %}0123456789{% endfor %}"
    rendered = sm.render_ui_template(UiTemplate={"Content": template}, Task={"Input": "{}"}, RoleArn=ROLE)
    assert rendered["Errors"][0]["Code"] == "ResourceLimitExceeded"
    assert "output stream limit reached" in rendered["Errors"][0]["Message"]
    small = sm.render_ui_template(UiTemplate={"Content": "{% for a in (1..3) %}ab{% endfor %}"},
                                  Task={"Input": "{}"}, RoleArn=ROLE)
    assert small == {**small, "RenderedContent": "ababab", "Errors": []}


def test_concurrent_renders_beyond_the_cap_are_throttled(custom_service, aws_error):
    service, sm, _ = custom_service(max_concurrent_renders=1, render_time_limit_seconds=5)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(sm.render_ui_template(
        UiTemplate={"Content": HEAVY}, Task={"Input": "{}"}, RoleArn=ROLE)))
    worker.start()
    try:
        for _ in range(500):  # until the first render holds the only slot
            slots = service.context.render_slots
            if slots is not None and slots._value == 0:
                break
            time.sleep(0.01)
        code, message, status = aws_error(sm.render_ui_template, UiTemplate={"Content": "<p>x</p>"},
                                          Task={"Input": "{}"}, RoleArn=ROLE)
        assert (code, status) == ("ThrottlingException", 400)
        assert "1 RenderUiTemplate calls are already running; retry shortly" in message
    finally:
        worker.join(timeout=60)
    assert results[0]["Errors"][0]["Code"] == "ResourceLimitExceeded"
    assert sm.render_ui_template(UiTemplate={"Content": "<p>x</p>"}, Task={"Input": "{}"},
                                 RoleArn=ROLE)["RenderedContent"] == "<p>x</p>"


@pytest.mark.parametrize(("task_input", "fragment"), [
    ('{"a": NaN}', "Task.Input is not strict JSON: the JSON holds NaN"),
    ('{"a": "\\udc00"}', "lone UTF-16 surrogate"),
    ("[" * 5000, "nested more than 64 levels deep"),
])
def test_render_task_input_must_be_strict_json(sagemaker_client, task_input, fragment):
    rendered = sagemaker_client.render_ui_template(UiTemplate={"Content": "<p>{{ task.input.a }}</p>"},
                                                   Task={"Input": task_input}, RoleArn=ROLE)
    assert rendered["RenderedContent"] == ""
    assert rendered["Errors"][0]["Code"] == "InvalidParameters"
    assert fragment in rendered["Errors"][0]["Message"]


def test_data_directory_is_private_whatever_the_umask(custom_service, tmp_path):
    previous = os.umask(0)
    try:
        service, sm, _ = custom_service(data_dir=tmp_path / "open" / "data")
        sm.create_workteam(WorkteamName="t", Description="d",
                           MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])
    finally:
        os.umask(previous)
    data_dir = service.config.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("a2i.sqlite3", "a2i.sqlite3-wal", "a2i.sqlite3-shm"):
        path = data_dir / name
        if path.exists() or name == "a2i.sqlite3":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert json.loads(httpx.get(f"{service.url}/_a2i/health").text)["status"] == "ok"
