"""Rendering like A2I: escaping, filters, grant_read_access, modes, RenderUiTemplate."""

from __future__ import annotations

import warnings

import boto3
import pytest

from a2i_kit.errors import TemplateError
from a2i_kit.templates import (
    TemplateRenderError,
    aws_signer,
    failure_reason,
    local_signer,
    render,
    render_ui_template,
)

SIGN = "https://signed.example"


def sign(bucket: str, key: str) -> str:
    return f"{SIGN}/{bucket}/{key}?sig=1"


@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        # auto-escape, exactly like the A2I doc example
        ("{{ task.input.t }}", {"t": "Tom & 'Jerry' <b>"}, "Tom &amp; &#39;Jerry&#39; &lt;b&gt;"),
        ('{{ task.input.t }}', {"t": 'say "hi"'}, "say &quot;hi&quot;"),
        # escape: the same escaping, never twice
        ("{{ task.input.t | escape }}", {"t": "Tom & 'Jerry' <b>"},
         "Tom &amp; &#39;Jerry&#39; &lt;b&gt;"),
        ("{{ task.input.t | escape | escape }}", {"t": "a&b"}, "a&amp;b"),
        # escape_once keeps existing entities
        ("{{ task.input.t | escape_once }}", {"t": "Tom &amp; Jerry & co"}, "Tom &amp; Jerry &amp; co"),
        ("{{ task.input.t | escape_once }}", {"t": "&#39;x&#x27; <"}, "&#39;x&#x27; &lt;"),
        # skip_autoescape emits raw HTML
        ("{{ task.input.t | skip_autoescape }}", {"t": "Tom & <b>Jerry</b>"}, "Tom & <b>Jerry</b>"),
        # to_json: compact JSON, then auto-escaped
        ("{{ task.input.p | to_json }}", {"p": {"x": 3, "y": [1, 2]}},
         "{&quot;x&quot;:3,&quot;y&quot;:[1,2]}"),
        ("{{ task.input.p | to_json | skip_autoescape }}", {"p": {"x": "é"}}, '{"x":"é"}'),
        ("{{ task.input.missing | to_json }}", {}, "null"),
        # objects and arrays without to_json come out as JSON
        ("{{ task.input.p }}", {"p": {"a": [1, True, None]}},
         "{&quot;a&quot;:[1,true,null]}"),
        ("{{ task.input.l }}", {"l": ["a", "b"]}, "[&quot;a&quot;,&quot;b&quot;]"),
        ("{{ task.input.b }}", {"b": False}, "false"),
        ("{{ task.input.n }}", {"n": 2.5}, "2.5"),
        # missing variables render as empty strings
        ("[{{ task.input.nope.deeper }}]", {}, "[]"),
        # hyphenated keys and bracket access
        ("{{ task.input.source-ref }}", {"source-ref": "s3://b/k"}, "s3://b/k"),
        ("{{ task.input.meta.class-map[task.input.id] }}",
         {"meta": {"class-map": {"3": "dog"}}, "id": "3"}, "dog"),
        ("{{ task.input.boxes[1]['class-name'] }}",
         {"boxes": [{}, {"class-name": "cat"}]}, "cat"),
        # loops and captures
        ("{% for l in task.input.ls %}{{ forloop.index }}={{ l }};{% endfor %}",
         {"ls": ["a", "<b>"]}, "1=a;2=&lt;b&gt;;"),
        ("{% capture u %}s3://{{ task.input.b }}/{{ task.input.k }}{% endcapture %}"
         "{{ u | grant_read_access }}", {"b": "bkt", "k": "a.png"}, f"{SIGN}/bkt/a.png?sig=1"),
        ("{% echo task.input.t %}", {"t": "<"}, "&lt;"),
    ],
)
def test_render_values_and_filters(template: str, data: dict, expected: str) -> None:
    assert render(template, data, signer=sign) == expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bkt/img/cat 1.png", f"{SIGN}/bkt/img/cat 1.png?sig=1"),
        ("  s3://bkt/a.png ", f"{SIGN}/bkt/a.png?sig=1"),
        ("http://s3.amazonaws.com/bkt/dir/a.png", f"{SIGN}/bkt/dir/a.png?sig=1"),
        ("https://s3.eu-west-1.amazonaws.com/bkt/a%20b.png", f"{SIGN}/bkt/a b.png?sig=1"),
        ("https://s3-us-west-2.amazonaws.com/bkt/a.png", f"{SIGN}/bkt/a.png?sig=1"),
        ("https://bkt.s3.amazonaws.com/a.png", f"{SIGN}/bkt/a.png?sig=1"),
        ("https://bkt.s3.eu-central-1.amazonaws.com/x/y.jpg", f"{SIGN}/bkt/x/y.jpg?sig=1"),
        ("https://my.bkt.s3.dualstack.us-east-1.amazonaws.com/k", f"{SIGN}/my.bkt/k?sig=1"),
        ("https://s3.dualstack.us-east-1.amazonaws.com/bkt/k", f"{SIGN}/bkt/k?sig=1"),
        # non-S3 URLs and already signed URLs pass through
        ("https://example.com/cat.png", "https://example.com/cat.png"),
        ("https://bkt.s3.amazonaws.com.evil.org/a.png", "https://bkt.s3.amazonaws.com.evil.org/a.png"),
        ("https://bkt.s3.amazonaws.com/a.png?X-Amz-Signature=ab",
         "https://bkt.s3.amazonaws.com/a.png?X-Amz-Signature=ab"),
    ],
)
def test_grant_read_access_accepted_forms(uri: str, expected: str) -> None:
    html = render("{{ task.input.u | grant_read_access | skip_autoescape }}", {"u": uri},
                  signer=sign)
    assert html == expected


@pytest.mark.parametrize("value", [" ", "", "not a uri", "s3://", "s3://bkt", "s3://bkt/",
                                   "ftp://bkt/a", "/local/path.png", "https://s3.amazonaws.com/bkt"])
def test_grant_read_access_rejects_invalid_with_a2i_wording(value: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render("<img src=\"{{ task.input.u | grant_read_access }}\">", {"u": value}, signer=sign)
    assert info.value.code == "InvalidParameters"
    assert info.value.message == f'"grant_read_access" input is not a valid S3 URI: "{value}".'
    assert info.value.line == 1


def test_grant_read_access_on_missing_key_is_blank_uri() -> None:
    rendered, errors = render_ui_template("{{ task.input.nope | grant_read_access }}", "{}",
                                          signer=sign)
    assert rendered == ""
    assert errors == [{"Code": "InvalidParameters",
                       "Message": '"grant_read_access" input is not a valid S3 URI: "".'}]


def test_grant_read_access_without_signer_explains_how_to_sign() -> None:
    with pytest.raises(TemplateRenderError) as info:
        render("{{ task.input.u | grant_read_access }}", {"u": "s3://b/k"})
    assert info.value.code == "InvalidParameters"
    assert "no signer is configured" in info.value.message
    assert "local_signer" in info.value.message
    # http(s) URLs do not need a signer
    assert render("{{ task.input.u | grant_read_access }}", {"u": "https://x.org/a"}) == \
        "https://x.org/a"


def test_local_signer_quotes_keys() -> None:
    signer = local_signer("http://127.0.0.1:9/")
    html = render("{{ task.input.u | grant_read_access }}", {"u": "s3://bkt/a dir/é&x.png"},
                  signer=signer)
    assert html == "http://127.0.0.1:9/_a2i/objects/bkt/a%20dir/%C3%A9%26x.png"


def test_aws_signer_presigns_get_object() -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="secret")
    url = render("{{ task.input.u | grant_read_access | skip_autoescape }}",
                 {"u": "s3://my-bucket/img/cat.png"}, signer=aws_signer(client, expires=600))
    assert url.startswith("https://my-bucket.s3.amazonaws.com/img/cat.png?")
    assert "X-Amz-Expires=600" in url or "Expires=" in url


def test_task_input_may_be_a_json_string() -> None:
    assert render("{{ task.input.a }}", '{"a": "x"}') == "x"


@pytest.mark.parametrize(("data", "fragment"), [
    ("{not json", "task input is not valid JSON"),
    ("[1, 2]", "task input must be a JSON object, got list"),
])
def test_bad_task_input(data: str, fragment: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render("x", data)
    assert info.value.code == "InvalidParameters"
    assert fragment in str(info.value)


def test_render_ui_template_success_and_errors() -> None:
    assert render_ui_template("<b>{{ task.input.a }}</b>", '{"a": "<i>"}') == ("<b>&lt;i&gt;</b>", [])
    rendered, errors = render_ui_template("{% if %}", "{}")
    assert rendered == ""
    assert errors[0]["Code"] == "TemplateSyntaxError"
    assert "template:1:" in errors[0]["Message"]


def test_failure_reason_matches_a2i_text() -> None:
    with pytest.raises(TemplateRenderError) as info:
        render("{{ task.input.u | grant_read_access }}", {"u": " "}, signer=sign)
    assert failure_reason(info.value) == (
        "Task failed to render: [ InvalidParameters: "
        "'\"grant_read_access\" input is not a valid S3 URI: \" \".' ]")


@pytest.mark.parametrize(("mode", "outcome"), [("strict", "raise"), ("warn", "warn"),
                                               ("lax", "quiet")])
def test_modes_raise_warn_or_ignore(mode: str, outcome: str) -> None:
    template = "a{{ task.input.x | nope }}b"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if outcome == "raise":
            with pytest.raises(TemplateRenderError, match="unknown filter 'nope'"):
                render(template, {"x": 1}, mode=mode)
            return
        assert render(template, {"x": 1}, mode=mode) == "ab"
    messages = [str(w.message) for w in caught]
    assert any("unknown filter 'nope'" in m for m in messages) == (outcome == "warn")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(TemplateError, match="unknown mode 'loose'"):
        render("x", {}, mode="loose")
