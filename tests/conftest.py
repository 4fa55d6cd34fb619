"""Fixtures shared by every test area: a real service over HTTP, real boto3 clients, Chromium."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).parent))  # tests/pgserver.py
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
]
SIMPLE_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative', 'neutral']"
                    header="What is the sentiment of this review?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""

# Dummy credentials: the embedded service does not check signatures, botocore needs some.
# With --run-aws the user's own credentials and profile stay (the real-AWS tests need them).
if "--run-aws" not in sys.argv:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.pop("AWS_PROFILE", None)
for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER",
             "AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME", "A2I_KIT_BACKEND"):
    os.environ.pop(_var, None)


STORES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-aws", action="store_true", help="run tests marked 'aws' against real AWS")
    parser.addoption("--store", default=",".join(STORES),
                     help="stores the service tests run against, comma-separated: sqlite,postgresql (default both)")


def selected_stores(config: pytest.Config) -> list[str]:
    chosen = [s.strip() for s in str(config.getoption("--store")).split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STORES]
    if unknown or not chosen:
        raise pytest.UsageError(f"--store takes {', '.join(STORES)} (comma-separated), not {unknown or chosen}")
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the ``service`` fixture runs once per store (``--store``)."""
    if "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", selected_stores(metafunc.config), indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-aws"):
        return
    opt_in = pytest.mark.skip(reason="real-AWS test: opt in with --run-aws")
    for item in items:
        if item.get_closest_marker("aws") is not None:  # the marker, not a folder named aws
            item.add_marker(opt_in)


@pytest.fixture(scope="session")
def postgres() -> Any:
    """A throwaway PostgreSQL cluster (one per xdist worker): ``postgres.create_database(name)`` → URL."""
    from pgserver import PgServerError, shared_server

    try:
        return shared_server()
    except PgServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def _pg_template(postgres: Any) -> str:
    """A database holding the current schema, copied for each test (faster than creating it)."""
    from a2i_kit.service.store import Store

    Store(postgres.create_database("a2i_template")).close()
    return "a2i_template"


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql`` (parametrized by ``pytest_generate_tests``)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(store_kind: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite (the data directory's file), else the URL of a fresh PostgreSQL database."""
    if store_kind == "sqlite":
        yield None
        return
    postgres = request.getfixturevalue("postgres")
    template = request.getfixturevalue("_pg_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield postgres.url(name)
    finally:
        postgres.drop_database(name)


@pytest.fixture
def service(tmp_path: Path, database_url: str | None) -> Iterator[Any]:
    """A started embedded service on a fresh data directory (and database), over loopback HTTP."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", database_url=database_url))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def client_for(service: Any, name: str, **config: Any) -> Any:
    """A real boto3 client of ``name`` pointed at the service."""
    return boto3.client(name, endpoint_url=service.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, **config))


@pytest.fixture
def sagemaker_client(service: Any) -> Any:
    return client_for(service, "sagemaker")


@pytest.fixture
def runtime_client(service: Any) -> Any:
    return client_for(service, "sagemaker-a2i-runtime")


@pytest.fixture
def make_flow(service: Any, sagemaker_client: Any) -> Callable[..., dict[str, Any]]:  # noqa: ARG001
    """Factory: a private workteam (group ``reviewers``), a task UI and an Active flow definition."""
    counter = {"n": 0}

    def make(name: str | None = None, *, template: str = SIMPLE_TEMPLATE, task_count: int = 1,
             group: str = "reviewers", **loop_config: Any) -> dict[str, Any]:
        counter["n"] += 1
        name = name or f"flow-{counter['n']}"
        team = sagemaker_client.create_workteam(
            WorkteamName=f"team-{name}", Description="test team",
            MemberDefinitions=[{"CognitoMemberDefinition": {
                "UserPool": "us-east-1_Test1234", "UserGroup": group, "ClientId": "client1"}}],
        )["WorkteamArn"]
        ui = sagemaker_client.create_human_task_ui(
            HumanTaskUiName=f"ui-{name}", UiTemplate={"Content": template})["HumanTaskUiArn"]
        human_loop_config = {"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": f"Review {name}",
                             "TaskDescription": "Check the model's answer", "TaskCount": task_count,
                             **loop_config}
        flow = sagemaker_client.create_flow_definition(
            FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
            HumanLoopConfig=human_loop_config,
            OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/output"})["FlowDefinitionArn"]
        return {"name": name, "flow_definition_arn": flow, "workteam_arn": team,
                "task_ui_arn": ui, "group": group, "template": template}

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own browser context (no shared cookies between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[dict[str, Any]]:
    """moto's S3 server on a loopback port (one per module): ``{"endpoint": url, "client": factory}``."""
    from motoserver import MotoServer

    server = MotoServer().start()
    endpoint = server.url
    try:
        yield {"endpoint": endpoint,
               "client": lambda: boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")}
    finally:
        server.stop()
