"""The portal under a proxy's path prefix, over raw HTTP: what Jupyter's proxy sends, and what not.

jupyter-server-proxy forwards ``<base_url>/proxy/<port>/…`` to the service with the prefix cut off
and ``X-Forwarded-Prefix: <base_url>/proxy/<port>``; the browser's ``Host`` passes unchanged. The
service believes ``X-Forwarded-*`` only from trusted proxies (loopback unless
uvicorn's ``FORWARDED_ALLOW_IPS`` says otherwise), and hands out links at ``public_base_url``.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from portal_sessions import MANAGER, PRE, SESSION, cookie_value, csrf_of, set_cookies

from a2i_kit.errors import ConfigError
from a2i_kit.review import add_worker
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.hosts import check_public_base

PREFIX = "/jupyterlab/default/proxy/8765"
PROXIED = {"X-Forwarded-Prefix": PREFIX}


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[ServiceThread]:
    """A service without a public base URL; hub.example is an allowed (proxy) host name."""
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "data", allowed_hosts=("hub.example",))) as svc:
        yield svc


def test_pages_forms_and_assets_carry_the_forwarded_prefix(plain: ServiceThread) -> None:
    page = httpx.get(f"{plain.url}/_a2i/portal/", headers=PROXIED)
    assert page.status_code == 401
    for needle in (f'href="{PREFIX}/_a2i/static/portal/portal.css"', f'src="{PREFIX}/_a2i/static/portal/portal.js"',
                   f'action="{PREFIX}/_a2i/portal/signin"', f'data-root="{PREFIX}"', f'href="{PREFIX}/_a2i/portal/"'):
        assert needle in page.text
    assert 'action="/_a2i/portal/signin"' not in page.text
    manage = httpx.get(f"{plain.url}/_a2i/portal/manage", headers=PROXIED)
    assert f'action="{PREFIX}/_a2i/portal/manage/signin"' in manage.text
    direct = httpx.get(f"{plain.url}/_a2i/portal/")   # reached directly: paths as before
    assert 'action="/_a2i/portal/signin"' in direct.text
    assert 'data-root=""' in direct.text


def test_sign_in_under_a_prefix_redirects_relatively_and_the_cookie_covers_the_prefix(plain: ServiceThread) -> None:
    worker = add_worker(plain.url, plain.admin_token, "alice", ["reviewers"])
    response = httpx.get(worker["signInUrl"], headers={**PROXIED, "Sec-Fetch-Site": "none"})
    assert response.status_code == 303
    # Relative: jupyter-server-proxy prefixes an absolute path itself, which would double the prefix.
    assert response.headers["location"] == "../../_a2i/portal/"
    cookie = set_cookies(response)[SESSION]
    assert all(a.lower() in cookie.lower() for a in ("Path=/;", "HttpOnly", "SameSite=strict", "Secure"))
    queue = httpx.get(f"{plain.url}/_a2i/portal/", headers={**PROXIED, "Cookie": f"{SESSION}={cookie_value(response, SESSION)}"})
    assert queue.status_code == 200
    assert f'action="{PREFIX}/_a2i/portal/signout"' in queue.text


def test_plain_http_proxy_host_gets_an_unprefixed_cookie_on_the_prefix_path(plain: ServiceThread) -> None:
    headers = {**PROXIED, "Host": "hub.example"}
    page = httpx.get(f"{plain.url}/_a2i/portal/", headers=headers)
    line = set_cookies(page)["a2i_presession"]
    assert f"Path={PREFIX}/_a2i".lower() in line.lower()
    assert "secure" not in line.lower()
    worker = add_worker(plain.url, plain.admin_token, "bob", ["reviewers"])
    signed = httpx.post(f"{plain.url}/_a2i/portal/signin", data={"csrf": csrf_of(page.text), "token": worker["token"]},
                        headers={**headers, "Origin": "http://hub.example",
                                 "Cookie": f"a2i_presession={cookie_value(page, 'a2i_presession')}"})
    assert (signed.status_code, signed.headers["location"]) == (303, "../../_a2i/portal/")
    assert f"Path={PREFIX}/_a2i".lower() in set_cookies(signed)["a2i_session"].lower()


def test_forwarded_https_origin_passes_the_csrf_check_from_a_trusted_proxy(plain: ServiceThread) -> None:
    headers = {**PROXIED, "Host": "hub.example", "X-Forwarded-Proto": "https"}
    page = httpx.get(f"{plain.url}/_a2i/portal/manage", headers=headers)
    assert "secure" in set_cookies(page)[PRE].lower()      # https as the browser sees it: __Host- names
    form = {"csrf": csrf_of(page.text), "token": plain.admin_token}
    cookie = {"Cookie": f"{PRE}={cookie_value(page, PRE)}"}
    ok = httpx.post(f"{plain.url}/_a2i/portal/manage/signin", data=form,
                    headers={**headers, **cookie, "Origin": "https://hub.example", "Sec-Fetch-Site": "same-origin"})
    assert (ok.status_code, ok.headers["location"]) == (303, "../../../_a2i/portal/manage")
    assert MANAGER in set_cookies(ok)
    other = httpx.post(f"{plain.url}/_a2i/portal/manage/signin", data=form,
                       headers={**headers, **cookie, "Origin": "https://evil.example"})
    assert other.status_code == 403
    assert "the request came from 'https://evil.example', not from this portal (https://hub.example)" in unescape(other.text)


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.9.8.7")   # uvicorn's setting: loopback is no proxy now
    headers = {**PROXIED, "Host": "hub.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "hub.example"}
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "data", allowed_hosts=("hub.example",))) as svc:
        page = httpx.get(f"{svc.url}/_a2i/portal/manage", headers=headers)
        assert 'action="/_a2i/portal/manage/signin"' in page.text
        assert PREFIX not in page.text
        line = set_cookies(page)["a2i_presession"]
        assert "path=/_a2i;" in line.lower()
        assert "secure" not in line.lower()
        refused = httpx.post(f"{svc.url}/_a2i/portal/manage/signin",
                             data={"csrf": csrf_of(page.text), "token": svc.admin_token},
                             headers={**headers, "Origin": "https://hub.example",
                                      "Cookie": f"a2i_presession={cookie_value(page, 'a2i_presession')}"})
        assert refused.status_code == 403
        assert "not from this portal (http://hub.example)" in refused.text
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.0/8")   # the prefix is read per request
        again = httpx.get(f"{svc.url}/_a2i/portal/manage", headers=headers)
        assert f'action="{PREFIX}/_a2i/portal/manage/signin"' in again.text


@pytest.mark.parametrize("prefix", ["//evil.example", "/a/../b", "/a b", "javascript:alert(1)", "/x\"y"])
def test_a_prefix_that_is_not_a_plain_path_is_ignored(plain: ServiceThread, prefix: str) -> None:
    page = httpx.get(f"{plain.url}/_a2i/portal/", headers={"X-Forwarded-Prefix": prefix})
    assert page.status_code == 401
    assert 'action="/_a2i/portal/signin"' in page.text
    assert 'data-root=""' in page.text


@pytest.fixture
def public(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceThread]:
    """A service published at https://studio.example<PREFIX> (by env, as a deployment sets it)."""
    monkeypatch.setenv("A2I_KIT_PUBLIC_BASE_URL", f"https://studio.example{PREFIX}/")
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "data")) as svc:
        yield svc


def test_links_handed_out_start_at_the_public_base_url(public: ServiceThread) -> None:
    base = f"https://studio.example{PREFIX}"
    worker = add_worker(public.url, public.admin_token, "carol", ["reviewers"])
    assert worker["signInUrl"].startswith(f"{base}/_a2i/portal/login?link=")
    sagemaker = boto3.client("sagemaker", endpoint_url=public.url, region_name="us-east-1",
                             aws_access_key_id="testing", aws_secret_access_key="testing")
    sagemaker.create_human_task_ui(HumanTaskUiName="ui-1", UiTemplate={"Content": "<crowd-form></crowd-form>"})
    url = sagemaker.describe_human_task_ui(HumanTaskUiName="ui-1")["UiTemplate"]["Url"]
    assert url.startswith(f"{base}/_a2i/ui-templates/ui-1?sha256=")
    # The public host is served (the Host guard admits it) and is https for cookies and origins.
    page = httpx.get(f"{public.url}/_a2i/portal/", headers={"Host": "studio.example", **PROXIED})
    assert page.status_code == 401
    assert "secure" in set_cookies(page)[PRE].lower()
    signed = httpx.post(f"{public.url}/_a2i/portal/signin", data={"csrf": csrf_of(page.text), "token": worker["token"]},
                        headers={"Host": "studio.example", **PROXIED, "Origin": "https://studio.example",
                                 "Cookie": f"{PRE}={cookie_value(page, PRE)}"})
    assert (signed.status_code, signed.headers["location"]) == (303, "../../_a2i/portal/")
    assert httpx.get(f"{public.url}/_a2i/health", headers={"Host": "elsewhere.example"}).status_code == 403


@pytest.mark.parametrize("bad", ["ftp://h.example/x", "https://h.example/x?y=1", "studio.example/x", "https://"])
def test_a_public_base_url_that_is_not_one_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"public_base_url .* is not a base URL; give the address browsers use, "
                       r"e\.g\. https://host/jupyterlab/default/proxy/8765 \(A2I_KIT_PUBLIC_BASE_URL\)"):
        check_public_base(bad)


def test_a_bad_public_base_url_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A2I_KIT_PUBLIC_BASE_URL", "studio.example")
    with pytest.raises(ConfigError, match=r"public_base_url 'studio\.example' is not a base URL"):
        ServiceThread(ServiceConfig(data_dir=tmp_path / "data")).start()


def test_portal_url_names_the_public_base_url(tmp_path: Path) -> Any:
    import a2i_kit

    session = a2i_kit.connect(data_dir=tmp_path / "s", public_base_url=f"https://studio.example{PREFIX}")
    try:
        assert session.portal_url() == f"https://studio.example{PREFIX}/_a2i/portal/"
    finally:
        session.service.stop()
