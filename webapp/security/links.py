"""Password reset and invitation links: random, single-use, expiring, stored hashed; the e-mail goes through the
outbox (webapp.notifications) in the same transaction.

Asking for a reset never reveals whether an address has an account: the page answers the same either way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.service import as_utc
from webapp.auth.models import User
from webapp.auth.services import AccountError, set_password
from webapp.security.models import AccountLink

RESET_VALIDITY = timedelta(hours=1)
INVITATION_VALIDITY = timedelta(days=7)
PURPOSES = {"reset": RESET_VALIDITY, "invito": INVITATION_VALIDITY}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(session: Session, user: User, purpose: str, now: datetime | None = None) -> tuple[str, datetime]:
    """A new link secret for `user` (earlier unused links of the same purpose stop working)."""
    now = now or datetime.now(UTC)
    session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.purpose == purpose, AccountLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + PURPOSES[purpose]
    session.add(
        AccountLink(user_id=user.id, purpose=purpose, token_hash=_digest(token), created_at=now, expires_at=expires)
    )
    session.flush()
    return token, expires


def valid_link(session: Session, token: str, now: datetime | None = None) -> AccountLink | None:
    now = now or datetime.now(UTC)
    if not token or len(token) > 200:
        return None
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == _digest(token)))
    if link is None or link.used_at is not None or as_utc(link.expires_at) <= now or not link.user.active:
        return None
    return link


def request_password_reset(session: Session, email: str, now: datetime | None = None) -> bool:
    """Send a reset link if an active account has this e-mail; the caller answers the same either way."""
    from webapp.notifications.services import enqueue_password_reset, external_url

    user = session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None or not user.active:
        return False
    token, expires = create_link(session, user, "reset", now)
    enqueue_password_reset(
        session, user, external_url("security.reset_password", token=token), expires_at=expires, now=now
    )
    return True


def send_invitation(session: Session, user: User, now: datetime | None = None) -> str:
    """E-mail `user` a link to choose their first password; returns the link's secret (for the CLI to show)."""
    from webapp.notifications.services import enqueue_invitation, external_url

    token, expires = create_link(session, user, "invito", now)
    enqueue_invitation(session, user, external_url("security.reset_password", token=token), expires_at=expires, now=now)
    return token


def use_link(session: Session, token: str, password: str, now: datetime | None = None) -> User:
    """Set the password through a link and spend it; raises AccountError (Italian) when not possible."""
    now = now or datetime.now(UTC)
    link = valid_link(session, token, now)
    if link is None:
        raise AccountError(_("Il collegamento non è valido o è scaduto: chiedine uno nuovo."))
    set_password(session, link.user, password)
    link.used_at = now
    session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == link.user_id, AccountLink.used_at.is_(None))
        .values(used_at=now)
    )
    return link.user
