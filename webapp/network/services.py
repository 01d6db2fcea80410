"""The network's catalogue: queries shared by the public pages, the social worker's offer choice, the JSON and HSDS
APIs; and what an organization does with its own offers (publish, edit, deactivate, confirm once a year)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from forms.offers import area_matches
from webapp.network.models import Offer, Organization
from webapp.pact.services import has_signed_pact_in_force
from webapp.referrals.models import Referral


def search_offers(
    session: Session,
    words: str | None = None,
    target_group: str | None = None,
    need: str | None = None,
    available_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    *,
    area: str | None = None,
    organization_id: int | None = None,
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
                    func.lower(Offer.location).like(like),
                    func.lower(Organization.name).like(like),
                )
            )
    if available_only:
        query = query.where(Offer.capacity_available > 0)
    if organization_id is not None:
        query = query.where(Offer.organization_id == organization_id)
    offers = list(session.scalars(query.order_by(Offer.title, Offer.id)).unique())
    # target groups, needs and zones are JSON lists: filtered here so the query stays portable (SQLite and PostgreSQL)
    if target_group:
        offers = [o for o in offers if target_group in (o.target_groups or [])]
    if need:
        offers = [o for o in offers if need in (o.needs or [])]
    if area:
        offers = [o for o in offers if area_matches(o.areas, area)]
    return offers[offset : offset + limit], len(offers)


def approved_organizations(session: Session) -> list[Organization]:
    return list(
        session.scalars(select(Organization).where(Organization.status == "approved").order_by(Organization.name))
    )


def public_organization(session: Session, organization_id: int) -> Organization | None:
    """An organization the public catalogue may show (approved members only)."""
    organization = session.get(Organization, organization_id)
    return organization if organization is not None and organization.status == "approved" else None


def last_verified(offers: list[Offer]) -> datetime | None:
    """The oldest verification among these offers: the date the organization's catalogue data were last checked."""
    dates = [o.verified_at for o in offers if o.verified_at is not None]
    return min(dates) if len(dates) == len(offers) and dates else None


# ------------------------------------------------------------------------------ an organization's own offers
class OfferNotFound(LookupError):
    """No such offer among the organization's own (the views answer 404: no hint that it exists)."""


class OfferError(Exception):
    """The organization cannot do this with its offer; `message` is for a person, `field` the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


NOT_SIGNED = (
    "La vostra organizzazione non ha firmato il patto di rete in vigore: per pubblicare o modificare offerte "
    "serve la firma del patto."
)
OFFER_FIELDS = (
    "title",
    "description",
    "target_groups",
    "needs",
    "eligibility",
    "location",
    "areas",
    "schedule",
    "languages",
    "cost",
    "how_to_access",
    "capacity_unit",
)


def offers_of_organization(session: Session, organization_id: int) -> list[Offer]:
    """All offers of an organization, active ones first."""
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.organization_id == organization_id)
            .order_by(Offer.active.desc(), Offer.title, Offer.id)
        )
    )


def offer_of_organization(session: Session, organization_id: int | None, offer_id: int) -> Offer | None:
    """The offer if it belongs to this organization; None otherwise (callers answer 404)."""
    offer = session.get(Offer, offer_id)
    if offer is None or organization_id is None or offer.organization_id != organization_id:
        return None
    return offer


def take_place(session: Session, offer: Offer) -> bool:
    """Reserve one place of the offer in a single UPDATE (never below zero); False when none is left.

    Referrals and citizens' requests both go through here, so two acceptances racing for the last place cannot
    both win."""
    taken = session.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.capacity_available > 0)
        .values(capacity_available=Offer.capacity_available - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(offer, ["capacity_available"])
    return bool(taken)


def give_back_place(session: Session, offer: Offer) -> None:
    """Release one reserved place (never above the offer's total)."""
    session.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.capacity_available < Offer.capacity_total)
        .values(capacity_available=Offer.capacity_available + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(offer, ["capacity_available"])


def reserved_places(session: Session, offer_id: int) -> int:
    """Places (or hours) held by accepted referrals and accepted citizens' requests that are not closed yet."""
    from webapp.citizen.models import CitizenRequest  # the citizens' door builds on the network, not vice versa

    held = 0
    for model in (Referral, CitizenRequest):
        held += (
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.offer_id == offer_id, model.capacity_reserved.is_(True))
            )
            or 0
        )
    return held


def may_publish(session: Session, organization_id: int | None, now: datetime) -> bool:
    """Only organizations whose signature of the pact in force stands may publish or change offers."""
    return has_signed_pact_in_force(session, organization_id, now)


def _require_signed(session: Session, organization_id: int | None, now: datetime) -> None:
    if not may_publish(session, organization_id, now):
        raise OfferError(NOT_SIGNED)


def _capacity(data: Mapping[str, Any], reserved: int) -> tuple[int, int]:
    """(total, available) from the form, checked against the places already reserved by accepted referrals."""
    unit = data.get("capacity_unit") or "posti"
    total = int(data["capacity_total"])
    if total < reserved:
        raise OfferError(
            f"La disponibilità massima non può scendere sotto {reserved} {unit}: sono già riservati a persone "
            "accolte con invii accettati.",
            field="capacity_total",
        )
    free = total - reserved
    available = data.get("capacity_available")
    available = free if available is None or available == "" else int(available)
    if available > free:
        raise OfferError(
            f"Con {reserved} {unit} già riservati da invii accettati, i disponibili possono essere al massimo {free}.",
            field="capacity_available",
        )
    return total, available


def create_offer(session: Session, user, data: Mapping[str, Any], now: datetime) -> Offer:
    """Publish a new offer of the user's organization (which must have signed the pact in force)."""
    _require_signed(session, user.organization_id, now)
    total, available = _capacity(data, 0)
    offer = Offer(
        organization_id=user.organization_id,
        **{name: _clean(data.get(name)) for name in OFFER_FIELDS},
        capacity_total=total,
        capacity_available=available,
        active=True,
        created_at=now,
        updated_at=now,
        verified_at=now,
        verified_by_id=user.id,
    )
    session.add(offer)
    session.flush()
    return offer


def update_offer(session: Session, user, offer_id: int, data: Mapping[str, Any], now: datetime) -> Offer:
    """Change an offer of the user's organization; capacity never below what accepted referrals hold."""
    offer = _own_offer_locked(session, user, offer_id)
    _require_signed(session, user.organization_id, now)
    total, available = _capacity(data, reserved_places(session, offer.id))
    for name in OFFER_FIELDS:
        setattr(offer, name, _clean(data.get(name)))
    offer.capacity_total = total
    offer.capacity_available = available
    offer.updated_at = now
    offer.verified_at = now
    offer.verified_by_id = user.id
    session.flush()
    return offer


def set_offer_active(session: Session, user, offer_id: int, active: bool, now: datetime) -> Offer:
    """Take an offer out of the catalogue (always allowed) or put it back (only with the pact signed)."""
    offer = _own_offer_locked(session, user, offer_id)
    if active:
        _require_signed(session, user.organization_id, now)
    offer.active = active
    offer.updated_at = now
    session.flush()
    return offer


def confirm_organization_data(session: Session, user, now: datetime) -> int:
    """The yearly "confermo i dati": every active offer of the organization is marked verified today."""
    if user.organization_id is None:
        raise OfferError("Il tuo profilo non è collegato a un'organizzazione.")
    offers = [o for o in offers_of_organization(session, user.organization_id) if o.active]
    for offer in offers:
        offer.verified_at = now
        offer.verified_by_id = user.id
    session.flush()
    return len(offers)


def _own_offer_locked(session: Session, user, offer_id: int) -> Offer:
    """The offer, locked for this transaction (a referral accepted meanwhile waits), if it is the user's own."""
    offer = session.scalar(
        select(Offer)
        .where(Offer.id == offer_id, Offer.organization_id == user.organization_id)
        .with_for_update(of=Offer)
    )
    if offer is None or user.organization_id is None:
        raise OfferNotFound(offer_id)
    return offer


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return list(dict.fromkeys(value))
    return value
