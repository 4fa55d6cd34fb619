"""Every notebook, top to bottom under nbval, with ``A2I_KIT_BACKEND=aws`` on the AWS-shaped stack.

One moto server (S3, IAM, STS, EventBridge, SQS) and one embedded service standing in for SageMaker
and the A2I runtime (writing output.json into moto's S3, putting status changes on moto's
EventBridge), reached only through ``AWS_ENDPOINT_URL_*``. The kernel runs as an assumed
execution role, as in SageMaker Studio, so ``connect("aws")`` discovers the role from the caller
identity and the bucket as ``sagemaker-<region>-<account>``. All notebooks run in one nbval
subprocess (``--nbval-lax``: outputs differ from the saved local ones, but every cell must run
without error); each notebook is then one test, with the checks of what it left in moto.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from motoserver import MotoServer
from stack import ACCOUNT, REGION, AwsStack

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
ROLE = "A2IExecution"
# Notebooks proven on the AWS backend here; every other one is listed, with why, in NOT_ON_AWS.
AWS_NOTEBOOKS = ("00-get-started", "01-task-types", "02-flow-definitions", "03-worker-templates",
                 "04-start-human-loops", "05-monitor-manage", "06-review", "07-permissions-security", "08-status-events", "09-apis", "10-results-analytics",
                 "11-widgets", "12-close-the-loop")
NOT_ON_AWS: dict[str, str] = {
}
# Where each notebook's flow definitions write output.json in the discovered bucket.
OUTPUT_PREFIXES: dict[str, tuple[str, ...]] = {
    "00-get-started": ("reviews/get-started-digits/",),
    "01-task-types": ("builtin/image-moderation/",),
    "02-flow-definitions": ("flow-definitions/ticket-triage/",),
    "05-monitor-manage": ("reviews/monitor-digits/",),
    "06-review": ("reviews/sentiment-review/",),
    "08-status-events": ("events/review-events/",),
    "10-results-analytics": ("a2i-output/ticket-triage-live/",),
    "11-widgets": ("reviews/digits-review/",),
    "12-close-the-loop": ("close-the-loop/close-loop-digits/",),
}
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def notebook_run(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run every AWS-capable notebook once under nbval; yields per-notebook failures and the stack."""
    moto_server.reset()
    work = tmp_path_factory.mktemp("notebooks-aws")
    stack = AwsStack(moto_server, work / "service").start()
    try:
        report = work / "nbval.xml"
        paths = [str(ROOT / "notebooks" / f"{name}.ipynb") for name in AWS_NOTEBOOKS]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "--nbval-lax",
             "--timeout=600", f"--junitxml={report}", "--rootdir", str(ROOT), *paths],
            cwd=work, env=stack.notebook_environ(role=ROLE, bucket=BUCKET), capture_output=True, text=True,
            timeout=1100, check=False)
        yield {"stack": stack, "failures": failures_by_notebook(report), "output": done.stdout[-20000:],
               "returncode": done.returncode}
    finally:
        stack.stop()


def failures_by_notebook(report: Path) -> dict[str, list[str]]:
    """``{notebook: [failing cell messages]}`` from nbval's JUnit report (every notebook a key)."""
    found: dict[str, list[str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        notebook = next((n for n in NOTEBOOKS if n in (case.get("classname") or "")), "?")
        messages = found.setdefault(notebook, [])
        for problem in [*case.iter("failure"), *case.iter("error")]:
            messages.append(f"{case.get('name')}: {(problem.get('message') or '')[:300]}\n{(problem.text or '')[-3000:]}")
    return found


def test_every_notebook_is_either_run_on_aws_or_says_why_not() -> None:
    assert sorted([*AWS_NOTEBOOKS, *NOT_ON_AWS]) == NOTEBOOKS


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("notebook", AWS_NOTEBOOKS)
def test_notebook_runs_on_aws(notebook_run: dict[str, Any], notebook: str) -> None:
    failures = notebook_run["failures"]
    assert notebook in failures, f"{notebook} did not run:\n{notebook_run['output']}"
    assert failures[notebook] == [], "\n".join(failures[notebook])
    s3 = notebook_run["stack"].client("s3")
    for prefix in OUTPUT_PREFIXES.get(notebook, ()):
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
        outputs = [item["Key"] for item in listed if item["Key"].endswith("/output.json")]
        assert outputs, f"no output.json under s3://{BUCKET}/{prefix} in moto's S3"
        answer = json.loads(s3.get_object(Bucket=BUCKET, Key=outputs[0])["Body"].read())
        assert answer["flowDefinitionArn"].endswith(f":flow-definition/{prefix.rstrip('/').rsplit('/', 1)[-1]}"), answer
        assert "humanAnswers" in answer, answer
