"""Versions of the patto di rete and the organizations' signatures (who signed, when, which version; withdrawals)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base


class PactVersion(Base):
    """One published text of the pact, valid from `valid_from` to `valid_until` (both days included).

    Versions are immutable once published: a change is a new version, which the members sign again.
    """

    __tablename__ = "pact_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    expiry_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    published_by = relationship("User", foreign_keys=[published_by_id])
    signatures: Mapped[list[PactSignature]] = relationship(
        back_populates="pact_version", order_by="PactSignature.signed_at"
    )


class PactSignature(Base):
    """An organization's signature of one version; a withdrawal closes it (a new signature is a new row)."""

    __tablename__ = "pact_signature"
    __table_args__ = (
        # At most one signature in force per organization and version, even with two operators clicking at once.
        Index(
            "uq_pact_signature_active",
            "pact_version_id",
            "organization_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_version_id: Mapped[int] = mapped_column(ForeignKey("pact_version.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_by_name: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    pact_version: Mapped[PactVersion] = relationship(back_populates="signatures")
    organization = relationship("Organization")

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
