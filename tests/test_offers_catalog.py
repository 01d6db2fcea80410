"""The public catalogue (no login): search and filters, organization pages, verification dates, nothing personal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.journey import start_case
from webapp.extensions import db
from webapp.network.models import Offer, Organization

AREAS = {
    "Pacchi alimentari": ["centro"],
    "Ascolto donne": ["san_donnino"],
    "Mensa solidale": ["tutto_il_comune"],
    "Compagnia agli anziani": ["capalle"],
}


@pytest.fixture
def catalogue(app):
    """The four offers of the factories with zones; "Ascolto donne" has no free place left."""
    with app.app_context():
        for offer in db.session.scalars(select(Offer)):
            offer.areas = AREAS[offer.title]
            if offer.title == "Ascolto donne":
                offer.capacity_available = 0
        db.session.commit()
    return app


def titles(client, query: str = "") -> set[str]:
    page = client.get(f"/catalogo{query}").get_data(as_text=True)
    return set(re.findall(r'<h2 class="card-title h5"><a href="/catalogo/offerte/\d+">([^<]+)</a>', page))


ALL = set(AREAS)
ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("?q=mensa", {"Mensa solidale"}),
        ("?q=MENSA+solidale", {"Mensa solidale"}),
        ("?q=prova+cooperativa", {"Mensa solidale", "Compagnia agli anziani"}),  # organization names match too
        ("?gruppo=anziani", {"Compagnia agli anziani"}),
        ("?gruppo=poverta", {"Pacchi alimentari", "Mensa solidale"}),
        ("?bisogno=riuso", {"Pacchi alimentari"}),
        ("?gruppo=poverta&bisogno=mensa", {"Mensa solidale"}),
        ("?zona=capalle", {"Compagnia agli anziani", "Mensa solidale"}),  # whole-territory offers are everywhere
        ("?zona=san_donnino", {"Ascolto donne", "Mensa solidale"}),
        ("?zona=san_donnino&disponibili=1", {"Mensa solidale"}),
        ("?disponibili=1", ALL - {"Ascolto donne"}),
        ("?gruppo=non-esiste&bisogno=nemmeno&zona=marte", ALL),  # unknown codes are ignored, not errors
    ],
)
def test_catalogue_filters(catalogue, client, query, expected):
    assert titles(client, query) == expected


def test_the_filters_keep_their_values_and_paginate(catalogue, client):
    page = client.get("/catalogo?q=mensa&zona=capalle&disponibili=1").get_data(as_text=True)
    assert 'value="mensa"' in page
    assert '<option value="capalle" selected>' in page
    assert 'id="disponibili" name="disponibili" value="1" checked' in page
    assert "1 offerta trovata" in page


def test_the_catalogue_works_on_a_phone(catalogue, client):
    page = client.get("/catalogo").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1' in page
    assert "col-12" in page and "<table" not in page  # cards that stack, no wide tables
    assert ' style="' not in page and "<script>" not in page  # CSP: no inline styles or scripts


def test_organization_pages_list_active_offers_and_the_pact(catalogue, client):
    from tests.test_pact import publish_directly, sign_directly

    sign_directly(catalogue, f.OPERATOR_A, publish_directly(catalogue))
    with catalogue.app_context():
        org_a = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        org_b = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_B_CF))
        ids = (org_a.id, org_b.id)
    listing = client.get("/catalogo/organizzazioni").get_data(as_text=True)
    assert "Emporio Solidale di prova" in listing and "Cooperativa di prova" in listing
    assert listing.count("Firmataria del patto di rete") == 1
    page_a = client.get(f"/catalogo/organizzazioni/{ids[0]}").get_data(as_text=True)
    assert "Pacchi alimentari" in page_a and "Ascolto donne" in page_a and "Mensa solidale" not in page_a
    assert "Firmataria" in page_a and f.ORG_A_CF in page_a
    page_b = client.get(f"/catalogo/organizzazioni/{ids[1]}").get_data(as_text=True)
    assert "Non ha firmato il patto in vigore" in page_b


def test_organizations_not_approved_are_not_public(catalogue, client):
    with catalogue.app_context():
        org = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_B_CF))
        org.status = "pending"
        offer_id = db.session.scalar(select(Offer.id).where(Offer.title == "Mensa solidale"))
        db.session.commit()
        org_id = org.id
    assert client.get(f"/catalogo/organizzazioni/{org_id}").status_code == 404
    assert client.get(f"/catalogo/offerte/{offer_id}").status_code == 404
    assert "Mensa solidale" not in titles(client)
    assert "Cooperativa di prova" not in client.get("/catalogo/organizzazioni").get_data(as_text=True)


def test_the_verification_date_is_shown_and_old_ones_are_flagged(catalogue, client):
    recent = datetime.now(UTC) - timedelta(days=10)
    with catalogue.app_context():
        offers = {o.title: o for o in db.session.scalars(select(Offer))}
        offers["Pacchi alimentari"].verified_at = recent
        offers["Mensa solidale"].verified_at = datetime.now(UTC) - timedelta(days=400)
        pacchi, mensa = offers["Pacchi alimentari"].id, offers["Mensa solidale"].id
        db.session.commit()
    shown = recent.astimezone(ROME).strftime("%d/%m/%Y")
    assert f"Dati verificati il {shown}" in client.get("/catalogo").get_data(as_text=True)
    assert "Dati non ancora verificati" in client.get("/catalogo?q=compagnia").get_data(as_text=True)
    recent_page = client.get(f"/catalogo/offerte/{pacchi}").get_data(as_text=True)
    assert f"il {shown}" in recent_page and "da aggiornare" not in recent_page
    assert "da aggiornare" in client.get(f"/catalogo/offerte/{mensa}").get_data(as_text=True)


def test_public_pages_show_nothing_personal(catalogue, client, login):
    """Beneficiaries, operators and legal representatives never appear in the public catalogue."""
    start_case(catalogue, login(f.SOCIAL_WORKER))  # Mario Rossi, RSSMRA80A01D612Y, 333 1234567
    with catalogue.app_context():
        for org in db.session.scalars(select(Organization)):
            org.legal_representative = "Ermenegilda Rappresentante"
            org.email = "info@associazione.example"
        db.session.commit()
        offer_id = db.session.scalar(select(Offer.id).where(Offer.title == "Pacchi alimentari"))
        org_id = db.session.scalar(select(Offer.organization_id).where(Offer.id == offer_id))
    pages = [
        "/catalogo",
        "/catalogo?q=pacchi&gruppo=poverta",
        f"/catalogo/offerte/{offer_id}",
        "/catalogo/organizzazioni",
        f"/catalogo/organizzazioni/{org_id}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for personal in (
            "Rossi",
            "RSSMRA80A01D612Y",
            "333 1234567",
            "Segue il servizio",
            "Ermenegilda",
            f.OPERATOR_A,
            f.SOCIAL_WORKER,
            "op.a",
            "as@test.it",
        ):
            assert personal not in body, (url, personal)
    # the organization's public contact is shown: it is what the plan calls "contatti pubblici"
    assert "info@associazione.example" in client.get(f"/catalogo/organizzazioni/{org_id}").get_data(as_text=True)
