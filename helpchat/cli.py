"""Command line: `python run.py [serve|create-user|reset-two-factor] ...`.

Exit codes: 0 done, 1 a runtime failure (Redis unreachable), 2 a usage or validation error.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import fcntl
import gc
import getpass
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from helpchat.config import ConfigError, Settings, ensure_secret_key, load_settings
from helpchat.embedded_redis import EmbeddedRedis

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
ROLES = ("counselor", "supervisor", "admin")
NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{2,40}")
DISPLAY_NAME_PROBLEMS = {
    "empty": "must not be empty",
    "invalid": "use at most 40 letters, spaces, brackets, dots, hyphens or apostrophes",
    "login_name": "must differ from the login name (visitors see it)",
}
SHUTDOWN_TIMEOUT_S = 5.0
# Connections the kernel may hold for `serve` before it accepts them (capped by
# net.core.somaxconn). aiohttp's 128 overflowed when a campaign link sent 1,000 visitors at
# once: the SYNs beyond it were dropped and retried a second later (netstat -s: "listen queue
# of a socket overflowed"), which made the burst's p99 1.4 s and its rate about 600/s.
LISTEN_BACKLOG = 4096
# How long `serve` waits for a previous instance's embedded Redis to stop (restart races).
EMBEDDED_WAIT_S = 15.0
# How often the log writer thread writes what was collected (_LogWriter).
WRITE_EVERY_S = 0.1

log = logging.getLogger("helpchat.cli")


class UsageError(Exception):
    """Refused input; the message is shown as one line and the exit code is 2."""


class StartupError(Exception):
    """Something the command needs could not be started; one line, exit code 1."""


# --- argument parsing --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="helpchat: anonymous help chat server."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE",
                        help="a TOML file read after config/default.toml")

    serve = commands.add_parser("serve", parents=[common], help="run the server (the default)")
    serve.add_argument("--host", help="address to listen on (default: setting host)")
    serve.add_argument("--port", type=int, help="TCP port (default: setting port)")

    create = commands.add_parser("create-user", parents=[common], help="add a counselor account")
    create.add_argument("name", help="login name: 2-40 of A-Z a-z 0-9 . _ -")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--max-chats", type=int, metavar="N",
                        help="concurrent chats (default: setting default_max_chats)")
    create.add_argument("--display-name", metavar="NAME", default="",
                        help="the name visitors see, e.g. 'Sanne (vrijwilliger)' (default: "
                             "none yet; the admin pages ask for one)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (required)")

    reset = commands.add_parser(
        "reset-two-factor", parents=[common],
        help="turn off an account's two-factor login (lost phone and recovery codes)")
    reset.add_argument("name", help="login name")
    return parser


def _with_default_command(argv: Sequence[str]) -> list[str]:
    # `python run.py` and `python run.py --port 9000` mean `serve`; a misspelt command name is
    # left alone so that argparse reports it instead of serve refusing an unknown argument.
    args = list(argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
        return ["serve", *args]
    return args


# --- settings and Redis ------------------------------------------------------------------------


def _load(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        name: value
        for name in ("host", "port")
        if (value := getattr(args, name, None)) is not None
    }
    return load_settings(args.config, **overrides)


def _redis_answers(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(1.0)
            conn.connect(str(socket_path))
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def _start_lock(directory: Path) -> Iterator[None]:
    # Two commands starting at once (two `serve`s, or `create-user` racing `serve`) must not
    # both start a redis-server on the same append-only file: the check-and-start is serialized.
    # 0700: the append-only file holds chat content while a transcript is retained.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / "start.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def redis_for(settings: Settings, *, share: bool) -> Iterator[tuple[str, str]]:
    """(url, description): the configured Redis, or the embedded one.

    `share` (create-user): an embedded redis-server already answering on the socket is used and
    left running. Without it (serve) this process must own its Redis, because the redis-server
    dies with the process that started it: a running one is given EMBEDDED_WAIT_S to go away
    (a restart racing the previous instance's shutdown), then refused.
    """
    if settings.redis_url:
        yield settings.redis_url, "configured by redis_url"
        return
    embedded = EmbeddedRedis(settings.data_dir / "redis", maxmemory_mb=settings.redis_maxmemory_mb,
                             pubsub_buffer_mb=settings.redis_pubsub_buffer_mb,
                             durability=settings.durability)
    deadline = time.monotonic() + (0 if share else EMBEDDED_WAIT_S)
    while True:
        with _start_lock(embedded.data_dir):
            reuse = _redis_answers(embedded.socket_path)
            if not reuse:
                try:
                    embedded.start()
                except RuntimeError as exc:  # its message quotes the tail of redis.log
                    raise StartupError(f"cannot start the embedded redis-server: {exc}") from exc
                break
            if share:
                break
        if time.monotonic() > deadline:
            raise StartupError(
                f"another helpchat is already running with the embedded Redis in "
                f"{embedded.data_dir}; stop it first, or set HELPCHAT_REDIS_URL to share a Redis"
            )
        time.sleep(0.2)
    where = f"embedded, data in {embedded.data_dir}"
    try:
        yield embedded.url, f"{where} (shared with a running helpchat)" if reuse else where
    finally:
        if not reuse:
            embedded.stop()


# --- serve -------------------------------------------------------------------------------------


class _LogWriter(logging.Handler):
    """Records are collected here and written to `target` by a thread of its own, every
    WRITE_EVERY_S. Written on the event loop, each line cost it about 150 us, and a slow
    reader of the pipe behind stderr (journald, a container runtime) would stall every chat.
    Handed to a thread one by one (QueueListener), each record woke that thread, which took
    the GIL from the loop to write it: logging was 6.5 % of the loop's busy time at 50
    arrivals/s, most of it the hand-over (py-spy; 2.4 % since). Collected, the thread wakes
    ten times a second whatever the traffic."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__()
        self._target = target
        self._records: collections.deque[logging.LogRecord] = collections.deque()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)

    def emit(self, record: logging.LogRecord) -> None:
        self._records.append(record)  # atomic: no lock, and nobody is woken

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """What was collected is written before this returns."""
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(WRITE_EVERY_S):
            self._write()
        self._write()

    def _write(self) -> None:
        while self._records:
            self._target.handle(self._records.popleft())


@contextlib.contextmanager
def _logging_to_stderr(settings: Settings) -> Iterator[None]:
    """Log lines go to stderr from the writer's thread (`_LogWriter`), formatted there once."""
    stderr = logging.StreamHandler()
    stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    writer = _LogWriter(stderr)
    logging.basicConfig(level=settings.log_level.upper(), handlers=[writer])
    writer.start()
    try:
        yield
    finally:
        writer.stop()


def _banner(settings: Settings, redis_where: str, setup_link: str | None = None) -> str:
    base = settings.base_url
    lines = [
        f"helpchat is running on {base} ({settings.environment})",
        f"  health          {base}/healthz",
        f"  console login   {base}/login",
        f"  admin           {base}/admin/",
    ]
    if settings.demo_enabled:
        lines.append(f"  demo page       {base}/demo")
    lines.append(f"  redis           {redis_where}")
    if setup_link:
        lines += ["", "No admin account exists yet. Create the first one with this one-time link",
                  "(valid 48 hours; a new one is printed at every start until an admin exists):",
                  f"  {setup_link}", ""]
    lines.append("(Press CTRL+C to quit)")
    return "\n".join(lines)


def _first_admin_link(settings: Settings) -> str | None:
    """The one-time setup link while no admin exists (see helpchat.web.setup)."""
    from redis.exceptions import RedisError

    from helpchat.web.setup import first_run_setup_link

    try:
        return first_run_setup_link(settings)
    except (RedisError, OSError):
        return None  # the server still starts; /healthz reports Redis as down


def _event_loop(settings: Settings) -> asyncio.AbstractEventLoop:
    if settings.event_loop == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


# Allocations between two young-generation collections (Python's default: 700), and how many
# of each generation's collections before the next older one is collected (default: 10, 10).
GC_THRESHOLDS = (20_000, 20, 20)


def settle_the_heap() -> None:
    """What the process built to start (modules, the app, the password word lists) lives as
    long as it does: frozen out of the collector's sight, a full collection no longer walks
    it. Under the pairing load (harness, 50 arrivals/s) a full collection walked about 125,000
    objects, 95,000 of them from the start, and stopped the loop for 128 ms, which every
    youth and counselor waiting at that moment felt (p99 218 ms; 75 ms frozen).

    Young objects are collected less often (GC_THRESHOLDS): in a burst of connections most
    of what is allocated lives on (each socket's state), so each collection walked it again
    for nothing. 1,000 visitors connecting at once (measured in the server): 401 ms of
    collection, the longest 122 ms, with the default thresholds; 188 ms, the longest 63 ms,
    with these. Under the pairing load, 200 arrivals: 119 -> 57 ms, the longest 8 -> 21 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def serve(settings: Settings) -> int:
    # Imported here so `create-user` and `--help` do not need the whole web stack.
    from aiohttp import web

    from helpchat.app import create_app
    from helpchat.web.access_log import RedactingAccessLogger

    if not settings.production:
        settings = ensure_secret_key(settings)
    with _logging_to_stderr(settings), redis_for(settings, share=False) as (url, where):
        app = create_app(dataclasses.replace(settings, redis_url=url))
        setup_link = _first_admin_link(dataclasses.replace(settings, redis_url=url))
        settle_the_heap()
        # run_app calls `print` once every site is listening, so the URLs appear only when they
        # work. handle_signals turns SIGINT and SIGTERM into a clean shutdown, after which the
        # `with` block stops the embedded Redis.
        web.run_app(
            app,
            loop=_event_loop(settings),
            host=settings.host,
            port=settings.port,
            backlog=LISTEN_BACKLOG,
            access_log_class=RedactingAccessLogger,
            handle_signals=True,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
            print=lambda _default: print(_banner(settings, where, setup_link), flush=True),
        )
    return EXIT_OK


# --- create-user -------------------------------------------------------------------------------


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")  # typed by hand: do not echo it
    password = sys.stdin.read()
    # Only the newline that `echo` or a heredoc adds; spaces may be part of the password.
    if password.endswith("\n"):
        password = password[:-1]
        if password.endswith("\r"):
            password = password[:-1]
    return password


def _check_user_args(args: argparse.Namespace, settings: Settings) -> int:
    """The validated max-chats; raises UsageError for anything refused."""
    if not args.password_stdin:
        raise UsageError("create-user needs --password-stdin: the password is read from "
                         "standard input, never from the command line")
    if not NAME_PATTERN.fullmatch(args.name):
        raise UsageError(f"invalid name {args.name!r}: use 2 to 40 characters of "
                         "A-Z a-z 0-9 . _ -")
    max_chats: int = settings.default_max_chats if args.max_chats is None else args.max_chats
    if not 1 <= max_chats <= settings.max_chats_limit:
        raise UsageError(f"--max-chats must be between 1 and {settings.max_chats_limit}")
    if args.display_name:
        from helpchat import display_names

        problem = display_names.problem(args.display_name, args.name)
        if problem:
            raise UsageError(f"--display-name: {DISPLAY_NAME_PROBLEMS[problem]}")
    return max_chats


async def _create_counselor(url: str, settings: Settings, *, name: str, role: str,
                            max_chats: int, password: str, display_name: str) -> bool:
    from helpchat.identity import new_id
    from helpchat.passwords import hash_password
    from helpchat.store import Store
    from helpchat.store.connection import connect

    client = connect(url)
    try:
        store = Store.create(client, settings)
        return await store.counselors.create(
            new_id(), name=name, roles=(role,), max_chats=max_chats,
            password_hash=await hash_password(password), now_ms=int(time.time() * 1000),
            display_name=display_name,
        )
    finally:
        await client.aclose()


def create_user(args: argparse.Namespace, settings: Settings) -> int:
    from redis.exceptions import RedisError

    from helpchat.password_policy import CLI_MESSAGES, check

    max_chats = _check_user_args(args, settings)
    password = _read_password()
    verdict = check(password, user_inputs=[args.name])
    if verdict.problem:
        raise UsageError(CLI_MESSAGES[verdict.problem])
    with redis_for(settings, share=True) as (url, _where):
        try:
            created = asyncio.run(_create_counselor(
                url, settings, name=args.name, role=args.role, max_chats=max_chats,
                password=password, display_name=" ".join(args.display_name.split()),
            ))
        except (RedisError, OSError) as exc:
            # The URL is not shown: it may carry a Redis password.
            print(f"helpchat: cannot reach Redis: {type(exc).__name__}", file=sys.stderr)
            return EXIT_FAILURE
    if not created:
        raise UsageError(f"a user named {args.name} already exists")
    print(f"created {args.role} {args.name}")
    return EXIT_OK


# --- reset-two-factor ----------------------------------------------------------------------------


async def _reset_two_factor(url: str, settings: Settings, name: str) -> str | None:
    """"reset", "off" (it was not on), or None when there is no such account."""
    from helpchat.store import Store
    from helpchat.store.audit import AuditEntry
    from helpchat.store.connection import connect

    client = connect(url)
    try:
        store = Store.create(client, settings)
        counselor = await store.counselors.by_name(name)
        if counselor is None:
            return None
        if not await store.two_factor.remove(counselor.id):
            return "off"
        await store.audit.record(AuditEntry(
            ts_ms=int(time.time() * 1000), actor_id="", actor_name="command line",
            action="counselor.two_factor_reset", target=counselor.name))
        return "reset"
    finally:
        await client.aclose()


def reset_two_factor(args: argparse.Namespace, settings: Settings) -> int:
    from redis.exceptions import RedisError

    with redis_for(settings, share=True) as (url, _where):
        try:
            outcome = asyncio.run(_reset_two_factor(url, settings, args.name))
        except (RedisError, OSError) as exc:
            print(f"helpchat: cannot reach Redis: {type(exc).__name__}", file=sys.stderr)
            return EXIT_FAILURE
    if outcome is None:
        raise UsageError(f"no user named {args.name}")
    print(f"two-factor login of {args.name} was not on" if outcome == "off"
          else f"two-factor login of {args.name} is off; it logs in with the password alone")
    return EXIT_OK


# --- entry point -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    try:
        settings = _load(args)
    except ConfigError as exc:
        print(f"helpchat: invalid setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "create-user":
            return create_user(args, settings)
        if args.command == "reset-two-factor":
            return reset_two_factor(args, settings)
        return serve(settings)
    except UsageError as exc:
        print(f"helpchat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StartupError as exc:
        print(f"helpchat: {exc}", file=sys.stderr)
        return EXIT_FAILURE
