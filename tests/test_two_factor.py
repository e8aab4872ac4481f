"""The pure two-factor rules: codes within one step of now, classification of what was typed,
recovery codes and their digests, and the sealed secret bound to its key and account."""

from __future__ import annotations

import dataclasses

import pyotp

from helpchat import two_factor
from helpchat.config import Settings
from helpchat.store.models import Counselor

KEY = "k" * 40
NOW = 1_800_000_015.0  # 15 s into a 30-second step


def account(role: str) -> Counselor:
    return Counselor(id="a" * 32, name="anna", roles=(role,), max_chats=2, disabled=False,
                     password_hash="")


def test_a_code_matches_its_own_step_and_one_either_side_only() -> None:
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    for offset in (-1, 0, 1):
        code = totp.at(NOW + offset * 30)
        assert two_factor.matched_step(secret, code, NOW) == step + offset
    assert two_factor.matched_step(secret, totp.at(NOW + 60), NOW) is None
    assert two_factor.matched_step(secret, totp.at(NOW - 60), NOW) is None


def test_a_new_secret_has_160_bits_and_the_uri_names_account_and_issuer() -> None:
    secret = two_factor.new_secret()
    assert len(secret) == 32 and secret != two_factor.new_secret()
    uri = two_factor.provisioning_uri(secret, "anna", "helpchat (chat.example.org)")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "anna" in uri
    assert two_factor.grouped("ABCDEFGH") == "ABCD EFGH"


def test_the_qr_code_is_inline_svg_without_script_or_style() -> None:
    svg = two_factor.qr_svg("otpauth://totp/x?secret=ABC", "QR code")
    assert svg.startswith("<svg") and "<title>QR code</title>" in svg
    assert "<script" not in svg and "style=" not in svg and "xmlns" not in svg


def test_typed_codes_are_told_apart_and_normalized() -> None:
    assert two_factor.classify(" 123 456 ") == ("totp", "123456")
    assert two_factor.classify("ABCDE-FGHJK") == ("recovery", "abcdefghjk")
    for junk in ("", "12345", "1234567", "abcde-fghj", "abcde-fghi0", "<script>"):
        assert two_factor.classify(junk) is None


def test_recovery_codes_are_ten_distinct_readable_codes() -> None:
    codes = two_factor.new_recovery_codes()
    assert len(set(codes)) == 10
    for code in codes:
        assert two_factor.classify(code) == ("recovery", code.replace("-", ""))
        assert not set(code) & set("01ilo")


def test_recovery_digests_depend_on_key_account_and_code() -> None:
    digest = two_factor.recovery_digest(KEY, "a" * 32, "abcdefghjk")
    assert digest == two_factor.recovery_digest(KEY, "a" * 32, "abcdefghjk")
    assert "abcdefghjk" not in digest
    assert digest != two_factor.recovery_digest(KEY, "b" * 32, "abcdefghjk")
    assert digest != two_factor.recovery_digest("x" * 40, "a" * 32, "abcdefghjk")


def test_a_sealed_secret_opens_only_with_its_key_and_account() -> None:
    sealed = two_factor.seal(KEY, "a" * 32, "SECRETSECRETSECRET")
    assert "SECRET" not in sealed
    assert two_factor.unseal(KEY, "a" * 32, sealed) == "SECRETSECRETSECRET"
    assert two_factor.unseal("x" * 40, "a" * 32, sealed) is None
    assert two_factor.unseal(KEY, "b" * 32, sealed) is None
    assert two_factor.unseal(KEY, "a" * 32, "v1.!!!") is None
    assert two_factor.unseal(KEY, "a" * 32, "v0." + sealed[3:]) is None


def test_offered_to_supervisors_and_admins_required_for_admins_in_production_only() -> None:
    production = Settings(environment="production")
    assert not two_factor.offered(account("counselor"))
    assert two_factor.offered(account("supervisor")) and two_factor.offered(account("admin"))
    assert two_factor.required(production, account("admin"))
    assert not two_factor.required(production, account("supervisor"))
    assert not two_factor.required(Settings(), account("admin"))
    assert not two_factor.required(
        dataclasses.replace(production, admin_two_factor_required=False), account("admin"))
