"""Tables of the workflow runtime, on the declarative `Base` shared with the web application.

Why these four tables: a deployed diagram is stored once per version (`ProcessVersion`); an instance row keeps only
its own state (`ProcessInstance`), with a lock version for optimistic concurrency and the moment its next timer is
due; worklists read the `HumanTask` index instead of deserializing instances; `JournalEntry` is the append-only
history of everything that happened to an instance.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """The one declarative base of Tessere (engine and web application models)."""


class ProcessVersion(Base):
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_key", "version", name="uq_process_version_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # Deferred: tens of KB that a step never needs (the spec objects are cached per version, see
    # spiff_runtime._cached_spec_refs), and every step loads its instance's version with a join.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deployed_by: Mapped[str | None] = mapped_column(String(200))


class ProcessInstance(Base):
    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    state_blob: Mapped[bytes] = mapped_column(LargeBinary)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_by_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error_message: Mapped[str | None] = mapped_column(Text)
    # Hash of the instance's newest journal entry: the head of its hash chain (see JournalEntry). Written in the
    # same step as the entry, so deleting the newest entries is detected too, and concurrent steps serialize on
    # the lock version.
    journal_head: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[ProcessVersion] = relationship(lazy="joined", innerjoin=True)

    @property
    def state_json(self) -> str:
        """The serialized workflow state (JSON). Stored zlib-compressed: it is read and written whole, and the
        JSON of a task tree compresses about six to one."""
        return zlib.decompress(self.state_blob).decode("utf-8") if self.state_blob else "{}"

    @state_json.setter
    def state_json(self, value: str) -> None:
        self.state_blob = zlib.compress(value.encode("utf-8"), 6)

    # SQLAlchemy adds "AND lock_version = :old" to every UPDATE and raises StaleDataError when no row matched:
    # that is how two concurrent steps on one instance are told apart (one commits, the other conflicts).
    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_role_org", "status", "role", "organization_id"),
        Index("ix_human_task_open_assignee", "status", "assignee_id"),
        # Worklists read only open rows, soonest due first: partial indexes keep them as small as the open work,
        # whatever the history (see bench/worklist.py and its EXPLAIN).
        Index(
            "ix_human_task_open_due",
            "due_at",
            "created_at",
            "id",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index(
            "ix_human_task_open_claimed",
            "claimed_by_id",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(50))
    organization_id: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    form_key: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by_id: Mapped[int | None] = mapped_column(Integer)
    # A group task (no assignee: a role's or an organization's) that one person took on ("presa in carico"):
    # only they complete it until they release it (Engine.claim / Engine.release).
    claimed_by_id: Mapped[int | None] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    instance: Mapped[ProcessInstance] = relationship()


class JournalEntry(Base):
    """One thing that happened to an instance. Append-only and tamper-evident: each entry stores the hash of the
    previous entry of the same instance and its own hash over its content and that link (`journal_hash`), so a
    changed, removed or inserted entry breaks the chain (`flask tessere audit verify`)."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    # The chain covers the details through their digest, so that data retention may erase the details of old
    # entries (leaving REDACTED_KEY) without breaking the chain; unerased details must still match the digest.
    details_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


GENESIS_HASH = "0" * 64
REDACTED_KEY = "_cancellato"


def _canonical(value) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def details_digest(details) -> str:
    import hashlib

    return hashlib.sha256(_canonical(details).encode()).hexdigest()


def journal_hash(
    prev_hash: str,
    instance_id: int,
    at: datetime,
    kind: str,
    actor_id: int | None,
    actor_label: str,
    element_id: str | None,
    title: str | None,
    details_hash: str,
) -> str:
    """SHA-256 over the link to the previous entry and a canonical JSON of the entry's content."""
    import hashlib
    from datetime import UTC

    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    content = _canonical(
        [instance_id, moment.isoformat(), kind, actor_id, actor_label, element_id, title, details_hash]
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()
