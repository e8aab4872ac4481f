"""Domain errors with a protocol code; mapped once to socket.io acks and HTTP responses."""

from __future__ import annotations

from typing import Any, Literal

ErrorCode = Literal[
    "invalid", "unauthorized", "forbidden", "not_found", "conflict",
    "closed", "rate_limited", "blocked", "too_large", "internal",
]

HTTP_STATUS: dict[str, int] = {
    "invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
    "closed": 409, "rate_limited": 429, "blocked": 403, "too_large": 413, "internal": 500,
}


class HelpchatError(Exception):
    """An expected failure: reported to the client as {"ok": false, "error": {code, message}}.

    `message_key` is a locale catalog key so the message reaches the client in its language;
    `extra` adds fields to the ack (e.g. the availability that came with `closed`); `fields`
    adds them to the error object itself (`retry_after_ms`, `challenge` of `rate_limited`).
    """

    def __init__(
        self,
        code: ErrorCode,
        message_key: str | None = None,
        *,
        detail: str | None = None,
        extra: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail or message_key or code)
        self.code = code
        self.message_key = message_key or f"error.{code}"
        self.detail = detail
        self.params = params
        self.extra = extra or {}
        self.fields = fields or {}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


def rate_limited(retry_after_ms: int, message_key: str = "error.rate_limited") -> HelpchatError:
    return HelpchatError("rate_limited", message_key,
                         fields={"retry_after_ms": int(retry_after_ms)})


def invalid(detail: str) -> HelpchatError:
    """Payload validation failure; `detail` names the field (English, technical)."""
    return HelpchatError("invalid", "error.invalid", detail=detail)
