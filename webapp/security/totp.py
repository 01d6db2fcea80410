"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app, with pyotp.

Required for managers and administrators when `TESSERE_REQUIRE_TOTP` is on (the default outside tests; the demo
turns it off, see README). A code is accepted once: the time step of the last accepted code is stored, so a code
seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import time

import pyotp
from flask import current_app

ISSUER = "Tessere – Campi Bisenzio"
ROLES_REQUIRING_TOTP = frozenset({"manager", "admin"})
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: float | None = None, window: int = 1) -> int | None:
    """The time step the code belongs to (within ±window steps of now), or None if it matches none."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // STEP_SECONDS)
    for step in range(current - window, current + window + 1):
        if totp.at(step * STEP_SECONDS) == code:
            return step
    return None


def verify_and_consume(user, code: str, secret: str | None = None, now: float | None = None) -> bool:
    """Check a code of `user` (or of a secret being set up) and remember its step so it cannot be used again."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    step = matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def totp_required_for(user) -> bool:
    return bool(current_app.config.get("TESSERE_REQUIRE_TOTP")) and user.role in ROLES_REQUIRING_TOTP


def needs_totp_setup(user) -> bool:
    return totp_required_for(user) and not user.totp_secret
