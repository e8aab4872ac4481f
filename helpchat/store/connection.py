"""Opening the Redis connection (plain, TLS, unix socket or Sentinel) and loading Lua scripts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import hiredis
import redis.asyncio as redis
from redis._parsers import _AsyncHiredisParser
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, OutOfMemoryError, ResponseError
from socketio.redis_manager import parse_redis_sentinel_url

from helpchat.store.batching import BatchingRedis

Redis: TypeAlias = redis.Redis
LUA_DIR = Path(__file__).parent / "lua"
# Per process: one connection for the store's batched commands and the socket.io manager's
# publishes (batching.py), one bounded pool for what cannot be batched (explicit pipelines and
# transactions, blocking commands), and one connection for the pub/sub subscriber (never lent
# to anything else: a subscriber being closed may still be reading from its connection).
# redis-py's default pool raises "Too many connections" when all are busy; a blocking pool
# makes a burst wait its turn instead. Redis runs one command at a time, so more connections
# add no speed, only memory and file descriptors on both sides.
MAX_CONNECTIONS = 32
POOL_WAIT_S = 5.0


class BlockingSentinelPool(SentinelConnectionPool, redis.BlockingConnectionPool):  # type: ignore[misc]
    """Sentinel's pool (finds the master, follows failovers) that waits for a free connection
    like the plain pool does."""


class _OutOfMemoryParser(_AsyncHiredisParser):  # type: ignore[misc]
    """Every error reply passes here. Redis 6.2 refuses a write inside a script, over
    maxmemory, with a script error rather than the OOM error a plain write gets: both are
    OutOfMemoryError to the callers, who tell "Redis is full, retry later" from a failure by
    the error's type (realtime/base.py), whichever way the command went (batched, in a
    pipeline of its own, alone)."""

    @classmethod
    def parse_error(cls, response: str) -> Exception:
        error: Exception = super().parse_error(response)
        if type(error) is ResponseError and "-OOM command not allowed" in response:
            return OutOfMemoryError(response)
        return error


def _connection_options() -> dict[str, object]:
    # A pooled connection opened before a Redis restart fails at its next use; a quick
    # reconnect-and-resend makes that invisible. Chat steps are safe to resend (messages carry a
    # client_id, the Lua scripts check state first); a counter may at worst count once more.
    return {"retry": Retry(ExponentialBackoff(cap=0.25, base=0.02), 3),
            "retry_on_error": [RedisConnectionError], "parser_class": _OutOfMemoryParser}


class _HiredisPacking:
    """Commands written to the wire by hiredis's C packer, as redis-py's synchronous client
    does; its asyncio connection packs them in Python: 7 % of the server's time relaying
    2,000 msg/s (py-spy), a message's script carrying a dozen arguments. The same bytes, and
    the same DataError for a value Redis cannot take (None, a bool)."""

    def pack_command(self, *args: Any) -> list[bytes]:
        name, rest = args[0], args[1:]
        # A name of several words ("CONFIG GET") is several arguments, as redis-py splits it.
        words = name.encode().split() if isinstance(name, str) else name.split()
        try:  # (str, bytes, int and float: the store sends no memoryview or bytearray)
            return [hiredis.pack_command((*words, *rest))]
        except TypeError as exc:
            raise DataError(str(exc)) from None


def _packing_with_hiredis(client: Redis) -> Redis:
    """The client's pool makes connections of its own kind (TCP, TLS, unix socket, Sentinel's)
    that pack with hiredis."""
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(f"Hiredis{base.__name__}", (_HiredisPacking, base), {})
    return client


def connect(url: str, *, max_connections: int = MAX_CONNECTIONS - 2) -> Redis:
    """A client for `url`. Sentinel URLs use python-socketio's format, so one setting serves
    both: redis+sentinel://[:password]@host1:26379,host2:26379/db/service_name. By default
    the pool is two connections short of MAX_CONNECTIONS: the batches have one of their own,
    and so has the pub/sub subscriber."""
    if not url.startswith("redis+sentinel://"):
        pool = redis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=max_connections, timeout=POOL_WAIT_S,
            **_connection_options())
        return _packing_with_hiredis(BatchingRedis(connection_pool=pool))
    sentinels, service_name, options = parse_redis_sentinel_url(url)
    sentinel = Sentinel(sentinels, decode_responses=True, **options)
    return _packing_with_hiredis(sentinel.master_for(
        service_name or "mymaster", redis_class=BatchingRedis, decode_responses=True,
        connection_pool_class=BlockingSentinelPool, max_connections=max_connections,
        timeout=POOL_WAIT_S, **_connection_options()))


class MasterFollower:
    """Under Sentinel, asked every second: which node is master now? On a change redis-py drops
    the idle pooled connections to the old master; connections busy at that moment go back to
    the pool still pointing there, so idle ones are dropped again for a few more checks. (The
    old master can answer as master for seconds after a failover: what it takes is lost.)"""

    SETTLE_CHECKS = 5

    def __init__(self, client: Redis) -> None:
        pool = client.connection_pool
        self._pool = pool if isinstance(pool, SentinelConnectionPool) else None
        self._settling = 0

    @property
    def needed(self) -> bool:
        return self._pool is not None

    async def check(self) -> bool:
        """True when the master changed since the last check."""
        if self._pool is None:
            return False
        before = self._pool.master_address
        address = await self._pool.get_master_address()
        if before is not None and address != before:
            self._settling = self.SETTLE_CHECKS
            return True
        if self._settling:
            self._settling -= 1
            await self._pool.disconnect(inuse_connections=False)
        return False


def lua_source(name: str) -> str:
    """A script of lua/, with the shared functions it names on its first line ("-- uses x")
    put in front (Redis 6.2 scripts cannot load one another)."""
    source = (LUA_DIR / f"{name}.lua").read_text()
    first = source.split("\n", 1)[0]
    if not first.startswith("-- uses "):
        return source
    shared = [(LUA_DIR / f"{lib}.lua").read_text() for lib in first[len("-- uses "):].split()]
    return "\n".join([*shared, source])


@dataclass(frozen=True)
class Scripts:
    enqueue: AsyncScript
    take: AsyncScript
    requeue: AsyncScript
    transfer: AsyncScript
    end_chat: AsyncScript
    add_message: AsyncScript
    touch_session: AsyncScript
    totp_step: AsyncScript
    queue_place: AsyncScript
    service_load: AsyncScript

    @classmethod
    def load(cls, client: Redis) -> Scripts:
        def script(name: str) -> AsyncScript:
            return client.register_script(lua_source(name))

        return cls(**{name: script(name) for name in cls.__dataclass_fields__})
