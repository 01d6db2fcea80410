"""Account operations: create users, check passwords, issue and resolve API tokens.

Passwords are hashed with Argon2id (memory-hard); API tokens are random and only their SHA-256 is stored, so a
database leak reveals neither.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Actor
from webapp.auth.models import ROLES, ApiToken, User
from webapp.network.models import Organization

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account could not be created or changed; the message is for a person."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def create_user(
    session: Session, email: str, name: str, role: str, password: str, organization_cf: str | None = None
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Ruolo sconosciuto «{role}»: usare uno tra {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"La password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri.")
    if session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"Esiste già un utente con e-mail {email}.")
    organization = None
    if role == "association":
        if not organization_cf:
            raise AccountError("Un utente di un'organizzazione deve indicare l'organizzazione (--organization).")
        organization = session.scalar(select(Organization).where(Organization.codice_fiscale == organization_cf))
        if organization is None:
            raise AccountError(f"Nessuna organizzazione con codice fiscale {organization_cf}.")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organization_id=organization.id if organization else None,
        password_hash=hash_password(password),
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with these credentials, or None (the caller shows one generic message either way)."""
    user = session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None or not user.active:
        _HASHER.hash(password or "x")  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User) -> str:
    token = "tes_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=datetime.now(UTC)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    return row.user


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, label=user.name, roles=frozenset({user.role}), organization_id=user.organization_id)
