"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

ROLES = ("social_worker", "association", "manager", "admin", "health_service")

# Shown in the reader's language (lazy); e-mails take them in Italian (see notifications.services).
ROLE_LABELS = {
    "social_worker": _l("Assistente sociale"),
    "association": _l("Operatore di organizzazione"),
    "manager": _l("Responsabile del servizio"),
    "admin": _l("Amministratore"),
    "health_service": _l("Servizio specialistico"),
}


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Second factor (webapp/security/totp.py): the authenticator's secret and the time step of the last code used.
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # encrypted ("fernet:..."), see security/totp.py
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Role health_service: the specialist service (UFSMIA, AUSL...) the operator refers for (webapp/agreements).
    specialist_service_id: Mapped[int | None] = mapped_column(ForeignKey("specialist_service.id"), index=True)

    organization = relationship("Organization")
    specialist_service = relationship("SpecialistService")

    def get_id(self) -> str:
        """Flask-Login's session id: the user id and a fingerprint of the password hash, so that changing or
        resetting the password ends every other session of the account."""
        return f"{self.id}.{self.session_fingerprint()}"

    def session_fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(f"tessere-session:{self.password_hash}".encode()).hexdigest()[:16]

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.active

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
