"""The worker/admin HTTP client verifies TLS for https services and skips loading the CA bundle
(~20 ms of CPU per client, one client per simulated reviewer) for plain http, which never uses it."""

from __future__ import annotations

import ssl

import pytest

from a2i_kit.review.client import _Http


@pytest.mark.parametrize(("url", "mode"), [("https://review.example.com", ssl.CERT_REQUIRED),
                                           ("HTTPS://review.example.com/", ssl.CERT_REQUIRED),
                                           ("http://127.0.0.1:8080", ssl.CERT_NONE)])
def test_https_is_verified_and_http_loads_no_ca_bundle(url: str, mode: ssl.VerifyMode) -> None:
    with _Http(url, {}, 5.0) as http:
        context = http._client._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode == mode
        assert context.check_hostname is (mode == ssl.CERT_REQUIRED)
