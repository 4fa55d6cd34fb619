"""What a browser may do with mirror files and the task UI Url: types, sandbox, nosniff (item 6),
and the mirror's files private whatever the umask (item 9)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from a2i_kit.service.auth import load_or_create_token
from a2i_kit.service.objects import mirror_signer, put_object

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>fetch('/_a2i/portal/manage')</script></html>"


@pytest.mark.parametrize(("key", "body", "media", "inline"), [
    ("img/cat.png", PNG, "image/png", True),
    ("img/cat.jpg", b"\xff\xd8\xff", "image/jpeg", True),
    ("img/cat.webp", b"RIFF", "image/webp", True),
    ("media/clip.mp3", b"ID3", "audio/mpeg", True),
    ("media/clip.mp4", b"\x00\x00\x00\x18ftyp", "video/mp4", True),
    ("docs/a.pdf", b"%PDF-1.4", "application/pdf", True),
    ("docs/a.json", b'{"a": 1}', "application/json", True),
    ("docs/a.txt", b"<script>alert(1)</script>", "text/plain; charset=utf-8", True),
    ("img/evil.svg", SVG, "image/svg+xml", False),
    ("pages/evil.html", HTML, "text/html; charset=utf-8", False),
    ("pages/evil.htm", HTML, "text/html; charset=utf-8", False),
    ("pages/evil.xhtml", HTML, "application/xhtml+xml", False),
    ("pages/evil.xml", b"<a/>", "application/xml", False),
    ("pages/evil.js", b"alert(1)", "text/javascript; charset=utf-8", False),
    ("docs/notes.md", b"# hi", "text/markdown; charset=utf-8", False),
    ("docs/rows.jsonl", b"{}\n", "application/x-ndjson", False),
    ("blob/no-suffix", HTML, "application/octet-stream", False),
])
def test_each_type_is_served_inline_only_when_it_cannot_run_script(
        service: Any, key: str, body: bytes, media: str, inline: bool) -> None:
    put_object(service.context, "files", key, body)
    link = mirror_signer(service.context)("files", key)
    for response in (httpx.get(link), httpx.head(link)):
        assert response.status_code == 200
        assert response.headers["content-type"] == media
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["access-control-allow-origin"] == "*"
        if inline:
            assert "content-security-policy" not in response.headers
            assert "content-disposition" not in response.headers
        else:
            assert response.headers["content-security-policy"] == "sandbox"
            name = key.rsplit("/", 1)[-1]
            assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert httpx.get(link).content == body


def test_attachment_name_with_unsafe_characters_is_encoded(service: Any) -> None:
    put_object(service.context, "files", 'x/"evil" name é.svg', SVG)
    response = httpx.get(mirror_signer(service.context)("files", 'x/"evil" name é.svg'))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename*=utf-8''%22evil%22%20name%20%C3%A9.svg")


def test_loop_output_json_is_json_and_nosniff(service: Any, make_flow: Any, runtime_client: Any) -> None:
    from a2i_kit.review import add_worker
    from a2i_kit.review.client import WorkerClient

    flow = make_flow()
    runtime_client.start_human_loop(HumanLoopName="one", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": '{"text": "<script>x</script>"}'})
    worker = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    with WorkerClient(service.url, worker["token"]) as client:
        client.claim("one")
        client.submit("one", {"sentiment": {"label": "positive"}})
    uri = runtime_client.describe_human_loop(HumanLoopName="one")["HumanLoopOutput"]["OutputS3Uri"]
    bucket, _, key = uri[len("s3://"):].partition("/")
    response = httpx.get(mirror_signer(service.context)(bucket, key))
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in response.headers
    assert response.json()["humanLoopName"] == "one"


def test_template_url_is_sandboxed_plain_text(sagemaker_client: Any) -> None:
    hostile = "<script>fetch('/_a2i/portal/manage')</script><crowd-form></crowd-form>"
    sagemaker_client.create_human_task_ui(HumanTaskUiName="hostile", UiTemplate={"Content": hostile})
    url = sagemaker_client.describe_human_task_ui(HumanTaskUiName="hostile")["UiTemplate"]["Url"]
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.text == hostile
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask a user could have: files would be world-writable without care."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_mirror_uploads_are_private_whatever_the_umask(service: Any, admin: dict[str, str],
                                                      open_umask: None) -> None:  # noqa: ARG001
    answer = httpx.put(f"{service.url}/_a2i/objects/up-bucket/deep/er/file.png", content=PNG, headers=admin)
    assert answer.json() == {"uri": "s3://up-bucket/deep/er/file.png", "size": len(PNG)}
    put_object(service.context, "api-bucket", "a/b.json", b"{}")
    mirror = Path(service.context.config.mirror_dir)
    for path in (mirror / "up-bucket/deep/er/file.png", mirror / "api-bucket/a/b.json"):
        assert _mode(path) == 0o600, path
        folder = path.parent
        while folder != mirror:
            assert _mode(folder) == 0o700, folder
            folder = folder.parent
    assert not [p for p in mirror.rglob("*") if p.name.startswith(".tmp-")]


def test_admin_token_is_created_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:  # noqa: ARG001
    data = tmp_path / "fresh" / "data"
    token = load_or_create_token(data)
    assert _mode(data / "admin-token") == 0o600
    assert _mode(data) == 0o700
    assert load_or_create_token(data) == token
    assert [p.name for p in data.iterdir()] == ["admin-token"]  # no temporary left behind


def test_put_then_get_round_trips_json_through_the_api(service: Any, admin: dict[str, str]) -> None:
    body = json.dumps({"a": [1, 2]}).encode()
    assert httpx.put(f"{service.url}/_a2i/objects/docs/x.json", content=body, headers=admin).status_code == 200
    assert httpx.get(mirror_signer(service.context)("docs", "x.json")).json() == {"a": [1, 2]}
