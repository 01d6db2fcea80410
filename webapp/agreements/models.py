"""Network agreements with the public specialist services (accordi di rete: UFSMIA, AUSL Toscana Centro).

The plan's Fase 2 foresees "accordi di rete per l'erogazione del servizio da parte del servizio pubblico": a
specialist service refers people to the network like the social service does, within an agreement that the manager
records with its term. Operators of a service are users with the role `health_service` bound to it
(`User.specialist_service_id`); they may take people in charge and send them to offers only while the service is
active and its agreement in force. Each case they open records the referring service (`Case.referring_service_id`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base


class NetworkAgreement(Base):
    """An accordo di rete: with whom, under which act, from when to when."""

    __tablename__ = "network_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    counterpart: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(300))
    signed_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # use_alter: user_account -> specialist_service -> network_agreement -> user_account is a cycle of foreign keys
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True, name="fk_network_agreement_created_by")
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    services: Mapped[list[SpecialistService]] = relationship(
        back_populates="agreement", order_by="SpecialistService.name"
    )

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class SpecialistService(Base):
    """A servizio specialistico that refers people under an agreement (e.g. UFSMIA of the Zona Nord-Ovest)."""

    __tablename__ = "specialist_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("network_agreement.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agreement: Mapped[NetworkAgreement] = relationship(back_populates="services")

    def may_refer(self, day: date) -> bool:
        return self.active and self.agreement.in_force(day)
