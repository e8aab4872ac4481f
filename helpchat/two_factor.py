"""Two-factor login (TOTP, RFC 6238) for supervisors and admins: secrets, codes, recovery codes.
Pure: no I/O; the clock comes in as an argument. Redis keeping is helpchat.store.two_factor.

- A code is accepted one 30-second step before or after the current one (clock drift), and the
  matched step must be later than the last one accepted for the account (the store checks that
  atomically): a code that was just used, seen over a shoulder or replayed, is refused.
- Recovery codes are random, shown once, and kept only as HMACs under the server's secret key.
- The TOTP secret itself has to be kept to check codes; it is sealed with AES-GCM under a key
  derived from `secret_key` and bound to the account id, so a copy of the Redis data alone
  yields no second factor, and a sealed secret moved to another account does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Literal

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from helpchat.config import Settings
from helpchat.store.models import Counselor

# The roles that may turn two-factor on (issue 10: "admin and supervisor accounts").
ROLE = "supervisor"
VALID_WINDOW = 1  # steps either side of now
STEP_S = 30
RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are copied from paper. 10 of 31 symbols: about 49 bits each.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
TOTP_CODE = re.compile(r"\d{6}")
RECOVERY_CODE = re.compile(f"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}")
SEAL_VERSION = "v1"

CodeKind = Literal["totp", "recovery"]


def offered(counselor: Counselor) -> bool:
    return counselor.has_role(ROLE)


def required(settings: Settings, counselor: Counselor) -> bool:
    """Admins must use it in production unless `admin_two_factor_required` is off."""
    return (settings.production and settings.admin_two_factor_required
            and counselor.has_role("admin"))


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The otpauth URI as an inline SVG (no script, no image request, fits the page CSP)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title=title,
                                                 svgclass="totp-qr")


def grouped(secret: str) -> str:
    """For typing the secret into an app by hand: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matched_step(secret: str, code: str, now_s: float) -> int | None:
    """The time step whose code `code` is (within the window), or None."""
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now_s,
                                                          valid_window=VALID_WINDOW)
    except pyotp.exceptions.OTPVerificationError:
        return None


def classify(text: str) -> tuple[CodeKind, str] | None:
    """What the person typed: a six-digit code or a recovery code (any case, spaces and
    hyphens ignored), normalized; None for anything else."""
    cleaned = re.sub(r"[\s-]", "", text).lower()
    if TOTP_CODE.fullmatch(cleaned):
        return "totp", cleaned
    if RECOVERY_CODE.fullmatch(cleaned):
        return "recovery", cleaned
    return None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Shown to the person as "abcde-fghjk"; classify() reads them back without the hyphen."""
    codes = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(count))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_digest(secret_key: str, counselor_id: str, code: str) -> str:
    """`code` as classify() returns it."""
    message = f"recovery:{counselor_id}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _seal_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"helpchat totp seal v1", hashlib.sha256).digest()


def seal(secret_key: str, counselor_id: str, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(secret_key)).encrypt(nonce, secret.encode(),
                                                   counselor_id.encode())
    return f"{SEAL_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(secret_key: str, counselor_id: str, sealed: str) -> str | None:
    """The secret, or None when it was sealed under another key or for another account (then
    the account needs an admin's reset)."""
    version, _, body = sealed.partition(".")
    if version != SEAL_VERSION:
        return None
    try:
        raw = base64.urlsafe_b64decode(body)
        return AESGCM(_seal_key(secret_key)).decrypt(raw[:12], raw[12:],
                                                     counselor_id.encode()).decode()
    except (ValueError, InvalidTag):
        return None
