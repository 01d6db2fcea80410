"""People in charge of the social service, their cases, the referrals sent for them, and reads of their records.

Personal data lives here, in the domain tables, not in the process state: the `case.register` operation moves
what the social worker typed out of the task data, leaving only ids behind in the workflow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base


class Beneficiary(Base):
    __tablename__ = "beneficiary"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    codice_fiscale: Mapped[str | None] = mapped_column(String(16), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Case(Base):
    """A presa in carico: one person, one target group, the needs found, one process instance."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The specialist service (UFSMIA, AUSL...) whose operator opened the case; NULL for the social service.
    referring_service_id: Mapped[int | None] = mapped_column(ForeignKey("specialist_service.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    target_group: Mapped[str] = mapped_column(String(40), index=True)
    needs: Mapped[list] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(default=False)
    consent_share: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # What the person agreed to (see services.CONSENT_SCOPE); the data shared with each organization is chosen per
    # referral (Referral.share_*). Withdrawing consent stops every further sharing (services.withdraw_consent).
    consent_scope: Mapped[str | None] = mapped_column(String(300))
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set by `tessere retention` when the person's data of a closed case was anonymized (aggregates stay).
    anonymized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closing_outcome: Mapped[str | None] = mapped_column(String(40))
    closing_note: Mapped[str | None] = mapped_column(Text)

    beneficiary: Mapped[Beneficiary] = relationship()
    owner = relationship("User", foreign_keys=[owner_id])
    referring_service = relationship("SpecialistService")
    referrals: Mapped[list[Referral]] = relationship(back_populates="case", order_by="Referral.id")


class Referral(Base):
    """An invio: the case sent to one offer of one organization, its answer and its outcome."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    share_last_name: Mapped[bool] = mapped_column(default=True)
    share_phone: Mapped[bool] = mapped_column(default=True)
    share_email: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="inviato", index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    answer_note: Mapped[str | None] = mapped_column(Text)
    first_appointment: Mapped[date | None] = mapped_column(Date)
    capacity_reserved: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(40))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship(back_populates="referrals")
    offer = relationship("Offer")
    organization = relationship("Organization")


class AccessLogEntry(Base):
    """Who read a person's record, when, and why: required for special-category data (health, violence)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The record read: a case, a signal (segnalazione) that has no case yet, or a citizen's request.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("person_signal.id"), index=True)
    # SET NULL: unconfirmed requests are purged after a week (the entry keeps who read something, and when).
    citizen_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizen_request.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    # Why a manager opened a restricted case (required for special-category data), as they stated it.
    reason: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """An in-app message for one user (a new referral, a reminder, a deadline passed)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)  # in Italian, as written when the event happened
    # The same text to translate for each reader: {"msgid": Italian, "params": {...}} (webapp.notifications.messages).
    message: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
