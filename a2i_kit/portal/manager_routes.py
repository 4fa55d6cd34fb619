"""Routes of the manager console under ``/_a2i/portal/manage`` (admin token or manager session).

- ``GET .../manage`` jobs with totals, filters and paging, and the workers;
  ``GET .../manage/loops`` (``?job=&status=&q=&page=&size=``) a page of loops;
  ``GET .../manage/loops/{loop}`` a loop's input and answers.
- Actions are POST forms with the manager session's CSRF token from the portal's own pages
  (:func:`a2i_kit.portal.forms.check_post`); a GET on a destructive action's path only asks to
  confirm. ``POST .../loops/{loop}/stop`` and ``.../delete`` (the AWS API's rules),
  ``POST .../workers`` (add), ``.../workers/{id}/signin-link``, ``.../workers/{id}/remove``.
  The admin header opens the pages read-only (a header cannot carry a form's token).

Example:
    >>> from a2i_kit.portal.manager_routes import routes
    >>> callable(routes)
    True
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from a2i_kit.portal import console, console_actions, console_pages, console_quality, manager, pages
from a2i_kit.portal.console import Filters
from a2i_kit.portal.console_pages import MANAGE, MESSAGES
from a2i_kit.portal.forms import (
    Handler,
    Refused,
    check_post,
    html,
    read_form,
    redirect,
    with_pre_session,
)
from a2i_kit.portal.signin import SignIn
from a2i_kit.service import auth, sessions
from a2i_kit.service.context import ServiceContext

View = Callable[[Request, "str | None"], Awaitable[Response]]


def quality_section(ctx: ServiceContext) -> str:
    """HTML of the reviewer quality section, a card under the workers ("" shows nothing): each
    worker's accuracy on gold tasks with its interval, per job."""
    return console_quality.quality_section(ctx)


def routes(ctx: ServiceContext, signin: SignIn, page: Callable[[Handler], Handler]) -> list[BaseRoute]:
    """The manager's pages; ``page`` wraps each handler (proxy prefix, refused input as HTML)."""

    def view(handler: View) -> Handler:
        """A GET page: manager session (forms get its CSRF token) or admin header (read-only)."""

        async def run(request: Request) -> Response:
            current = sessions.request_manager(ctx, request)
            if current is None and not auth.is_admin(request, ctx):
                return with_pre_session(request, ctx, lambda csrf: manager.manager_signin_page(csrf=csrf), 401)
            csrf = sessions.csrf_token(ctx, current["n"]) if current else None
            try:
                return await handler(request, csrf)
            except Refused as exc:
                return html(console_pages.refused(exc.title, exc.message, csrf), exc.status)

        return page(run)

    def action(handler: Callable[[Request, dict[str, str], str], Awaitable[Response]]) -> Handler:
        """A POST form: only with a manager session, its CSRF token and the portal's origin."""

        async def run(request: Request) -> Response:
            current = sessions.request_manager(ctx, request)
            if current is None:
                message = "Sign in to the manager view to use its forms."
                return with_pre_session(request, ctx, lambda csrf: manager.manager_signin_page(message, csrf=csrf), 401)
            csrf = sessions.csrf_token(ctx, current["n"])
            try:
                fields = await read_form(request)
                check_post(request, ctx, fields, [current["n"]])
                return await handler(request, fields, csrf)
            except Refused as exc:
                return html(console_pages.refused(exc.title, exc.message, csrf), exc.status)

        return page(run)

    def flash(request: Request) -> str | None:
        return MESSAGES.get(request.query_params.get("msg", ""))

    async def home(request: Request, csrf: str | None) -> Response:
        filters = Filters.parse(request.query_params)
        data = await run_in_threadpool(console.overview, ctx, filters)
        staff = await run_in_threadpool(console.workers, ctx)
        quality = await run_in_threadpool(quality_section, ctx)
        return html(console_pages.overview_page(data, staff, csrf, flash=flash(request), quality=quality))

    async def loops(request: Request, csrf: str | None) -> Response:
        data = await run_in_threadpool(console.loops_page, ctx, Filters.parse(request.query_params))
        return html(console_pages.loops_page(data, csrf, flash=flash(request)))

    async def loop(request: Request, csrf: str | None) -> Response:
        data = await run_in_threadpool(console.loop_detail, ctx, request.path_params["loop"])
        return html(console_pages.loop_page(data, csrf, flash=flash(request)))

    def loop_path(request: Request, suffix: str = "") -> str:
        return f"{MANAGE}/loops/{quote(console_actions.loop_name(request.path_params['loop']))}{suffix}"

    async def ask_stop(request: Request, csrf: str | None) -> Response:
        data = await run_in_threadpool(console.loop_detail, ctx, request.path_params["loop"])
        text = (f"Stop <strong>{pages.e(data['name'])}</strong>? Nobody can start it any more; answers already "
                "submitted are kept, and a reviewer working on it now may still submit.")
        return html(console_pages.confirm_page("Stop this loop?", text, loop_path(request, "/stop"), "Stop loop",
                                               csrf, loop_path(request)))

    async def ask_delete(request: Request, csrf: str | None) -> Response:
        data = await run_in_threadpool(console.loop_detail, ctx, request.path_params["loop"])
        text = (f"Delete <strong>{pages.e(data['name'])}</strong> ({pages.e(data['status'])})? It disappears from "
                "every list; its output.json stays where it was written. This cannot be undone.")
        return html(console_pages.confirm_page("Delete this loop?", text, loop_path(request, "/delete"),
                                               "Delete loop", csrf, loop_path(request)))

    async def stop(request: Request, _fields: dict[str, str], _csrf: str) -> Response:
        await run_in_threadpool(console_actions.stop_loop, ctx, request.path_params["loop"])
        return redirect(loop_path(request, "?msg=stopped"))

    async def delete(request: Request, _fields: dict[str, str], _csrf: str) -> Response:
        job = await run_in_threadpool(console_actions.delete_loop, ctx, request.path_params["loop"])
        return redirect(f"{MANAGE}/loops{Filters(job=job or None).query()}{'&' if job else '?'}msg=deleted")

    async def add_worker(_request: Request, fields: dict[str, str], csrf: str) -> Response:
        who, link = await run_in_threadpool(console_actions.add_worker, ctx, fields.get("name", ""),
                                            fields.get("email", ""), fields.get("team", ""))
        return link_page("Worker added", who, link, csrf, 201)

    async def signin_link(request: Request, _fields: dict[str, str], csrf: str) -> Response:
        who, link = await run_in_threadpool(console_actions.new_link, ctx, request.path_params["worker"])
        return link_page("New sign-in link", who, link, csrf, 200)

    def link_page(title: str, who: dict[str, Any], link: str, csrf: str, status: int) -> Response:
        days = ctx.config.signin_link_seconds / 86400
        body = (console_pages.link_card(title, who, link, days)
                + f'<p><a href="{pages.href(MANAGE)}#workers">Back to the workers</a></p>')
        return html(console_pages.page(title, body, csrf), status)

    async def ask_remove(request: Request, csrf: str | None) -> Response:
        wid = request.path_params["worker"]
        doc = await run_in_threadpool(console_actions.worker_doc, ctx, wid)
        text = (f"Remove <strong>{pages.e(doc.get('name'))}</strong>? Their sign-in links and sessions stop working "
                "at once and the tasks they hold go back to the queue; answers they submitted stay.")
        return html(console_pages.confirm_page("Remove this worker?", text, f"{MANAGE}/workers/{wid}/remove",
                                               "Remove worker", csrf, f"{MANAGE}#workers"))

    async def remove(request: Request, _fields: dict[str, str], _csrf: str) -> Response:
        await run_in_threadpool(console_actions.remove_worker, ctx, request.path_params["worker"])
        return redirect(f"{MANAGE}?msg=removed#workers")

    base = pages.PORTAL
    return [
        Route(f"{base}/manage", view(home), methods=["GET"]),
        Route(f"{base}/manage/signin", page(signin.manage_signin), methods=["POST"]),
        Route(f"{base}/manage/signout", page(signin.manage_signout), methods=["GET", "POST"]),
        Route(f"{base}/manage/loops", view(loops), methods=["GET"]),
        Route(f"{base}/manage/loops/{{loop}}", view(loop), methods=["GET"]),
        Route(f"{base}/manage/loops/{{loop}}/stop", view(ask_stop), methods=["GET"]),
        Route(f"{base}/manage/loops/{{loop}}/stop", action(stop), methods=["POST"]),
        Route(f"{base}/manage/loops/{{loop}}/delete", view(ask_delete), methods=["GET"]),
        Route(f"{base}/manage/loops/{{loop}}/delete", action(delete), methods=["POST"]),
        Route(f"{base}/manage/workers", action(add_worker), methods=["POST"]),
        Route(f"{base}/manage/workers/{{worker}}/signin-link", action(signin_link), methods=["POST"]),
        Route(f"{base}/manage/workers/{{worker}}/remove", view(ask_remove), methods=["GET"]),
        Route(f"{base}/manage/workers/{{worker}}/remove", action(remove), methods=["POST"]),
    ]
