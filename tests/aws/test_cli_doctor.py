"""``a2i-kit doctor`` as a user runs it: JSON output shape and exit status, on the AWS-shaped stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

A2I_KIT = str(Path(sys.executable).with_name("a2i-kit"))
KEYS = ["check", "status", "detail", "fix"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([A2I_KIT, "doctor", *args], capture_output=True, text=True, env=dict(os.environ),
                          timeout=180, check=False)


def test_json_output_and_exit_status(aws_stack, tmp_path) -> None:
    setup = aws_stack.good_setup()
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps(setup["sample"]))
    ok = _run("--format", "json", "--flow-definition", "claims", "--sample-input", str(sample))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    results = json.loads(ok.stdout)
    assert [r["check"] for r in results] == ["credentials", "region", "role-trust", "role-permissions", "bucket",
                                             "bucket-cors", "workteam", "flow-definitions", "task-ui"]
    assert all(list(r) == KEYS and r["status"] == "pass" for r in results), results

    aws_stack.client("s3").delete_bucket_cors(Bucket="a2i-kit-data")
    broken = _run("--format", "json", "--flow-definition", "claims", "--sample-input", str(sample))
    assert broken.returncode == 1, broken.stderr
    failed = [r for r in json.loads(broken.stdout) if r["status"] == "fail"]
    assert [r["check"] for r in failed] == ["bucket-cors"]
    assert failed[0]["fix"].startswith("aws s3api put-bucket-cors --bucket a2i-kit-data ")


def test_table_output_and_a_bad_sample_file(aws_stack, tmp_path) -> None:
    aws_stack.good_setup()
    table = _run("--flow-definition", "claims")
    assert table.returncode == 0, table.stdout + table.stderr
    assert table.stdout.splitlines()[0] == (
        "PASS  credentials       calling as arn:aws:sts::123456789012:user/moto (account 123456789012)")
    missing = tmp_path / "nope.json"
    bad = _run("--sample-input", str(missing))
    assert bad.returncode == 2
    assert bad.stderr.startswith(f"a2i-kit: error: --sample-input {missing}: not a readable JSON file (")
    assert bad.stderr.rstrip().endswith("pass a file holding one task input object")
