"""Segnalazioni: a person an organization of the network met (at a listening point, say) and signals to the
social service, with the person's consent and the minimum data; and the messages exchanged about it.

The personal data typed by the association live here, not in the process state: the `signal.register` operation
moves them out of the task data. The organization that signalled sees its signal and its state; the case the social
service may open afterwards is a separate `percorso_beneficiario` instance (`case_instance_id`) that the organization
never sees, unless the social worker later sends the person to one of its offers.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

RECEIVED = "in_valutazione"
INFO_REQUESTED = "informazioni_richieste"
TAKEN_IN_CHARGE = "presa_in_carico"
CLOSED = "chiusa"

STATUS_LABELS = {
    RECEIVED: _l("In valutazione al Servizio sociale"),
    INFO_REQUESTED: _l("Informazioni richieste all'organizzazione"),
    TAKEN_IN_CHARGE: _l("Presa in carico dal Servizio sociale"),
    CLOSED: _l("Chiusa"),
}

STATUS_BADGES = {RECEIVED: "info", INFO_REQUESTED: "warning", TAKEN_IN_CHARGE: "success", CLOSED: "secondary"}


class Signal(Base):
    """A segnalazione from an organization of the network to the social service."""

    __tablename__ = "person_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    contact_notes: Mapped[str | None] = mapped_column(String(500))
    listening_point: Mapped[str | None] = mapped_column(String(200))
    target_group: Mapped[str | None] = mapped_column(String(40))
    needs: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    status: Mapped[str] = mapped_column(String(30), default=RECEIVED, index=True)
    info_requests: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    closing_reason: Mapped[str | None] = mapped_column(String(40))
    closing_message: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization = relationship("Organization")
    reported_by = relationship("User", foreign_keys=[reported_by_id])
    owner = relationship("User", foreign_keys=[owner_id])
    messages: Mapped[list[SignalMessage]] = relationship(
        back_populates="signal", order_by="SignalMessage.id", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")


class SignalMessage(Base):
    """What the social service asked the organization about a signal, and what it answered (both sides see it)."""

    __tablename__ = "person_signal_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("person_signal.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))  # domanda | risposta | scaduta | esito
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    signal: Mapped[Signal] = relationship(back_populates="messages")
