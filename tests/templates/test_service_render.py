"""Built-ins through the embedded service's RenderUiTemplate, images served by its mirror."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from a2i_kit.templates import builtin, builtin_names, install_assets

ROLE = "arn:aws:iam::000000000000:role/a2i-kit"


@pytest.mark.parametrize("name", ["image-classification", "bounding-boxes", "textract-key-value"])
def test_render_ui_template_signs_images_for_the_local_mirror(service, sagemaker_client,
                                                              name: str) -> None:
    install_assets(service.context.config.mirror_dir)
    item = builtin(name)
    response = sagemaker_client.render_ui_template(
        UiTemplate={"Content": item.content}, Task={"Input": json.dumps(item.sample_input)},
        RoleArn=ROLE)
    assert response["Errors"] == []
    urls = re.findall(r'src="(http://[^"]+/_a2i/objects/[^"]+)"', response["RenderedContent"])
    assert urls, response["RenderedContent"][:500]
    with urllib.request.urlopen(urls[0].replace("&amp;", "&"), timeout=10) as reply:
        assert reply.read(8) == b"\x89PNG\r\n\x1a\n"


def test_render_ui_template_reports_grant_read_access_error(sagemaker_client) -> None:
    response = sagemaker_client.render_ui_template(
        UiTemplate={"Content": builtin("image-classification").content},
        Task={"Input": json.dumps({"taskObject": " ", "labels": ["a"]})}, RoleArn=ROLE)
    assert response["Errors"] == [{
        "Code": "InvalidParameters",
        "Message": '"grant_read_access" input is not a valid S3 URI: " ".'}]


def test_every_builtin_renders_through_the_service(sagemaker_client) -> None:
    for name in builtin_names():
        item = builtin(name)
        response = sagemaker_client.render_ui_template(
            UiTemplate={"Content": item.content}, Task={"Input": json.dumps(item.sample_input)},
            RoleArn=ROLE)
        assert response["Errors"] == [], name
        assert "{{" not in response["RenderedContent"]
