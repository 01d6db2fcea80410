"""The network's catalogue: queries shared by the public pages, the social worker's offer choice, the JSON and HSDS
APIs; and what an organization does with its own offers (publish, edit, deactivate, confirm once a year)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, inspect, select, update
from sqlalchemy.orm import Session, contains_eager

from webapp.network.facet_index import chosen_facets, restrict_to_facets
from webapp.network.models import Offer, Organization
from webapp.network.search_index import index_entries_at_least, offers_with_prefix, query_terms, restrict_to_words
from webapp.pact.services import has_signed_pact_in_force
from webapp.referrals.models import Referral


def search_offers(session: Session, *args, **kwargs) -> tuple[list[Offer], int]:
    """Active offers of approved organizations matching the filters (one page of them, with their organizations);
    and how many match in all. Takes the arguments of `search_offer_ids`, which says how they are found."""
    chosen, total = search_offer_ids(session, *args, **kwargs)
    return offers_in_catalogue_order(session, chosen), total


def offers_in_catalogue_order(session: Session, offer_ids: list[int], *options) -> list[Offer]:
    """These offers with their organizations, in the catalogue's order; `options`: loader options for the offer
    (`load_only` for a caller that reads a few columns of a long page, as the HSDS list does)."""
    if not offer_ids:
        return []
    return list(session.scalars(offer_search_query([Offer.id.in_(offer_ids)]).options(*options)))


def search_offer_ids(
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
) -> tuple[list[int], int]:
    """The ids of one page of the active offers of approved organizations matching the filters, in the catalogue's
    order (title, then id); and how many match in all. Callers load the page's offers as they need them: ORM
    objects (`search_offers`), or only what the public page's cards print (webapp/catalog/cards.py).

    Words are looked up in the word index (webapp/network/search_index.py): each word typed must be the beginning of
    a word of the offer's title, description or place or of its organization's name, ignoring case and accents
    ("anz" finds "Anziani", "caffe" finds "Caffè"); every word must match. Until issue #8 a word matched anywhere
    inside that text ("ziani" found "anziani"): that substring search read every offer, so its cost grew with the
    catalogue, while a prefix is a range of one B-tree index on both databases (bench/catalogue.py, bench/README.md).
    Target groups, needs and zones are looked up in the filters' index (webapp/network/facet_index.py) for the same
    reason. Filtering, counting and paging all happen in the database."""
    facets = chosen_facets(target_group, need, area)
    narrowed = bool(words and words.split()) or bool(facets)
    conditions = offer_search_conditions(available_only, organization_id=organization_id, narrowed=narrowed)
    if narrowed:
        if not facets and organization_id is None and words_are_common(session, words):
            # Most offers match: count them (narrow rows, no sort), and walk the offers in title order testing the
            # words on each, which stops at the page instead of sorting every match.
            total = session.scalar(common_words_count_query(conditions, words)) or 0
            walking = offer_search_conditions(available_only, walking=True)
            walk = restrict_to_words(select(Offer.id), words, start_here=False).where(*walking)
            walk = walk.order_by(Offer.title, Offer.id).limit(limit).offset(offset)
            return (list(session.scalars(walk)) if offset < total else []), total
        # One query for the ids of all matches in title order (its length is the count), then the page's offers by
        # id: the index ranges and the other conditions are evaluated once.
        ids = list(session.scalars(offer_ids_query(conditions, words, facets)))
        return ids[offset : offset + limit], len(ids)
    # Neither words nor filters: two queries rather than one with `count(*) OVER ()`: a window makes the database
    # build and sort every matching row before the LIMIT, while the page alone keeps only its top rows and the count
    # reads narrow rows.
    total = session.scalar(select(func.count(Offer.id)).join(Organization).where(*conditions)) or 0
    if not total or offset >= total:
        return [], total
    page = select(Offer.id).join(Organization).where(*conditions).order_by(Offer.title, Offer.id)
    return list(session.scalars(page.limit(limit).offset(offset))), total


# A word whose index range holds this many entries (about as many offers) matches a large share of the catalogue.
COMMON_WORD_ENTRIES = 2000


def words_are_common(session: Session, words: str | None) -> bool:
    """Every word of the query is common (COMMON_WORD_ENTRIES): then most offers in title order match and walking
    them finds a page at once. One rare word is enough to say no (the walk could read the whole catalogue), so
    each word is checked, each by a bounded read of its index range."""
    terms = query_terms(words)
    if not terms:
        return False
    connection = session.connection(bind_arguments={"mapper": inspect(Offer)})
    return all(index_entries_at_least(connection, term, COMMON_WORD_ENTRIES) for term in terms)


def offer_search_query(conditions: list) -> Select:
    """The catalogue's ordered query of offers with their organizations for these conditions (without paging)."""
    return (
        select(Offer)
        .join(Organization)
        .options(contains_eager(Offer.organization))
        .where(*conditions)
        .order_by(Offer.title, Offer.id)
    )


def offer_ids_query(conditions: list, words: str | None, facets: list[tuple[str, list[str]]]) -> Select:
    """The ids of the offers matching these words and facets (`chosen_facets`) and conditions (made `narrowed`), in
    the catalogue's order; also what bench/catalogue.py EXPLAINs. The query starts from the offers of the first
    word, or without words from the offers having every facet (found in the filters' index alone)."""
    statement = restrict_to_words(select(Offer.id), words)
    with_words = bool(words and words.split())
    statement = restrict_to_facets(statement, facets, start_here=not with_words)
    return statement.where(*conditions).order_by(Offer.title, Offer.id)


def common_words_count_query(conditions: list, words: str) -> Select:
    """How many offers match these common words (`words_are_common`) and conditions (made `narrowed`).

    Thousands of offers match, so this count is the one part of such a search that grows with the catalogue. Each
    word is an `IN` of its index range rather than the join of `offer_ids_query` (which makes the first word's ids
    distinct in a sorted temporary table before reading each offer): measured at 10,000 offers, 7,580 matches of
    "campi", 7-8 ms against 14-15 ms on SQLite (bench/README.md)."""
    terms = query_terms(words)
    return (
        select(func.count())
        .select_from(Offer)
        .where(*conditions, *(Offer.id.in_(offers_with_prefix(t)) for t in terms))
    )


def offer_search_conditions(
    available_only: bool = False,
    *,
    organization_id: int | None = None,
    narrowed: bool = False,
    walking: bool = False,
) -> list:
    """The WHERE clauses of a catalogue search besides its words and facets (`restrict_to_words`,
    `restrict_to_facets`): active offers of approved organizations, with free places if asked, of one organization.

    `narrowed`: for `offer_ids_query`, which starts from the offers that the words or facets give and has no join:
    the organization's status is then an IN on those offers (a list read from the index on (status, id)). Through
    the join, SQLite (without statistics) started from the approved organizations, nearly all of them, and read
    every offer of each. Without words or facets the join is 10-20 % faster on both databases (bench/catalogue.py),
    so that query keeps it. `walking`: for the walk of the titles of `search_offers` (common words)."""
    if walking:
        # tested on each offer as the titles are walked: as an IN, SQLite started from the approved organizations'
        # offers and sorted them all (110 ms for "campi" at 10,000 offers, against 1 ms)
        approved = (
            select(Organization.id)
            .where(Organization.id == Offer.organization_id, Organization.status == "approved")
            .exists()
        )
    elif narrowed:
        approved = Offer.organization_id.in_(select(Organization.id).where(Organization.status == "approved"))
    else:
        approved = Organization.status == "approved"
    conditions: list = [Offer.active.is_(True), approved]
    if available_only:
        conditions.append(Offer.capacity_available > 0)
    if organization_id is not None:
        conditions.append(Offer.organization_id == organization_id)
    return conditions


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
        message = str(message)  # a plain string: it may travel in a flashed message (the session)
        super().__init__(message)
        self.message = message
        self.field = field


NOT_SIGNED = _l(
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
            _(
                "La disponibilità massima non può scendere sotto %(reserved)s %(unit)s: sono già riservati a "
                "persone accolte con invii accettati.",
                reserved=reserved,
                unit=unit,
            ),
            field="capacity_total",
        )
    free = total - reserved
    available = data.get("capacity_available")
    available = free if available is None or available == "" else int(available)
    if available > free:
        raise OfferError(
            _(
                "Con %(reserved)s %(unit)s già riservati da invii accettati, i disponibili possono essere al massimo "
                "%(free)s.",
                reserved=reserved,
                unit=unit,
                free=free,
            ),
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
        raise OfferError(_("Il tuo profilo non è collegato a un'organizzazione."))
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
