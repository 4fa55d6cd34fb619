"""``--allow-remote`` and ``--require-auth``: the AWS routes then need keys this service issued."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from test_serve_config import A2I_KIT

WARNING = ("WARNING: --allow-remote: the AWS routes at {url} now need requests signed (SigV4) with access keys "
           "this service issued (a2i-kit admin create-access-key --name NAME); anyone who can reach it can open "
           "the worker portal and call the worker API (sign-in links and worker tokens are the protection "
           "there), and traffic is plain HTTP: put a TLS reverse proxy in front of it.")


def issue_key(data: Path) -> tuple[str, str]:
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(data)}
    out = subprocess.run([str(A2I_KIT), "admin", "create-access-key", "--name", "alice"], capture_output=True,
                         text=True, env=env, timeout=60, check=True).stdout
    key_id = re.search(r"AccessKeyId:\s+(\S+)", out).group(1)
    secret = re.search(r"SecretAccessKey:\s+(\S+)", out).group(1)
    return key_id, secret


def runtime(url: str, key_id: str, secret: str) -> Any:
    return boto3.client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


@pytest.mark.parametrize("args", [("--host", "127.0.0.2", "--allow-remote"), ("--require-auth",)])
def test_aws_routes_need_an_issued_key(tmp_path, args):
    data = tmp_path / "data"
    key_id, secret = issue_key(data)
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(data)}
    env.pop("A2I_KIT_DATABASE_URL", None)
    proc = subprocess.Popen([str(A2I_KIT), "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        url = re.fullmatch(r"a2i-kit service ready at (http://[\d.]+:\d+)\n", first).group(1)
        with pytest.raises(ClientError) as refused:
            runtime(url, "AKIAUNKNOWNUNKNOWN00", "x" * 40).describe_human_loop(HumanLoopName="ghost")
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
        assert refused.value.response["Error"]["Message"] == "The security token included in the request is invalid."
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        with pytest.raises(ClientError) as missing:
            runtime(url, key_id, secret).describe_human_loop(HumanLoopName="ghost")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"  # signed: served
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    if "--allow-remote" in args:
        assert WARNING.format(url=url) in err
    else:
        assert "WARNING" not in err
