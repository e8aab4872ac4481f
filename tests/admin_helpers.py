"""Helpers for the admin tests: a logged-in HTTP client that sends forms like a browser does
(the page's CSRF token, an Origin header), and a way to read tokens out of pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.support import create_account, login

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


@dataclass
class WebClient:
    """A browser-like HTTP client of one server; `cookie` is the login session (or None)."""

    url: str
    http: aiohttp.ClientSession
    counselor_id: str | None = None
    token: str | None = None

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with self.http.get(self.url + path, allow_redirects=False, **kwargs) as resp:
            return resp.status, await resp.text()

    async def response(self, path: str) -> aiohttp.ClientResponse:
        resp = await self.http.get(self.url + path, allow_redirects=False)
        await resp.read()
        return resp

    async def csrf(self, page: str = "/shifts/") -> str:
        if self.token is None:
            status, html = await self.get(page)
            assert status == 200, (page, status)
            self.token = csrf_in(html)
        return self.token

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]] | None = None,
                   *, csrf: bool = True, headers: dict[str, str] | None = None,
                   ) -> tuple[int, str, str]:
        """(status, body, Location) of a form POST, sent the way our own pages send it."""
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            fields.append(("csrf_token", await self.csrf()))
        sent = {"Origin": self.url, "Sec-Fetch-Site": "same-origin", **(headers or {})}
        async with self.http.post(self.url + path, data=fields, headers=sent,
                                  allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp.headers.get("Location", "")

    async def close(self) -> None:
        await self.http.close()


async def web_client(url: str, app: web.Application | None = None, name: str | None = None,
                     role: str = "admin") -> WebClient:
    """Anonymous without `name`; otherwise an account with `role`, logged in."""
    if name is None or app is None:
        return WebClient(url, aiohttp.ClientSession())
    counselor_id = await create_account(app, name, role)
    cookie = await login(url, name)
    http = aiohttp.ClientSession(cookies={"helpchat_session": cookie})
    return WebClient(url, http, counselor_id)
