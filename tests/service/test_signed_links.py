"""Signed links expire like S3 presigned URLs: the task UI Url and mirror links (issue 10 item 8)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from a2i_kit.service import ServiceThread
from a2i_kit.service.auth import link_expiry
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.objects import mirror_signer, put_object

TEMPLATE = "<crowd-form><p>{{ task.input.text }}</p></crowd-form>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _advance(http: Any, admin: dict[str, str], seconds: float) -> None:
    """Move the service clock forward through the admin endpoint (no sleeping)."""
    answer = http.post("/_a2i/admin/clock", headers=admin, json={"seconds": seconds})
    assert answer.status_code == 200, answer.text


def _template_url(sagemaker_client: Any, name: str = "ui-links") -> str:
    return sagemaker_client.describe_human_task_ui(HumanTaskUiName=name)["UiTemplate"]["Url"]


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


def test_template_url_carries_its_expiry_and_expires_on_the_service_clock(
        service: Any, sagemaker_client: Any, http: Any, admin: dict[str, str]) -> None:
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-links", UiTemplate={"Content": TEMPLATE})
    url = _template_url(sagemaker_client)
    query = parse_qs(urlsplit(url).query)
    expires = int(query["expires"][0])
    now = service.context.clock.now()
    assert now + 3600 <= expires <= now + 3600 + 61  # default lifetime, rounded up to the minute
    assert httpx.get(url).text == TEMPLATE
    _advance(http, admin, 3600 + 120)
    expired = httpx.get(url)
    assert expired.status_code == 403
    assert expired.json()["code"] == "Forbidden"
    assert expired.json()["error"].startswith("this task template link expired at ")
    assert "call DescribeHumanTaskUi again for a fresh UiTemplate.Url" in expired.json()["error"]
    assert TEMPLATE not in expired.text
    fresh = _template_url(sagemaker_client)
    assert fresh != url
    assert httpx.get(fresh).text == TEMPLATE


@pytest.mark.parametrize("edit", [
    {"expires": "9999999999"},                # pushed into the future
    {"expires": "1"},                         # pulled into the past
    {"expires": "abc"},                       # not a number
    {"expires": "1" * 40},                    # absurd length
    {"expires": "١٢٣٤٥٦٧٨٩٠"},               # non-ASCII digits
    {"signature": "0" * 32},                  # forged signature
    {"sha256": "0" * 64},                     # another content
])
def test_an_edited_template_link_is_refused(sagemaker_client: Any, edit: dict[str, str]) -> None:
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-links", UiTemplate={"Content": TEMPLATE})
    response = httpx.get(_with_query(_template_url(sagemaker_client), **edit))
    assert response.status_code == 403
    assert response.json() == {"code": "Forbidden", "error": (
        "the signature of this template link is not valid (or its expires was edited); call "
        "DescribeHumanTaskUi for a fresh UiTemplate.Url")}


def test_template_link_without_expires_is_refused(sagemaker_client: Any) -> None:
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-links", UiTemplate={"Content": TEMPLATE})
    url = re.sub(r"&expires=\d+", "", _template_url(sagemaker_client))
    response = httpx.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "Forbidden"


def test_deleted_template_link_is_404_without_the_content(sagemaker_client: Any) -> None:
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-links", UiTemplate={"Content": TEMPLATE})
    url = _template_url(sagemaker_client)
    sagemaker_client.delete_human_task_ui(HumanTaskUiName="ui-links")
    response = httpx.get(url)
    assert response.status_code == 404
    assert response.json() == {"code": "NotFound", "error": "no task template 'ui-links' with this content; "
                               "it was deleted or replaced: call DescribeHumanTaskUi again"}


def test_mirror_link_expires_and_a_fresh_one_works(service: Any, http: Any, admin: dict[str, str]) -> None:
    put_object(service.context, "photos", "cat.png", PNG)
    link = mirror_signer(service.context)("photos", "cat.png")
    assert re.search(r"\?expires=\d+&sig=[0-9a-f]{32}$", link)
    assert httpx.get(link).content == PNG
    _advance(http, admin, 3600 + 120)
    expired = httpx.get(link)
    assert expired.status_code == 403
    assert expired.json()["code"] == "AccessDenied"
    assert expired.json()["error"].startswith("Request has expired: this signed link stopped working at ")
    assert "Reopen the task (or render the template again) for a fresh link." in expired.json()["error"]
    assert PNG not in expired.content
    assert httpx.get(mirror_signer(service.context)("photos", "cat.png")).content == PNG
    # the admin token still reads (it is not a link)
    assert http.get("/_a2i/objects/photos/cat.png", headers=admin).content == PNG


@pytest.mark.parametrize("edit", [{"expires": "99999999999"}, {"expires": "0"}, {"expires": ""},
                                  {"sig": "f" * 32}, {"expires": "-5"}])
def test_an_edited_mirror_link_is_refused(service: Any, edit: dict[str, str]) -> None:
    put_object(service.context, "photos", "cat.png", PNG)
    response = httpx.get(_with_query(mirror_signer(service.context)("photos", "cat.png"), **edit))
    assert response.status_code == 403
    assert response.json()["code"] == "AccessDenied"
    assert response.json()["error"].endswith("this link's signature or expiry does not match")
    assert PNG not in response.content


def test_a_link_for_one_object_does_not_open_another(service: Any) -> None:
    put_object(service.context, "photos", "a.png", PNG)
    put_object(service.context, "photos", "b.png", PNG)
    query = urlsplit(mirror_signer(service.context)("photos", "a.png")).query
    response = httpx.get(f"{service.url}/_a2i/objects/photos/b.png?{query}")
    assert response.status_code == 403
    assert response.json()["code"] == "AccessDenied"


def test_links_in_a_claimed_task_expire_and_reopening_renews_them(
        service: Any, http: Any, admin: dict[str, str], make_flow: Any, runtime_client: Any) -> None:
    from a2i_kit.review import add_worker
    from a2i_kit.review.client import WorkerClient

    put_object(service.context, "inputs", "dog.png", PNG)
    flow = make_flow(template='<crowd-form><img src="{{ task.input.image | grant_read_access }}"></crowd-form>')
    runtime_client.start_human_loop(HumanLoopName="dog", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": '{"image": "s3://inputs/dog.png"}'})
    worker = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    with WorkerClient(service.url, worker["token"]) as client:
        first = unescape(re.search(r'src="([^"]+)"', client.claim("dog")["html"]).group(1))
        assert httpx.get(first).content == PNG
        _advance(http, admin, 2 * 3600)
        assert httpx.get(first).status_code == 403
        again = unescape(re.search(r'src="([^"]+)"', client.claim("dog")["html"]).group(1))
    assert again != first
    assert httpx.get(again).content == PNG


def test_link_lifetime_is_configurable(tmp_path: Path) -> None:
    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "data", signed_link_seconds=120)).start()
    try:
        put_object(thread.context, "photos", "cat.png", PNG)
        link = mirror_signer(thread.context)("photos", "cat.png")
        expires = int(parse_qs(urlsplit(link).query)["expires"][0])
        now = thread.context.clock.now()
        assert now + 120 <= expires <= now + 122  # short lifetimes round up by at most 2 s
        assert httpx.get(link).status_code == 200
        thread.context.advance_clock(125)
        assert httpx.get(link).status_code == 403
    finally:
        thread.stop()


@pytest.mark.parametrize(("now", "seconds", "expected"), [
    (1000.5, 3600, 4620),     # an hour, rounded up to the whole minute
    (1000.0, 60, 1060),       # a minute: step of one second
    (1000.2, 1, 1002),        # one second: rounds up, never down
    (0.0, 7200, 7200),        # already on a step
])
def test_link_expiry_rounds_up_by_a_small_step(now: float, seconds: int, expected: int) -> None:
    from types import SimpleNamespace

    ctx = SimpleNamespace(clock=SimpleNamespace(now=lambda: now),
                          config=SimpleNamespace(signed_link_seconds=seconds))
    assert link_expiry(ctx) == expected


def test_admin_401_says_where_the_token_is_without_a_path(service: Any, http: Any) -> None:
    response = http.post("/_a2i/admin/clock", json={"seconds": 1})
    assert response.status_code == 401
    message = response.json()["error"]
    assert message == ("missing or wrong X-A2I-Admin-Token header; the token is in the admin-token file of "
                       "the service's data directory (ServiceThread.admin_token in Python; `a2i-kit serve` "
                       "prints where)")
    assert str(service.config.data_dir) not in response.text
    assert service.admin_token not in response.text
