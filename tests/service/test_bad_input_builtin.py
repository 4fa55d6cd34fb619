"""Bad input on the built-in entry points, the mirror and the task UI Url: a clear 4xx, never a 5xx.

Every case checks the status, the error code and a fragment of the message, then that the
service still answers, the store passes SQLite's integrity check, no loop was started and the
mirror holds exactly what it held before (no half-written or temporary file).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from a2i_kit.activation import REKOGNITION_SOURCE, TEXTRACT_SOURCE, conditions, moderation_check
from a2i_kit.activation.samples import load_sample
from a2i_kit.service.objects import put_object

MOD = load_sample("rekognition_moderation")
INV = load_sample("textract_invoice")
REK = "/_a2i/builtin/rekognition/detect-moderation-labels"
TEX = "/_a2i/builtin/textract/analyze-document"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
MiB = 1024 * 1024


@pytest.fixture
def world(service: Any, sagemaker_client: Any) -> dict[str, str]:
    """Two built-in flow definitions (conditions that always hold) and one mirror object."""
    team = sagemaker_client.create_workteam(
        WorkteamName="team", Description="d", MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "reviewers", "ClientId": "client1"}}])["WorkteamArn"]
    ui = sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": "<p>x</p>"})
    arns = {}
    for name, source, cond in (("rek", REKOGNITION_SOURCE, conditions(moderation_check("*", lt=100))),
                               ("tex", TEXTRACT_SOURCE, None)):
        params: dict[str, Any] = {
            "FlowDefinitionName": name, "RoleArn": "arn:aws:iam::111122223333:role/r",
            "HumanLoopRequestSource": {"AwsManagedHumanLoopRequestSource": source},
            "HumanLoopConfig": {"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                                "TaskDescription": "d", "TaskCount": 1},
            "OutputConfig": {"S3OutputPath": "s3://a2i-kit-tests/builtin"}}
        if cond is not None:
            params["HumanLoopActivationConfig"] = {
                "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": cond}}
        arns[name] = sagemaker_client.create_flow_definition(**params)["FlowDefinitionArn"]
    put_object(service.context, "photos", "cat.png", PNG)
    return arns


def rek(change: Callable[[dict[str, Any]], Any], flow: str = "rek") -> Callable[[dict[str, str]], bytes]:
    """A Rekognition body built from the sample (for flow definition ``flow``), changed in place."""
    def build(arns: dict[str, str]) -> bytes:
        body = {"Request": copy.deepcopy(MOD["request"]), "Response": copy.deepcopy(MOD["response"]),
                "HumanLoopConfig": {"HumanLoopName": "img-1", "FlowDefinitionArn": arns[flow]}}
        change(body)
        return json.dumps(body).encode()
    return build


def tex(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, str]], bytes]:
    """A Textract body built from the sample, changed in place."""
    def build(arns: dict[str, str]) -> bytes:
        body = {"Request": copy.deepcopy(INV["request"]), "Response": copy.deepcopy(INV["response"]),
                "HumanLoopConfig": {"HumanLoopName": "doc-1", "FlowDefinitionArn": arns["tex"]}}
        change(body)
        return json.dumps(body).encode()
    return build


def raw(data: bytes) -> Callable[[dict[str, str]], bytes]:
    return lambda _arns: data


def unchanged(_body: dict[str, Any]) -> None:
    """The sample body as it is."""


def label(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda b: b["Response"]["ModerationLabels"][0].__setitem__(field, value)


def block(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda b: b["Response"]["Blocks"][0].__setitem__(field, value)


def config(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda b: b["HumanLoopConfig"].__setitem__(field, value)


BUILTIN_CASES = [
    ("not json", REK, raw(b"{not json"), 400, "InvalidParameterException", "not valid JSON"),
    ("empty body", REK, raw(b""), 400, "InvalidParameterException", "the body is empty"),
    ("array body", REK, raw(b"[1, 2]"), 400, "InvalidParameterException", "must be a JSON object"),
    ("NaN", REK, raw(b'{"Request": {"MinConfidence": NaN}}'), 400, "InvalidParameterException", "NaN"),
    ("1e999", TEX, raw(b'{"Response": {"Blocks": [{"Confidence": 1e999}]}}'), 400,
     "InvalidParameterException", "too large for a double"),
    ("deep nesting", REK, raw(b"[" * 50_000 + b"]" * 50_000), 400, "InvalidParameterException",
     "nested more than 64 levels deep"),
    ("lone surrogate name", REK, raw(b'{"HumanLoopConfig": {"HumanLoopName": "\\ud800"}}'), 400,
     "InvalidParameterException", "lone UTF-16 surrogate"),
    ("huge rekognition body", REK, raw(b'{"a": "' + b"x" * (5 * MiB) + b'"}'), 413,
     "ImageTooLargeException", "(4194304 bytes)"),
    ("huge textract body", TEX, raw(b'{"a": "' + b"x" * (5 * MiB) + b'"}'), 413,
     "DocumentTooLargeException", "send the document as S3Object instead of Bytes"),
    ("response is a list", REK, rek(lambda b: b.__setitem__("Response", [])), 400,
     "InvalidParameterException", 'send {"Request": {...}, "Response": {...}'),
    ("request is a string", REK, rek(lambda b: b.__setitem__("Request", "img")), 400,
     "InvalidParameterException", 'send {"Request": {...}'),
    ("no config", REK, rek(lambda b: b.pop("HumanLoopConfig")), 400, "InvalidParameterException",
     "HumanLoopConfig is required"),
    ("name is a number", REK, rek(config("HumanLoopName", 123)), 400, "InvalidParameterException",
     "Value '123' at 'humanLoopConfig.humanLoopName'"),
    ("name too long", REK, rek(config("HumanLoopName", "a" * 5000)), 400, "InvalidParameterException",
     "Member must satisfy regular expression pattern"),
    ("arn is a huge number", REK, rek(config("FlowDefinitionArn", 10**40)), 400,
     "InvalidParameterException", "FlowDefinitionArn is required"),
    ("arn too long", REK, rek(config("FlowDefinitionArn", "a" * 300)), 400, "InvalidParameterException",
     "at most 256 characters"),
    ("unknown flow", REK, rek(config("FlowDefinitionArn", "arn:aws:sagemaker:us-east-1:111122223333:"
                                     "flow-definition/none")), 404, "ResourceNotFoundException",
     "flow-definition/none' does not exist."),
    ("DataAttributes string", REK, rek(config("DataAttributes", "garbage")), 400,
     "InvalidParameterException", "HumanLoopConfig.DataAttributes must be"),
    ("DataAttributes unknown classifier", REK, rek(config("DataAttributes", {"ContentClassifiers": ["Nope"]})),
     400, "InvalidParameterException", "FreeOfAdultContent"),
    ("DataAttributes not a list", REK,
     rek(config("DataAttributes", {"ContentClassifiers": "FreeOfAdultContent"})), 400,
     "InvalidParameterException", "DataAttributes must be"),
    ("DataAttributes extra key", REK,
     rek(config("DataAttributes", {"ContentClassifiers": [], "Other": 1})), 400,
     "InvalidParameterException", "DataAttributes must be"),
    ("labels not a list", REK, rek(lambda b: b["Response"].__setitem__("ModerationLabels", "all")), 400,
     "InvalidParameterException", "the Rekognition response has no 'ModerationLabels' list"),
    ("label not an object", REK, rek(lambda b: b["Response"]["ModerationLabels"].__setitem__(0, 5)), 400,
     "InvalidParameterException", "Response.ModerationLabels[0] must be an object"),
    ("confidence text", REK, rek(label("Confidence", "high")), 400, "InvalidParameterException",
     "Response.ModerationLabels[0].Confidence must be a number from 0 to 100"),
    ("confidence 1e308", REK, rek(label("Confidence", 1e308)), 400, "InvalidParameterException",
     "Confidence must be a number from 0 to 100"),
    ("confidence bool", REK, rek(label("Confidence", True)), 400, "InvalidParameterException",
     "Confidence must be a number from 0 to 100"),
    ("confidence negative", REK, rek(label("Confidence", -1)), 400, "InvalidParameterException",
     "Confidence must be a number from 0 to 100"),
    ("label name null", REK, rek(label("Name", None)), 400, "InvalidParameterException",
     "Response.ModerationLabels[0].Name must be a string"),
    ("parent name list", REK, rek(label("ParentName", [[[]]])), 400, "InvalidParameterException",
     "ParentName must be a string"),
    ("blocks missing", TEX, tex(lambda b: b["Response"].pop("Blocks")), 400, "InvalidParameterException",
     "the Textract response has no 'Blocks' list"),
    ("block id number", TEX, tex(block("Id", 1)), 400, "InvalidParameterException",
     "Response.Blocks[0].Id must be a string"),
    ("block type missing", TEX, tex(lambda b: b["Response"]["Blocks"][0].pop("BlockType")), 400,
     "InvalidParameterException", "Response.Blocks[0].BlockType must be a string"),
    ("relationships string", TEX, tex(block("Relationships", "x")), 400, "InvalidParameterException",
     'Relationships must be a list of {"Type": string, "Ids": [strings]}'),
    ("relationship ids nested", TEX, tex(block("Relationships", [{"Type": "CHILD", "Ids": [["a"]]}])), 400,
     "InvalidParameterException", "Relationships must be a list of"),
    ("entity types string", TEX, tex(block("EntityTypes", "KEY")), 400, "InvalidParameterException",
     "EntityTypes must be a list of strings"),
    ("block confidence dict", TEX, tex(block("Confidence", {})), 400, "InvalidParameterException",
     "Response.Blocks[0].Confidence must be a number from 0 to 100"),
    ("flow of the other service", REK, rek(unchanged, flow="tex"), 400, "InvalidParameterException",
     "has request source AWS/Textract/AnalyzeDocument/Forms/V1"),
]


@pytest.mark.parametrize(("path", "body", "status", "code", "fragment"), [c[1:] for c in BUILTIN_CASES],
                         ids=[c[0] for c in BUILTIN_CASES])
def test_builtin_bad_input(service: Any, world: dict[str, str], http: Any, path: str,
                           body: Callable[[dict[str, str]], bytes], status: int, code: str,
                           fragment: str) -> None:
    response = http.post(path, content=body(world), headers={"Content-Type": "application/json"})
    _assert_refused(response, status, code, fragment)
    _assert_intact(service, http)


def test_builtin_bad_option(service: Any, world: dict[str, str], http: Any) -> None:
    body = rek(unchanged)(world)
    _assert_refused(http.post(REK, params={"word_mode": "bogus" * 50}, content=body), 400,
                    "InvalidParameterException", "word_mode='bogusbogus")
    _assert_intact(service, http)


OBJECT_CASES = [
    ("put without token", "PUT", "/_a2i/objects/photos/a.png", {}, 401, "Unauthorized", "admin token"),
    ("dot-dot segment", "PUT", "/_a2i/objects/photos/a/%2E%2E/b.png", {"admin": True}, 400,
     "InvalidRequest", "has an empty, '.' or '..' part"),
    ("encoded slash escape", "PUT", "/_a2i/objects/photos/..%2F..%2Fadmin-token", {"admin": True}, 400,
     "InvalidRequest", "'..' part"),
    ("empty segment", "PUT", "/_a2i/objects/photos/a//b.png", {"admin": True}, 400, "InvalidRequest",
     "has an empty, '.' or '..' part"),
    ("empty key", "PUT", "/_a2i/objects/photos/", {"admin": True}, 400, "InvalidRequest",
     "must name a file"),
    ("uppercase bucket", "PUT", "/_a2i/objects/Photos/a.png", {"admin": True}, 400, "InvalidRequest",
     "is not a valid S3 bucket name"),
    ("dotted bucket", "PUT", "/_a2i/objects/a..b/a.png", {"admin": True}, 400, "InvalidRequest",
     "is not a valid S3 bucket name"),
    ("key too long", "PUT", "/_a2i/objects/photos/" + "a/" * 600 + "x", {"admin": True}, 400,
     "InvalidRequest", "S3 keys are at most 1024 bytes"),
    ("segment too long", "PUT", "/_a2i/objects/photos/" + "a" * 300, {"admin": True}, 400,
     "InvalidRequest", "longer than 255 bytes"),
    ("control character", "PUT", "/_a2i/objects/photos/a%09b.png", {"admin": True}, 400,
     "InvalidRequest", "holds a control character"),
    ("lone surrogate bytes", "PUT", "/_a2i/objects/photos/%ED%A0%80.png", {"admin": True}, 400,
     "InvalidURI", "not valid UTF-8"),
    ("invalid utf-8", "GET", "/_a2i/objects/photos/%FF.png", {"admin": True}, 400, "InvalidURI",
     "not valid UTF-8"),
    ("body over the cap", "PUT", "/_a2i/objects/photos/big.bin", {"admin": True, "size": 9 * MiB}, 413,
     "EntityTooLarge", "(ServiceConfig.max_body_bytes)"),
    ("object over a folder", "PUT", "/_a2i/objects/photos/cat.png/x.png", {"admin": True}, 409, "Conflict",
     "a part of its path is already an object"),
    ("unsigned read", "GET", "/_a2i/objects/photos/cat.png", {}, 403, "AccessDenied", "signed link"),
    ("absurd expires", "GET", "/_a2i/objects/photos/cat.png?expires=" + "9" * 500 + "&sig=00", {}, 403,
     "AccessDenied", "signature or expiry does not match"),
    ("huge signature", "GET", "/_a2i/objects/photos/cat.png?expires=1&sig=" + "a" * 5000, {}, 403,
     "AccessDenied", "signature or expiry does not match"),
    ("traversal as admin", "GET", "/_a2i/objects/photos/..%2Fadmin-token", {"admin": True}, 404,
     "NoSuchKey", "not a valid mirror location"),
    ("template without query", "GET", "/_a2i/ui-templates/ui", {}, 403, "Forbidden", "not valid"),
    ("template forged", "GET", "/_a2i/ui-templates/ui?sha256=x&expires=99999999999&signature=0", {}, 403,
     "Forbidden", "call DescribeHumanTaskUi for a fresh UiTemplate.Url"),
    ("template odd name", "GET", "/_a2i/ui-templates/%ED%A0%80?expires=1&signature=x", {}, 403,
     "Forbidden", "not valid"),
    ("template long name", "GET", "/_a2i/ui-templates/" + "n" * 8000, {}, 403, "Forbidden", "not valid"),
    ("template POST", "POST", "/_a2i/ui-templates/ui", {}, 405, "MethodNotAllowed", "Method Not Allowed"),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("method", "path", "options", "status", "code", "fragment"), [c[1:] for c in OBJECT_CASES],
                         ids=[c[0] for c in OBJECT_CASES])
def test_object_and_template_bad_input(service: Any, http: Any, method: str, path: str, options: dict[str, Any], status: int,
                                       code: str, fragment: str) -> None:
    headers = {"X-A2I-Admin-Token": service.admin_token} if options.get("admin") else {}
    content = b"x" * options.get("size", 3) if method == "PUT" else None
    request = http.build_request(method, path, headers=headers, content=content)
    request.url = request.url.copy_with(raw_path=path.encode())  # send the path byte for byte
    response = http.send(request)
    _assert_refused(response, status, code, fragment)
    assert service.admin_token not in response.text
    assert str(service.config.data_dir) not in response.text
    _assert_intact(service, http)


def _assert_refused(response: httpx.Response, status: int, code: str, fragment: str) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == code
    assert fragment in response.json()["error"], response.json()["error"]


def _assert_integrity(store: Any) -> None:
    """SQLite's own check of the file; PostgreSQL answers a query on every table."""
    if store.dialect == "sqlite":
        assert store.query("PRAGMA integrity_check")[0]["integrity_check"] == "ok"
    for repository in store.tables.values():
        assert repository.count() >= 0


def _assert_intact(service: Any, http: Any) -> None:
    assert http.get("/_a2i/health").json()["status"] == "ok"
    store = service.context.store
    _assert_integrity(store)
    assert store.loops.count() == 0
    mirror = Path(service.context.config.mirror_dir)
    files = sorted(str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file())
    assert files == ["photos/cat.png"]


GARBAGE: list[Any] = [None, True, 0, -1, 1.5e308, 10**30, "x", "", [], {}, [None], {"a": None}, [[[]]], "*"]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@pytest.mark.parametrize("route", [REK, TEX])
def test_random_garbage_anywhere_never_gives_a_5xx(service: Any, world: dict[str, str], http: Any,
                                                   route: str) -> None:
    import random

    rng = random.Random(20261202)
    build = rek(unchanged) if route == REK else tex(unchanged)
    base = json.loads(build(world))
    paths = [p for p in _paths(base) if p]
    for attempt in range(150):
        body = copy.deepcopy(base)
        body["HumanLoopConfig"]["HumanLoopName"] = f"fuzz-{attempt}"
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(paths)
            target: Any = body
            try:
                for step in parents:
                    target = target[step]
                target[last] = copy.deepcopy(rng.choice(GARBAGE))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed this path
        response = http.post(route, content=json.dumps(body).encode())
        assert response.status_code < 500, (response.text[:300], body)
        if response.status_code == 200:
            assert "HumanLoopActivationOutput" in response.json()
        else:
            assert response.json()["code"] in {"InvalidParameterException", "ResourceNotFoundException"}, \
                response.text[:300]
    assert http.get("/_a2i/health").json()["status"] == "ok"
    _assert_integrity(service.context.store)
