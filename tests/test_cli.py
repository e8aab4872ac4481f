"""`python run.py ...` as a user runs it: real subprocesses against a real embedded Redis."""

from __future__ import annotations

import errno
import gc
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from argon2 import PasswordHasher

from helpchat.cli import GC_THRESHOLDS, _LogWriter, settle_the_heap
from helpchat.embedded_redis import free_port
from helpchat.store import keys

REPO = Path(__file__).resolve().parent.parent
GOOD_PASSWORD = "correct horse battery staple"


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any HELPCHAT_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPCHAT_")}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str], stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=REPO, env=env, input=stdin,
        capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture
def cli_env(redis_url: str, tmp_path: Path) -> dict[str, str]:
    # A private data dir: nothing a test does lands in the checkout's var/.
    return clean_env(HELPCHAT_REDIS_URL=redis_url, HELPCHAT_DATA_DIR=str(tmp_path))


def create_user(env: dict[str, str], name: str, *extra: str, role: str = "counselor",
                password: str = GOOD_PASSWORD) -> subprocess.CompletedProcess[str]:
    return run_cli("create-user", name, "--role", role, *extra, "--password-stdin",
                   env=env, stdin=password + "\n")


# --- create-user -------------------------------------------------------------------------------


def test_create_user_stores_an_argon2_hash_and_never_prints_the_password(
    cli_env: dict[str, str], redis_url: str
) -> None:
    result = create_user(cli_env, "Anna.B", "--max-chats", "3", role="admin")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created admin Anna.B"
    assert GOOD_PASSWORD not in result.stdout + result.stderr
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    counselor_id = client.hget(keys.COUNSELORS, "anna.b")
    assert isinstance(counselor_id, str)
    account = client.hgetall(keys.counselor(counselor_id))
    assert account["name"] == "Anna.B"
    assert account["roles"] == "admin"
    assert account["max_chats"] == "3"
    # Only the trailing newline is stripped: the stored hash verifies the exact password.
    assert account["pw"].startswith("$argon2id$")
    assert PasswordHasher().verify(account["pw"], GOOD_PASSWORD)
    client.close()


def test_create_user_refuses_an_existing_name_in_any_case(cli_env: dict[str, str]) -> None:
    assert create_user(cli_env, "bert").returncode == 0

    again = create_user(cli_env, "BERT")

    assert again.returncode == 2
    assert "a user named BERT already exists" in again.stderr


def test_create_user_refuses_a_short_password_with_the_reason(cli_env: dict[str, str]) -> None:
    result = create_user(cli_env, "carla", password="short")

    assert result.returncode == 2
    assert result.stderr == "helpchat: password must be at least 10 characters\n"


def test_create_user_refuses_a_common_password(cli_env: dict[str, str]) -> None:
    result = create_user(cli_env, "daan", password="wachtwoord123")

    assert result.returncode == 2
    assert "too common" in result.stderr
    assert "wachtwoord123" not in result.stderr


def test_create_user_sets_a_display_name_and_refuses_the_login_name_as_one(
        cli_env: dict[str, str]) -> None:
    refused = create_user(cli_env, "gijs", "--display-name", "Gijs")
    assert refused.returncode == 2 and "differ from the login name" in refused.stderr
    made = create_user(cli_env, "gijs", "--display-name", "Gijs (vrijwilliger)")
    assert made.returncode == 0, made.stderr


def test_create_user_refuses_a_guessable_password_by_the_shared_rule(
        cli_env: dict[str, str]) -> None:
    result = create_user(cli_env, "eva", password="Wachtwoord1!")
    assert result.returncode == 2 and "too common" in result.stderr
    result = create_user(cli_env, "femke.dekker", password="femke.dekker1")
    assert result.returncode == 2 and "too easy to guess" in result.stderr


def test_create_user_refuses_an_unknown_role(cli_env: dict[str, str]) -> None:
    result = create_user(cli_env, "eva", role="root")

    assert result.returncode == 2
    assert "invalid choice: 'root'" in result.stderr


def test_create_user_needs_password_stdin(cli_env: dict[str, str]) -> None:
    result = run_cli("create-user", "fleur", "--role", "counselor", env=cli_env, stdin="")

    assert result.returncode == 2
    assert "--password-stdin" in result.stderr


@pytest.mark.parametrize("name", ["x", "a" * 41, "has space", "émile", "a/b"])
def test_create_user_refuses_a_malformed_name(cli_env: dict[str, str], name: str) -> None:
    result = create_user(cli_env, name)

    assert result.returncode == 2
    assert "invalid name" in result.stderr


@pytest.mark.parametrize("max_chats", ["0", "4"])
def test_create_user_refuses_max_chats_outside_the_limit(
    cli_env: dict[str, str], max_chats: str
) -> None:
    result = create_user(cli_env, "gijs", "--max-chats", max_chats)

    assert result.returncode == 2
    assert "--max-chats must be between 1 and 3" in result.stderr


def test_create_user_starts_the_embedded_redis_only_for_itself(tmp_path: Path) -> None:
    env = clean_env(HELPCHAT_DATA_DIR=str(tmp_path))

    result = create_user(env, "jan", role="counselor")

    assert result.returncode == 0, result.stderr
    # Started for this one command, stopped after it, the account kept on disk for `serve`.
    assert redis_servers_using(tmp_path / "redis") == []
    assert "jan" in (tmp_path / "redis" / "appendonly.aof").read_text(errors="replace")


# --- invalid settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("HELPCHAT_PORT", "abc", "port"),
        ("HELPCHAT_QUEUE_CAP", "0", "queue_cap"),
        ("HELPCHAT_WIDGET_ORIGINS", "example.org", "widget_origins"),
    ],
)
@pytest.mark.parametrize("command", [[], ["serve"], ["create-user", "hans", "--role", "admin",
                                                     "--password-stdin"]])
def test_an_invalid_setting_stops_with_one_line_naming_it(
    tmp_path: Path, variable: str, value: str, setting: str, command: list[str]
) -> None:
    env = clean_env(HELPCHAT_DATA_DIR=str(tmp_path), **{variable: value})

    result = run_cli(*command, env=env, stdin=GOOD_PASSWORD)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"helpchat: invalid setting: {setting}:")


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = clean_env(HELPCHAT_DATA_DIR=str(tmp_path), HELPCHAT_ENVIRONMENT="production")

    result = run_cli("serve", env=env)

    assert result.returncode == 2
    assert result.stderr.startswith("helpchat: invalid setting: secret_key:")
    assert not (tmp_path / "secret_key").exists()


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("serv", env=clean_env(HELPCHAT_DATA_DIR=str(tmp_path)))

    assert result.returncode == 2
    assert "invalid choice: 'serv'" in result.stderr


# --- serve with the embedded Redis -------------------------------------------------------------


def redis_servers_using(data_dir: Path) -> list[int]:
    """Pids of live redis-server processes working in data_dir.

    redis-server rewrites its command line and chdirs into its --dir, so the working directory
    identifies it. A zombie has no working directory, so it does not count as running.
    """
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "redis-server":
                continue
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue  # ended while we looked, or a zombie
        if cwd == data_dir.resolve():
            found.append(int(proc.name))
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def healthz(port: int) -> dict[str, str] | None:
    """status and redis of /healthz (memory is checked where it matters)."""
    body = health_body(port)
    return None if body is None else {"status": body["status"], "redis": body["redis"]}


def health_body(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return dict(json.load(answer)) if answer.status == 200 else None
    except (OSError, urllib.error.URLError, ValueError):
        return None


def spawn_server(data_dir: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = clean_env(HELPCHAT_DATA_DIR=str(data_dir), HELPCHAT_PORT=str(port))
    return subprocess.Popen(
        [sys.executable, "run.py", *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    """`python run.py` (no command: serve) with the embedded Redis, answering /healthz."""
    port = free_port()
    process = spawn_server(tmp_path, port)
    try:
        wait_for(lambda: healthz(port) is not None or process.poll() is not None, 60,
                 "/healthz to answer")
        assert process.poll() is None, process.communicate()[0]
        yield process, port, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def test_serve_uses_the_embedded_redis_and_stops_it_on_ctrl_c(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    process, port, data_dir = served
    assert healthz(port) == {"status": "ok", "redis": "ok"}
    body = health_body(port)
    assert body is not None  # the embedded Redis runs with its memory ceiling
    assert body["memory"]["max_bytes"] == 512 * 1024 * 1024
    assert redis_servers_using(data_dir / "redis")

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=10)

    assert process.returncode == 0, output
    for path in ("/healthz", "/login", "/admin/", "/demo"):
        assert f"http://127.0.0.1:{port}{path}" in output
    # Log lines are written by a thread of their own, each formatted once.
    access = [line for line in output.splitlines() if "GET /healthz" in line]
    assert access and all(" INFO aiohttp.access: " in line and "INFO:" not in line
                          for line in access), access
    assert redis_servers_using(data_dir / "redis") == []
    assert (data_dir / "redis" / "appendonly.aof").exists()
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = spawn_server(tmp_path, port, "serve", "--port", str(port))
    try:
        wait_for(lambda: healthz(port) is not None or process.poll() is not None, 60,
                 "/healthz to answer")
        assert redis_servers_using(tmp_path / "redis")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, output
    assert redis_servers_using(tmp_path / "redis") == []


def test_embedded_redis_dies_with_a_killed_server(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    process, _port, data_dir = served
    assert redis_servers_using(data_dir / "redis")

    process.kill()
    process.wait(timeout=10)

    wait_for(lambda: not redis_servers_using(data_dir / "redis"), 10,
             "the orphaned redis-server to exit")


def test_create_user_reuses_the_redis_of_a_running_server(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    _process, port, data_dir = served
    env = clean_env(HELPCHAT_DATA_DIR=str(data_dir))

    result = create_user(env, "ineke", role="supervisor")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created supervisor ineke"
    # Still exactly the server's own redis-server, still answering.
    assert len(redis_servers_using(data_dir / "redis")) == 1
    assert healthz(port) == {"status": "ok", "redis": "ok"}


def test_restart_racing_the_previous_shutdown_gets_its_own_working_redis(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    old, _port, data_dir = served
    old.send_signal(signal.SIGINT)
    port = free_port()
    new = spawn_server(data_dir, port)  # started while the old one is still shutting down
    try:
        wait_for(lambda: healthz(port) is not None or new.poll() is not None, 60,
                 "the new server to answer")
        old.communicate(timeout=10)
        assert healthz(port) == {"status": "ok", "redis": "ok"}  # its Redis outlived the old
        assert len(redis_servers_using(data_dir / "redis")) == 1
    finally:
        new.send_signal(signal.SIGINT)
        new.communicate(timeout=10)


# --- reset-two-factor --------------------------------------------------------------------------


def test_reset_two_factor_turns_it_off_and_is_audited(
    cli_env: dict[str, str], redis_url: str
) -> None:
    assert create_user(cli_env, "root", role="admin").returncode == 0
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    counselor_id = str(client.hget(keys.COUNSELORS, "root"))
    client.set(keys.totp(counselor_id), "v1.sealed")
    client.sadd(keys.recovery_codes(counselor_id), "digest")

    result = run_cli("reset-two-factor", "ROOT", env=cli_env)

    assert result.returncode == 0, result.stderr
    assert "is off" in result.stdout
    assert not client.exists(keys.totp(counselor_id), keys.recovery_codes(counselor_id))
    entry = json.loads(str(client.lindex(keys.AUDIT, 0)))
    assert (entry["action"], entry["target"], entry["actor_name"]) == (
        "counselor.two_factor_reset", "root", "command line")
    again = run_cli("reset-two-factor", "root", env=cli_env)
    assert again.returncode == 0 and "was not on" in again.stdout
    unknown = run_cli("reset-two-factor", "nobody", env=cli_env)
    assert unknown.returncode == 2 and "no user named nobody" in unknown.stderr
    client.close()


def test_settling_the_heap_freezes_what_the_start_built_out_of_the_collectors_walk() -> None:
    before = gc.get_freeze_count()
    built_at_start = [{"a": [1]} for _ in range(1000)]
    thresholds = gc.get_threshold()
    try:
        settle_the_heap()
        assert gc.get_freeze_count() >= before + len(built_at_start)
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_log_lines_are_written_by_the_writer_thread_in_order_and_all_before_stop_returns(
) -> None:
    written: list[tuple[str, str]] = []

    class Target(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append((threading.current_thread().name, record.getMessage()))

    writer = _LogWriter(Target())
    logger = logging.getLogger("tests.log_writer")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(writer)
    writer.start()
    try:
        for i in range(500):
            logger.info("line %d", i)
    finally:
        writer.stop()
        logger.removeHandler(writer)
    assert [message for _, message in written] == [f"line {i}" for i in range(500)]
    assert {thread for thread, _ in written} == {"log-writer"}


def test_a_burst_of_connections_waits_in_the_listen_queue_instead_of_being_dropped(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    # 600 visitors' connections while the server cannot accept any (stopped): the kernel
    # completes each handshake into the listen queue. With aiohttp's default backlog (128)
    # only 129 got in; the SYNs of the rest were dropped and retried a second later, which
    # made a campaign burst of 1,000 visitors wait 1.4 s (README, speed).
    process, port, _data_dir = served
    burst = 600
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(burst)]
    process.send_signal(signal.SIGSTOP)
    try:
        for sock in sockets:
            sock.setblocking(False)
            assert sock.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS)
        # Well within the first SYN retry (1 s): what is not connected by then was dropped.
        deadline, pending = time.monotonic() + 0.8, set(sockets)
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.05)
            pending -= set(writable)
        connected = [s for s in sockets if s not in pending
                     and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    finally:
        process.send_signal(signal.SIGCONT)
        for sock in sockets:
            sock.close()
    assert len(connected) == burst
    assert healthz(port) == {"status": "ok", "redis": "ok"}
