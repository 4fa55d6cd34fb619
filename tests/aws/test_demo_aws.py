"""``a2i-kit demo`` with ``A2I_KIT_BACKEND=aws`` on the AWS-shaped stack: images and output.json in
moto's S3, the role and bucket found by ``connect("aws")``, reviewers on the service standing in for A2I."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from stack import ACCOUNT, REGION, AwsStack

BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
A2I_KIT = str(Path(sys.executable).with_name("a2i-kit"))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_demo_runs_on_the_aws_backend(aws_stack: AwsStack, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run([A2I_KIT, "demo", "--items", "60", "--out", str(out)], cwd=tmp_path,
                          env=aws_stack.notebook_environ(), capture_output=True, text=True, timeout=540, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"1. AWS {REGION}, bucket {BUCKET}; 60 digit predictions" in done.stdout
    assert not (out / "service-data").exists()  # nothing local stands in for the service
    stats = json.loads((out / "stats.json").read_text())
    assert stats["outputs"] > 0, stats
    assert stats["problems"] == 0, stats
    assert stats["flow_definition_arn"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:flow-definition/digit-review"
    s3 = aws_stack.client("s3")
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for item in page.get("Contents", [])]
    outputs = [key for key in keys if key.startswith("reviews/digit-review/") and key.endswith("/output.json")]
    assert len(outputs) == stats["outputs"]
    assert len([key for key in keys if key.startswith("digits/")]) == 60  # the images, in S3
    answer = json.loads(s3.get_object(Bucket=BUCKET, Key=outputs[0])["Body"].read())
    assert answer["humanAnswers"][0]["answerContent"], answer
    flow = aws_stack.client("sagemaker").describe_flow_definition(FlowDefinitionName="digit-review")
    assert flow["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/A2IExecution"
    assert (out / "summary.md").read_text().startswith("# a2i-kit demo")
    assert (out / "agreement.png").stat().st_size > 0


def test_demo_on_amazon_a2i_says_reviewers_need_the_service(aws_stack: AwsStack, tmp_path: Path) -> None:
    env = aws_stack.notebook_environ()
    del env["A2I_KIT_ADMIN_TOKEN"]
    done = subprocess.run([A2I_KIT, "demo", "--items", "20", "--out", str(tmp_path / "demo")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    assert ("simulated reviewers need a2i-kit's service: on Amazon A2I your workteam answers in the worker "
            "portal; with a2i-kit's service standing in for A2I, set A2I_KIT_ADMIN_TOKEN to its admin token"
            ) in done.stderr
    assert aws_stack.client("sagemaker").list_flow_definitions()["FlowDefinitionSummaries"] == []
