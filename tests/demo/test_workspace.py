"""workspace: a local session's objects live in its S3 mirror folder; without one it says why."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from a2i_kit.errors import ConfigError
from a2i_kit.session import Session
from a2i_kit.workspace import output_uris, put_object, read_object


def _local(service: object = None) -> Session:
    return Session(backend="local", region="", sagemaker=None, runtime=None, service=service,
                   endpoint_url="http://127.0.0.1:9", admin_token="t")


def test_objects_go_to_the_mirror_folder(tmp_path: Path) -> None:
    session = _local(SimpleNamespace(config=SimpleNamespace(mirror_dir=str(tmp_path)), admin_token="t"))
    assert put_object(session, "bkt", "out/1/output.json", b"{}") == "s3://bkt/out/1/output.json"
    assert (tmp_path / "bkt" / "out" / "1" / "output.json").read_bytes() == b"{}"
    assert read_object(session, "s3://bkt/out/1/output.json") == b"{}"
    assert read_object(session, "s3://bkt/none.json", missing=b"-") == b"-"
    assert output_uris(session, "s3://bkt/out") == ["s3://bkt/out/1/output.json"]


@pytest.mark.parametrize("call", [
    lambda s: put_object(s, "bkt", "a.png", b"x"),
    lambda s: read_object(s, "s3://bkt/a.png", missing=b""),
    lambda s: output_uris(s, "s3://bkt/out"),
])
def test_a_session_of_a_service_in_another_process_has_no_mirror(call) -> None:
    # Was a TypeError from Path(None); the service's mirror folder is not known in this process.
    with pytest.raises(ConfigError, match="no S3 mirror folder here"):
        call(_local())
