"""The e-mail outbox and who has read which in-app notification.

Why an outbox table: an e-mail is written in the same transaction as the step that causes it (a referral sent,
a deadline passed), so it exists if and only if the step committed; the worker delivers it later, retrying with
back-off, and a message that keeps failing stays visible to administrators with its error instead of being lost.

Why a table of request incidents: a step that raises inside a web request is rolled back whole (the instance stays
as it was, the person can do the task again), so nothing of it would remain for administrators to see; the
incident is written afterwards, in its own transaction, with who, which task and instance, and the traceback.

Why a read-state table: a notification addressed to an organization is shared by all its operators, and each of
them reads it (or not) on their own; one row per (notification, user) records who has read what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base

MAIL_PENDING = "pending"
MAIL_SENT = "sent"
MAIL_FAILED = "failed"


class OutboxMessage(Base):
    """One e-mail to one recipient, rendered when it was queued (what is sent is what the step wrote)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RequestIncident(Base):
    """A step that failed during a web request (page or API): rolled back, recorded here for administrators.

    Only the error and the context are stored, never the submitted form (it may hold personal data); the instance
    and task ids are plain integers, not foreign keys, so data retention and deletions never trip over an incident.
    """

    __tablename__ = "request_incident"
    __table_args__ = (Index("ix_request_incident_open", "resolved_at", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    user_label: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    endpoint: Mapped[str | None] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)
    task_title: Mapped[str | None] = mapped_column(String(300))
    error_type: Mapped[str] = mapped_column(String(200))
    error_message: Mapped[str] = mapped_column(Text)
    error_traceback: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class NotificationRead(Base):
    """This user has read this notification (organization-wide notifications are read per person)."""

    __tablename__ = "notification_read"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
