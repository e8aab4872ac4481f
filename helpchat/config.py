"""Settings: config/default.toml, then an optional config file, then HELPCHAT_* variables."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"
ENV_PREFIX = "HELPCHAT_"


class ConfigError(ValueError):
    """A setting has an invalid value; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    durability: str = "strict"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    redis_url: str = ""
    data_dir: Path = Path("var")
    secret_key: str = ""
    transcript_retention_hours: float = 0
    widget_origins: tuple[str, ...] = ()
    max_message_chars: int = 2000
    max_conversation_messages: int = 1000
    max_conversation_bytes: int = 1_000_000
    visitor_message_burst: int = 10
    visitor_messages_per_minute: int = 30
    counselor_message_burst: int = 10
    counselor_messages_per_minute: int = 40
    typing_burst: int = 3
    typing_per_minute: int = 60
    history_page_messages: int = 100
    history_page_bytes: int = 256_000
    visitor_idle_session_seconds: int = 600
    redis_maxmemory_mb: int = 512
    redis_pubsub_buffer_mb: int = 64
    websocket_compression: bool = False
    arrival_busy_percent: int = 50
    arrival_max_wait_seconds: int = 5
    event_loop: str = "uvloop"
    block_hours: float = 0
    block_ends_at: str = "06:00"
    visitor_grace_seconds: int = 120
    counselor_grace_seconds: int = 60
    process_timeout_seconds: int = 5
    queue_cap: int = 25
    # proof of work for joining the queue under abnormal demand (helpchat/proof.py)
    proof_joins_per_minute: int = 20
    proof_min_number: int = 125
    proof_max_number: int = 800
    proof_cost: int = 1000
    proof_challenge_seconds: int = 120
    proof_admissions_per_minute: int = 20
    proof_urgent_per_minute: int = 3
    default_max_chats: int = 2
    max_chats_limit: int = 3
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_backoff_max_seconds: int = 300
    admin_two_factor_required: bool = True
    demo_enabled: bool = True
    contacts_file: Path = Path("config/emergency_contacts.toml")
    canned_responses_file: Path = Path("config/canned_responses.toml")
    topics: tuple[str, ...] = ()
    topics_en: tuple[str, ...] = ()
    quick_exit_url: str = "https://www.google.com/"
    widget_title: str = "Chat met ons"
    widget_title_en: str = ""
    widget_intro: str = ""
    widget_intro_en: str = ""
    widget_color: str = "#1f5fa8"
    timezone: str = "Europe/Amsterdam"
    last_intake_minutes: int = 15
    allow_unscheduled_duty: bool = True
    roster_approval: bool = False
    default_language: str = "nl"
    log_level: str = "INFO"
    insights_retention_months: int = 25
    feedback_retention_days: int = 90
    insights_concurrency: float = 1.5
    metrics_allowed: tuple[str, ...] = ("127.0.0.1", "::1")
    metrics_token: str = ""
    questions_enabled: bool = True
    question_ttl_days: int = 30
    question_answer_promise_hours: int = 48
    question_max_chars: int = 4000
    question_max_messages: int = 40
    question_review: bool = False
    question_offer_after_wait_minutes: float = 10
    pickup_failures_per_second: int = 20
    reply_wait_alert_seconds: int = 120
    cooldown_minutes: int = 5
    cooldown_after_chat_minutes: float = 45
    chat_length_nudge_minutes: tuple[float, ...] = (30, 45, 60)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def retention_seconds(self) -> int:
        return int(self.transcript_retention_hours * 3600)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected true or false, got {value!r}")


def _parse_list(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _coerce(name: str, value: Any) -> Any:
    kind = _FIELDS[name].type
    try:
        if kind == "bool":
            return _parse_bool(name, value)
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "Path":
            return Path(str(value))
        if kind == "tuple[str, ...]":
            return _parse_list(value)
        if kind == "tuple[float, ...]":
            return tuple(float(item) for item in _parse_list(value))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: expected {kind}, got {value!r}") from exc
    return str(value)


def _check_origin(name: str, origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(f"{name}: {origin!r} is not an origin like https://www.example.org")


def _check_proof(s: Settings) -> None:
    for name in ("proof_joins_per_minute", "proof_min_number", "proof_cost",
                 "proof_challenge_seconds", "proof_admissions_per_minute"):
        if getattr(s, name) < 1:
            raise ConfigError(f"{name}: must be at least 1")
    if s.proof_urgent_per_minute < 0:
        raise ConfigError("proof_urgent_per_minute: must not be negative")
    if s.proof_max_number < s.proof_min_number:
        raise ConfigError("proof_max_number: must not be below proof_min_number")
    if s.proof_max_number > 10_000_000:  # the ALTCHA counter is 32 bits; a phone needs hours
        raise ConfigError("proof_max_number: at most 10000000")
    if s.proof_cost > 100_000:  # each try, and each challenge the server signs, costs this
        raise ConfigError("proof_cost: at most 100000 PBKDF2 iterations")


def validate(settings: Settings) -> Settings:
    """Raise ConfigError naming the first invalid setting."""
    s = settings
    if s.durability not in ("strict", "fast"):
        raise ConfigError("durability: must be strict or fast")
    if s.event_loop not in ("uvloop", "asyncio"):
        raise ConfigError("event_loop: must be uvloop or asyncio")
    if s.environment not in ("development", "production"):
        raise ConfigError("environment: must be 'development' or 'production'")
    if not 0 < s.port < 65536:
        raise ConfigError(f"port: {s.port} is not a TCP port")
    for name in (
        "max_message_chars",
        "max_conversation_messages",
        "max_conversation_bytes",
        "visitor_message_burst",
        "visitor_messages_per_minute",
        "counselor_message_burst",
        "counselor_messages_per_minute",
        "typing_burst",
        "typing_per_minute",
        "history_page_messages",
        "history_page_bytes",
        "visitor_idle_session_seconds",
        "arrival_max_wait_seconds",
        "redis_maxmemory_mb",
        "redis_pubsub_buffer_mb",
        "queue_cap",
        "default_max_chats",
        "max_chats_limit",
        "session_idle_minutes",
        "session_absolute_hours",
        "login_max_failures",
        "login_window_minutes",
        "question_ttl_days",
        "question_answer_promise_hours",
        "question_max_chars",
        "question_max_messages",
        "pickup_failures_per_second",
        "login_backoff_max_seconds",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{name}: must be at least 1")
    for name in ("visitor_grace_seconds", "counselor_grace_seconds", "last_intake_minutes",
                 "question_offer_after_wait_minutes",
                 "reply_wait_alert_seconds", "cooldown_minutes", "cooldown_after_chat_minutes"):
        if getattr(s, name) < 0:
            raise ConfigError(f"{name}: must not be negative")
    if not 0 <= s.arrival_busy_percent <= 100:
        raise ConfigError("arrival_busy_percent: must be 0 (off) to 100")
    if not 2 <= s.process_timeout_seconds <= 300:
        raise ConfigError("process_timeout_seconds: must be 2 to 300")
    if not 1 <= s.insights_retention_months <= 120:
        raise ConfigError("insights_retention_months: must be 1 to 120")
    if not 1 <= s.feedback_retention_days <= 3660:
        raise ConfigError("feedback_retention_days: must be 1 to 3660")
    if not 1 <= s.insights_concurrency <= 3:
        raise ConfigError("insights_concurrency: must be 1 to 3 chats per counselor")
    for network in s.metrics_allowed:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"metrics_allowed: {network!r} is not an address or network"
                              ) from None
    if s.metrics_token and len(s.metrics_token) < 16:
        raise ConfigError("metrics_token: use at least 16 characters")
    _check_proof(s)
    if s.transcript_retention_hours < 0:
        raise ConfigError("transcript_retention_hours: must not be negative")
    if s.max_conversation_bytes < s.max_message_chars * 4:
        raise ConfigError("max_conversation_bytes: must hold at least one longest message "
                          "(4 bytes a character)")
    if s.history_page_bytes < s.max_message_chars * 12:
        raise ConfigError("history_page_bytes: must hold at least one longest message "
                          "(12 bytes a character once escaped)")
    if s.redis_pubsub_buffer_mb * 2 > s.redis_maxmemory_mb:
        raise ConfigError("redis_pubsub_buffer_mb: at most half of redis_maxmemory_mb")
    if s.block_hours < 0:
        raise ConfigError("block_hours: must not be negative")
    try:
        block_end_time(s)
    except ValueError:
        raise ConfigError("block_ends_at: expected a time as HH:MM, e.g. 06:00") from None
    nudges = s.chat_length_nudge_minutes
    if any(not 0 < m <= 600 for m in nudges) or list(nudges) != sorted(set(nudges)):
        raise ConfigError("chat_length_nudge_minutes: rising minutes, each above 0 and at most "
                          "600, e.g. 30,45,60 (empty: no nudges)")
    if s.cooldown_minutes > 60:
        raise ConfigError("cooldown_minutes: at most 60 (a break longer than that is a pause)")
    if s.max_chats_limit > 3:
        raise ConfigError("max_chats_limit: at most 3 concurrent chats per counselor")
    if s.default_max_chats > s.max_chats_limit:
        raise ConfigError("default_max_chats: must not exceed max_chats_limit")
    if s.default_language not in ("nl", "en"):
        raise ConfigError("default_language: must be 'nl' or 'en'")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("log_level: must be DEBUG, INFO, WARNING or ERROR")
    for origin in s.widget_origins:
        _check_origin("widget_origins", origin)
    if s.public_url:
        _check_origin("public_url", s.public_url)
    if s.redis_url and urlsplit(s.redis_url).scheme not in (
        "redis",
        "rediss",
        "unix",
        "redis+sentinel",
    ):
        raise ConfigError(
            "redis_url: must start with redis://, rediss://, unix:// or redis+sentinel://"
        )
    if s.production and len(s.secret_key) < 32:
        raise ConfigError(
            "secret_key: production needs HELPCHAT_SECRET_KEY of at least 32 characters"
        )
    _check_quick_exit(s)
    for name in ("widget_title", "widget_title_en"):
        if len(getattr(s, name)) > 60:
            raise ConfigError(f"{name}: at most 60 characters")
    for name in ("widget_intro", "widget_intro_en"):
        if len(getattr(s, name)) > 300:
            raise ConfigError(f"{name}: at most 300 characters")
    if s.production and s.demo_enabled:
        s = dataclasses.replace(s, demo_enabled=False)
    return s


def block_end_time(settings: Settings) -> time:
    """`block_ends_at` as a time of day (validated at load)."""
    hours, _, minutes = settings.block_ends_at.partition(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError(settings.block_ends_at)
    return time(int(hours), int(minutes))


def _check_quick_exit(s: Settings) -> None:
    # Plain http would let anyone on the youth's network see (and change) where quick exit
    # leads; development keeps http for local test pages.
    scheme = urlsplit(s.quick_exit_url).scheme
    if scheme not in ("https", "http") or not urlsplit(s.quick_exit_url).hostname:
        raise ConfigError("quick_exit_url: must be an https:// address (http:// in development)")
    if s.production and scheme != "https":
        raise ConfigError("quick_exit_url: production needs an https:// address")


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults <- config/default.toml <- config_file <- HELPCHAT_* <- overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for path in (DEFAULT_CONFIG, config_file):
        if path is None:
            continue
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"config file: cannot read {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file: {path} is not valid TOML: {exc}") from exc
        for key, value in data.items():
            if key not in _FIELDS:  # most likely a typo that would silently do nothing
                raise ConfigError(f"{key}: unknown setting in {path}")
            values[key] = value
    for name in _FIELDS:
        env_value = environ.get(ENV_PREFIX + name.upper())
        if env_value is not None:
            values[name] = env_value
    values.update(overrides)
    coerced = {name: _coerce(name, value) for name, value in values.items() if name in _FIELDS}
    settings = Settings(**coerced)
    if not settings.data_dir.is_absolute():
        settings = dataclasses.replace(settings, data_dir=PROJECT_ROOT / settings.data_dir)
    for name in ("contacts_file", "canned_responses_file"):
        path = getattr(settings, name)
        if not path.is_absolute():
            settings = dataclasses.replace(settings, **{name: PROJECT_ROOT / path})
    return validate(settings)


def ensure_secret_key(settings: Settings) -> Settings:
    """Development only: generate the secret once into <data_dir>/secret_key (mode 0600)."""
    if settings.secret_key:
        return settings
    path = settings.data_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return dataclasses.replace(settings, secret_key=path.read_text().strip())


class LiveSettings:
    """The settings in force now. Admins may change some at run time; readers always ask
    `.current` instead of keeping a copy."""

    def __init__(self, settings: Settings) -> None:
        self.current = settings

    def update(self, **changes: Any) -> Settings:
        self.current = validate(dataclasses.replace(self.current, **changes))
        return self.current
