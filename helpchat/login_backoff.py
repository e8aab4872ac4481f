"""How long a login name must wait after failed logins (ASVS 6.3.1): an exponential back-off
instead of a lock-out. Pure arithmetic; the counters live in store/auth.py.

The first `free` failures cost nothing; each further one doubles the wait, from one second up
to `cap` seconds. Waiting attempts are refused without a password check and without counting,
so an outsider adds at most one failure per wait: about a dozen guesses an hour at the cap,
and never a lock-out that lasts longer than `cap`. A browser that logged in to the account
before (its device cookie) has a counter of its own, so an outsider's failures do not slow the
counselor's own browser down at all.
"""

from __future__ import annotations


def wait_s(failures: int, *, free: int, cap: int) -> int:
    """Seconds before the next attempt after `failures` consecutive failures."""
    beyond = failures - free
    if beyond <= 0:
        return 0
    return min(cap, 2 ** min(beyond - 1, 30))
