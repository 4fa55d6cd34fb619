"""DNS-rebinding guard: only the service's own host names are served."""

from __future__ import annotations

import httpx
import pytest

from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.hosts import host_allowed, host_name


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:8443", "127.0.0.1"), ("LOCALHOST", "localhost"), ("[::1]:80", "::1"), ("::1", "::1"),
])
def test_host_name_strips_port_and_brackets(header: str, name: str) -> None:
    assert host_name(header) == name


def test_a_foreign_host_header_is_refused_with_an_actionable_message(service) -> None:
    response = httpx.get(f"{service.url}/_a2i/health", headers={"Host": "attacker.example:80"})
    assert response.status_code == 403
    assert response.json()["__type"] == "AccessDeniedException"
    assert "allowed_hosts" in response.json()["Message"]
    assert httpx.get(f"{service.url}/_a2i/health").status_code == 200
    assert httpx.get(f"{service.url}/_a2i/health", headers={"Host": f"localhost:{service.port}"}).status_code == 200


def test_allowed_hosts_admits_a_proxy_host_and_star_turns_the_check_off(tmp_path) -> None:
    assert host_allowed("anything.example", ("*",))
    with ServiceThread(ServiceConfig(data_dir=tmp_path, allowed_hosts=("studio.example",))) as svc:
        ok = httpx.get(f"{svc.url}/_a2i/health", headers={"Host": "studio.example"})
        assert ok.status_code == 200
        # The bound host always stays allowed, so the service can reach itself.
        assert httpx.get(f"{svc.url}/_a2i/health").status_code == 200
        assert httpx.get(f"{svc.url}/_a2i/health", headers={"Host": "other.example"}).status_code == 403
