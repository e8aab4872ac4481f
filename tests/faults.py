"""Tools for the fault tests: real `run.py serve` processes, a real Sentinel set-up from the
embedded binary, and a history checker for every acknowledged send.

Nothing here is mocked: processes are killed with SIGKILL, Redis is restarted, Sentinel fails
over for real. Every helper waits for a condition instead of sleeping a fixed time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from helpchat.config import load_settings
from helpchat.embedded_redis import REDIS_SERVER, free_port
from helpchat.store import Store
from helpchat.store.connection import connect
from tests.support import Client, add_account, connect_counselor, login, visitor

REPO = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-with-more-than-32-characters!"
_ids = itertools.count()
# For servers whose tests send faster than a person types (the checkers' message loops).
DEEP_BUCKETS = {"visitor_message_burst": 500, "counselor_message_burst": 500}


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `condition()` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _kill(process: subprocess.Popen[Any] | None) -> None:
    if process and process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)


def _stop(process: subprocess.Popen[Any] | None) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- server processes ----------------------------------------------------------------------------


class ServerProcess:
    """`python run.py serve` on a free port against a given Redis URL, as an operator runs it."""

    def __init__(self, redis_url: str, data_dir: Path, **settings: Any) -> None:
        self.redis_url = redis_url
        self.data_dir = data_dir
        self.settings = settings
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPCHAT_")}
        env.update(HELPCHAT_REDIS_URL=self.redis_url, HELPCHAT_SECRET_KEY=TEST_SECRET,
                   HELPCHAT_DATA_DIR=str(self.data_dir), HELPCHAT_DEMO_ENABLED="false")
        env.update({f"HELPCHAT_{k.upper()}": str(v) for k, v in self.settings.items()})
        return env

    def start(self, timeout: float = 20) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, text=True,
        )
        wait_until(self.healthy, timeout, f"server on port {self.port} to answer /healthz")
        health = self.health()
        assert health is not None
        self.process_id: str = health[1]["process"]
        return self

    def health(self) -> tuple[int, dict[str, Any]] | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (OSError, ValueError):
            return None

    def healthy(self) -> bool:
        answer = self.health()
        return answer is not None and answer[0] == 200

    def kill(self) -> None:
        """SIGKILL: no clean disconnect, no goodbye to Redis."""
        _kill(self.process)

    def pause(self) -> None:
        """SIGSTOP: a process that stalls (starved of CPU, paused) without dying."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        _stop(self.process)
        if hasattr(self, "_log"):
            self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if hasattr(self, "log_path") else ""


# --- Redis nodes and Sentinel --------------------------------------------------------------------


class RedisNode:
    """One redis-server (master, replica or sentinel) from the embedded binary on a free port."""

    @classmethod
    def fsynced(cls, data_dir: Path) -> RedisNode:
        """As the embedded Redis runs under durability = "strict": every write fsynced, so a
        chat outlives a kill -9."""
        return cls(data_dir, "--appendonly", "yes", "--appendfsync", "always")

    def __init__(self, data_dir: Path, *args: str, sentinel_conf: str | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.args = args
        self.sentinel_conf = sentinel_conf
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisNode:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        base = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
                "--daemonize", "no", "--save", "", "--loglevel", "warning",
                "--logfile", str(self.data_dir / "redis.log")]
        if self.sentinel_conf is not None:
            conf = self.data_dir / "sentinel.conf"
            conf.write_text(self.sentinel_conf)
            command = [str(REDIS_SERVER), str(conf), "--sentinel", *base]
        else:
            command = [str(REDIS_SERVER), *base, *self.args]
        self.process = subprocess.Popen(command)
        wait_until(self.ping, 10, f"redis node on port {self.port}")
        return self

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                           socket_timeout=2)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def role(self) -> str | None:
        try:
            with self.client() as client:
                return str(client.execute_command("ROLE")[0])
        except redis.RedisError:
            return None

    def kill(self) -> None:
        _kill(self.process)

    def stop(self) -> None:
        _stop(self.process)


@dataclass
class SentinelCluster:
    """One master, one replica and three sentinels, all local, quorum 2."""

    data_dir: Path
    service: str = "mymaster"
    nodes: list[RedisNode] = field(default_factory=list)
    sentinels: list[RedisNode] = field(default_factory=list)

    def start(self, *master_args: str) -> SentinelCluster:
        master = RedisNode(self.data_dir / "node-a", *master_args).start()
        replica = RedisNode(self.data_dir / "node-b", "--replicaof", "127.0.0.1",
                            str(master.port), *master_args).start()
        self.nodes = [master, replica]
        wait_until(lambda: self._replica_in_sync(master), 10, "the replica to sync")
        conf = (f"sentinel monitor {self.service} 127.0.0.1 {master.port} 2\n"
                f"sentinel down-after-milliseconds {self.service} 1000\n"
                f"sentinel failover-timeout {self.service} 4000\n"
                f"sentinel parallel-syncs {self.service} 1\n")
        self.sentinels = [RedisNode(self.data_dir / f"sentinel-{i}", sentinel_conf=conf).start()
                          for i in range(3)]
        wait_until(self._sentinels_see_replica, 15, "the sentinels to discover the replica")
        return self

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/0/{self.service}"

    def master(self) -> RedisNode:
        with self.sentinels[0].client() as client:
            _host, port = client.sentinel_get_master_addr_by_name(self.service)
        return next(node for node in self.nodes if node.port == int(port))

    def failover(self, *, until_demoted: bool = False, timeout: float = 20) -> RedisNode:
        """SENTINEL FAILOVER; returns once the sentinels name the promoted replica.

        Redis 6.2's sentinels reconfigure the old master only at their next INFO round (about
        10 s later): until then BOTH nodes answer as master, and whatever a client writes to
        the old one is thrown away when it is demoted. That window is what the fault tests
        exercise; `until_demoted` also waits for its end and for the new replica to sync."""
        old = self.master()
        with self.sentinels[0].client() as client:
            client.execute_command("SENTINEL", "FAILOVER", self.service)
        new: RedisNode = wait_until(lambda: (m := self.master()) is not old and m, timeout,
                                    "the sentinels to name a new master")
        wait_until(lambda: new.role() == "master", timeout, "the promoted replica to serve")
        if until_demoted:
            wait_until(lambda: old.role() == "slave", timeout, "the old master to be demoted")
            wait_until(lambda: self._replica_in_sync(new), timeout, "the new replica to sync")
        return new

    def _replica_in_sync(self, master: RedisNode) -> bool:
        try:
            with master.client() as client:
                info = client.info("replication")
        except redis.RedisError:
            return False
        slave = info.get("slave0")
        return isinstance(slave, dict) and slave.get("state") == "online"

    def _sentinels_see_replica(self) -> bool:
        try:
            for sentinel in self.sentinels:
                with sentinel.client() as client:
                    if not client.sentinel_slaves(self.service):
                        return False
            return True
        except redis.RedisError:
            return False

    def stop(self) -> None:
        for node in [*self.sentinels, *self.nodes]:
            node.stop()


# --- the history checker -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryReport:
    acked: int
    lost: int  # acknowledged, but missing from the final transcript
    duplicated: int  # one client_id stored more than once
    unexpected: int  # in the transcript, never sent by anyone

    @property
    def clean(self) -> bool:
        return self.lost == self.duplicated == self.unexpected == 0


@dataclass
class History:
    """Every send, its ack and the final transcript; the verdict for each acknowledged send."""

    sent: set[str] = field(default_factory=set)
    acked: dict[str, str] = field(default_factory=dict)  # client_id -> stored message id

    def send(self, client_id: str) -> None:
        self.sent.add(client_id)

    def ack(self, client_id: str, answer: dict[str, Any]) -> None:
        if answer.get("ok"):
            self.acked[client_id] = answer["message"]["id"]

    def check(self, transcript: list[dict[str, Any]]) -> HistoryReport:
        """`transcript`: every message of the conversations involved, as `sync` returns them."""
        seen = Counter(m["client_id"] for m in transcript if m.get("client_id"))
        lost = sum(1 for client_id in self.acked if seen[client_id] == 0)
        duplicated = sum(1 for count in seen.values() if count > 1)
        unexpected = sum(1 for client_id in seen if client_id not in self.sent)
        return HistoryReport(len(self.acked), lost, duplicated, unexpected)



# --- async helpers shared by the fault and connection tests ------------------------------


async def account(redis_url: str, name: str) -> None:
    """An account written straight into Redis (a plain or a Sentinel URL), as the servers read
    it."""
    client = connect(redis_url)
    settings = load_settings(environ={}, redis_url=redis_url,
                             secret_key=TEST_SECRET)
    await add_account(Store.create(client, settings), name)
    await client.aclose()


async def chat_on(url: str, redis_url: str, name: str = "anna") -> tuple[Client, Client, str]:
    """An account, its console on duty and a youth in a chat with it, on the server at `url`:
    (console, youth, conversation id)."""
    await account(redis_url, name)
    console = await connect_counselor(url, await login(url, name))
    await console.wait_for("duty")
    assert (await console.call("set_duty", {"on": True}))["ok"]
    youth, _ = await visitor(url)
    cid = (await youth.call("request_chat", {}))["conversation_id"]
    assert (await console.call("take", {"conversation_id": cid}))["ok"]
    return console, youth, cid


async def resend_until_acked(client: Client, history: History, data: dict[str, Any],
                             deadline_s: float = 30) -> None:
    """One message as the widget and console send it across a failover: refused with a retry
    hint (`rate_limited`, `internal`) or unanswered, it is sent again with the same client_id."""
    client_id = f"m{next(_ids)}"
    history.send(client_id)
    body = {**data, "client_id": client_id, "text": f"tekst {client_id}"}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while loop.time() < deadline:
        try:
            answer = await client.call("message", body)
        except TimeoutError:
            continue
        if answer["ok"]:
            history.ack(client_id, answer)
            return
        assert answer["error"]["code"] in ("rate_limited", "internal"), answer
        await asyncio.sleep(answer["error"].get("retry_after_ms", 500) / 1000)
    raise AssertionError(f"{client_id} never acknowledged")


async def whole_transcript(client: Client, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every message, page by page from the newest (`sync` pages long transcripts)."""
    page = await client.call("sync", data)
    messages = page["messages"]
    while page["more"]:
        page = await client.call("sync", {**data, "before": messages[0]["id"]})
        messages = page["messages"] + messages
    return list(messages)


async def keep_talking(client: Client, history: History, data: dict[str, Any],
                       stop: asyncio.Event, waits: list[float] | None = None) -> None:
    """Messages one after another until `stop`; each wait until acked goes into `waits`."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await resend_until_acked(client, history, data)
        if waits is not None:
            waits.append(loop.time() - started)
        await asyncio.sleep(0.02)


def acked_at_least(history: History, count: int) -> Callable[[], Any]:
    async def enough() -> bool:
        return len(history.acked) >= count
    return enough
