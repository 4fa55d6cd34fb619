"""connect(): local backend starts (and reuses) the embedded service; aws uses the normal chain."""

from __future__ import annotations

import pytest

import a2i_kit
from a2i_kit.errors import ConfigError
from a2i_kit.session import stop_local_services


@pytest.fixture(autouse=True)
def _stop_services():
    yield
    stop_local_services()


def test_local_connect_serves_real_boto3_clients_and_is_reused(tmp_path) -> None:
    first = a2i_kit.connect(data_dir=tmp_path / "data")
    assert first.backend == "local"
    assert first.endpoint_url.startswith("http://127.0.0.1:")
    assert first.sagemaker.list_flow_definitions()["FlowDefinitionSummaries"] == []
    assert first.runtime.meta.endpoint_url == first.endpoint_url
    assert first.admin_token
    assert (tmp_path / "data" / "admin-token").read_text().strip() == first.admin_token
    again = a2i_kit.connect(data_dir=tmp_path / "data")
    assert again.service is first.service
    other = a2i_kit.connect(data_dir=tmp_path / "other")
    assert other.endpoint_url != first.endpoint_url


def test_backend_and_data_dir_come_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("A2I_KIT_DATA_DIR", str(tmp_path / "from-env"))
    session = a2i_kit.connect()
    assert session.data_dir == (tmp_path / "from-env").resolve()
    monkeypatch.setenv("A2I_KIT_BACKEND", "azure")
    with pytest.raises(ConfigError, match="A2I_KIT_BACKEND='azure' is not a backend; use one of local, aws"):
        a2i_kit.connect()


def test_unknown_backend_and_service_option_are_clear_errors(tmp_path) -> None:
    with pytest.raises(ConfigError, match="backend 'gcp' is not one of local, aws"):
        a2i_kit.connect("gcp")
    with pytest.raises(ConfigError, match="unknown option for the local service"):
        a2i_kit.connect(data_dir=tmp_path, colour="blue")


def test_aws_backend_builds_clients_from_the_credential_chain(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    session = a2i_kit.connect("aws")
    assert session.backend == "aws"
    assert session.service is None
    assert session.admin_token is None
    assert session.region == "eu-west-1"
    assert session.runtime.meta.endpoint_url == "https://a2i-runtime.sagemaker.eu-west-1.amazonaws.com"
    assert session.s3 is not None
    assert session.sagemaker.meta.service_model.service_name == "sagemaker"
