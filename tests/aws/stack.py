"""An AWS-shaped stack without AWS: moto's server for S3, IAM, STS, EventBridge, SQS and Cognito,
the embedded service for SageMaker and the A2I runtime, reached through ``AWS_ENDPOINT_URL_*``.

Reusable: ``MotoServer`` once per test session, ``AwsStack`` per test; ``stack.environ`` holds
the variables to set so that ``a2i_kit.connect("aws")``, boto3 and the AWS CLI all land here.
The service writes output.json into moto's S3 and, as SageMaker does, puts each status-change
event on moto's EventBridge, which delivers it to rules' SQS targets.

Example:
    >>> moto = MotoServer().start()                                   # doctest: +SKIP
    >>> stack = AwsStack(moto, tmp_path).start()                      # doctest: +SKIP
    >>> setup = stack.good_setup()                                    # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from motoserver import MotoServer

ACCOUNT = "123456789012"  # moto's default account; the service is told to use it too
REGION = "us-east-1"
MOTO_SERVICES = ("S3", "IAM", "STS", "EVENTBRIDGE", "SQS", "COGNITO_IDENTITY_PROVIDER")
SERVICE_SERVICES = ("SAGEMAKER", "SAGEMAKER_A2I_RUNTIME")
AWS_CLI = str(Path(sys.executable).with_name("aws"))
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <img src="{{ task.input.image | grant_read_access }}"/>
  <crowd-classifier name="label" categories="['cat', 'dog']" header="What is shown?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


class AwsStack:
    """moto + an embedded service writing output.json into moto's S3, and helpers to build setups."""

    def __init__(self, moto: MotoServer, data_dir: Path) -> None:
        self.moto, self.data_dir, self.service = moto, data_dir, None
        self._unsubscribe: Any = None

    def start(self) -> AwsStack:
        from a2i_kit.service import ServiceThread
        from a2i_kit.service.context import ServiceConfig

        config = ServiceConfig(data_dir=self.data_dir, region=REGION, account_id=ACCOUNT,
                               output_mode="s3", s3_endpoint_url=self.moto.url)
        self.service = ServiceThread(config)
        self.service.start()
        self._unsubscribe = self.service.context.bus.subscribe(self._to_eventbridge)
        return self

    def _to_eventbridge(self, event: dict[str, Any]) -> None:
        """Stand in for SageMaker publishing its status changes on the account's default event bus."""
        self.client("events").put_events(Entries=[{
            "Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
            "Detail": json.dumps(event["detail"])}])

    def stop(self) -> None:
        if self.service is not None:
            self._unsubscribe()
            self.service.stop()

    @property
    def environ(self) -> dict[str, str]:
        """The variables that point boto3, the AWS CLI and ``connect("aws")`` at this stack."""
        env = {f"AWS_ENDPOINT_URL_{name}": self.moto.url for name in MOTO_SERVICES}
        env.update({f"AWS_ENDPOINT_URL_{name}": self.service.url for name in SERVICE_SERVICES})  # type: ignore[union-attr]
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
        return env

    def client(self, name: str, region: str = REGION) -> Any:
        """A boto3 client of ``name`` on this stack (for arranging a test, not for the code under test)."""
        service_names = {"sagemaker", "sagemaker-a2i-runtime"}
        url = self.service.url if name in service_names else self.moto.url  # type: ignore[union-attr]
        return boto3.client(name, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))

    def aws(self, command: str) -> subprocess.CompletedProcess[str]:
        """Run a printed ``aws …`` command with the venv's AWS CLI and ``--endpoint-url`` of its service."""
        args = shlex.split(command.split("   #")[0])
        if args[0] != "aws":
            raise ValueError(f"not an aws command: {command}")
        url = self.service.url if args[1] == "sagemaker" else self.moto.url  # type: ignore[union-attr]
        env = {"PATH": "/usr/bin:/bin", **self.environ}
        return subprocess.run([AWS_CLI, "--endpoint-url", url, *args[1:]], capture_output=True, text=True,
                              env=env, timeout=120, check=False)

    def good_setup(self, name: str = "claims", *, bucket: str = "a2i-kit-data", prefix: str = "a2i/out",
                   members: int = 1) -> dict[str, Any]:
        """Everything A2I needs, correctly configured: role, bucket + CORS, team with members, UI, flow."""
        iam, s3, idp, sm = (self.client(n) for n in ("iam", "s3", "cognito-idp", "sagemaker"))
        role = iam.create_role(RoleName=f"{name}-a2i", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
        s3.put_object(Bucket=bucket, Key="in/cat.png", Body=b"\x89PNG\r\n\x1a\n")
        pool = idp.create_user_pool(PoolName=f"{name}-workers")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="portal")["UserPoolClient"]["ClientId"]
        idp.create_group(UserPoolId=pool, GroupName="reviewers")
        for index in range(members):
            user = f"worker{index}@example.com"
            idp.admin_create_user(UserPoolId=pool, Username=user)
            idp.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName="reviewers")
        team = sm.create_workteam(WorkteamName=f"{name}-team", Description="reviewers", MemberDefinitions=[
            {"CognitoMemberDefinition": {"UserPool": pool, "UserGroup": "reviewers", "ClientId": client_id}}])
        ui = sm.create_human_task_ui(HumanTaskUiName=f"{name}-ui", UiTemplate={"Content": TEMPLATE})
        flow = sm.create_flow_definition(
            FlowDefinitionName=name, RoleArn=role["Arn"], OutputConfig={"S3OutputPath": f"s3://{bucket}/{prefix}"},
            HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                             "TaskTitle": "Label the image", "TaskDescription": "Pick cat or dog", "TaskCount": 1})
        return {"flow": name, "flow_arn": flow["FlowDefinitionArn"], "role": role["Arn"], "role_name": role["RoleName"],
                "bucket": bucket, "prefix": prefix, "pool": pool, "client_id": client_id,
                "team": f"{name}-team", "team_arn": team["WorkteamArn"], "ui_arn": ui["HumanTaskUiArn"],
                "sample": {"image": f"s3://{bucket}/in/cat.png", "text": "a cat?"}}


    def notebook_environ(self, role: str = "A2IExecution", bucket: str = f"sagemaker-{REGION}-{ACCOUNT}") -> dict[str, str]:
        """The environment of a kernel or CLI run on this stack with ``A2I_KIT_BACKEND=aws``.

        As in SageMaker Studio, it runs as an assumed execution role (SageMaker may assume it; it may
        read and write ``bucket``), so ``connect("aws")`` finds the role in the caller identity. The
        service's admin token is in ``A2I_KIT_ADMIN_TOKEN`` for the simulated reviewers.
        """
        iam, sts = self.client("iam"), self.client("sts")
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        iam.put_role_policy(RoleName=role, PolicyName="a2i-s3", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                                    "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        creds = sts.assume_role(RoleArn=arn, RoleSessionName="notebook")["Credentials"]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "A2I_KIT_", "PYTEST_")) and k != "JPY_PARENT_PID"}
        env.update(self.environ)
        env.update(AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
                   AWS_SESSION_TOKEN=creds["SessionToken"], A2I_KIT_BACKEND="aws",
                   A2I_KIT_ADMIN_TOKEN=self.service.admin_token, MPLBACKEND="Agg")  # type: ignore[union-attr]
        return env
