"""Public catalogue pages: search offers, read an offer, read an organization. No login.

Nothing personal is ever shown here: organizations appear with their public contacts (the plan's "contatti
pubblici"), never with their legal representative, their operators or the people they take in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, render_template, request

from engine.service import as_utc
from forms.offers import AREA_LABELS, AREAS, LANGUAGE_LABELS
from forms.vocabulary import NEED_LABELS, ORGANIZATION_TYPES, TARGET_GROUPS, TARGET_GROUPS_BY_CODE, need_choices
from webapp.catalog.cards import offer_cards
from webapp.extensions import db
from webapp.network.models import Offer
from webapp.network.services import (
    approved_organizations,
    last_verified,
    public_organization,
    search_offer_ids,
    search_offers,
)
from webapp.pact import services as pact_services

bp = Blueprint("catalog", __name__)

PER_PAGE = 20


def verification_is_old(moment: datetime | None) -> bool:
    """Data not confirmed for more than a year (or never): the catalogue says so."""
    moment = as_utc(moment)
    return moment is None or moment < datetime.now(UTC) - timedelta(days=365)


def _labels() -> dict:
    return {
        "verification_is_old": verification_is_old,
        "group_labels": {g.code: g.label for g in TARGET_GROUPS},
        "need_labels": NEED_LABELS,
        "area_labels": AREA_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "type_labels": dict(ORGANIZATION_TYPES),
    }


def page_links(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one; None where some are skipped.

    A catalogue of thousands of offers would otherwise print hundreds of links on every page."""
    shown = sorted({1, pages, *range(max(page - around, 1), min(page + around, pages) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] == 2:
            links.append(number - 1)  # an ellipsis would hide just one page: show it
        elif links and number - links[-1] > 2:
            links.append(None)
        links.append(number)
    return links


@bp.route("/catalogo")
def offer_list():
    words = request.args.get("q", "").strip()[:200]
    group = request.args.get("gruppo") or None
    group = group if group in TARGET_GROUPS_BY_CODE else None
    need = request.args.get("bisogno") or None
    need = need if need in NEED_LABELS else None
    area = request.args.get("zona") or None
    area = area if area in AREA_LABELS else None
    available = request.args.get("disponibili") == "1"
    page = max(request.args.get("pagina", 1, type=int), 1)
    offer_ids, total = search_offer_ids(
        db.session,
        words or None,
        group,
        need,
        available,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        area=area,
    )
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    labels = _labels()
    return render_template(
        "catalog/offer_list.html",
        cards=offer_cards(db.session, offer_ids, labels["group_labels"], verification_is_old),
        total=total,
        page=page,
        pages=pages,
        page_links=page_links(page, pages),
        words=words,
        group=group,
        need=need,
        area=area,
        available=available,
        groups=TARGET_GROUPS,
        needs=need_choices(group),
        areas=AREAS,
        **labels,
    )


@bp.route("/catalogo/offerte/<int:offer_id>")
def offer_detail(offer_id: int):
    offer = db.session.get(Offer, offer_id)
    if offer is None or not offer.active or offer.organization.status != "approved":
        abort(404)
    return render_template("catalog/offer_detail.html", offer=offer, **_labels())


@bp.route("/catalogo/organizzazioni")
def organization_list():
    organizations = approved_organizations(db.session)
    in_force = pact_services.pact_in_force(db.session, pact_services.local_day(datetime.now(UTC)))
    counts = {o.id: sum(1 for offer in o.offers if offer.active) for o in organizations}
    return render_template(
        "catalog/organization_list.html",
        organizations=organizations,
        counts=counts,
        signatories=pact_services.signatory_ids(db.session, in_force),
        pact=in_force,
        **_labels(),
    )


@bp.route("/catalogo/organizzazioni/<int:organization_id>")
def organization_detail(organization_id: int):
    organization = public_organization(db.session, organization_id)
    if organization is None:
        abort(404)
    offers, _ = search_offers(db.session, organization_id=organization_id, limit=1000)
    in_force = pact_services.pact_in_force(db.session, pact_services.local_day(datetime.now(UTC)))
    signature = pact_services.active_signature(db.session, in_force.id, organization.id) if in_force else None
    return render_template(
        "catalog/organization_detail.html",
        organization=organization,
        offers=offers,
        verified=last_verified(offers),
        pact=in_force,
        signature=signature,
        **_labels(),
    )


@bp.route("/buone-pratiche")
def good_practice_list():
    """The plan's "sistema di buone pratiche": what worked in the network, told without data of the people helped."""
    from webapp.monitoring.services import good_practices

    return render_template("catalog/good_practices.html", practices=good_practices(db.session), **_labels())


@bp.route("/buone-pratiche/<int:practice_id>")
def good_practice_detail(practice_id: int):
    from webapp.monitoring.services import good_practice

    practice = good_practice(db.session, practice_id)
    if practice is None:
        abort(404)
    return render_template("catalog/good_practice.html", practice=practice, **_labels())
