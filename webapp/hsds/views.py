"""`/api/hsds/`: the public HSDS 3.0 read API (HSDA). No token: a blueprint of its own, so the `api` blueprint's
authentication (a before_request of that blueprint, which Flask runs only for its own endpoints) does not apply."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.hsds import mapping
from webapp.hsds.openapi import openapi_document
from webapp.network.models import Offer
from webapp.network.services import (
    approved_organizations,
    offers_in_catalogue_order,
    public_organization,
    search_offer_ids,
    search_offers,
)
from webapp.url_patterns import id_url_builder

bp = Blueprint("hsds", __name__, url_prefix="/api/hsds")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/overview.html"


class HsdsError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(HsdsError)
def _hsds_error(exc: HsdsError):
    return jsonify({"error": exc.message}), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    # messages for the people reading the answer (in their Accept-Language); the fields stay as HSDS names them
    messages = {404: _("Risorsa non trovata."), 405: _("Metodo non consentito: l'API HSDS è in sola lettura.")}
    return jsonify({"error": messages.get(exc.code, exc.description)}), exc.code


@bp.after_request
def _public_read_api(response):
    """Open data: any web page may read it (no cookies are involved: the API never looks at a session)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response


def _public_url(kind: str, key: int) -> str:
    if kind == "organization":
        return url_for("catalog.organization_detail", organization_id=key, _external=True)
    return url_for("catalog.offer_detail", offer_id=key, _external=True)


def _public_urls_of_page():
    """`_public_url` for the many rows of one page: the router asked once per kind (webapp/url_patterns.py).
    Building two URLs per service was a visible part of a page of 50."""
    organization_url = id_url_builder("catalog.organization_detail", "organization_id", _external=True)
    service_url = id_url_builder("catalog.offer_detail", "offer_id", _external=True)

    def url(kind: str, key: int) -> str:
        return organization_url(key) if kind == "organization" else service_url(key)

    return url


def _paging() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        raise HsdsError(400, _("page e per_page devono essere numeri interi.")) from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise HsdsError(400, _("page deve essere almeno 1 e per_page tra 1 e %(max)s.", max=MAX_PER_PAGE))
    return page, per_page


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes", "si", "sì")


@bp.get("/")
def api_info():
    return jsonify(
        {
            "version": mapping.HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": url_for("hsds.openapi", _external=True),
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(url_for("hsds.api_info", _external=True).rstrip("/")))


@bp.get("/services")
def list_services():
    page, per_page = _paging()
    organization_key = None
    if request.args.get("organization_id"):
        organization_key = mapping.key_of("organization", request.args["organization_id"])
        if organization_key is None:
            raise HsdsError(400, _("organization_id non è un identificativo di organizzazione valido."))
    offer_ids, total = search_offer_ids(
        db.session,
        words=(request.args.get("search") or "").strip()[:200] or None,
        limit=per_page,
        offset=(page - 1) * per_page,
        organization_id=organization_key,
    )
    full = _flag("full")
    # a basic page reads a dozen columns of up to 200 services: the others (JSON lists, contacts) stay unread
    offers = offers_in_catalogue_order(db.session, offer_ids, *(() if full else mapping.SERVICE_BASIC_COLUMNS))
    shape = mapping.service_full if full else mapping.service_basic
    url = _public_urls_of_page()
    return jsonify(mapping.page([shape(o, url) for o in offers], total, page, per_page))


@bp.get("/services/<service_id>")
def get_service(service_id: str):
    key = mapping.key_of("service", service_id)
    offer = db.session.get(Offer, key) if key is not None else None
    if offer is None or not offer.active or offer.organization.status != "approved":
        raise HsdsError(404, _("Servizio non trovato nel catalogo."))
    return jsonify(mapping.service_full(offer, _public_url))


@bp.get("/organizations")
def list_organizations():
    page, per_page = _paging()
    organizations = approved_organizations(db.session)
    words = (request.args.get("search") or "").strip().lower()
    if words:
        organizations = [
            o
            for o in organizations
            if all(w in f"{o.name} {o.description or ''} {o.area or ''}".lower() for w in words.split()[:8])
        ]
    chosen = organizations[(page - 1) * per_page : page * per_page]
    if _flag("full"):
        contents = [mapping.organization_full(o, _active_offers(o.id), _public_url) for o in chosen]
    else:
        contents = [mapping.organization_basic(o, _public_url) for o in chosen]
    return jsonify(mapping.page(contents, len(organizations), page, per_page))


@bp.get("/organizations/<organization_id>")
def get_organization(organization_id: str):
    key = mapping.key_of("organization", organization_id)
    organization = public_organization(db.session, key) if key is not None else None
    if organization is None:
        raise HsdsError(404, _("Organizzazione non trovata nel catalogo."))
    return jsonify(mapping.organization_full(organization, _active_offers(organization.id), _public_url))


def _active_offers(organization_id: int):
    offers, _ = search_offers(db.session, limit=10_000, organization_id=organization_id)
    return offers
