"""Fase 3 of the plan ("monitoraggio e azioni per la sostenibilità"): periods, questionnaires, reports, good practices.

`MonitoringSchedule` says how often a monitoring period starts (every six months by default); the worker creates
one `MonitoringPeriod` per period and starts its `fase3_monitoraggio` process (see `schedule`). Each member
organization answers one `MonitoringQuestionnaire` per period; the manager's conclusions, the frozen figures and
the PDF of the published report stay on the period row, so a report never changes once it is archived.
`GoodPractice` is the plan's "sistema di buone pratiche", shown in the public catalogue.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

PERIOD_STATUS_LABELS = {
    "in_corso": _l("Periodo in corso"),
    "raccolta": _l("Raccolta dei questionari"),
    "revisione": _l("In revisione"),
    "pubblicato": _l("Rapporto pubblicato"),
}

QUESTIONNAIRE_STATUS_LABELS = {
    "da_compilare": _l("Da compilare"),
    "inviato": _l("Inviato"),
    "non_pervenuto": _l("Non pervenuto"),
}


class MonitoringSchedule(Base):
    """When the next monitoring period starts and how long periods last (one row per periodic process)."""

    __tablename__ = "monitoring_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), unique=True)
    interval_months: Mapped[int] = mapped_column(Integer, default=6)
    next_period_start: Mapped[date] = mapped_column(Date)
    questionnaire_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class MonitoringPeriod(Base):
    """One monitoring period (both days included), its process and, once published, its archived report."""

    __tablename__ = "monitoring_period"
    __table_args__ = (UniqueConstraint("start", "end", name="uq_monitoring_period_dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="in_corso", index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    collection_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    collection_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The manager's conclusions, written in the review task.
    summary: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[str | None] = mapped_column(Text)
    sustainability: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The figures as they were at publication (already privacy-suppressed): the archived report reads only these.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    report_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    report_pdf_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    questionnaires: Mapped[list[MonitoringQuestionnaire]] = relationship(
        back_populates="period", order_by="MonitoringQuestionnaire.id"
    )
    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def status_label(self) -> str:
        return str(PERIOD_STATUS_LABELS.get(self.status, self.status))


class MonitoringQuestionnaire(Base):
    """One organization's answers for one period: what it did, for how many people, with how many volunteers."""

    __tablename__ = "monitoring_questionnaire"
    __table_args__ = (UniqueConstraint("period_id", "organization_id", name="uq_monitoring_questionnaire_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("monitoring_period.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="da_compilare")
    activities: Mapped[str | None] = mapped_column(Text)
    activities_count: Mapped[int | None] = mapped_column(Integer)
    people_reached: Mapped[int | None] = mapped_column(Integer)
    volunteers: Mapped[int | None] = mapped_column(Integer)
    difficulties: Mapped[str | None] = mapped_column(Text)
    proposals: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    period: Mapped[MonitoringPeriod] = relationship(back_populates="questionnaires")
    organization = relationship("Organization")

    @property
    def status_label(self) -> str:
        return str(QUESTIONNAIRE_STATUS_LABELS.get(self.status, self.status))


good_practice_organization = Table(
    "good_practice_organization",
    Base.metadata,
    Column("good_practice_id", ForeignKey("good_practice.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id"), primary_key=True),
)


class GoodPractice(Base):
    """A good practice that emerged from the network's work, told for the public catalogue."""

    __tablename__ = "good_practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text)
    target_groups: Mapped[list] = mapped_column(JSON, default=list)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_period.id"), index=True)
    published: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organizations = relationship("Organization", secondary=good_practice_organization, order_by="Organization.name")
    period: Mapped[MonitoringPeriod | None] = relationship()
