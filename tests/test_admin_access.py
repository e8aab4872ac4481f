"""Who may use the admin pages: anonymous, counselor, supervisor and admin against every admin
route (only admin passes), and forms without a valid CSRF token or from another site."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.admin_helpers import WebClient, web_client

ADMIN_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
             "frame-ancestors 'none'")
SAMPLE = {"id": "0123456789abcdef0123456789abcdef", "lang": "nl", "date": "2030-01-01"}


def admin_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, path) of every route under /admin, placeholders filled with sample values."""
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path") or ""
        if template.startswith("/admin") and route.method in ("GET", "POST"):
            path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], template)
            found.add((route.method, path))
    return sorted(found)


def test_every_admin_page_and_action_is_in_the_matrix(server: TestServer) -> None:
    routes = admin_routes(server.app)
    paths = {path for _, path in routes}
    for expected in ("/admin/", "/admin/roster", "/admin/counselors", "/admin/contacts",
                     "/admin/canned", "/admin/settings", "/admin/audit"):
        assert expected in paths
    assert sum(1 for method, _ in routes if method == "POST") >= 15


async def call(client: WebClient, method: str, path: str) -> int:
    if method == "GET":
        return (await client.get(path))[0]
    return (await client.post(path, {}, csrf=client.counselor_id is not None))[0]


@pytest.mark.parametrize("role", ["counselor", "supervisor"])
async def test_counselor_and_supervisor_are_refused_on_every_admin_route(
    server: TestServer, base_url: str, role: str
) -> None:
    client = await web_client(base_url, server.app, f"user-{role}", role)
    try:
        for method, path in admin_routes(server.app):
            if role == "supervisor" and path.startswith("/admin/insights"):
                continue  # supervisors may see Insights (tests/test_admin_insights.py)
            status = await call(client, method, path)
            assert status == 403, (role, method, path, status)
        status, body = await client.get("/admin/roster")
        assert "beheerder" in body  # the reason page names the role that is needed
    finally:
        await client.close()


async def test_anonymous_is_sent_to_login_or_refused_on_every_admin_route(
    server: TestServer, base_url: str
) -> None:
    client = await web_client(base_url)
    try:
        for method, path in admin_routes(server.app):
            if method == "GET":
                response = await client.response(path)
                assert response.status == 302, (path, response.status)
                assert response.headers["Location"].startswith("/login?next=")
            else:
                assert await call(client, method, path) == 401, path
    finally:
        await client.close()


async def test_admin_passes_every_admin_route(server: TestServer, base_url: str) -> None:
    client = await web_client(base_url, server.app, "root", "admin")
    try:
        for method, path in admin_routes(server.app):
            status = await call(client, method, path)
            # Sample ids do not exist (404) and empty forms are refused (400): never 401/403.
            assert status in (200, 302, 303, 400, 404), (method, path, status)
        response = await client.response("/admin/roster")
        assert response.headers["Content-Security-Policy"].startswith(ADMIN_CSP)
    finally:
        await client.close()


async def test_post_without_csrf_token_is_refused_and_changes_nothing(
    server: TestServer, base_url: str
) -> None:
    admin = await web_client(base_url, server.app, "root", "admin")
    store = server.app[appkeys.STORE]
    form = {"name": "mallory", "role": "admin", "max_chats": "2"}
    try:
        status, body, _ = await admin.post("/admin/counselors", form, csrf=False)
        assert status == 403 and "formulier" in body
        forged = {**form, "csrf_token": "forged"}
        assert (await admin.post("/admin/counselors", forged, csrf=False))[0] == 403
        assert await store.counselors.by_name("mallory") is None
        assert await store.audit.count() == 0
    finally:
        await admin.close()


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
async def test_post_from_another_site_is_refused_even_with_the_token(
    server: TestServer, base_url: str, headers: dict[str, str]
) -> None:
    admin = await web_client(base_url, server.app, "root", "admin")
    try:
        form = {"name": "mallory", "role": "admin", "max_chats": "2"}
        status, _, _ = await admin.post("/admin/counselors", form, headers=headers)
        assert status == 403
        assert await server.app[appkeys.STORE].counselors.by_name("mallory") is None
        status, _, _ = await admin.post("/admin/counselors", form)
        assert status == 200  # the same form from our own page works
    finally:
        await admin.close()
