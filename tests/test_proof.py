"""Proof of work, the pure part: levels, rate window, and ALTCHA challenges we sign and check."""

from __future__ import annotations

import base64
import json

from helpchat import proof

POLICY = proof.ProofPolicy(joins_per_minute=20, min_number=125, max_number=1000, cost=1,
                           challenge_seconds=120, admissions_per_minute=20,
                           urgent_per_minute=3)
KEY = proof.proof_key("test-secret-key-with-more-than-32-characters!")
NOW_S = 1_800_000_000


def test_no_work_at_normal_load_and_doubling_work_past_the_threshold_up_to_the_ceiling() -> None:
    assert [proof.difficulty(rate, POLICY) for rate in (0, 5, 20)] == [0, 0, 0]
    assert proof.difficulty(21, POLICY) == 125
    assert proof.difficulty(40, POLICY) == 250
    assert proof.difficulty(80, POLICY) == 500
    assert proof.difficulty(160, POLICY) == 1000
    assert proof.difficulty(6000, POLICY) == 1000  # 100 joins/s: still solvable on a phone
    assert proof.difficulty(1e30, POLICY) == 1000


def test_join_rate_weighs_the_previous_window_by_how_much_of_it_is_still_recent() -> None:
    minute = 29_000_000 * 60_000
    assert proof.sliding(3, 40, minute) == 43
    assert proof.sliding(3, 40, minute + 45_000) == 13
    assert proof.window(minute + 59_999) == proof.window(minute)
    assert proof.ms_to_next_window(minute + 45_000) == 15_000
    assert proof.join_rate((3, 40), (0, 0), minute + 45_000) == 13


def test_a_burst_raises_the_rate_before_a_minute_has_filled() -> None:
    """A flood starting cold: the 5th join within ten seconds reads as 24 a minute (past 20)."""
    start = 29_000_000 * 60_000
    assert proof.join_rate((5, 0), (5, 0), start + 1_000) == 24
    assert proof.difficulty(proof.join_rate((4, 0), (4, 0), start + 1_000), POLICY) == 0
    assert proof.difficulty(proof.join_rate((5, 0), (5, 0), start + 1_000), POLICY) == 125
    assert proof.join_rate((1, 0), (1, 0), start) == 1  # one join is no burst
    assert proof.window(start + 9_999, proof.BURST_MS) == proof.window(start, proof.BURST_MS)


def test_a_solved_challenge_verifies_once_per_signature_digest() -> None:
    challenge = proof.issue(KEY, 50, POLICY, NOW_S)
    assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert challenge["parameters"]["expiresAt"] == NOW_S + 120
    solved = proof.solve(challenge)
    assert solved is not None and 1 <= solved["solution"]["counter"] <= 50
    verified = proof.verify(KEY, solved, NOW_S)
    assert verified is not None and verified.expires_s == NOW_S + 120
    # ALTCHA's own widget sends the same payload base64-encoded: accepted too.
    encoded = base64.b64encode(json.dumps(solved).encode()).decode()
    assert proof.verify(KEY, encoded, NOW_S) == verified
    other = proof.verify(KEY, proof.solve(proof.issue(KEY, 50, POLICY, NOW_S)), NOW_S)
    assert other is not None and other.digest != verified.digest


def test_wrong_expired_forged_and_malformed_proofs_are_refused_without_raising() -> None:
    challenge = proof.issue(KEY, 50, POLICY, NOW_S)
    solved = proof.solve(challenge)
    assert solved is not None
    wrong = {**solved, "solution": {**solved["solution"],
                                    "counter": solved["solution"]["counter"] + 1}}
    assert proof.verify(KEY, wrong, NOW_S) is None
    assert proof.verify(KEY, solved, NOW_S + 121) is None
    assert proof.verify(proof.proof_key("another secret"), solved, NOW_S) is None
    easier = json.loads(json.dumps(solved))
    easier["challenge"]["parameters"]["expiresAt"] = NOW_S + 10_000
    assert proof.verify(KEY, easier, NOW_S) is None
    unsigned = proof.solve(proof.issue(b"", 50, POLICY, NOW_S))
    assert proof.verify(KEY, unsigned, NOW_S) is None
    for junk in (None, 7, [], {}, {"challenge": 1, "solution": 2}, "not base64!",
                 "x" * 10_000, {"challenge": {"parameters": {"nonce": "zz"}}, "solution": {}},
                 {**solved, "solution": {"counter": "1", "derivedKey": 5}}):
        assert proof.verify(KEY, junk, NOW_S) is None
