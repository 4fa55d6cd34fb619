"""The local S3 mirror over HTTP: what grant_read_access links point to."""

from __future__ import annotations

import socket
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest

from a2i_kit.errors import InputError
from a2i_kit.review import WorkerApiError
from a2i_kit.service.objects import mirror_signer, object_path, put_object

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_get_serves_mirror_objects_with_type_and_cors(service: Any, http: Any) -> None:
    uri = put_object(service.context, "photos", "cats/tabby 1.png", PNG)
    assert uri == "s3://photos/cats/tabby 1.png"
    link = mirror_signer(service.context)("photos", "cats/tabby 1.png")
    assert link.startswith(f"{service.url}/_a2i/objects/photos/cats/tabby%201.png?expires=")
    response = http.get(link)
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["access-control-allow-origin"] == "*"
    head = http.head(link)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(PNG))
    preflight = http.options("/_a2i/objects/photos/cats/tabby%201.png",
                             headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_reading_needs_a_signed_link_or_the_admin_token(service: Any, http: Any) -> None:
    put_object(service.context, "photos", "private.png", PNG)
    for url in ("/_a2i/objects/photos/private.png", "/_a2i/objects/photos/private.png?sig=0000",
                mirror_signer(service.context)("photos", "other.png").replace("other", "private")):
        refused = http.get(url)
        assert refused.status_code == 403, url
        assert refused.json()["code"] == "AccessDenied"
        assert "signed link" in refused.json()["error"]
        assert PNG not in refused.content
    admin = http.get("/_a2i/objects/photos/private.png", headers={"X-A2I-Admin-Token": service.admin_token})
    assert admin.content == PNG


def test_put_needs_the_admin_token(service: Any, http: Any) -> None:
    refused = http.put("/_a2i/objects/docs/a.json", content=b"{}")
    assert refused.status_code == 401
    assert refused.json() == {"error": "uploading needs the admin token in X-A2I-Admin-Token",
                              "code": "Unauthorized"}
    stored = http.put("/_a2i/objects/docs/a.json", content=b'{"a": 1}',
                      headers={"X-A2I-Admin-Token": service.admin_token})
    assert stored.json() == {"uri": "s3://docs/a.json", "size": 8}
    fetched = http.get(mirror_signer(service.context)("docs", "a.json"))
    assert fetched.json() == {"a": 1}
    assert fetched.headers["content-type"] == "application/json"


def test_missing_object_is_404_with_a_hint(service: Any, http: Any) -> None:
    response = http.get(mirror_signer(service.context)("photos", "none.png"))
    assert response.status_code == 404
    assert response.json()["code"] == "NoSuchKey"
    assert "put_object" in response.json()["error"]


def _raw_get(url: str, path: str, token: str) -> tuple[int, bytes]:
    """Send the path byte for byte (HTTP clients would normalise the dots away)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A2I-Admin-Token: {token}\r\n"
                     "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("path", [
    "/_a2i/objects/photos/../../admin-token",
    "/_a2i/objects/photos/..%2F..%2Fadmin-token",
    "/_a2i/objects/photos/%2e%2e/%2e%2e/admin-token",
    "/_a2i/objects/photos/cats/../../../a2i.sqlite3",
    "/_a2i/objects/..%2F/admin-token",
])
def test_path_traversal_never_leaves_the_mirror(service: Any, path: str) -> None:
    put_object(service.context, "photos", "cats/1.png", PNG)
    status, body = _raw_get(service.url, path, service.admin_token)  # even the admin cannot escape
    assert status == 404
    assert service.admin_token.encode() not in body
    assert b"SQLite" not in body


@pytest.mark.parametrize(("bucket", "key", "message"), [
    ("Photos", "a.png", "not a valid S3 bucket name"),
    ("photos", "../x.png", "has an empty, '.' or '..' part"),
    ("photos", "dir/", "must name a file"),
])
def test_put_object_rejects_bad_locations(service: Any, bucket: str, key: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        object_path(service.context.config, bucket, key)


def test_grant_read_access_links_resolve_to_the_mirror(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, http: Any) -> None:
    put_object(service.context, "inputs", "img/dog.png", PNG)
    template = '<crowd-form><img src="{{ task.input.image | grant_read_access }}"></crowd-form>'
    [loop] = start_loops(make_flow(template=template), inputs=[{"image": "s3://inputs/img/dog.png"}])
    html = add_worker("alice").claim(loop)["html"]
    src = unescape(html.split('src="', 1)[1].split('"', 1)[0])
    assert src == mirror_signer(service.context)("inputs", "img/dog.png")
    assert src.startswith(f"{service.url}/_a2i/objects/inputs/img/dog.png?expires=")
    assert http.get(src).content == PNG


def test_admin_client_uploads_to_the_mirror_and_refuses_bad_keys(admin: Any, http: Any, service: Any) -> None:
    uri = admin.put_object("photos-in", "cats/1.png", b"\x89PNG-bytes")
    assert uri == "s3://photos-in/cats/1.png"
    got = http.get("/_a2i/objects/photos-in/cats/1.png", headers={"X-A2I-Admin-Token": service.admin_token})
    assert got.status_code == 200
    assert got.content == b"\x89PNG-bytes"
    missing = http.get("/_a2i/objects/photos-in/cats/2.png", headers={"X-A2I-Admin-Token": service.admin_token})
    assert missing.status_code == 404
    assert "AdminClient.put_object" in missing.json()["error"]
    assert "a2i_kit.service" not in missing.json()["error"]
    with pytest.raises(WorkerApiError) as refused:
        admin.put_object("photos-in", "cats/../../escape.png", b"x")
    assert refused.value.status == 400
