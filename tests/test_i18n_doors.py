"""English and Italian in the forms and the three doors into the network (citizens' requests, signals, network
agreements): labels, help, validation messages and vocabulary labels follow the reader's language, while whatever is
data (JSON views, open data, the HSDS API, e-mails, the database) never gets a lazy string and open data stays in the
plan's Italian words."""

from __future__ import annotations

import json
import re

from flask_babel import force_locale

from forms.citizen import DECLINE_REASONS
from forms.vocabulary import NEED_LABELS, TARGET_GROUPS, italian, label_for, need_label, target_group_label
from tests import factories as f
from tests.journey import offer_id, open_task
from tests.test_signals import SIGNAL, send_signal
from webapp.citizen.models import CitizenRequest
from webapp.extensions import db
from webapp.signals import services as signal_services
from webapp.signals.models import Signal

CITIZEN = {"name": "Lucia Ferri", "email": "lucia.ferri@example.org", "consent": "y"}


def english(client):
    """Switch the client's session to English, as the language switch in the header does."""
    assert client.get("/catalogo?lang=en").status_code == 200
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ forms: labels, help, messages
def test_the_citizen_request_form_speaks_english_labels_help_and_errors(app, client):
    english(client)
    url = f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa"
    page = text(client.get(url))
    assert "Ask to take part" in page and "Send the request" in page
    assert "We will write to you here to confirm the request and to give you the answer." in page
    assert "Available now: 2 places out of 2." in page

    response = client.post(url, data={"name": "", "email": "", "phone": "abc"})
    body = text(response)
    assert response.status_code == 422
    assert "Required field." in body
    assert "Invalid phone number (digits, spaces and + only)." in body
    assert "Without consent to the processing of your data we cannot forward the request." in body
    assert "Campo obbligatorio." not in body


def test_the_same_form_stays_italian_by_default(app, client):
    url = f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa"
    response = client.post(url, data={"name": "", "email": "", "phone": "abc"})
    body = text(response)
    assert response.status_code == 422
    assert "Campo obbligatorio." in body and "Numero di telefono non valido (solo cifre, spazi e +)." in body
    assert "Required field." not in body


def test_wtforms_own_messages_follow_the_language(app, login):
    operator = english(login(f.OPERATOR_A))
    body = text(operator.post("/segnalazioni/nuova", data={**SIGNAL, "target_group": "non_esiste"}))
    assert "Not a valid choice." in body
    italian_operator = login(f.OPERATOR_A)
    body = text(italian_operator.post("/segnalazioni/nuova", data={**SIGNAL, "target_group": "non_esiste"}))
    assert "Non è una opzione valida" in body


def test_a_validation_message_with_a_value_is_translated_whole(app, login):
    operator = english(login(f.OPERATOR_A))
    body = text(operator.post("/segnalazioni/nuova", data={**SIGNAL, "target_group": "anziani"}))
    assert "Some of the chosen needs do not belong to the selected target group." in body


# ------------------------------------------------------------------ the vocabulary: translated labels, plain strings
def test_vocabulary_labels_follow_the_language_and_are_plain_strings(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            assert target_group_label("poverta") == "Poverty and social marginalization"
            assert need_label("mensa") == "Soup kitchens"
            assert label_for(DECLINE_REASONS, "posti_esauriti") == "No places left"
            labels = [target_group_label(g.code) for g in TARGET_GROUPS] + [need_label(code) for code in NEED_LABELS]
            assert all(type(label) is str for label in labels)
            json.dumps(labels)  # a lazy string would make this fail
            assert italian(NEED_LABELS["mensa"]) == "Servizi mensa"  # open data keeps the plan's words
        assert target_group_label("poverta") == "Povertà e marginalità sociale"
        assert target_group_label("sconosciuto") == "sconosciuto" and need_label("sconosciuto") == "sconosciuto"


def test_the_catalogue_shows_target_groups_in_english(app, client):
    english(client)
    page = text(client.get("/catalogo"))
    assert "Poverty and social marginalization" in page
    assert "Povertà e marginalità sociale" not in page


def test_open_data_and_the_hsds_api_keep_the_plans_italian_words_for_an_english_reader(app, client):
    english(client)
    elenco = client.get("/elenco.json").get_json()
    assert {o["tipo_descrizione"] for o in elenco["organizzazioni"]} == {"Organizzazione di volontariato (ODV)"}
    services = client.get("/api/hsds/services?full=true", headers={"Accept-Language": "en"}).get_json()
    terms = {
        attribute["taxonomy_term"]["name"]
        for service in services["contents"]
        for attribute in service.get("attributes", [])
        if attribute.get("taxonomy_term")
    }
    assert "Povertà e marginalità sociale" in terms and "Distribuzione generi alimentari" in terms
    assert "Poverty and social marginalization" not in terms


# ------------------------------------------------------------------ the three doors in English
def test_a_signal_in_english_from_the_form_to_its_page_and_the_task_panel(app, login):
    operator = english(login(f.OPERATOR_A))
    response = operator.post("/segnalazioni/nuova", data=SIGNAL)
    assert response.status_code == 302
    signal_id = int(re.search(r"/segnalazioni/(\d+)$", response.headers["Location"]).group(1))
    page = text(operator.get(f"/segnalazioni/{signal_id}"))
    assert f"Concern no. {signal_id} sent to the Social service. You will see its status here." in page
    assert "Being assessed by the Social service" in page
    assert "Poverty and social marginalization" in page and "Food distribution" in page
    assert "1 concern." in text(operator.get("/segnalazioni"))

    worker = english(login(f.SOCIAL_WORKER))
    with app.app_context():
        instance_id = db.session.get(Signal, signal_id).instance_id
    task = open_task(app, instance_id, "valutazione_segnalazione")
    panel = text(worker.get(f"/attivita/{task.id}"))
    assert f"Concern no. {signal_id}" in panel and "Food distribution" in panel


def test_views_that_feed_json_hold_plain_strings_in_english(app, login):
    operator = login(f.OPERATOR_A)
    signal = send_signal(app, operator)
    with app.test_request_context("/"), force_locale("en"):
        stored = db.session.get(Signal, signal.id)
        viewer = stored.reported_by
        view = signal_services.signal_view(db.session, stored, viewer)
        assert view["target_group_label"] == "Poverty and social marginalization"
        assert view["status_label"] == "Being assessed by the Social service"
        json.dumps(view)
        assert type(CitizenRequest(status="accettata").status_label) is str


def test_the_citizen_sees_the_confirmation_page_in_english(app, client):
    english(client)
    url = f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa"
    response = client.post(url, data=CITIZEN)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Check your e-mail" in page and "Only the confirmation is missing" in page


def test_network_agreements_in_english_with_an_english_validation_message(app, login):
    manager = english(login(f.MANAGER))
    assert "Network agreements with the specialist services" in text(manager.get("/accordi"))
    response = manager.post(
        "/accordi/nuovo",
        data={"title": "Accordo", "counterpart": "AUSL", "valid_from": "2026-05-01", "valid_until": "2026-01-01"},
    )
    assert response.status_code == 422
    assert "The end of validity cannot precede the start." in text(response)
    response = manager.post(
        "/accordi/nuovo",
        data={"title": "Accordo", "counterpart": "AUSL", "valid_from": "2026-01-01", "valid_until": "2028-12-31"},
    )
    assert response.status_code == 302
    page = text(manager.get(response.headers["Location"]))
    assert "Agreement recorded. Now add the specialist services it covers." in page
    assert "from 1 Jan 2026 to 31 Dec 2028" in page
