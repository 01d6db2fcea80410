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
from sqlalchemy.orm import Session, joinedload

from engine import Actor
from webapp.auth.models import ROLES, ApiToken, User
from webapp.network.models import Organization
from webapp.security.passwords import MIN_PASSWORD_LENGTH, password_problem  # noqa: F401  (re-exported)

_HASHER = PasswordHasher()


class AccountError(ValueError):
    """An account could not be created or changed; the message is for a person."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    organization_cf: str | None = None,
    service: str | None = None,
) -> User:
    """A new account; `service` (id or name of a specialist service) binds a `health_service` operator to it."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Ruolo sconosciuto «{role}»: usare uno tra {', '.join(ROLES)}.")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    if session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"Esiste già un utente con e-mail {email}.")
    organization = None
    if role == "association":
        if not organization_cf:
            raise AccountError("Un utente di un'organizzazione deve indicare l'organizzazione (--organization).")
        organization = session.scalar(select(Organization).where(Organization.codice_fiscale == organization_cf))
        if organization is None:
            raise AccountError(f"Nessuna organizzazione con codice fiscale {organization_cf}.")
    specialist_service = _specialist_service(session, role, service)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organization_id=organization.id if organization else None,
        specialist_service_id=specialist_service.id if specialist_service else None,
        password_hash=hash_password(password),
        active=True,
        created_at=datetime.now(UTC),
        password_changed_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def _specialist_service(session: Session, role: str, service: str | None):
    """The specialist service named by id or by name (only for `health_service` accounts)."""
    from webapp.agreements.models import SpecialistService

    if not service:
        return None
    if role != "health_service":
        raise AccountError("Solo gli utenti con ruolo health_service si collegano a un servizio specialistico.")
    text = service.strip()
    found = session.get(SpecialistService, int(text)) if text.isdigit() else None
    found = found or session.scalar(select(SpecialistService).where(func.lower(SpecialistService.name) == text.lower()))
    if found is None:
        raise AccountError(f"Nessun servizio specialistico «{text}»: il responsabile lo registra in «Accordi di rete».")
    return found


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


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password (checked against the policy); every other session of the account ends."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)
    session.flush()


def check_password(user: User, password: str) -> bool:
    try:
        return _HASHER.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, label: str | None = None) -> str:
    """A new API token for `user`: shown once, only its SHA-256 is stored."""
    token = "tes_" + secrets.token_urlsafe(32)
    label = (label or "").strip()[:100] or None
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label, created_at=datetime.now(UTC)))
    session.flush()
    return token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, user: User | None, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s tokens (any user's when `user` is None: the CLI); None if there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or (user is not None and row.user_id != user.id):
        return None
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    session.flush()
    return row


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a (not revoked) API token belongs to; the token and its user in one SELECT, since every API
    request starts here."""
    row = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user, innerjoin=True))
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, label=user.name, roles=frozenset({user.role}), organization_id=user.organization_id)
