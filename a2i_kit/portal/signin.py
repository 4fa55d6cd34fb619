"""Portal sign-in and sign-out: one-time links, the token form, the manager's admin-token form.

- ``GET /_a2i/portal/login?link=...`` (also ``/signin``): a one-time link (see
  :func:`a2i_kit.service.workforce.sign_in_url`). Opened directly (``Sec-Fetch-Site: none``) it
  signs in at once; opened from another site or port, or while another worker is signed in here,
  it shows a page asking to confirm (a POST with the CSRF token) or to stay.
- ``POST /_a2i/portal/signin`` (token form), ``POST .../signin/link`` (confirm a link),
  ``POST .../signout``, ``POST .../manage/signin``, ``POST .../manage/signout``; ``GET`` on a
  sign-out path only shows the button.

Every cookie holds a session (:mod:`a2i_kit.service.sessions`), never a token.

Example:
    >>> handlers = SignIn(ctx)    # routes.py mounts its methods  # doctest: +SKIP
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from a2i_kit.portal import manager, pages
from a2i_kit.portal.forms import (
    check_post,
    clear_legacy,
    html,
    read_form,
    redirect,
    with_pre_session,
)
from a2i_kit.service import auth, sessions
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.workforce import authenticate

PORTAL = pages.PORTAL


class SignIn:
    """The sign-in and sign-out handlers of one service."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _signed_in(self, request: Request, worker: dict[str, Any]) -> Response:
        """A new session; the one it replaces in this browser (if any) ends on the server too."""
        previous = sessions.request_worker(self.ctx, request)
        if previous is not None:
            sessions.end_session(self.ctx, previous[1])
        value = sessions.start_worker_session(self.ctx, worker)
        response = redirect(f"{PORTAL}/")
        sessions.set_cookie(request, response, sessions.WORKER_COOKIE, value, self.ctx.config.session_seconds)
        return clear_legacy(request, response)

    def _anchors(self, request: Request) -> list[str | None]:
        current = sessions.request_worker(self.ctx, request)
        return [sessions.pre_nonce(request), current[1]["n"] if current else None]

    def _problem(self, request: Request, problem: str) -> Response:
        status = 400 if problem == "invalid" else 410
        response = with_pre_session(request, self.ctx, lambda csrf: pages.link_problem_page(problem, csrf=csrf),
                                    status)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def link(self, request: Request) -> Response:
        """GET: a sign-in link, or the sign-in page."""
        value = request.query_params.get("link")
        if not value:
            error = ("Sign-in links no longer carry the worker token. Ask for a new sign-in link, or paste "
                     "your worker token below.") if "token" in request.query_params else None
            return with_pre_session(request, self.ctx, lambda csrf: pages.signin_page(error, csrf=csrf),
                                    400 if error else 200)
        worker, _payload, problem = await run_in_threadpool(sessions.open_link, self.ctx, value)
        if problem or worker is None:
            return self._problem(request, problem or "invalid")
        current = sessions.request_worker(self.ctx, request)
        site = request.headers.get("sec-fetch-site", "none")
        response: Response
        if current and current[0]["name"] != worker["name"]:
            csrf = sessions.csrf_token(self.ctx, current[1]["n"])
            response = html(pages.link_page(worker["doc"]["name"], value, csrf,
                                            current=current[0]["doc"]["name"]))
        elif site in ("none", "same-origin"):
            response = await self._use_link(request, value)
        else:
            response = with_pre_session(request, self.ctx,
                                        lambda csrf: pages.link_page(worker["doc"]["name"], value, csrf))
        response.headers["Referrer-Policy"] = "no-referrer"   # the URL holds the link
        return response

    async def _use_link(self, request: Request, value: str) -> Response:
        worker, payload, problem = await run_in_threadpool(sessions.open_link, self.ctx, value)
        if problem or worker is None or payload is None:
            return self._problem(request, problem or "invalid")
        if not await run_in_threadpool(sessions.consume_link, self.ctx, payload):
            return self._problem(request, "used")
        return self._signed_in(request, worker)

    async def confirm_link(self, request: Request) -> Response:
        """POST: the confirm page's button (switch worker, or a link opened from elsewhere)."""
        fields = await read_form(request)
        check_post(request, self.ctx, fields, self._anchors(request))
        return await self._use_link(request, fields.get("link", ""))

    async def token_form(self, request: Request) -> Response:
        """POST: the worker pastes the API token."""
        fields = await read_form(request)
        check_post(request, self.ctx, fields, self._anchors(request))
        worker = authenticate(self.ctx, fields.get("token", "")[:512] or None)
        if worker is None:
            message = "That sign-in link or token is not valid. Ask for a new one."
            return with_pre_session(request, self.ctx, lambda csrf: pages.signin_page(message, csrf=csrf), 401)
        return self._signed_in(request, worker)

    async def signout(self, request: Request) -> Response:
        current = sessions.request_worker(self.ctx, request)
        if request.method == "GET":
            if current is None:
                return redirect(f"{PORTAL}/?msg=signedout")
            csrf = sessions.csrf_token(self.ctx, current[1]["n"])
            return html(pages.signout_page(current[0]["doc"]["name"], csrf))
        fields = await read_form(request)
        if current is not None:
            check_post(request, self.ctx, fields, [current[1]["n"]])
            await run_in_threadpool(sessions.end_session, self.ctx, current[1])
        response = redirect(f"{PORTAL}/?msg=signedout")
        sessions.clear_cookie(request, response, sessions.WORKER_COOKIE)
        return clear_legacy(request, response)

    # -- manager ---------------------------------------------------------------------------
    async def manage_signin(self, request: Request) -> Response:
        fields = await read_form(request)
        current = sessions.request_manager(self.ctx, request)
        check_post(request, self.ctx, fields, [sessions.pre_nonce(request), current["n"] if current else None])
        token = fields.get("token", "")
        if not token or not hmac.compare_digest(token.encode(), auth.token_of(self.ctx).encode()):
            return with_pre_session(request, self.ctx,
                                    lambda csrf: manager.manager_signin_page("That admin token is not valid.",
                                                                             csrf=csrf), 401)
        response = redirect(f"{PORTAL}/manage")
        sessions.set_cookie(request, response, sessions.MANAGER_COOKIE,
                            sessions.start_manager_session(self.ctx), self.ctx.config.session_seconds)
        return clear_legacy(request, response)

    async def manage_signout(self, request: Request) -> Response:
        current = sessions.request_manager(self.ctx, request)
        if request.method == "GET":
            if current is None:
                return redirect(f"{PORTAL}/manage")
            return html(manager.manager_signout_page(sessions.csrf_token(self.ctx, current["n"])))
        fields = await read_form(request)
        if current is not None:
            check_post(request, self.ctx, fields, [current["n"]])
            await run_in_threadpool(sessions.end_session, self.ctx, current)
        response = redirect(f"{PORTAL}/manage")
        sessions.clear_cookie(request, response, sessions.MANAGER_COOKIE)
        return clear_legacy(request, response)

