"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app, with pyotp.

Required for managers and administrators when `TESSERE_REQUIRE_TOTP` is on (the default outside tests; the demo
turns it off, see README). A code is accepted once: the time step of the last accepted code is stored, so a code
seen over someone's shoulder cannot be replayed.

The secret is stored encrypted (Fernet: AES-CBC with an HMAC) with a key from `TESSERE_TOTP_KEY` or, without it,
derived from `SECRET_KEY`: a copy of the database alone (a backup, a leaked dump) does not give anyone the codes.
Secrets written before encryption (plain base32) are still read, and sealed the next time the person enters a
code, or all at once with `flask --app webapp tessere user seal-totp`. Changing the key makes the stored secrets
unreadable: the people concerned set up their app again (`tessere user reset-totp EMAIL`).
The enrolment page shows the secret also as a QR code, an SVG drawn on the server (no script, no third party).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import TYPE_CHECKING

import pyotp
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

ISSUER = "Tessere – Campi Bisenzio"
ROLES_REQUIRING_TOTP = frozenset({"manager", "admin"})
STEP_SECONDS = 30


SEALED_PREFIX = "fernet:"


def new_secret() -> str:
    return pyotp.random_base32()


def _fernet() -> Fernet:
    """The key: TESSERE_TOTP_KEY (a Fernet key, or any long text, hashed into one) or derived from SECRET_KEY."""
    from cryptography.fernet import Fernet  # here: ≈ 25 ms of every start; only second factors use it

    material = current_app.config.get("TESSERE_TOTP_KEY") or f"tessere-totp:{current_app.config['SECRET_KEY']}"
    try:
        return Fernet(material)
    except (ValueError, TypeError):
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(str(material).encode()).digest()))


def seal(secret: str) -> str:
    """The stored form of a secret: encrypted, marked so that old plaintext secrets can be told apart."""
    return SEALED_PREFIX + _fernet().encrypt(secret.encode()).decode()


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(SEALED_PREFIX)


def unseal(stored: str | None) -> str | None:
    """The secret from its stored form (a legacy plaintext secret as it is); None if the key cannot open it."""
    if not stored:
        return None
    if not is_sealed(stored):
        return stored
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(stored[len(SEALED_PREFIX) :].encode()).decode()
    except InvalidToken:
        current_app.logger.error("segreto TOTP non leggibile con la chiave attuale (TESSERE_TOTP_KEY/SECRET_KEY)")
        return None


def secret_of(user) -> str | None:
    return unseal(user.totp_secret)


def set_secret(user, secret: str | None) -> None:
    user.totp_secret = seal(secret) if secret else None


def seal_plaintext_secrets(session: Session) -> int:
    """Encrypt every secret still stored in plaintext (written before encryption); returns how many."""
    from webapp.auth.models import User

    users = session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
    sealed = 0
    for user in users:
        if not is_sealed(user.totp_secret):
            set_secret(user, user.totp_secret)
            sealed += 1
    return sealed


def qr_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code: an SVG data URI for an <img> (the CSP allows `img-src data:`)."""
    import segno  # here: ≈ 15 ms of every start, used only when a second factor is set up

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000000", light="#ffffff")


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
    stored = user.totp_secret
    secret = secret or unseal(stored)
    if not secret:
        return False
    step = matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    if stored and not is_sealed(stored) and secret == stored:
        set_secret(user, secret)  # a secret from before encryption: sealed now, transparently
    return True


def totp_required_for(user) -> bool:
    return bool(current_app.config.get("TESSERE_REQUIRE_TOTP")) and user.role in ROLES_REQUIRING_TOTP


def needs_totp_setup(user) -> bool:
    return totp_required_for(user) and not user.totp_secret
