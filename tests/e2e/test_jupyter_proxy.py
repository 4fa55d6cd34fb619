"""The worker portal through JupyterLab's proxy, as SageMaker Studio and JupyterHub users reach it.

JupyterLab runs with a non-root ``base_url`` (Studio's ``/jupyterlab/default/``) and
jupyter-server-proxy; the service runs on its own loopback port with ``public_base_url`` set to
``<jupyter>/jupyterlab/default/proxy/<port>``. Chromium signs in with the link the service made,
answers a task through ``…/proxy/<port>/_a2i/portal/``, and fetches one of ``ReviewQueue``'s image
URL through the same path (and ReviewQueue shows it inline: a sandboxed frame sends no Jupyter
cookie); boto3 and output.json confirm the answer.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import httpx
import pytest
from PIL import Image

import a2i_kit
from a2i_kit.review import WorkerClient, add_worker
from a2i_kit.service.objects import put_object
from a2i_kit.session import Session, jupyter_base
from a2i_kit.widgets.review_queue import ReviewQueue

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

BASE_URL = "/jupyterlab/default/"
START_TIMEOUT = 90.0
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <img id="pic" src="{{ task.input.image | grant_read_access }}" alt="the photo">
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="Is this photo fine?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


PNG = png(3, 2)


@dataclass
class Lab:
    url: str          # http://127.0.0.1:<port>/jupyterlab/default/
    token: str
    runtime: Path
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One JupyterLab (base_url /jupyterlab/default/, jupyter-server-proxy) for the module."""
    base = tmp_path_factory.mktemp("lab")
    runtime, root = base / "runtime", base / "root"
    for folder in (runtime, root):
        folder.mkdir()
    token, port = uuid.uuid4().hex, free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(base / "config"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.base_url={BASE_URL}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None"]
    log = base / "server.log"
    process = subprocess.Popen(args, cwd=root, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}{BASE_URL}", token, runtime, process, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(server):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _answers(server: Lab) -> bool:
    try:
        response = httpx.get(f"{server.url}api/status", headers={"Authorization": f"token {server.token}"}, timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@pytest.fixture(scope="module")
def proxied(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """A local session whose service is published at <jupyter>/jupyterlab/default/proxy/<port>."""
    port = free_port()
    session = a2i_kit.connect(data_dir=tmp_path_factory.mktemp("a2i"), port=port,
                              public_base_url=f"{lab.url}proxy/{port}")
    try:
        yield session
    finally:
        session.service.stop()


def _flow(session: Session) -> str:
    sm = session.sagemaker
    team = sm.create_workteam(WorkteamName="proxy-team", Description="proxy test", MemberDefinitions=[
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Test1234", "UserGroup": "reviewers",
                                     "ClientId": "client1"}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="proxy-ui", UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]
    return sm.create_flow_definition(
        FlowDefinitionName="proxy-flow", RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "Photo check",
                         "TaskDescription": "Is the photo fine?", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://proxy-out/reviews"})["FlowDefinitionArn"]


def _start(session: Session, flow: str, name: str) -> str:
    session.runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={
        "InputContent": json.dumps({"text": f"photo of {name}", "image": "s3://proxy-in/photo.png"})})
    return name


def test_jupyter_base_and_portal_url_name_the_proxied_address(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(lab.runtime))
    monkeypatch.setenv("JPY_PARENT_PID", str(lab.process.pid))   # as a kernel that this server started
    assert jupyter_base() == lab.url
    service = SimpleNamespace(url="http://127.0.0.1:8765", port=8765, admin_token="t",
                              config=SimpleNamespace(public_base_url=None))
    session = Session(backend="local", region="us-east-1", sagemaker=None, runtime=None, service=service)
    assert session.portal_url() == f"{lab.url}proxy/8765/_a2i/portal/"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")     # JupyterHub names its own prefix
    assert session.portal_url() == "/user/alice/proxy/8765/_a2i/portal/"
    monkeypatch.setenv("JPY_PARENT_PID", "1")
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX")
    assert session.portal_url() == "http://127.0.0.1:8765/_a2i/portal/"   # not inside this Jupyter


def test_portal_through_jupyter_proxy(lab: Lab, proxied: Session, browser: Any) -> None:
    port = proxied.service.port
    public = f"{lab.url}proxy/{port}"
    assert proxied.portal_url() == f"{public}/_a2i/portal/"
    put_object(proxied.service.context, "proxy-in", "photo.png", PNG)
    flow = _flow(proxied)
    answered, queued = _start(proxied, flow, "proxy-loop-1"), _start(proxied, flow, "proxy-loop-2")
    worker = add_worker(proxied.service.url, proxied.admin_token, "alice", ["reviewers"])
    assert worker["signInUrl"].startswith(f"{public}/_a2i/portal/login?link=")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # Sign in to Jupyter first (its token in the URL sets Jupyter's login cookie), as a user would.
        assert page.goto(f"{lab.url}lab?token={lab.token}").status == 200
        page.goto(worker["signInUrl"])
        page.get_by_role("heading", name="Your tasks").wait_for()
        assert page.url == f"{public}/_a2i/portal/"
        # The stylesheet came through the proxy (a 404 would leave the page unstyled).
        assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"
        page.locator(f'button[data-loop="{answered}"]').click()
        page.wait_for_url(f"{public}/_a2i/portal/tasks/{answered}")
        frame = page.frame_locator("iframe[data-task-frame]")
        frame.locator("html[data-crowd-ready]").wait_for(state="attached")
        # Inline: the sandboxed frame's requests carry no Jupyter cookie, so Jupyter would refuse a link.
        image = frame.locator("img#pic")
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 3
        frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
        frame.get_by_role("button", name="Submit").click()
        page.wait_for_url(f"{public}/_a2i/portal/?msg=submitted")
        assert "Thank you, your answer was submitted." in page.content()

        loop = proxied.runtime.describe_human_loop(HumanLoopName=answered)
        assert loop["HumanLoopStatus"] == "Completed"
        output = json.loads(Path(proxied.mirror_dir, "proxy-out", loop["HumanLoopOutput"]["OutputS3Uri"]
                                 .split("s3://proxy-out/", 1)[1]).read_text())
        assert output["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "positive"}}

        # ReviewQueue: the kernel claims straight from the service; the link the service renders is
        # the proxied one and resolves through Jupyter's proxy from the page (Jupyter's cookie).
        bob = add_worker(proxied.service.url, proxied.admin_token, "bob", ["reviewers"])
        claim = WorkerClient(proxied.service.url, bob["token"]).claim(queued)
        link = unescape(re.search(r'src="([^"]*/_a2i/objects/[^"]+)"', claim["html"]).group(1))
        assert link.startswith(f"{public}/_a2i/objects/proxy-in/photo.png?expires=")
        fetched = page.evaluate("""async (url) => { const r = await fetch(url);
            return [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]; }""", link)
        assert fetched == [200, "image/png", len(PNG)]
        # In the widget's sandboxed frame no cookie goes along, so ReviewQueue shows the image inline.
        queue = ReviewQueue(proxied, token=bob["token"])
        assert queue.task["humanLoopName"] == queued
        assert "/_a2i/objects/" not in queue.srcdoc
        page.evaluate("""(doc) => { const f = document.createElement('iframe'); f.name = 'queue';
            f.sandbox = 'allow-scripts allow-forms'; f.srcdoc = doc; document.body.append(f); }""", queue.srcdoc)
        shown = page.frame_locator("iframe[name=queue]").locator("img#pic")
        assert shown.evaluate("img => img.decode().then(() => img.naturalWidth)") == 3
    finally:
        context.close()
    # Boto3 sees the same answer the browser gave (the proxy changed nothing on the AWS side).
    runtime = boto3.client("sagemaker-a2i-runtime", endpoint_url=proxied.service.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
    assert runtime.describe_human_loop(HumanLoopName=queued)["HumanLoopStatus"] == "InProgress"
