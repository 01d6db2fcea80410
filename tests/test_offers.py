"""«Le nostre offerte»: an organization's operators manage their own offers, only with the pact signed, never below
the capacity that accepted referrals hold; and they confirm their data once a year."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case, submit
from tests.test_pact import publish_directly, sign_directly
from webapp.extensions import db
from webapp.network.models import Offer

NEW_OFFER = {
    "title": "Doposcuola del martedì",
    "description": "Aiuto nei compiti per ragazzi delle medie, con merenda.",
    "target_groups": ["infanzia_famiglie"],
    "needs": ["dopo_scuola"],
    "eligibility": "Ragazzi dagli 11 ai 14 anni",
    "location": "Via Barberinese 118, 50013 Campi Bisenzio (FI)",
    "areas": ["centro", "san_martino"],
    "schedule": "Martedì 15:00-18:00",
    "languages": ["it", "ar"],
    "cost": "Gratuito",
    "how_to_access": "Su invio del Servizio sociale o iscrizione diretta",
    "capacity_unit": "posti",
    "capacity_total": "12",
    "capacity_available": "",
}


def offer_by_title(app, title: str) -> Offer | None:
    with app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.title == title))
        if offer is not None:
            db.session.expunge(offer)
        return offer


def signed(app, *emails: str) -> int:
    version_id = publish_directly(app)
    for email in emails:
        sign_directly(app, email, version_id)
    return version_id


def offer_form(offer: Offer, **changes) -> dict:
    data = {
        "title": offer.title,
        "description": offer.description,
        "target_groups": offer.target_groups,
        "needs": offer.needs,
        "location": offer.location or "Sede",
        "areas": offer.areas or ["centro"],
        "schedule": offer.schedule or "Lunedì",
        "languages": offer.languages or ["it"],
        "cost": offer.cost or "Gratuito",
        "how_to_access": offer.how_to_access or "Su invio",
        "capacity_unit": offer.capacity_unit,
        "capacity_total": str(offer.capacity_total),
        "capacity_available": str(offer.capacity_available),
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------- the pact
def test_an_organization_that_has_not_signed_cannot_publish(app, login):
    operator = login(f.OPERATOR_A)
    page = operator.get("/le-nostre-offerte/nuova")
    assert page.status_code == 403 and "Serve la firma del patto di rete" in page.get_data(as_text=True)
    response = operator.post("/le-nostre-offerte/nuova", data=NEW_OFFER)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "non ha firmato il patto di rete in vigore" in body
    assert 'value="Doposcuola del martedì"' in body  # what was typed is kept
    assert offer_by_title(app, NEW_OFFER["title"]) is None

    signed(app, f.OPERATOR_B)  # a pact in force, signed by someone else, changes nothing for A
    assert operator.post("/le-nostre-offerte/nuova", data=NEW_OFFER).status_code == 403
    assert offer_by_title(app, NEW_OFFER["title"]) is None


def test_an_organization_that_has_not_signed_cannot_edit_but_can_withdraw_an_offer(app, login):
    operator = login(f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    response = operator.post(f"/le-nostre-offerte/{offer.id}", data=offer_form(offer, title="Pacchi cambiati"))
    assert response.status_code == 403
    assert offer_by_title(app, "Pacchi cambiati") is None
    assert operator.post(f"/le-nostre-offerte/{offer.id}/disattiva").status_code == 302
    assert not offer_by_title(app, "Pacchi alimentari").active
    operator.post(f"/le-nostre-offerte/{offer.id}/riattiva")
    assert not offer_by_title(app, "Pacchi alimentari").active  # putting it back needs the signature


def test_a_signatory_publishes_an_offer_that_appears_in_the_catalogue(app, login, client):
    signed(app, f.OPERATOR_A)
    operator = login(f.OPERATOR_A)
    assert operator.get("/le-nostre-offerte/nuova").status_code == 200
    assert operator.post("/le-nostre-offerte/nuova", data=NEW_OFFER).status_code == 302
    offer = offer_by_title(app, NEW_OFFER["title"])
    assert offer.active and offer.capacity_total == 12 and offer.capacity_available == 12  # blank = all free
    assert offer.areas == ["centro", "san_martino"] and offer.languages == ["it", "ar"]
    assert offer.verified_at is not None and offer.verified_by_id is not None
    page = client.get(f"/catalogo/offerte/{offer.id}").get_data(as_text=True)
    assert "Doposcuola del martedì" in page and "San Martino" in page and "Arabo" in page
    assert "Dati verificati" in page


# ----------------------------------------------------------------------------------------- bad input
def test_invalid_offers_are_refused_in_italian_and_keep_what_was_typed(app, login):
    signed(app, f.OPERATOR_A)
    operator = login(f.OPERATOR_A)
    bad = {
        **NEW_OFFER,
        "title": "",
        "needs": ["dopo_scuola", "mensa"],
        "areas": [],
        "capacity_total": "dodici",
        "capacity_available": "-1",
    }
    response = operator.post("/le-nostre-offerte/nuova", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Campo obbligatorio." in page
    assert "non appartengono ai gruppi di destinatari indicati" in page
    assert "Scegli almeno una zona" in page
    assert "Scrivi un numero intero, senza lettere né decimali." in page
    assert "Indica un numero tra 1 e" not in page  # one clear message per field, not two
    assert 'value="dodici"' in page
    assert "Indica un numero tra 0 e" in page
    assert "Aiuto nei compiti per ragazzi delle medie, con merenda." in page  # typed text kept
    assert 'value="Martedì 15:00-18:00"' in page
    assert 'value="dopo_scuola" checked' in page and 'value="ar" checked' in page
    assert "Not a valid" not in page and "This field" not in page  # no English leaks through
    tampered = operator.post("/le-nostre-offerte/nuova", data={**NEW_OFFER, "languages": ["it", "klingon"]})
    assert tampered.status_code == 422
    assert "Una delle scelte non è valida" in tampered.get_data(as_text=True)
    assert "not a valid choice" not in tampered.get_data(as_text=True)
    assert offer_by_title(app, NEW_OFFER["title"]) is None


def test_available_places_cannot_exceed_the_maximum(app, login):
    signed(app, f.OPERATOR_A)
    response = login(f.OPERATOR_A).post(
        "/le-nostre-offerte/nuova", data={**NEW_OFFER, "capacity_total": "5", "capacity_available": "6"}
    )
    assert response.status_code == 422
    assert "I disponibili non possono superare la disponibilità massima." in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------- own organization only
def test_an_operator_of_another_organization_gets_404_and_changes_nothing(app, login):
    signed(app, f.OPERATOR_A, f.OPERATOR_B)
    offer = offer_by_title(app, "Pacchi alimentari")  # organization A's
    intruder = login(f.OPERATOR_B)
    assert intruder.get(f"/le-nostre-offerte/{offer.id}").status_code == 404
    assert intruder.post(f"/le-nostre-offerte/{offer.id}", data=offer_form(offer, title="Preso")).status_code == 404
    assert intruder.post(f"/le-nostre-offerte/{offer.id}/disattiva").status_code == 404
    assert offer_by_title(app, "Pacchi alimentari").active and offer_by_title(app, "Preso") is None
    own = intruder.get("/le-nostre-offerte").get_data(as_text=True)
    assert "Mensa solidale" in own and "Pacchi alimentari" not in own


def test_other_roles_have_no_offer_pages(app, login):
    for email in (f.SOCIAL_WORKER, f.MANAGER, f.ADMIN):
        assert login(email).get("/le-nostre-offerte").status_code == 404
    assert login(f.SOCIAL_WORKER).post("/le-nostre-offerte/nuova", data=NEW_OFFER).status_code == 404


def test_the_edit_page_shows_the_current_values(app, login):
    signed(app, f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    page = login(f.OPERATOR_A).get(f"/le-nostre-offerte/{offer.id}").get_data(as_text=True)
    assert 'value="Pacchi alimentari"' in page and 'value="generi_alimentari" checked' in page


# ------------------------------------------------------------------------------------------- capacity
def _accept(app, worker, operator, title: str) -> None:
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, title)
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})


def test_capacity_cannot_go_below_what_accepted_referrals_hold(app, login):
    signed(app, f.OPERATOR_A)
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    _accept(app, worker, operator, "Pacchi alimentari")
    _accept(app, worker, operator, "Pacchi alimentari")  # capacity 2: both places reserved
    offer = offer_by_title(app, "Pacchi alimentari")
    assert offer.capacity_available == 0

    response = operator.post(f"/le-nostre-offerte/{offer.id}", data=offer_form(offer, capacity_total="1"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "non può scendere sotto 2 posti" in page and 'value="1"' in page
    assert offer_by_title(app, "Pacchi alimentari").capacity_total == 2

    response = operator.post(
        f"/le-nostre-offerte/{offer.id}", data=offer_form(offer, capacity_total="4", capacity_available="3")
    )
    assert response.status_code == 422
    assert "i disponibili possono essere al massimo 2" in response.get_data(as_text=True)

    response = operator.post(
        f"/le-nostre-offerte/{offer.id}", data=offer_form(offer, capacity_total="4", capacity_available="")
    )
    assert response.status_code == 302
    updated = offer_by_title(app, "Pacchi alimentari")
    assert (updated.capacity_total, updated.capacity_available) == (4, 2)
    page = operator.get("/le-nostre-offerte").get_data(as_text=True)
    assert "2 riservati da invii accettati" in page


# ------------------------------------------------------------------------------------ yearly confirmation
def test_confirming_the_data_sets_the_verification_date_shown_in_the_catalogue(app, login, client):
    operator = login(f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    assert offer.verified_at is None
    assert "Dati non ancora verificati" in client.get("/catalogo").get_data(as_text=True)

    response = operator.post("/le-nostre-offerte/conferma-dati", data={})
    assert response.status_code == 422
    assert "Per confermare i dati spunta la casella." in response.get_data(as_text=True)

    assert operator.post("/le-nostre-offerte/conferma-dati", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        dates = db.session.scalars(
            select(Offer.verified_at).where(Offer.organization_id == offer.organization_id)
        ).all()
        assert all(d is not None for d in dates)
        other = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.verified_at.is_(None)))
        assert other == 2  # organization B's offers are untouched
    detail = client.get(f"/catalogo/offerte/{offer.id}").get_data(as_text=True)
    assert "Dati verificati" in detail and "il " in detail
    organization_page = client.get(f"/catalogo/organizzazioni/{offer.organization_id}").get_data(as_text=True)
    assert "non ancora verificati" not in organization_page
