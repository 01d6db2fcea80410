"""Public catalogue pages: search offers, read an offer. Nothing personal is ever shown here."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from forms.vocabulary import NEED_LABELS, TARGET_GROUPS, TARGET_GROUPS_BY_CODE, need_choices
from webapp.extensions import db
from webapp.network.models import Offer
from webapp.network.services import search_offers

bp = Blueprint("catalog", __name__)


@bp.route("/catalogo")
def offer_list():
    words = request.args.get("q", "").strip()[:200]
    group = request.args.get("gruppo") or None
    need = request.args.get("bisogno") or None
    available = request.args.get("disponibili") == "1"
    page = max(request.args.get("pagina", 1, type=int), 1)
    offers, total = search_offers(
        db.session,
        words or None,
        group if group in TARGET_GROUPS_BY_CODE else None,
        need,
        available,
        limit=20,
        offset=(page - 1) * 20,
    )
    return render_template(
        "catalog/offer_list.html",
        offers=offers,
        total=total,
        page=page,
        pages=max((total + 19) // 20, 1),
        words=words,
        group=group,
        need=need,
        available=available,
        groups=TARGET_GROUPS,
        needs=need_choices(group),
        group_labels={g.code: g.label for g in TARGET_GROUPS},
        need_labels=NEED_LABELS,
    )


@bp.route("/catalogo/offerte/<int:offer_id>")
def offer_detail(offer_id: int):
    offer = db.session.get(Offer, offer_id)
    if offer is None or not offer.active or offer.organization.status != "approved":
        abort(404)
    return render_template(
        "catalog/offer_detail.html",
        offer=offer,
        group_labels={g.code: g.label for g in TARGET_GROUPS},
        need_labels=NEED_LABELS,
    )
