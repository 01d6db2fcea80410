"""Requests of citizens to take part in an offer of the catalogue (richiesta del cittadino).

A citizen has no account. The request is written when the public form is valid, but it reaches nobody until the
citizen opens the link sent to the address they gave and confirms it: only then `richiesta_cittadino` starts and the
organization gets a task. The link is a random token of which only the SHA-256 is stored, single use, and it
expires. `ip_hash` (a keyed hash, never the address itself) and `email` are what the rate limits count.

Social services see nothing of a request unless the citizen asked for their support (`support_requested`).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

UNCONFIRMED = "da_confermare"
WAITING = "in_attesa"
ACCEPTED = "accettata"
PROPOSED = "altra_offerta_proposta"
DECLINED = "rifiutata"
EXPIRED = "scaduta"
CONCLUDED = "conclusa"

STATUS_LABELS = {
    UNCONFIRMED: _l("Da confermare dal cittadino"),
    WAITING: _l("In attesa di risposta"),
    ACCEPTED: _l("Accettata"),
    PROPOSED: _l("Proposta un'altra offerta"),
    DECLINED: _l("Non accolta"),
    EXPIRED: _l("Scaduta senza risposta"),
    CONCLUDED: _l("Partecipazione conclusa"),
}
STATUS_BADGES = {
    UNCONFIRMED: "secondary",
    WAITING: "info",
    ACCEPTED: "success",
    PROPOSED: "primary",
    DECLINED: "danger",
    EXPIRED: "warning",
    CONCLUDED: "secondary",
}


class CitizenRequest(Base):
    """One citizen asking to take part in one offer."""

    __tablename__ = "citizen_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    support_requested: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    status: Mapped[str] = mapped_column(String(30), default=UNCONFIRMED, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    answer: Mapped[str | None] = mapped_column(String(20))
    answer_message: Mapped[str | None] = mapped_column(Text)
    first_appointment: Mapped[date | None] = mapped_column(Date)
    proposed_offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    capacity_reserved: Mapped[bool] = mapped_column(default=False)
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    support_outcome: Mapped[str | None] = mapped_column(String(30))
    support_note: Mapped[str | None] = mapped_column(Text)
    support_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    support_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    offer = relationship("Offer", foreign_keys=[offer_id])
    proposed_offer = relationship("Offer", foreign_keys=[proposed_offer_id])
    organization = relationship("Organization")

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")
