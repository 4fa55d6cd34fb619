"""Worker API routes of continuous work on a job (logic: :mod:`a2i_kit.service.work_queue`).

- ``GET /_a2i/worker/jobs``: the worker's jobs with their counts (no task list);
- ``POST /_a2i/worker/jobs/{flow}/next``: submit, amend or skip, then the job's next task
  (``task`` null: all done);
- ``POST /_a2i/worker/tasks/{loop}/amend``: replace the worker's answer while the loop still waits;
- ``GET /_a2i/worker/tasks/{loop}/answer``: that answer, with the task to show it again.

Authentication, bodies and errors are :mod:`a2i_kit.service.worker_http`'s (bearer token or the
portal's session cookie plus CSRF header; ``{"error", "code"}`` answers).

Example:
    >>> from a2i_kit.service.work_http import routes
    >>> app_routes = routes(ctx)   # included by a2i_kit.service.worker_http.routes  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from a2i_kit.service import work_queue
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.worker_http import (
    ANSWER_BODY_LIMIT,
    endpoint,
    json_body,
    loop_param,
    require_worker,
)
from a2i_kit.service.workforce import WorkforceError


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """The job routes of the worker API (full paths: the service mounts them at the root)."""

    async def jobs(request: Request) -> Any:
        worker = require_worker(request, ctx)
        found = await run_in_threadpool(work_queue.jobs, ctx, worker)
        return {"jobs": [{k: v for k, v in job.items() if k != "tasks"} for job in found]}

    async def next_route(request: Request) -> Any:
        """Continuous work: submit, amend or skip, then the job's next task (``task`` null: all done)."""
        flow = work_queue.check_flow_name(request.path_params["flow"])
        worker = require_worker(request, ctx, changes_state=True)
        step = work_queue.parse_step(await json_body(request, ANSWER_BODY_LIMIT, required=False))
        return await run_in_threadpool(work_queue.advance, ctx, worker, flow, step)

    async def amend_route(request: Request) -> Any:
        loop = loop_param(request)
        worker = require_worker(request, ctx, changes_state=True)
        body = await json_body(request, ANSWER_BODY_LIMIT)
        if "answerContent" not in body:
            raise WorkforceError(400, "InvalidRequest",
                                 'the body needs "answerContent": {...} (the answer that replaces yours)')
        return await run_in_threadpool(work_queue.amend, ctx, worker, loop, body["answerContent"])

    async def answer_route(request: Request) -> Any:
        loop = loop_param(request)
        worker = require_worker(request, ctx)
        return await run_in_threadpool(work_queue.amendable, ctx, worker, loop)

    return [
        Route("/_a2i/worker/tasks/{loop}/amend", endpoint(amend_route), methods=["POST"]),
        Route("/_a2i/worker/tasks/{loop}/answer", endpoint(answer_route), methods=["GET"]),
        Route("/_a2i/worker/jobs", endpoint(jobs), methods=["GET"]),
        Route("/_a2i/worker/jobs/{flow}/next", endpoint(next_route), methods=["POST"]),
    ]
