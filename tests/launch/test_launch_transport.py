"""The launcher's loopback transport and pooled client: real boto3 clients, real sockets.

A tiny scripted HTTP server stands in where the embedded service never misbehaves (chunked
answers, closed connections, garbage, silence); the real service checks the happy path.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
)

from a2i_kit.launch import transport
from a2i_kit.launch.clients import pooled_client

FLOW = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f"
OK = b'{"HumanLoopArn":"arn:aws:sagemaker:us-east-1:111122223333:human-loop/a"}'


def answer(body: bytes = OK, status: str = "200 OK", extra: bytes = b"") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
            + extra + b"\r\n" + body)


class Scripted:
    """Loopback HTTP server: ``script(request_bytes) -> (reply bytes, close?)`` per request."""

    def __init__(self, script: Callable[[bytes], tuple[bytes, bool]]) -> None:
        self.script, self.requests, self.connections = script, [], 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                size = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                                 if line.lower().startswith(b"content-length:")), b"0"))
                while len(buffer) < size:
                    buffer += conn.recv(65536)
                request, buffer = head + b"\r\n\r\n" + buffer[:size], buffer[size:]
                self.requests.append(request)
                reply, close = self.script(request)
                conn.sendall(reply)
                if close:
                    return

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def make(script: Callable[[bytes], tuple[bytes, bool]]) -> Scripted:
        servers.append(Scripted(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def runtime_for(url: str, **config: Any) -> Any:
    return boto3.Session().client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1",
                                  aws_access_key_id="AKIDLAUNCH", aws_secret_access_key="secret",
                                  config=Config(retries={"total_max_attempts": 1}, **config))


def fast_client(url: str, **config: Any) -> tuple[Any, transport.LoopbackTransport]:
    client = pooled_client(runtime_for(url, **config), 4, botocore_retries=False, prevalidated=True)
    wire = transport.attach(client)
    assert wire is not None
    return client, wire


def start(client: Any, name: str = "a") -> dict[str, Any]:
    return client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=FLOW,
                                   HumanLoopInput={"InputContent": '{"x": 1}'})


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8080", True), ("http://localhost:1", True), ("http://[::1]:9000", True),
    ("http://127.8.9.10", True), ("https://127.0.0.1:8080", False), ("http://10.0.0.5:8080", False),
    ("http://example.com", False), ("http://169.254.169.254", False),
])
def test_only_plain_http_loopback_endpoints_get_the_transport(url, expected):
    assert transport.is_loopback_http(url) is expected
    client = pooled_client(runtime_for(url), 4, botocore_retries=False)
    assert (transport.attach(client) is not None) is expected


def test_a_proxy_in_the_client_or_environment_keeps_botocores_transport(monkeypatch):
    proxied = runtime_for("http://127.0.0.1:8080", proxies={"http": "http://proxy.internal:3128"})
    assert transport.attach(proxied) is None
    monkeypatch.setenv("http_proxy", "http://proxy.internal:3128")
    monkeypatch.setenv("no_proxy", "")
    assert transport.attach(runtime_for("http://127.0.0.1:8080")) is None
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert transport.attach(runtime_for("http://127.0.0.1:8080")) is not None


def test_calls_reuse_one_connection_and_carry_what_botocore_signed(scripted):
    server = scripted(lambda _request: (answer(), False))
    client, wire = fast_client(server.url)
    for name in ("a", "b", "c"):
        assert start(client, name)["HumanLoopArn"].endswith("human-loop/a")
    wire.close()
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /human-loops HTTP/1.1\r\n")
    assert f"Host: {server.url.split('//')[1]}" in head
    assert "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLAUNCH/" in head
    assert ";host;" in head.split("SignedHeaders=")[1]
    assert server.requests[0].endswith(b'"HumanLoopInput": {"InputContent": "{\\"x\\": 1}"}}')


def test_the_pooled_copy_holds_no_credentials_and_is_signed_by_the_callers_client(scripted):
    server = scripted(lambda _request: (answer(), False))
    original = runtime_for(server.url)
    copy = pooled_client(original, 16, botocore_retries=False, prevalidated=True)
    assert copy is not original
    assert copy.meta.config.signature_version is UNSIGNED
    assert copy.meta.config.max_pool_connections == 16
    assert copy.meta.config.retries["total_max_attempts"] == 1
    start(copy)
    assert b"Authorization: AWS4-HMAC-SHA256 Credential=AKIDLAUNCH/" in server.requests[0]
    unsigned = pooled_client(runtime_for(server.url, signature_version=UNSIGNED), 4, botocore_retries=False)
    start(unsigned)
    assert b"Authorization:" not in server.requests[1]
    start(copy, "")  # prevalidated: botocore does not check the name again, the service would
    assert b'"HumanLoopName": ""' in server.requests[2]
    checked = pooled_client(original, 4, botocore_retries=False)
    with pytest.raises(ParamValidationError, match="Invalid length for parameter HumanLoopName, value: 0"):
        start(checked, "")
    assert len(server.requests) == 3


def test_chunked_and_interim_answers_are_read_whole(scripted):
    body = OK
    chunked = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + f"{10:x};ext=1\r\n".encode() + body[:10] + b"\r\n"
               + f"{len(body) - 10:x}\r\n".encode() + body[10:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n")
    server = scripted(lambda _request: (chunked, False))
    client, wire = fast_client(server.url)
    assert start(client, "a")["HumanLoopArn"].endswith("/a")
    assert start(client, "b")["HumanLoopArn"].endswith("/a")  # the trailer did not leak into answer 2
    wire.close()
    assert server.connections == 1


def test_connection_close_and_server_side_idle_close_reconnect(scripted):
    server = scripted(lambda _request: (answer(extra=b"Connection: close\r\n"), True))
    client, wire = fast_client(server.url)
    for name in ("a", "b"):
        start(client, name)
    assert server.connections == 2
    idle = scripted(lambda _request: (answer(), True))  # closes every connection after its answer
    client, wire = fast_client(idle.url)
    start(client, "a")
    time.sleep(transport.FRESH_SECONDS + 0.2)  # idle long enough to be checked before reuse
    start(client, "b")
    assert idle.connections == 2
    time.sleep(0.05)  # reused unchecked: the close shows as a connection error the launcher retries
    with pytest.raises(ConnectionClosedError, match="Connection was closed before we received"):
        start(client, "c")
    start(client, "d")  # on a new connection
    wire.close()
    assert idle.connections == 3
    assert len(idle.requests) == 3


def test_aws_errors_come_back_as_botocore_errors(scripted):
    body = b'{"Message": "Rate exceeded", "message": "Rate exceeded"}'
    server = scripted(lambda _request: (answer(body, "429 Too Many Requests",
                                              b"X-Amzn-ErrorType: ThrottlingException\r\n"), False))
    client, _ = fast_client(server.url)
    with pytest.raises(client.exceptions.ThrottlingException, match="Rate exceeded"):
        start(client)


@pytest.mark.parametrize(("reply", "close"), [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"partial", True),  # closed mid-body
    (b"", True),  # closed without an answer
    (b"SMTP ready\r\n\r\n", False),  # not HTTP
])
def test_a_broken_answer_is_a_connection_error_the_launcher_retries(scripted, reply, close):
    server = scripted(lambda _request: (reply, close))
    client, _ = fast_client(server.url)
    with pytest.raises(ConnectionClosedError, match="Connection was closed before we received a valid "
                                                    f"response from endpoint URL: \"{server.url}/human-loops\""):
        start(client)


def test_nobody_listening_and_no_answer_in_time(scripted):
    free = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{free.getsockname()[1]}"
    free.close()
    client, _ = fast_client(url)
    with pytest.raises(EndpointConnectionError, match=f'Could not connect to the endpoint URL: "{url}/human-loops"'):
        start(client)
    silent = scripted(lambda _request: (time.sleep(2) or b"", True))
    client, _ = fast_client(silent.url, read_timeout=0.3)
    with pytest.raises(ReadTimeoutError, match=f'Read timeout on endpoint URL: "{silent.url}/human-loops"'):
        start(client)


def test_against_the_service_the_answers_match_botocores_own_transport(service, make_flow):
    flow = make_flow("transport-flow")["flow_definition_arn"]
    client, wire = fast_client(service.url)
    plain = pooled_client(runtime_for(service.url), 4, botocore_retries=False, prevalidated=True)
    ours = client.start_human_loop(HumanLoopName="via-transport", FlowDefinitionArn=flow,
                                   HumanLoopInput={"InputContent": '{"x": 1}'})
    theirs = plain.start_human_loop(HumanLoopName="via-urllib3", FlowDefinitionArn=flow,
                                    HumanLoopInput={"InputContent": '{"x": 1}'})
    described = client.describe_human_loop(HumanLoopName="via-urllib3")
    assert plain.describe_human_loop(HumanLoopName="via-transport")["HumanLoopStatus"] == "InProgress"
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="HumanLoop 'nope' does not exist"):
        client.describe_human_loop(HumanLoopName="nope")
    wire.close()
    assert ours["HumanLoopArn"].endswith("/via-transport")
    assert set(ours["ResponseMetadata"]) == set(theirs["ResponseMetadata"])
    assert set(ours["ResponseMetadata"]["HTTPHeaders"]) == set(theirs["ResponseMetadata"]["HTTPHeaders"])
    assert ours["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert described["HumanLoopArn"] == theirs["HumanLoopArn"]
