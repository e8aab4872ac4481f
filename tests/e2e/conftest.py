"""Browser test fixtures, shared by every end-to-end suite (widget, console, admin).

What they give you:
- `live_server` (session): the real server, `python run.py serve` in a subprocess on a free
  port, on the embedded test Redis. `.url` is "http://127.0.0.1:PORT". Redis is emptied before
  every test (`clean_redis`, automatic here), so tests never see each other's data.
- `start_live_server` (factory): extra servers (same Redis), e.g. one a test may stop.
- `host_site` (session): a second HTTP server on another origin, "http://127.0.0.1:PORT2", that
  the live server allows as a widget host (`HELPCHAT_WIDGET_ORIGINS`). `host_site.page(html)`
  publishes a page and returns its URL; `/neutral` is the quick-exit target. Another port on
  the same host is the usual deployment: www.example.org embedding chat.example.org is
  cross-origin but same-site, so the chat's iframe keeps its sessionStorage.
- `cross_site` (session): an allowed host on another *site*, "http://localhost:PORT3": browsers
  that block third-party storage (Debian's Chromium does) deny the iframe its sessionStorage.
- `foreign_site` (session): a host on an origin the server does NOT allow.
- `browser` (session): Debian's Chromium through Playwright (never a downloaded browser).
- `context` / `page`: a fresh browser context per test (own cookies and storage).
- `counselors` (factory): accounts in Redis + a logged-in python-socketio client on /counselor.
- `snap(page, name)`: screenshots at 375x667 and 1280x800 into test-output/screenshots/.
- `axe_violations(frame)`: axe-core (from node_modules) findings of impact serious/critical.

Every test under tests/e2e runs in one session-wide event loop (see
pytest_collection_modifyitems), so session fixtures such as the browser can be async.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from playwright.async_api import Browser, BrowserContext, Frame, Page, async_playwright, expect

from helpchat.config import PROJECT_ROOT, load_settings
from helpchat.embedded_redis import free_port
from helpchat.store import Store
from helpchat.store.connection import connect
from tests.support import Client, add_account, connect_counselor, login

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-gpu",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
AXE_SOURCE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TEST_SECRET = "e2e-secret-key-with-more-than-32-characters!!"
SIZES = ((375, 667), (1280, 800))
E2E_DIR = Path(__file__).parent
# CI machines are shared and slow at times; a condition that is met later than Playwright's
# default 5 s is still met (nothing sleeps: expect() polls and returns as soon as it holds).
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(session_loop, append=False)


# --- the chat server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    """`python run.py serve` as a child process; the way the server really runs."""

    redis_url: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def settings_env(self) -> dict[str, str]:
        return {
            "HELPCHAT_REDIS_URL": self.redis_url,
            "HELPCHAT_DATA_DIR": str(self.data_dir),
            "HELPCHAT_SECRET_KEY": TEST_SECRET,
            "HELPCHAT_LOG_LEVEL": "WARNING",
            # Many chats within seconds: no proof of work unless a test asks for it.
            "HELPCHAT_PROOF_JOINS_PER_MINUTE": "100000",
            **self.env,
        }

    async def start(self) -> LiveServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPCHAT_")}
        env.update(self.settings_env)
        self.process = subprocess.Popen(
            [sys.executable, "run.py", "serve", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=env, start_new_session=True,
        )
        await self._wait_healthy()
        return self

    async def _wait_healthy(self, timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.process and self.process.poll() is None, "server exited at start-up"
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{self.url}/healthz did not answer")
                await asyncio.sleep(0.1)

    def stop(self, graceful: bool = True) -> None:
        """SIGTERM and wait for the clean shutdown, or (graceful=False) SIGKILL: a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def e2e_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-data")


def widget_env(host_site: HostSite, cross_site: HostSite) -> dict[str, str]:
    return {
        "HELPCHAT_WIDGET_ORIGINS": f"{host_site.origin},{cross_site.origin}",
        "HELPCHAT_QUICK_EXIT_URL": host_site.url("/neutral"),
    }


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def live_server(
    redis_server: str, host_site: HostSite, cross_site: HostSite, e2e_data_dir: Path
) -> AsyncIterator[LiveServer]:
    server = LiveServer(redis_server, e2e_data_dir, env=widget_env(host_site, cross_site))
    await server.start()
    yield server
    server.stop()


LiveServerFactory = Callable[..., Awaitable[LiveServer]]


@pytest_asyncio.fixture(loop_scope="session")
async def start_live_server(
    redis_server: str, host_site: HostSite, cross_site: HostSite, tmp_path: Path
) -> AsyncIterator[LiveServerFactory]:
    """Another server process on the same Redis; `env` adds or overrides HELPCHAT_* values."""
    started: list[LiveServer] = []

    async def start(**env: str) -> LiveServer:
        env = {**widget_env(host_site, cross_site), **env}
        server = LiveServer(redis_server, tmp_path, env=env)
        started.append(await server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def clean_redis(redis_server: str) -> None:
    """Every e2e test starts on an empty Redis (the server keeps no state of its own)."""
    client = aioredis.Redis.from_url(redis_server)
    await client.flushall()
    await client.aclose()


# --- host pages on other origins ---------------------------------------------------------------


NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather today</h1></html>"


class HostSite:
    """A tiny HTTP server standing in for an organization's website, on its own origin."""

    def __init__(self, hostname: str = "127.0.0.1") -> None:
        self.hostname = hostname
        self.port = free_port()
        self.pages: dict[str, str] = {"/neutral": NEUTRAL_PAGE}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://{self.hostname}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def page(self, body: str, path: str | None = None, title: str = "Host page",
             head: str = "") -> str:
        """Publish an HTML page; returns its URL."""
        path = path or f"/page-{len(self.pages)}"
        self.pages[path] = (
            f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>{head}</head>"
            f"<body><main><h1>{title}</h1><p>Some organization page.</p></main>{body}</body></html>"
        )
        return self.url(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture(scope="session")
def cross_site() -> Iterator[HostSite]:
    """An allowed host on another site than the chat server (localhost vs 127.0.0.1)."""
    site = HostSite("localhost")
    yield site
    site.close()


@pytest.fixture(scope="session")
def foreign_site() -> Iterator[HostSite]:
    """A site the server does not list in HELPCHAT_WIDGET_ORIGINS."""
    site = HostSite()
    yield site
    site.close()


# --- the browser -------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    ctx.set_default_timeout(10_000)
    yield ctx
    await ctx.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def snap(page: Page, name: str) -> None:
    """Screenshots of the page at a phone and a desktop size, then the size from before."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.wait_for_timeout(150)  # layout and the panel's media query settle
        await page.screenshot(path=SCREENSHOTS / f"{name}-{width}x{height}.png")
    if before:
        await page.set_viewport_size(before)


async def axe_violations(frame: Page | Frame) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on this page or frame (CSP does not apply to
    code Playwright evaluates, so the chat page's policy can stay strict)."""
    if not await frame.evaluate("typeof window.axe !== 'undefined'"):
        await frame.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = await frame.evaluate(
        """async () => {
            const found = await axe.run(document, {resultTypes: ["violations"]});
            return found.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.map(n => n.target.join(" ") + ": " +
                                                    n.failureSummary)}));
        }"""
    )
    return result


# --- counselors --------------------------------------------------------------------------------


@dataclass
class LiveCounselor:
    """A logged-in counselor: a python-socketio client on /counselor of the live server."""

    name: str
    client: Client

    async def call(self, event: str, data: Any = None) -> Any:
        ack = await self.client.call(event, data)
        assert ack.get("ok"), f"{event}: {ack}"
        return ack

    async def wait_for(self, event: str, predicate: Callable[[Any], bool] = lambda _: True,
                       timeout: float = 10.0) -> Any:
        return await self.client.wait_for(event, predicate, timeout)


CounselorFactory = Callable[..., Awaitable[LiveCounselor]]


@pytest_asyncio.fixture(loop_scope="session")
async def live_store(live_server: LiveServer) -> AsyncIterator[Store]:
    """The live server's store, for setting up accounts and reading state directly."""
    settings = load_settings(environ={}, redis_url=live_server.redis_url, secret_key=TEST_SECRET,
                             data_dir=live_server.data_dir)
    client = connect(settings.redis_url)
    yield Store.create(client, settings)
    await client.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def counselors(live_server: LiveServer,
                     live_store: Store) -> AsyncIterator[CounselorFactory]:
    made: list[LiveCounselor] = []

    async def factory(name: str = "Anna", on_duty: bool = True,
                      server: LiveServer | None = None) -> LiveCounselor:
        url = (server or live_server).url
        # The widget tests read the name visitors see; here it is the login name too (the
        # admin forms refuse that, the store does not).
        await add_account(live_store, name, display_name=name)
        client = await connect_counselor(url, await login(url, name))
        await client.wait_for("duty")
        counselor = LiveCounselor(name, client)
        made.append(counselor)
        if on_duty:
            await counselor.call("set_duty", {"on": True})
        return counselor

    yield factory
    for counselor in made:
        await counselor.client.close()
