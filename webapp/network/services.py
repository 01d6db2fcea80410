"""Catalogue queries shared by the public pages, the social worker's offer choice and the JSON API."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from webapp.network.models import Offer, Organization


def search_offers(
    session: Session,
    words: str | None = None,
    target_group: str | None = None,
    need: str | None = None,
    available_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Offer], int]:
    """Active offers of approved organizations matching the filters; and how many match in all."""
    query = (
        select(Offer)
        .join(Organization)
        .options(joinedload(Offer.organization))
        .where(Offer.active.is_(True), Organization.status == "approved")
    )
    if words:
        for word in words.split()[:8]:
            like = f"%{word.lower()}%"
            query = query.where(
                or_(
                    func.lower(Offer.title).like(like),
                    func.lower(Offer.description).like(like),
                    func.lower(Organization.name).like(like),
                )
            )
    if available_only:
        query = query.where(Offer.capacity_available > 0)
    offers = list(session.scalars(query.order_by(Offer.title)).unique())
    # target groups and needs are JSON lists: filtered here so the query stays portable (SQLite and PostgreSQL)
    if target_group:
        offers = [o for o in offers if target_group in (o.target_groups or [])]
    if need:
        offers = [o for o in offers if need in (o.needs or [])]
    return offers[offset : offset + limit], len(offers)


def approved_organizations(session: Session) -> list[Organization]:
    return list(
        session.scalars(select(Organization).where(Organization.status == "approved").order_by(Organization.name))
    )
