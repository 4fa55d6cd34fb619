"""launch_loops against the real service over HTTP: throttling, re-runs, crashes, conflicts."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from a2i_kit.launch import Ledger, launch_loops, loop_name


def items(n: int, prefix: str = "doc") -> pd.DataFrame:
    return pd.DataFrame({"item_id": [f"{prefix} {k}" for k in range(n)],
                         "text": [f"text {k}" for k in range(n)],
                         "score": [k / n for k in range(n)], "review": True})


def launch(df, flow, session, ledger, **kw):
    return launch_loops(session, df, flow_definition_arn=flow["flow_definition_arn"], ledger=ledger,
                        progress=False, **kw)


def test_launch_starts_one_loop_per_reviewed_row(flow, service, runtime_client, session,
                                                 tmp_path, loop_names):
    df = items(12).assign(review=[True, False] * 6)
    summary = launch(df, flow, session, tmp_path / "l.sqlite3", max_workers=4)
    assert list(summary.columns) == ["item_id", "loop_name", "status", "human_loop_arn", "attempts", "error"]
    assert summary["status"].tolist() == ["started"] * 6
    assert summary["item_id"].tolist() == [f"doc {k}" for k in range(0, 12, 2)]
    names = sorted(loop_names(runtime_client, flow["flow_definition_arn"]))
    assert names == sorted(loop_name(flow["flow_definition_arn"], f"doc {k}") for k in range(0, 12, 2))
    stored = service.context.store.loops.get(summary["loop_name"][0])["doc"]["InputContent"]
    assert json.loads(stored) == {"item_id": "doc 0", "text": "text 0", "score": 0.0}


def test_rerunning_the_cell_sends_nothing_twice(flow, runtime_client, session, tmp_path,
                                                loop_names):
    df = items(20)
    ledger = tmp_path / "l.sqlite3"
    first = launch(df, flow, session, ledger)
    again = launch(df, flow, session, ledger)
    assert (first["status"] == "started").all()
    assert (again["status"] == "already_launched").all()
    assert again["human_loop_arn"].tolist() == first["human_loop_arn"].tolist()
    assert again["attempts"].sum() == 0
    assert len(loop_names(runtime_client, flow["flow_definition_arn"])) == 20


def test_all_loops_exist_when_30_percent_of_calls_are_throttled(flow, service, runtime_client,
                                                                session, tmp_path, loop_names):
    service.faults.configure(error_rate=0.3, error_codes=["ThrottlingException"], seed=11)
    summary = launch(items(80), flow, session, tmp_path / "l.sqlite3",
                     max_workers=8)
    service.faults.reset()
    assert (summary["status"] == "started").all(), summary[summary["status"] != "started"]
    assert summary["attempts"].sum() > 80  # the throttling really happened and was retried
    assert sorted(loop_names(runtime_client, flow["flow_definition_arn"])) == sorted(summary["loop_name"])


def test_give_up_after_max_attempts_names_the_error(flow, service, runtime_client, session,
                                                    tmp_path, loop_names):
    from a2i_kit.launch import RetryPolicy

    service.faults.configure(error_rate=1.0, error_codes=["InternalServerException"], seed=1)
    try:
        summary = launch_loops(session, items(3), flow_definition_arn=flow["flow_definition_arn"],
                               public_crowd=False,
                               ledger=tmp_path / "l.sqlite3", progress=False,
                               retry=RetryPolicy(max_attempts=3, base_delay=0.001))
    finally:
        service.faults.reset()
    assert (summary["status"] == "failed").all()
    assert summary["attempts"].tolist() == [3, 3, 3]
    assert summary["error"][0].startswith("InternalServerException: We couldn't process your request")
    retried = launch(items(3), flow, session, tmp_path / "l.sqlite3")
    assert (retried["status"] == "started").all()
    assert len(loop_names(runtime_client, flow["flow_definition_arn"])) == 3


@pytest.mark.parametrize("n_lost", [3, 40])  # describe path and ListHumanLoops path
def test_unknown_outcomes_are_reconciled_not_repeated(flow, runtime_client, session,
                                                      tmp_path, loop_names, n_lost):
    """A crash after StartHumanLoop but before the record: intent rows, loops that exist."""
    from a2i_kit.launch import build_jobs

    df = items(n_lost + 5)
    jobs = build_jobs(df.drop(columns="review"), flow_definition_arn=flow["flow_definition_arn"])
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.intend(flow["flow_definition_arn"], [(j.key, j.name, j.input_sha) for j in jobs])
    for job in jobs[:n_lost]:  # these calls "went through" before the crash
        runtime_client.start_human_loop(HumanLoopName=job.name, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": job.input_content})
    summary = launch(df, flow, session, ledger)
    assert summary["status"].tolist() == ["already_launched"] * n_lost + ["started"] * 5
    assert summary["human_loop_arn"].str.contains(":human-loop/").all()
    assert len(loop_names(runtime_client, flow["flow_definition_arn"])) == n_lost + 5
    assert set(ledger.to_frame()["status"]) == {"started"}


def test_conflicts_with_other_input_are_errors_on_that_item(flow, runtime_client, session,
                                                           tmp_path, loop_names):
    df = items(3)
    launch(df, flow, session, tmp_path / "one.sqlite3")
    changed = df.assign(text=["text 0", "CHANGED", "text 2"])
    same_ledger = launch(changed, flow, session, tmp_path / "one.sqlite3")
    assert same_ledger["status"].tolist() == ["already_launched", "failed", "already_launched"]
    assert "already started with different input" in same_ledger["error"][1]
    fresh = launch(changed, flow, session, tmp_path / "two.sqlite3")
    assert fresh["status"].tolist() == ["started", "failed", "started"]  # identical input: same loop
    assert fresh["error"][1].startswith("ConflictException: ")
    assert fresh["human_loop_arn"][0] == same_ledger["human_loop_arn"][0]
    renamed = launch(changed, flow, session, tmp_path / "one.sqlite3",
                     name_prefix="v2")
    assert (renamed["status"] == "started").all()
    assert len(loop_names(runtime_client, flow["flow_definition_arn"])) == 6


CHILD = textwrap.dedent("""
    import sys, boto3, pandas as pd
    from botocore.config import Config
    from a2i_kit.client import as_session
    from a2i_kit.launch import launch_loops
    url, flow, ledger, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rt = boto3.client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="t", aws_secret_access_key="t",
                      config=Config(retries={"max_attempts": 1}))
    df = pd.DataFrame({"item_id": [f"doc {k}" for k in range(n)], "text": [f"text {k}" for k in range(n)],
                       "score": [k / n for k in range(n)], "review": True})
    launch_loops(as_session(rt), df, flow_definition_arn=flow, public_crowd=False, ledger=ledger,
                 max_workers=4, progress=False)
    print("finished", flush=True)
""")


def _ledger_counts(path) -> dict[str, int]:
    if not path.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return dict(conn.execute("SELECT status, COUNT(*) FROM launches GROUP BY status").fetchall())
    except sqlite3.OperationalError:  # created, schema not written yet
        return {}


def test_sigkill_halfway_then_resume_leaves_exactly_n_loops(flow, service, runtime_client,
                                                            session, tmp_path, loop_names):
    n, ledger = 60, tmp_path / "ledger.sqlite3"
    service.faults.configure(latency_ms=40)
    child = subprocess.Popen([sys.executable, "-c", CHILD, service.url, flow["flow_definition_arn"],
                              str(ledger), str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _ledger_counts(ledger).get("started", 0) < n // 3:
        assert child.poll() is None, child.stderr.read().decode()
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    service.faults.reset()
    at_kill = _ledger_counts(ledger)
    assert child.returncode == -signal.SIGKILL
    assert at_kill.get("started", 0) < n  # really killed halfway
    assert at_kill.get("intent", 0) > 0  # with calls in flight whose outcome the ledger never saw
    time.sleep(0.3)  # let requests the dead client already sent finish on the service
    resumed = launch(items(n), flow, session, ledger)
    assert set(resumed["status"]) <= {"started", "already_launched"}
    assert (resumed["status"] == "already_launched").sum() >= at_kill.get("started", 0)
    names = loop_names(runtime_client, flow["flow_definition_arn"])
    assert len(names) == n
    assert sorted(names) == sorted(loop_name(flow["flow_definition_arn"], f"doc {k}") for k in range(n))
    assert _ledger_counts(ledger) == {"started": n}


@pytest.mark.parametrize("arn", [None, "", 42, "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/" + "f" * 1000])
def test_a_bad_flow_definition_arn_is_refused_before_any_call(arn, session, tmp_path):
    """The launcher checks what botocore would have (it turns botocore's per-call validation off)."""
    from a2i_kit.errors import InputError

    with pytest.raises(InputError, match=r"^flow_definition_arn must be the FlowDefinitionArn string "
                                         r"\(1 to 1024 characters\) from create_flow_definition, not "):
        launch_loops(session, items(2), flow_definition_arn=arn, public_crowd=False,
                     ledger=tmp_path / "l.sqlite3", progress=False)
    assert not (tmp_path / "l.sqlite3").exists()


def test_pooled_client_skips_botocore_validation_only_when_prevalidated(runtime_client):
    from a2i_kit.launch.clients import pooled_client

    checked = pooled_client(runtime_client, 4, botocore_retries=False)
    trusted = pooled_client(runtime_client, 4, botocore_retries=False, prevalidated=True)
    from botocore.exceptions import ParamValidationError

    bad = {"HumanLoopName": "", "FlowDefinitionArn": "arn:f", "HumanLoopInput": {"InputContent": "{}"}}
    with pytest.raises(ParamValidationError, match="Invalid length for parameter HumanLoopName, value: 0"):
        checked.start_human_loop(**bad)
    with pytest.raises(trusted.exceptions.ValidationException, match="at 'humanLoopName' failed to satisfy"):
        trusted.start_human_loop(**bad)  # not checked by botocore: the service refuses it
    assert trusted.meta.config.max_pool_connections == 10
    assert trusted.meta.config.retries["total_max_attempts"] == 1


def test_without_a_ledger_the_launch_is_recorded_beside_the_services_data(tmp_path, monkeypatch):
    import a2i_kit

    workdir = tmp_path / "notebook-folder"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    session = a2i_kit.connect(data_dir=tmp_path / "service-data")
    team = session.sagemaker.create_workteam(
        WorkteamName="team-ledger", Description="d", MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "reviewers", "ClientId": "c"}}])["WorkteamArn"]
    ui = session.sagemaker.create_human_task_ui(
        HumanTaskUiName="ui-ledger", UiTemplate={"Content": "<crowd-form><crowd-input name='x'></crowd-input>"
                                                             "</crowd-form>"})["HumanTaskUiArn"]
    flow = session.sagemaker.create_flow_definition(
        FlowDefinitionName="flow-ledger", RoleArn="arn:aws:iam::111122223333:role/r",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                         "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/output"})["FlowDefinitionArn"]
    first = launch_loops(session, items(3), flow_definition_arn=flow, progress=False)
    again = launch_loops(session, items(3), flow_definition_arn=flow, progress=False)
    assert (first["status"] == "started").all()
    assert (again["status"] == "already_launched").all()
    assert (tmp_path / "service-data" / "launch-ledger.sqlite3").is_file()
    assert not (workdir / ".a2i-kit").exists()
