"""The e-mail outbox and who has read which in-app notification.

Why an outbox table: an e-mail is written in the same transaction as the step that causes it (a referral sent,
a deadline passed), so it exists if and only if the step committed; the worker delivers it later, retrying with
back-off, and a message that keeps failing stays visible to administrators with its error instead of being lost.

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


class NotificationRead(Base):
    """This user has read this notification (organization-wide notifications are read per person)."""

    __tablename__ = "notification_read"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
