"""Applications to join the network (Fase 1), their history, the protocol register and operator invitations.

A `MembershipApplication` keeps two things apart on purpose:

- `form_data`, the applicant's working copy: exactly what was typed, saved with every "Salva la bozza", valid or
  not, so that nothing typed is ever lost (a draft may hold a half-written codice fiscale);
- the submitted scheda, in typed columns and child rows (`OperatingSite`, `RegistryEnrolment`), written only from
  validated data at each (re)submission. That is what the Ufficio di piano reviews and what becomes the
  `Organization` of the elenco on approval, while the applicant may keep editing a new working copy.

`codice_fiscale_lock` holds the codice fiscale while an application is under review or approved: a unique column
that is NULL otherwise, so the database itself refuses two live applications of the same organization (two
concurrent submissions included), while rejected applications and drafts never block anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"
REJECTED = "rejected"

STATUS_LABELS = {
    DRAFT: _l("Bozza"),
    SUBMITTED: _l("In esame"),
    CHANGES_REQUESTED: _l("Modifiche richieste"),
    APPROVED: _l("Approvata"),
    REJECTED: _l("Non accolta"),
}


class MembershipApplication(Base):
    """A domanda di adesione: the scheda di ricognizione of one organization, from draft to decision."""

    __tablename__ = "membership_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    access_nonce: Mapped[str] = mapped_column(String(64))
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    protocol_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    codice_fiscale_lock: Mapped[str | None] = mapped_column(String(16), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)

    # The submitted scheda (NULL until the first submission).
    name: Mapped[str | None] = mapped_column(String(300))
    org_type: Mapped[str | None] = mapped_column(String(40))
    codice_fiscale: Mapped[str | None] = mapped_column(String(16), index=True)
    partita_iva: Mapped[str | None] = mapped_column(String(11))
    founded_on: Mapped[date | None] = mapped_column(Date)
    founding_deed: Mapped[str | None] = mapped_column(String(300))
    legal_address: Mapped[str | None] = mapped_column(String(300))
    legal_postcode: Mapped[str | None] = mapped_column(String(5))
    legal_municipality: Mapped[str | None] = mapped_column(String(100))
    legal_province: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    pec: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sectors: Mapped[list | None] = mapped_column(JSON)
    target_groups: Mapped[list | None] = mapped_column(JSON)
    needs: Mapped[list | None] = mapped_column(JSON)
    area_scope: Mapped[str | None] = mapped_column(String(20))
    area_detail: Mapped[str | None] = mapped_column(String(300))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_role: Mapped[str | None] = mapped_column(String(100))
    affiliation_provincial: Mapped[str | None] = mapped_column(String(300))
    affiliation_regional: Mapped[str | None] = mapped_column(String(300))
    affiliation_national: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_request: Mapped[str | None] = mapped_column(Text)  # the changes asked for, or the reason of a rejection

    sites: Mapped[list[OperatingSite]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="OperatingSite.position"
    )
    enrolments: Mapped[list[RegistryEnrolment]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="RegistryEnrolment.id"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )
    organization = relationship("Organization")

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def display_name(self) -> str:
        """The name as submitted, or as typed in the working copy of a draft."""
        if self.name:
            return self.name
        typed = (self.form_data or {}).get("name") or [""]
        return typed[0] or "(senza denominazione)"


class OperatingSite(Base):
    """A sede operativa of the submitted scheda: where the organization works and when it is open."""

    __tablename__ = "membership_operating_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("membership_application.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(5))
    municipality: Mapped[str] = mapped_column(String(100))
    opening_hours: Mapped[str] = mapped_column(String(300))

    application: Mapped[MembershipApplication] = relationship(back_populates="sites")


class RegistryEnrolment(Base):
    """An enrolment declared in the scheda: RUNTS (section, number, date), Albo cooperative sociali, or another."""

    __tablename__ = "membership_registry_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("membership_application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # runts | albo_cooperative_sociali | altro
    section: Mapped[str | None] = mapped_column(String(40))
    number: Mapped[str | None] = mapped_column(String(50))
    enrolled_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(String(300))

    application: Mapped[MembershipApplication] = relationship(back_populates="enrolments")


class ApplicationEvent(Base):
    """The audit trail of an application: submissions, change requests with their text, decisions, invitations."""

    __tablename__ = "membership_application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("membership_application.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    application: Mapped[MembershipApplication] = relationship(back_populates="events")


class ProtocolCounter(Base):
    """The last protocol number given in a year: numbers are sequential per year, without gaps for drafts."""

    __tablename__ = "membership_protocol_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class OperatorInvitation(Base):
    """A single-use, expiring link for the first operator of an approved organization; only its hash is stored."""

    __tablename__ = "membership_operator_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("membership_application.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organization = relationship("Organization")
