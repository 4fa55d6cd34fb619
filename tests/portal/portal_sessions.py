"""Raw-HTTP helpers for portal sessions: sign in by link or token form, read CSRF tokens.

httpx's cookie jar (like http.cookiejar) never sends a ``Secure`` cookie over plain http, while
Chromium does on loopback; so these helpers carry the session cookie in an explicit header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

SESSION = "__Host-a2i_session"
MANAGER = "__Host-a2i_manager"
PRE = "__Host-a2i_presession"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """``{name: full Set-Cookie line}`` of a response."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


def cookie_value(response: httpx.Response, name: str) -> str:
    line = set_cookies(response)[name]
    return line.split(";", 1)[0].split("=", 1)[1]


def csrf_of(html: str) -> str:
    found = _CSRF.search(html) or _DATA_CSRF.search(html)
    if not found:
        raise AssertionError(f"no CSRF token in the page: {html[:300]}")
    return found.group(1)


@dataclass
class Browserish:
    """Cookies and the CSRF token of one signed-in portal user, sent by hand."""

    url: str
    cookies: dict[str, str]
    csrf: str = ""

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": self.cookie_header, **extra}

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.headers(**headers))

    def post_form(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True,
                  origin: str | None = "self", **headers: str) -> httpx.Response:
        fields = {"csrf": self.csrf} if csrf else {}
        extra = {"Origin": self.url} if origin == "self" else ({"Origin": origin} if origin else {})
        body = {**fields, **(data or {})} or {"note": "no token"}   # still a form (httpx sends none when empty)
        return httpx.post(self.url + path, data=body, headers=self.headers(**extra, **headers))

    def post_json(self, path: str, body: Any = None, *, csrf: bool = True, origin: str | None = "self",
                  **headers: str) -> httpx.Response:
        extra = {"Origin": self.url} if origin == "self" else ({"Origin": origin} if origin else {})
        if csrf:
            extra["X-A2I-CSRF"] = self.csrf
        return httpx.post(self.url + path, json=body, headers=self.headers(**extra, **headers))


def sign_in_by_link(url: str, link: str) -> Browserish:
    """Open a sign-in link as a typed-in URL would be (Sec-Fetch-Site: none); read the queue's CSRF."""
    response = httpx.get(link, headers={"Sec-Fetch-Site": "none"})
    if response.status_code != 303:
        raise AssertionError(f"sign-in link answered {response.status_code}: {response.text[:300]}")
    user = Browserish(url, {SESSION: cookie_value(response, SESSION)})
    user.csrf = csrf_of(user.get("/_a2i/portal/").text)
    return user


def pre_session(url: str, path: str = "/_a2i/portal/") -> Browserish:
    """A browser that opened a page with a sign-in form: its pre-session cookie and form token."""
    page = httpx.get(url + path)
    return Browserish(url, {PRE: cookie_value(page, PRE)}, csrf_of(page.text))


def sign_in_as_manager(url: str, admin_token: str) -> Browserish:
    user = pre_session(url, "/_a2i/portal/manage")
    response = user.post_form("/_a2i/portal/manage/signin", {"token": admin_token})
    if response.status_code != 303:
        raise AssertionError(f"manager sign-in answered {response.status_code}: {response.text[:300]}")
    manager = Browserish(url, {MANAGER: cookie_value(response, MANAGER)})
    manager.csrf = csrf_of(manager.get("/_a2i/portal/manage").text)
    return manager
