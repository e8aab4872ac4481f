"""The settings page's embed section: the exact tag for this server, a live check of every
allowed site (and of no other address), and the refused sites."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from markupsafe import escape

from helpchat import appkeys
from helpchat.config import load_settings
from helpchat.embedded_redis import free_port
from helpchat.web.admin_settings import embed_status, embed_tag
from tests.admin_helpers import web_client
from tests.conftest import ServerFactory


def test_embed_tag_names_this_server_and_the_default_language() -> None:
    settings = load_settings(environ={"HELPCHAT_PUBLIC_URL": "https://chat.example.org/",
                                      "HELPCHAT_DEFAULT_LANGUAGE": "en"})
    assert embed_tag(settings) == (
        '<script src="https://chat.example.org/widget.js" data-lang="en" async></script>')
    assert embed_status(f"<body>{embed_tag(settings)}</body>", settings) == "found"
    assert embed_status('<script src="https://elsewhere.example/widget.js" async>',
                        settings) == "other_server"
    assert embed_status("<body>Welkom</body>", settings) == "missing"


@pytest.fixture
async def site() -> AsyncIterator[list[str]]:
    """A real organization site on its own port; its home page is what the test puts in."""
    home = [""]

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=home[0], content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    home.append(str(server.make_url("")).rstrip("/"))
    yield home
    await server.close()


async def test_the_live_check_reads_each_allowed_sites_home_page(
    start_server: ServerFactory, site: list[str],
) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    server: TestServer = await start_server(widget_origins=f"{site[1]},{unreachable}")
    url = str(server.make_url("")).rstrip("/")
    admin = await web_client(url, server.app, "root", role="admin")
    status, page = await admin.get("/admin/settings")
    tag = embed_tag(server.app[appkeys.HUB].settings)
    assert status == 200 and f'value="{escape(tag)}"' in page
    assert f'data-embed-check="{site[1]}"' in page

    async def check(origin: str) -> str:
        async with admin.http.get(f"{url}/admin/settings/embed-check",
                                  params={"origin": origin}) as response:
            assert response.status == 200
            return str((await response.json())["status"])

    site[0] = "<html><body>Welkom</body></html>"
    assert await check(site[1]) == "missing"
    site[0] = f"<html><body>{tag}</body></html>"
    assert await check(site[1]) == "found"
    assert await check(unreachable) == "unreachable"
    # Only configured sites are fetched: the page cannot be used to reach other addresses.
    async with admin.http.get(f"{url}/admin/settings/embed-check",
                              params={"origin": "http://169.254.169.254"}) as response:
        assert response.status == 404
    await admin.close()


async def test_refused_sites_are_listed_with_their_counts(start_server: ServerFactory) -> None:
    server: TestServer = await start_server()
    url = str(server.make_url("")).rstrip("/")
    now = server.app[appkeys.HUB].now_ms()
    for _ in range(3):
        await server.app[appkeys.STORE].refused.count("https://nieuwe-site.example", now)
    admin = await web_client(url, server.app, "root", role="admin")
    status, page = await admin.get("/admin/settings")
    assert status == 200
    assert "<td>https://nieuwe-site.example</td><td>3</td>" in page
    await admin.close()
