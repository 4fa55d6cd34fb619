"""Run by tools/install_check.py with a fresh venv's python: connect() and one human loop via boto3.

It proves the installed wheel (not the source tree) starts the embedded service and answers the
A2I calls a notebook makes first. Prints one ``CONNECT ok ...`` line; any failure raises.

Example:
    $ /tmp/ic/venv-sdk2/bin/python tests/install/connect_smoke.py /tmp/ic/data-sdk2
    CONNECT ok status=InProgress boto3=1.37.1 sdk_roles=sagemaker.session a2i_kit=/tmp/ic/venv-sdk2/lib/python3.11/site-packages/a2i_kit
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

TEMPLATE = '<crowd-form><crowd-classifier name="label" categories="[\'yes\', \'no\']" header="{{ task.input.q }}"></crowd-classifier></crowd-form>'


def main(data_dir: str) -> str:
    """Start the service in this process, create a flow definition, start and describe one loop."""
    import boto3

    import a2i_kit

    installed = Path(a2i_kit.__file__).resolve().parent
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    if site not in installed.parents:
        raise SystemExit(f"a2i_kit came from {installed}, not from this venv's {site}")
    session = a2i_kit.connect(data_dir=data_dir)
    sm, runtime = session.sagemaker, session.runtime
    team = sm.create_workteam(
        WorkteamName="install-check", Description="install check",
        MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "reviewers", "ClientId": "client1"}}],
    )["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="install-check",
                                 UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="install-check", RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "Check",
                         "TaskDescription": "Install check", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-install-check/output"})["FlowDefinitionArn"]
    runtime.start_human_loop(HumanLoopName="loop-1", FlowDefinitionArn=flow,
                             HumanLoopInput={"InputContent": '{"q": "ok?"}'})
    status = runtime.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"]
    if status != "InProgress":
        raise SystemExit(f"DescribeHumanLoop answered {status!r}, expected 'InProgress'")
    return (f"CONNECT ok status={status} boto3={boto3.__version__} sdk_roles={sdk_role_module()} "
            f"a2i_kit={installed}")


def sdk_role_module() -> str:
    """The SDK module that a2i-kit's role discovery takes ``get_execution_role`` from ("-" without
    an SDK): each SDK major must offer one of ``a2i_kit.aws.roles.SDK_MODULES``."""
    import importlib
    import importlib.util

    from a2i_kit.aws.roles import SDK_MODULES

    if importlib.util.find_spec("sagemaker") is None:
        return "-"
    for name in SDK_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception:  # v3 raises guidance errors for v2 module paths
            continue
        if hasattr(module, "get_execution_role") and hasattr(module, "Session"):
            return name
    raise SystemExit(f"the installed SDK has get_execution_role and Session in none of {SDK_MODULES}: "
                     "add its module to a2i_kit.aws.roles.SDK_MODULES")


if __name__ == "__main__":
    print(main(sys.argv[1]))
