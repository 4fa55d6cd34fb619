"""Routes of the manager console under ``/_a2i/portal/manage`` (admin token or manager session).

Example:
    >>> from a2i_kit.portal.manager_routes import routes
    >>> callable(routes)
    True
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from a2i_kit.portal import manager, pages
from a2i_kit.portal.forms import html, with_pre_session
from a2i_kit.portal.signin import SignIn
from a2i_kit.service import auth, sessions
from a2i_kit.service.context import ServiceContext

Handler = Callable[[Request], Awaitable[Response]]


def routes(ctx: ServiceContext, signin: SignIn, page: Callable[[Handler], Handler]) -> list[BaseRoute]:
    """The manager's pages; ``page`` wraps each handler (proxy prefix, refused input as HTML)."""

    async def manage(request: Request) -> Response:
        current = sessions.request_manager(ctx, request)
        if current is None and not auth.is_admin(request, ctx):
            return with_pre_session(request, ctx, lambda csrf: manager.manager_signin_page(csrf=csrf), 401)
        data = await run_in_threadpool(manager.overview, ctx)
        return html(manager.manager_page(data, sessions.csrf_token(ctx, current["n"]) if current else None))

    base = pages.PORTAL
    return [
        Route(f"{base}/manage", page(manage), methods=["GET"]),
        Route(f"{base}/manage/signin", page(signin.manage_signin), methods=["POST"]),
        Route(f"{base}/manage/signout", page(signin.manage_signout), methods=["GET", "POST"]),
    ]
