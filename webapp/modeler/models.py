"""Drafts of diagrams: what a manager saved in the modeler and has not deployed yet.

A deployed version is immutable and lives in the engine (`ProcessVersion`); a draft is the one work-in-progress
copy of a process's diagram, shared by the managers (one per process key). `revision` grows at every save, so two
managers saving over each other are told instead of silently losing a change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class DiagramDraft(Base):
    __tablename__ = "diagram_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # The deployed version the draft started from (None for a process never deployed).
    base_version: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_label: Mapped[str] = mapped_column(String(200))
