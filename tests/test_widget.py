"""The widget's HTTP side: loader, chat page and its policy, assets, /demo, catalogs.

Browser behaviour is covered in tests/e2e/test_widget.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from helpchat.config import PROJECT_ROOT
from helpchat.i18n import LOCALE_DIR
from helpchat.web import widget
from helpchat.web.widget import CHAT_MODULES
from tests.conftest import ServerFactory

HOST = "https://www.jeugdhulp-voorbeeld.nl"
CHAT_DIR = PROJECT_ROOT / "widgets" / "chat"


async def get(server: TestServer, path: str, **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
    async with aiohttp.ClientSession() as http:
        response = await http.get(server.make_url(path), **kwargs)
        return response, await response.text()


class Scripts(HTMLParser):
    """Collects every <script> element's attributes and inline text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, Any]] = []
        self._inside: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._inside = {"attrs": dict(attrs), "text": ""}
            self.scripts.append(self._inside)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self._inside["text"] += data


def page_config(html: str) -> dict[str, Any]:
    parser = Scripts()
    parser.feed(html)
    block = next(s for s in parser.scripts if s["attrs"].get("id") == "helpchat-config")
    config: dict[str, Any] = json.loads(block["text"])
    return config


# --- the loader --------------------------------------------------------------------------------


async def test_loader_is_valid_javascript_carrying_both_languages_contacts(
    start_server: ServerFactory, tmp_path: Path
) -> None:
    server = await start_server()
    response, body = await get(server, "/widget.js")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert "/*@config*/" not in body
    assert "Alarmnummer 112" in body and "Emergency number 112" in body
    node = shutil.which("node")
    assert node, "node is needed for the widget (npm) and this check"
    (tmp_path / "loader.js").write_text(body)
    subprocess.run([node, "--check", str(tmp_path / "loader.js")], check=True)


async def test_loader_is_compressed_for_browsers_that_ask(start_server: ServerFactory) -> None:
    server = await start_server()
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        response = await http.get(server.make_url("/widget.js"),
                                  headers={"Accept-Encoding": "gzip"})
        body = await response.read()
    assert response.headers.get("Content-Encoding") == "gzip"
    assert len(body) <= 8 * 1024


# --- the chat page -----------------------------------------------------------------------------


async def test_chat_page_may_be_framed_only_by_itself_and_configured_hosts(
    start_server: ServerFactory,
) -> None:
    server = await start_server(widget_origins=f"{HOST},https://partner.example")
    response, _ = await get(server, "/widget/")
    header = response.headers["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert policy["frame-ancestors"] == f"'self' {HOST} https://partner.example"
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert "unsafe" not in header
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


async def test_chat_page_has_no_inline_script(start_server: ServerFactory) -> None:
    server = await start_server()
    _, html = await get(server, "/widget/")
    parser = Scripts()
    parser.feed(html)
    assert {s["attrs"].get("src") for s in parser.scripts if s["attrs"].get("src")} == {
        "socket.io.min.js", "main.js"}
    inline = [s for s in parser.scripts if not s["attrs"].get("src")]
    assert [s["attrs"].get("type") for s in inline] == ["application/json"]
    assert "cdn" not in html.lower()


async def test_chat_page_posts_only_to_an_allowed_parent_origin(
    start_server: ServerFactory,
) -> None:
    server = await start_server(widget_origins=HOST)
    _, allowed = await get(server, "/widget/", params={"origin": HOST})
    _, refused = await get(server, "/widget/", params={"origin": "https://evil.example"})
    _, junk = await get(server, "/widget/", params={"origin": "javascript:alert(1)"})
    assert page_config(allowed)["parent_origin"] == HOST
    assert page_config(refused)["parent_origin"] is None
    assert page_config(junk)["parent_origin"] is None


async def test_chat_page_language_title_and_color(start_server: ServerFactory) -> None:
    server = await start_server()
    _, english = await get(server, "/widget/", params={"lang": "en"})
    _, unknown = await get(server, "/widget/", params={"lang": "xx", "color": "red;x:url(y)"})
    _, custom = await get(server, "/widget/", params={"title": "<b>Praat</b>", "color": "#FFD23F"})
    assert '<html lang="en">' in english and "Quick exit" in english
    assert page_config(english)["i18n"]["widget.quick_exit"] == "Quick exit"
    assert '<html lang="nl">' in unknown and "Snel weg" in unknown
    assert page_config(unknown)["color"] == "#1f5fa8"
    assert page_config(custom)["color"] == "#ffd23f"
    assert "<b>Praat</b>" not in custom and "&lt;b&gt;Praat&lt;/b&gt;" in custom


async def test_config_block_cannot_be_closed_by_its_content(start_server: ServerFactory) -> None:
    server = await start_server()
    _, html = await get(server, "/widget/", params={"title": "</script><script>alert(1)"})
    assert html.count("</script>") == 3  # the config block and the two script tags
    assert page_config(html)["title"] == "</script><script>alert(1)"


async def test_widget_without_slash_redirects_keeping_the_query(
    start_server: ServerFactory,
) -> None:
    server = await start_server()
    async with aiohttp.ClientSession() as http:
        response = await http.get(server.make_url("/widget?lang=en"), allow_redirects=False)
    assert response.status == 308
    assert response.headers["Location"] == "/widget/?lang=en"


# --- assets and the demo -----------------------------------------------------------------------


async def test_socketio_client_comes_from_node_modules(start_server: ServerFactory) -> None:
    server = await start_server()
    async with aiohttp.ClientSession() as http:
        response = await http.get(server.make_url("/widget/socket.io.min.js"))
        body = await response.read()
    assert response.status == 200
    assert body == widget.SOCKETIO_CLIENT.read_bytes()
    package = json.loads((PROJECT_ROOT / "node_modules/socket.io-client/package.json").read_text())
    assert package["version"].startswith("4.")


async def test_only_known_assets_are_served(start_server: ServerFactory) -> None:
    server = await start_server()
    for path in ("/widget/index.html", "/widget/embed.js", "/widget/..%2Fembed.js",
                 "/widget/package.json"):
        response, _ = await get(server, path)
        assert response.status == 404, path
    response, _ = await get(server, "/widget/chat.css")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/css")


async def test_demo_page_in_development_only(start_server: ServerFactory) -> None:
    development = await start_server()
    response, html = await get(development, "/demo")
    assert response.status == 200
    assert '<script src="/widget.js" data-lang="nl" async></script>' in html
    production = await start_server(environment="production", demo_enabled=True)
    response, _ = await get(production, "/demo")
    assert response.status == 404


# --- catalogs ----------------------------------------------------------------------------------


def widget_catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALE_DIR / lang / "widget.json").read_text("utf-8"))
    return data


def test_widget_catalogs_have_the_same_keys_and_placeholders() -> None:
    nl, en = widget_catalog("nl"), widget_catalog("en")
    assert nl.keys() == en.keys()
    assert all(key.startswith("widget.") for key in nl)
    for key in nl:
        assert set(re.findall(r"\{(\w+)\}", nl[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_every_widget_string_in_use_is_in_the_catalog() -> None:
    templates = [PROJECT_ROOT / "widgets/chat/index.html",
                 PROJECT_ROOT / "helpchat/templates/widget/demo.html"]
    used = {key for path in templates
            for key in re.findall(r"""t\(\s*["'](widget\.[\w.]+)["']""", path.read_text())}
    script = "\n".join(path.read_text() for path in CHAT_DIR.glob("*.js"))
    used |= {f"widget.{key}" for key in re.findall(r"""\bt\(\s*"([\w.]+)"\s*[,)]""", script)}
    # Keys built at run time: unavailable reasons and message states.
    for reason in ("closed", "no_counselor", "queue_full", "maintenance", "offline", "blocked"):
        used |= {f"widget.unavailable.{reason}", f"widget.unavailable.{reason}_text"}
    used |= {f"widget.chat.status_{status}" for status in ("sending", "sent", "failed")}
    used |= {f"widget.loader.{key}" for key in ("close", "quick_exit", "frame_title", "call")}
    missing = used - widget_catalog("nl").keys()
    assert not missing, sorted(missing)
    assert len(used) > 60


def test_widget_scripts_are_valid_javascript() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the widget (npm) and this check"
    subprocess.run([node, "--check", str(PROJECT_ROOT / "widgets/embed.js")], check=True)
    for path in CHAT_DIR.glob("*.js"):
        # The chat page's files are ES modules; node 20 needs telling.
        subprocess.run([node, "--input-type=module", "--check"], input=path.read_bytes(),
                       check=True)


async def test_every_chat_module_and_its_imports_are_served(start_server: ServerFactory) -> None:
    server = await start_server()
    on_disk = {path.name for path in CHAT_DIR.glob("*.js")}
    assert on_disk == set(CHAT_MODULES)
    for name in on_disk:
        response, source = await get(server, f"/widget/{name}")
        assert response.status == 200, name
        assert response.headers["Content-Type"].startswith("text/javascript")
        imported = set(re.findall(r'from\s+"\./([\w.]+)"', source))
        assert imported <= on_disk, (name, imported - on_disk)
