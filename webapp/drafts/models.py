"""The saved draft of one form for one person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class FormDraft(Base):
    """What `user_id` typed in the form named `key` (e.g. `presa_in_carico`, `task:42`), as field -> list of values."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_form_draft_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
