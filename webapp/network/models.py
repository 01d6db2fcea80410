"""Organizations of the network and their offers (with quantified capacity that referrals reserve)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base


class Organization(Base):
    __tablename__ = "organization"
    # the approved organizations' ids from the index alone (the catalogue's count, issue #8)
    __table_args__ = (Index("ix_organization_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    codice_fiscale: Mapped[str] = mapped_column(String(16), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="approved", index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    area: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    legal_representative: Mapped[str | None] = mapped_column(String(200))
    registry_enrolment: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    offers: Mapped[list[Offer]] = relationship(back_populates="organization")


class Offer(Base):
    __tablename__ = "offer"
    __table_args__ = (
        # The catalogue's order: a word matching most offers walks the titles in order and stops at the page
        # (webapp/network/services.py, issue #8).
        Index("ix_offer_title_id", "title", "id"),
        # What the catalogue's search reads of every matching offer (webapp/network/services.py: active, approved,
        # free places, then sorted by title): an index-only scan instead of the wide rows. Without capacity and
        # title PostgreSQL read the table itself for the ~500 matches of a group and a zone at 10,000 offers (a
        # sequential scan of every offer: half of the query's time, bench/README.md).
        Index("ix_offer_listing", "id", "active", "organization_id", "capacity_available", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    target_groups: Mapped[list] = mapped_column(JSON)
    needs: Mapped[list] = mapped_column(JSON)
    capacity_total: Mapped[int] = mapped_column(Integer)
    capacity_available: Mapped[int] = mapped_column(Integer)
    capacity_unit: Mapped[str] = mapped_column(String(20), default="posti")
    location: Mapped[str | None] = mapped_column(String(300))
    schedule: Mapped[str | None] = mapped_column(String(300))
    how_to_access: Mapped[str | None] = mapped_column(Text)
    eligibility: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    cost: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Zones of the comune where the offer is available (codes of forms.offers.AREAS): the catalogue's area filter.
    areas: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The organization's yearly "confermo i dati" (or its last edit): the catalogue shows it as the verification date.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organization: Mapped[Organization] = relationship(back_populates="offers")


# Terms are compared byte by byte (code-point order) on every database, so that a prefix range `term >= w AND
# term < w + U+10FFFF` is exact: SQLite's default BINARY collation does it, PostgreSQL needs the column in "C"
# (a linguistic collation such as it_IT would order and bound the range differently).
SEARCH_TERM_TYPE = String(60).with_variant(String(60, collation="C"), "postgresql")


class OfferSearchTerm(Base):
    """One word of an offer's public text (webapp/network/search_index.py): the catalogue's word search reads this
    table through its primary key (term, offer_id) instead of scanning every offer's text."""

    __tablename__ = "offer_search_term"
    __table_args__ = (Index("ix_offer_search_term_offer_id", "offer_id"),)  # reindexing one offer deletes its terms

    term: Mapped[str] = mapped_column(SEARCH_TERM_TYPE, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True)


class OfferFacet(Base):
    """One item of an offer's target groups, needs or zones (webapp/network/facet_index.py): the catalogue's filters
    read this table through its primary key (kind, value, offer_id) instead of testing every offer's JSON lists."""

    __tablename__ = "offer_facet"
    __table_args__ = (Index("ix_offer_facet_offer_id", "offer_id"),)  # reindexing one offer deletes its rows

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "group", "need", "area" or a pair of them
    value: Mapped[str] = mapped_column(String(100), primary_key=True)  # a vocabulary code, as the JSON list holds it
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True)
