"""Settings: defaults, environment overrides, and one clear line per invalid value."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from helpchat.config import ConfigError, LiveSettings, ensure_secret_key, load_settings


def test_defaults_come_from_default_toml() -> None:
    settings = load_settings(environ={})
    assert settings.port == 8080 and settings.transcript_retention_hours == 0
    assert settings.max_message_chars == 2000 and settings.visitor_grace_seconds == 120
    assert settings.counselor_grace_seconds == 60 and settings.demo_enabled


def test_environment_overrides_and_lists() -> None:
    settings = load_settings(environ={
        "HELPCHAT_PORT": "9000",
        "HELPCHAT_WIDGET_ORIGINS": "https://a.example, https://b.example:8443",
        "HELPCHAT_DEMO_ENABLED": "false",
    })
    assert settings.port == 9000 and not settings.demo_enabled
    assert settings.widget_origins == ("https://a.example", "https://b.example:8443")


@pytest.mark.parametrize(("name", "value"), [
    ("PORT", "abc"), ("QUEUE_CAP", "0"), ("WIDGET_ORIGINS", "not-an-origin"),
    ("MAX_CHATS_LIMIT", "4"), ("REDIS_URL", "http://x"), ("DEMO_ENABLED", "maybe"),
    ("TRANSCRIPT_RETENTION_HOURS", "-1"), ("MAX_CONVERSATION_MESSAGES", "0"),
    ("MAX_CONVERSATION_BYTES", "4000"), ("VISITOR_MESSAGES_PER_MINUTE", "0"),
    ("TYPING_BURST", "0"), ("HISTORY_PAGE_MESSAGES", "0"), ("HISTORY_PAGE_BYTES", "1000"),
    ("INSIGHTS_RETENTION_MONTHS", "0"), ("FEEDBACK_RETENTION_DAYS", "0"),
    ("INSIGHTS_CONCURRENCY", "0.5"), ("METRICS_ALLOWED", "not-an-address"),
    ("METRICS_TOKEN", "short"), ("CHAT_LENGTH_NUDGE_MINUTES", "45,30"),
    ("CHAT_LENGTH_NUDGE_MINUTES", "0,30"), ("CHAT_LENGTH_NUDGE_MINUTES", "30,30"),
    ("CHAT_LENGTH_NUDGE_MINUTES", "601"), ("CHAT_LENGTH_NUDGE_MINUTES", "half"),
    ("ARRIVAL_BUSY_PERCENT", "101"), ("ARRIVAL_BUSY_PERCENT", "-1"),
    ("ARRIVAL_MAX_WAIT_SECONDS", "0"),
])
def test_invalid_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name.lower()):
        load_settings(environ={f"HELPCHAT_{name}": value})


def test_chat_length_nudges_default_to_30_45_60_and_can_be_set_or_turned_off() -> None:
    assert load_settings(environ={}).chat_length_nudge_minutes == (30, 45, 60)
    settings = load_settings(environ={"HELPCHAT_CHAT_LENGTH_NUDGE_MINUTES": "20, 40.5"})
    assert settings.chat_length_nudge_minutes == (20, 40.5)
    assert load_settings(environ={"HELPCHAT_CHAT_LENGTH_NUDGE_MINUTES": ""}
                         ).chat_length_nudge_minutes == ()


def test_production_needs_a_secret_key_and_turns_the_demo_off() -> None:
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(environ={"HELPCHAT_ENVIRONMENT": "production"})
    settings = load_settings(environ={"HELPCHAT_ENVIRONMENT": "production",
                                      "HELPCHAT_SECRET_KEY": "k" * 40})
    assert settings.production and not settings.demo_enabled


def test_development_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = load_settings(environ={}, data_dir=tmp_path)
    first = ensure_secret_key(settings)
    second = ensure_secret_key(settings)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_live_settings_validate_updates() -> None:
    live = LiveSettings(load_settings(environ={}))
    assert live.update(queue_cap=3).queue_cap == 3
    with pytest.raises(ConfigError):
        live.update(queue_cap=0)
    assert live.current.queue_cap == 3


def test_unknown_key_in_a_config_file_is_refused_by_name(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('queue_cpa = 10\n')
    with pytest.raises(ConfigError, match="queue_cpa: unknown setting"):
        load_settings(config, environ={})


def test_production_example_config_loads_with_a_secret_key() -> None:
    from helpchat.config import PROJECT_ROOT

    settings = load_settings(PROJECT_ROOT / "config" / "production.example.toml",
                             environ={"HELPCHAT_SECRET_KEY": "k" * 40})
    assert settings.production


@pytest.mark.parametrize(("environment", "url", "ok"), [
    ("production", "https://www.example.org/", True),
    ("production", "http://www.example.org/", False),
    ("development", "http://127.0.0.1:8000/neutral", True),
    ("development", "javascript:alert(1)", False),
])
def test_quick_exit_address_is_https_in_production(environment: str, url: str, ok: bool) -> None:
    environ = {"HELPCHAT_ENVIRONMENT": environment, "HELPCHAT_SECRET_KEY": "k" * 40,
               "HELPCHAT_QUICK_EXIT_URL": url}
    if ok:
        assert load_settings(environ=environ).quick_exit_url == url
    else:
        with pytest.raises(ConfigError, match="quick_exit_url"):
            load_settings(environ=environ)
