"""The processes of a load run and what the harness reads from them: servers (helpchat's
`run.py serve`, the bare baselines), the embedded redis-server, the Node load generator, CPU
pinning, CPU time and RSS from /proc, and Redis connections per process from CLIENT LIST."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis

from tests.faults import REPO, ServerProcess, wait_until

BENCH = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpus(env: str, default: set[int]) -> set[int] | None:
    """The CPUs to pin to: from the environment ("0,1"), else the default on a machine with 2
    or more; None (no pinning) on one CPU."""
    if os.environ.get(env):
        return {int(c) for c in os.environ[env].split(",")}
    available = os.sched_getaffinity(0)
    return default if default <= available and len(available) >= 2 else None


SERVER_CPUS = cpus("HELPCHAT_BENCH_SERVER_CPUS", {0})
CLIENT_CPUS = cpus("HELPCHAT_BENCH_CLIENT_CPUS", {1})


def pin(pid: int, to: set[int] | None) -> None:
    """Every thread of pid onto `to` (threads started later inherit it), like `taskset -a -p`."""
    if to is None:
        return
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(tid), to)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (all threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def loadavg() -> list[float]:
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


class HelpchatServer(ServerProcess):
    """`run.py serve` as tests/faults.py starts it, pinned to the server CPUs."""

    label = "helpchat"

    def start(self, timeout: float = 30) -> HelpchatServer:
        super().start(timeout)
        assert self.process is not None
        pin(self.process.pid, SERVER_CPUS)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class BareServer(HelpchatServer):
    """tests/bench/bare.py (`relay` or `ws`) as a process of its own, pinned the same way."""

    def __init__(self, kind: str, data_dir: Path, redis_url: str | None = None) -> None:
        super().__init__(redis_url or "", data_dir)
        self.kind = kind
        self.label = f"bare {kind}" + (" + AsyncRedisManager" if redis_url else "")

    def start(self, timeout: float = 30) -> BareServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"bare-{self.port}.log"
        self._log = self.log_path.open("a")
        command = [sys.executable, str(BENCH / "bare.py"), self.kind, "--port", str(self.port)]
        if self.redis_url:
            command += ["--redis", self.redis_url]
        self.process = subprocess.Popen(command, cwd=REPO, stdout=self._log,
                                        stderr=subprocess.STDOUT, text=True)
        wait_until(self.healthy, timeout, f"{self.label} on port {self.port}")
        pin(self.process.pid, SERVER_CPUS)
        return self


class LoadGen:
    """tests/bench/loadgen.mjs: one JSON command a line in, one JSON answer a line out."""

    def __init__(self, log_path: Path) -> None:
        self._log = log_path.open("a")
        self.process = subprocess.Popen(
            ["node", str(BENCH / "loadgen.mjs")], cwd=REPO, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1,
        )
        pin(self.process.pid, CLIENT_CPUS)

    def __call__(self, cmd: str, timeout: float = 600, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.process.kill()
            raise RuntimeError(f"load generator: no answer to {cmd} in {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"load generator exited during {cmd} (see {self._log.name})")
        answer: dict[str, Any] = json.loads(line)
        if answer.get("event") == "error":
            raise RuntimeError(f"load generator: {cmd}: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(RuntimeError, OSError, ValueError):
                self("close")
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _socket_ports(pid: int) -> set[int]:
    """Local TCP ports of pid's sockets (socket inodes from /proc/pid/fd, in /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                parts = row.split()
                if parts[9] in inodes:
                    ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


class RedisConnections:
    """Samples CLIENT LIST twice a second in a thread; the most connections seen per process
    (matched by the client's local port to the process's sockets) and in all."""

    def __init__(self, redis_url: str, pids: dict[str, int]) -> None:
        self.client = redis.Redis.from_url(redis_url, decode_responses=True)
        self.own_id = str(self.client.client_id())
        self.pids = pids
        self.most: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> Counter[str]:
        ports = {label: _socket_ports(pid) for label, pid in self.pids.items()}
        seen: Counter[str] = Counter()
        for entry in self.client.client_list():
            port = int(str(entry["addr"]).rsplit(":", 1)[1])
            owner = next((label for label, owned in ports.items() if port in owned), None)
            if owner is not None:
                seen[owner] += 1
            if str(entry["id"]) != self.own_id:
                seen["all"] += 1
        return seen

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                for label, n in self.sample().items():
                    self.most[label] = max(self.most[label], n)
            except (redis.RedisError, OSError):
                continue

    def __enter__(self) -> RedisConnections:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.client.close()


def wait_steady(read: Any, timeout: float, quiet: float = 2.0) -> Any:
    """Poll read() until its value has not changed for `quiet` seconds (or timeout); the value."""
    value, since = read(), time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        new = read()
        if new != value:
            value, since = new, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return value
