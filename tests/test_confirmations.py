"""After every action, a visible confirmation (issue #9, "Forms that help").

A successful POST ends in a redirect (so reloading the page never sends it twice) and the page it leads to says what
happened: a flash message in a `role="status"` live region (or `role="alert"`), or a page that is itself the
confirmation. The first test walks the URL map so that a new POST endpoint must be listed here, with how it confirms;
the others drive the main actions as people do and read the confirmation on the page after the redirect.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.journey import INTAKE, offer_id, open_task
from tests.test_citizen import REQUEST, confirmation_token
from tests.test_offers import offer_form, signed
from tests.test_pact import publish_directly, sign_directly
from tests.test_signals import SIGNAL
from webapp.extensions import db
from webapp.network.models import Offer

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

# How each POST endpoint outside the API confirms a successful action. "flash": a flash message after the redirect
# (checked below for the main ones); "page": a confirmation page or a section of the page it renders;
# "navigation": the action only takes the person somewhere, and that page is the answer; "json": used by scripts
# of a page (the modeler), answered in JSON.
HOW_CONFIRMED = {
    "info.accessibility_feedback": "flash",
    "auth.login": "navigation",
    "security.login_code": "navigation",
    "agreements.agreement_detail": "flash",
    "agreements.add_service": "flash",
    "agreements.new_agreement": "flash",
    "agreements.toggle_service": "flash",
    "agreements.bind_operator": "flash",
    "membership.application_by_link": "flash",
    "membership.accept_invitation": "flash",
    "membership.lost_link": "page",  # the same answer whether or not the address is known (no enumeration)
    "membership.new_application": "flash",
    "membership.application_detail": "flash",
    "membership.reissue_invitation": "flash",
    "notifications.retry_incident": "flash",
    "notifications.resolve_request_incident": "flash",
    "notifications.retry_outbox_message": "flash",
    "notifications.retry_all_failed": "flash",
    "tasks.task_page": "flash",
    "tasks.claim": "flash",
    "tasks.release": "flash",
    "referrals.withdraw_consent": "flash",
    "referrals.access_reason": "flash",
    "referrals.new_case": "flash",
    "citizen.request_form": "page",  # «Controlla la tua e-mail», after the redirect
    "auth.logout": "flash",
    "network.edit_offer": "flash",
    "network.deactivate_offer": "flash",
    "network.reactivate_offer": "flash",
    "network.confirm_data": "flash",
    "network.new_offer": "flash",
    "monitoring.task_page": "flash",
    "monitoring.practice_edit": "flash",
    "monitoring.practice_new": "flash",
    "monitoring.schedule_page": "flash",
    "notifications.open_notification": "navigation",  # opens what the notification is about
    "notifications.mark_all_read": "flash",
    "citizen.request_by_link": "flash",
    "security.forgot_password": "flash",
    "security.reset_password": "flash",
    "pact.sign": "flash",
    "pact.new_version": "flash",
    "pact.publish": "flash",
    "pact.withdraw": "flash",
    "modeler.discard_draft": "flash",
    "modeler.migrate": "flash",
    "modeler.save_draft_json": "json",
    "modeler.publish_json": "json",
    "modeler.validate_json": "json",
    "modeler.check_expression_json": "json",
    "security.totp_setup": "flash",
    "security.totp_disable": "flash",
    "security.change_password": "flash",
    "security.create_token_page": "page",  # the new token is shown once, in a role="status" box: never redirected
    "security.revoke_token_page": "flash",
    "citizen.conclude_request": "flash",
    "signals.new_signal": "flash",
}


def test_every_post_endpoint_says_how_it_confirms(app):
    posted = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api")
    }
    unknown = sorted(posted - set(HOW_CONFIRMED))
    assert not unknown, "endpoint POST senza una conferma dichiarata in HOW_CONFIRMED: " + ", ".join(unknown)


def confirmation(client, response, text: str) -> str:
    """Follow the redirect of a successful POST; the page must show `text` in a live region. Returns the page."""
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    regions = [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        for body in re.findall(r'<div class="alert[^"]*" role="(?:status|alert)">(.*?)</div>', page, re.S)
    ]
    assert any(text in region for region in regions), f"«{text}» non trovato nelle conferme: {regions}"
    return page


def _task_title(app, instance_id: int, form_key: str) -> tuple[int, str]:
    task = open_task(app, instance_id, form_key)
    return task.id, task.title


def test_the_referral_journey_confirms_every_step(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    response = worker.post("/casi/nuovo", data=INTAKE)
    confirmation(worker, response, "Presa in carico registrata.")
    task_id = int(re.search(r"/attivita/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        from engine.models import HumanTask

        instance_id = db.session.get(HumanTask, task_id).instance_id

    steps = [
        (worker, "scelta_offerta", {"offer_id": offer_id(app, "Pacchi alimentari"), "message": "Al mattino."}),
        (operator, "risposta_invio", {"answer": "accetta", "note": "Ci vediamo lunedì."}),
        (operator, "esito_intervento", {"outcome": "concluso_positivo", "outcome_note": "Bene."}),
        (worker, "chiusura_caso", {"closing_outcome": "obiettivi_raggiunti"}),
    ]
    for client, form_key, data in steps:
        task_id, title = _task_title(app, instance_id, form_key)
        confirmation(client, client.post(f"/attivita/{task_id}", data=data), f"«{title}» completata.")


def test_a_declined_referral_confirms_the_decision_and_the_closing(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    response = worker.post("/casi/nuovo", data=INTAKE)
    task_id = int(re.search(r"/attivita/(\d+)", response.headers["Location"]).group(1))
    worker.post(f"/attivita/{task_id}", data={"offer_id": offer_id(app, "Pacchi alimentari"), "message": "Ciao."})
    with app.app_context():
        from engine.models import HumanTask

        instance_id = db.session.get(HumanTask, task_id).instance_id
    steps = [
        (operator, "risposta_invio", {"answer": "rifiuta", "decline_reason": "posti_esauriti"}),
        (worker, "dopo_rifiuto", {"decisione": "chiudi"}),
        (worker, "chiusura_caso", {"closing_outcome": "nessuna_offerta_adatta"}),
    ]
    for client, form_key, data in steps:
        task_id, title = _task_title(app, instance_id, form_key)
        confirmation(client, client.post(f"/attivita/{task_id}", data=data), f"«{title}» completata.")


def test_offers_confirm_publication_changes_and_deactivation(app, login):
    signed(app, f.OPERATOR_A)
    operator = login(f.OPERATOR_A)
    with app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.title == "Pacchi alimentari"))
        db.session.expunge(offer)
    new = offer_form(offer, title="Doposcuola del giovedì")
    confirmation(
        operator, operator.post("/le-nostre-offerte/nuova", data=new), "Offerta «Doposcuola del giovedì» pubblicata"
    )
    edit = offer_form(offer, title="Pacchi alimentari del sabato")
    confirmation(
        operator,
        operator.post(f"/le-nostre-offerte/{offer.id}", data=edit),
        "Offerta «Pacchi alimentari del sabato» aggiornata.",
    )
    confirmation(operator, operator.post(f"/le-nostre-offerte/{offer.id}/disattiva"), "tolta dal catalogo.")
    confirmation(operator, operator.post(f"/le-nostre-offerte/{offer.id}/riattiva"), "di nuovo visibile nel catalogo")


def test_the_pact_confirms_signature_and_withdrawal(app, login):
    publish_directly(app)
    operator = login(f.OPERATOR_A)
    confirmation(
        operator,
        operator.post("/patto/firma/1", data={"firma1-signer_role": "Presidente", "firma1-confirm": "y"}),
        "Firma registrata",
    )
    confirmation(
        operator,
        operator.post("/patto/ritiro/1", data={"ritiro1-reason": "Cambio del direttivo", "ritiro1-confirm": "y"}),
        "La firma del patto (versione 1) è stata ritirata.",
    )


def test_a_new_pact_version_tells_the_manager_what_to_do_next(app, login):
    manager = login(f.MANAGER)
    confirmation(manager, manager.post("/patto/nuova-versione"), "Nuova versione del patto avviata")


def test_a_signal_is_confirmed_with_its_number(app, login):
    version_id = publish_directly(app)
    sign_directly(app, f.OPERATOR_A, version_id)
    operator = login(f.OPERATOR_A)
    confirmation(operator, operator.post("/segnalazioni/nuova", data=SIGNAL), "inviata al Servizio sociale")


def test_a_citizen_request_leads_to_a_confirmation_page_then_a_confirmed_message(app, client):
    response = client.post(
        f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa",
        data=REQUEST,
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1" in page and "Controlla la tua e-mail" in page and "Manca solo la conferma" in page
    confirmation(
        client, client.post(f"/partecipa/{confirmation_token(app)}"), "Richiesta confermata: l'abbiamo inviata a"
    )


def test_password_change_is_confirmed(login):
    client = login(f.SOCIAL_WORKER)
    response = client.post(
        "/profilo/password",
        data={"current": f.PASSWORD, "password": "nuova-frase-lunga", "confirm": "nuova-frase-lunga"},
    )
    confirmation(client, response, "Password cambiata.")


def test_marking_notifications_read_is_confirmed(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    response = worker.post("/casi/nuovo", data=INTAKE)
    task_id = int(re.search(r"/attivita/(\d+)", response.headers["Location"]).group(1))
    worker.post(f"/attivita/{task_id}", data={"offer_id": offer_id(app, "Pacchi alimentari"), "message": "Ciao."})
    confirmation(operator, operator.post("/notifiche/lette"), "Tutte le notifiche sono segnate come lette.")


def test_an_agreement_is_confirmed(login):
    manager = login(f.MANAGER)
    response = manager.post(
        "/accordi/nuovo",
        data={
            "title": "Accordo UFSMIA",
            "counterpart": "Azienda USL Toscana Centro",
            "reference": "Delibera G.C. n. 12/2026",
            "valid_from": "2026-01-01",
            "valid_until": "2028-12-31",
        },
    )
    confirmation(manager, response, "Accordo registrato.")


def test_a_manager_stating_a_reason_is_told_it_is_recorded(app, login):
    worker = login(f.SOCIAL_WORKER)
    restricted = {**INTAKE, "target_group": "violenza_genere", "needs": ["ascolto_antiviolenza"]}
    response = worker.post("/casi/nuovo", data=restricted)
    assert response.status_code == 302
    with app.app_context():
        from webapp.referrals.models import Case

        case_id = db.session.scalar(select(Case.id))
    manager = login(f.MANAGER)
    assert manager.get(f"/casi/{case_id}").status_code == 302  # asked why, first
    response = manager.post(f"/casi/{case_id}/motivo", data={"reason": _first_reason(), "detail": "Verifica"})
    confirmation(manager, response, "Motivo registrato")


def _first_reason() -> str:
    from webapp.referrals.services import ACCESS_REASONS

    return list(ACCESS_REASONS)[0][0]
