"""Portal routes of continuous work on a job under ``/_a2i/portal/jobs/{flow}``.

- ``GET .../jobs/{flow}`` the job's page: the task in hand, else its count and "Start working",
  or "All done"; ``GET .../jobs/{flow}/tasks/{loop}`` a held task in continuous mode;
  ``GET .../jobs/{flow}/answers/{loop}`` change an earlier answer while its loop still waits.
- ``POST .../start`` and ``.../skip`` are plain forms (303 to what follows);
  ``POST .../next`` is the page script's submit / amend / skip (JSON, ``X-A2I-CSRF``) and answers
  with the next page's HTML and its path in ``X-A2I-Location``.

The service side is :mod:`a2i_kit.service.work_queue`; the pages are :mod:`a2i_kit.portal.work_pages`;
:func:`a2i_kit.portal.routes.routes` passes in its session helpers.

Example:
    >>> from a2i_kit.portal.work_routes import routes
    >>> callable(routes)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from a2i_kit.portal import pages, work_pages
from a2i_kit.portal.forms import Handler, WorkerHandler, check_post, html, read_form, redirect
from a2i_kit.service import work_queue, worker_api
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.worker_http import (
    ANSWER_BODY_LIMIT,
    check_csrf,
    error_response,
    json_body,
    loop_param,
)
from a2i_kit.service.workforce import WorkforceError

Session = Callable[[Request], "tuple[dict[str, Any], str, str] | None"]


def routes(ctx: ServiceContext, page: Callable[[Handler], Handler], *, session: Session,
           signed_in: Callable[[WorkerHandler], Handler],
           remaining: Callable[[dict[str, Any], str], float]) -> list[BaseRoute]:
    """The job routes; ``session`` gives (worker, nonce, CSRF token), ``signed_in`` makes a route for
    a signed-in worker (see :func:`a2i_kit.portal.routes.routes`), ``remaining`` the seconds left on
    a worker's claim."""

    def job_url(flow: str, loop: str | None = None) -> str:
        return f"{pages.PORTAL}/jobs/{quote(flow)}" + (f"/tasks/{quote(loop)}" if loop else "")

    def step_page(worker: dict[str, Any], csrf: str, result: dict[str, Any], *, previous: str | None = None,
                  flash: str | None = None) -> tuple[str, str]:
        """(HTML, canonical path) of what follows a step: the next task, or the job's all-done page."""
        job, task, name = result["job"], result["task"], worker["doc"]["name"]
        if task is None:
            return (work_pages.job_page(name, job, available=result["skipped"], skipped=result["skipped"], csrf=csrf,
                                   flash=flash), job_url(job["flowDefinitionName"]))
        loop = task["humanLoopName"]
        return (work_pages.work_page(name, job, task, remaining(worker, loop), left=result["left"], csrf=csrf,
                                previous=previous, flash=flash), job_url(job["flowDefinitionName"], loop))

    def job_form(action: Callable[..., dict[str, Any]]) -> Handler:
        """Start working / Skip as plain forms (without the page script): do it, then 303 to what follows."""

        async def run(request: Request, worker: dict[str, Any], nonce: str, _csrf: str) -> Response:
            fields = await read_form(request)
            check_post(request, ctx, fields, [nonce])
            flow = work_queue.check_flow_name(request.path_params["flow"])
            result = await run_in_threadpool(action, worker, flow, fields)
            task = result["task"]
            return redirect(job_url(flow, task["humanLoopName"] if task else None))

        return signed_in(run)

    def skip(worker: dict[str, Any], flow: str, fields: dict[str, str]) -> dict[str, Any]:
        loop = work_queue.parse_step({"skip": fields.get("loop")})["skip"]
        return work_queue.skip(ctx, worker, flow, loop)

    @signed_in
    async def job(request: Request, worker: dict[str, Any], _nonce: str, csrf: str) -> Response:
        """A job's page: the task in hand, else its count and "Start working", or "All done"."""
        flow = work_queue.check_flow_name(request.path_params["flow"])
        state = await run_in_threadpool(work_queue.job_state, ctx, worker, flow)
        if state["held"]:
            return redirect(job_url(flow, state["held"]))
        return html(work_pages.job_page(worker["doc"]["name"], state["job"], available=state["available"], csrf=csrf))

    @signed_in
    async def job_task(request: Request, worker: dict[str, Any], _nonce: str, csrf: str) -> Response:
        flow, loop = work_queue.check_flow_name(request.path_params["flow"]), loop_param(request)
        state = await run_in_threadpool(work_queue.job_state, ctx, worker, flow)
        claimed = await run_in_threadpool(worker_api.held_claim, ctx, worker, loop)
        result = {"job": state["job"], "task": claimed, "left": state["available"]}
        return html(step_page(worker, csrf, result)[0])

    @signed_in
    async def previous(request: Request, worker: dict[str, Any], _nonce: str, csrf: str) -> Response:
        """Change an earlier answer while its loop still waits for other answers."""
        flow, loop = work_queue.check_flow_name(request.path_params["flow"]), loop_param(request)
        info = await run_in_threadpool(work_queue.job_info, ctx, worker, flow)
        try:
            answer = await run_in_threadpool(work_queue.amendable, ctx, worker, loop)
        except WorkforceError as exc:
            if exc.code != "AnswerClosed":
                raise
            return html(pages.error_page("Your answer can no longer be changed", str(exc), who=worker["doc"]["name"],
                                         csrf=csrf, back=(f"{pages.href(job_url(flow))}", "Back to the task you were on")), 409)
        return html(work_pages.amend_page(worker["doc"]["name"], info, answer, csrf=csrf))

    async def next_step(request: Request) -> Response:
        """The page script's submit / amend / skip (JSON, X-A2I-CSRF): the next page's HTML, or {"error","code"}."""
        found = session(request)
        try:
            if found is None:
                raise WorkforceError(401, "Unauthorized", "your portal session ended; sign in again")
            worker, nonce, csrf = found
            check_csrf(request, ctx, nonce)
            flow = work_queue.check_flow_name(request.path_params["flow"])
            step = work_queue.parse_step(await json_body(request, ANSWER_BODY_LIMIT, required=False))
            result = await run_in_threadpool(work_queue.advance, ctx, worker, flow, step)
        except WorkforceError as exc:
            return error_response(exc)
        done = step.get("answer") or step.get("amend")
        flash = "Your earlier answer was changed." if "amend" in step else None
        page, path = step_page(worker, csrf, result, previous=done[0] if done else None, flash=flash)
        response = html(page)
        response.headers["X-A2I-Location"] = path
        return response

    base = pages.PORTAL
    return [
        Route(f"{base}/jobs/{{flow}}", page(job), methods=["GET"]),
        Route(f"{base}/jobs/{{flow}}/start", page(job_form(lambda worker, flow, _f: work_queue.next_task(ctx, worker, flow))),
              methods=["POST"]),
        Route(f"{base}/jobs/{{flow}}/skip", page(job_form(skip)), methods=["POST"]),
        Route(f"{base}/jobs/{{flow}}/next", page(next_step), methods=["POST"]),
        Route(f"{base}/jobs/{{flow}}/tasks/{{loop}}", page(job_task), methods=["GET"]),
        Route(f"{base}/jobs/{{flow}}/answers/{{loop}}", page(previous), methods=["GET"]),
    ]
