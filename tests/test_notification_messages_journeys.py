"""The notifications of referrals, signals and citizen requests, and the diagrams' names on case pages, in the
reader's language: a notification keeps its Italian text exactly as it was always written (the record) and its
message, which the inbox translates; task titles, lanes and timeline entries are the diagram's Italian names,
translated when shown (`process_text`)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case, submit
from tests.test_citizen import ask_and_confirm
from tests.test_signals import evaluate, send_signal
from webapp.extensions import db
from webapp.referrals.models import Notification, Referral
from webapp.signals import system_messages
from webapp.signals.models import Signal
from webapp.timeline import _migration


def notification(app, kind: str) -> Notification:
    with app.app_context():
        found = db.session.scalars(select(Notification).where(Notification.kind == kind)).one()
        db.session.expunge(found)
        return found


def test_referral_notifications_keep_their_italian_text_and_are_read_in_english(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    received = notification(app, "referral_received")
    assert received.text == f"Nuovo invio n. {referral_id} per l'offerta «Pacchi alimentari»."
    assert received.message == {
        "msgid": "Nuovo invio n. %(number)s per l'offerta «%(offer)s».",
        "params": {"number": referral_id, "offer": "Pacchi alimentari"},
    }
    english = operator.get("/notifiche?lang=en").get_data(as_text=True)
    assert f"New referral no. {referral_id} for the offer “Pacchi alimentari”." in english
    assert "Nuovo invio n." not in english

    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})
    accepted = notification(app, "referral_accettato")
    assert accepted.text == f"L'invio n. {referral_id} è stato accettato da Emporio Solidale di prova."
    assert f"Referral no. {referral_id} has been accepted by Emporio Solidale di prova." in worker.get(
        "/notifiche?lang=en"
    ).get_data(as_text=True)
    italian = worker.get("/notifiche?lang=it").get_data(as_text=True)
    assert f"L&#39;invio n. {referral_id} è stato accettato da Emporio Solidale di prova." in italian


def test_the_case_page_names_the_waiting_task_and_the_timeline_in_the_readers_language(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    with app.app_context():
        case_id = db.session.scalar(select(Referral.case_id))
    english = worker.get(f"/casi/{case_id}?lang=en").get_data(as_text=True)
    assert "Answer to the referral" in english  # "In attesa di: Risposta all'invio"
    assert "Risposta all&#39;invio" not in english
    timeline = english[english.index('id="timeline-title"') :]
    assert "<strong>Intake</strong>" in timeline  # the completed "Presa in carico"
    italian = worker.get(f"/casi/{case_id}?lang=it").get_data(as_text=True)
    assert "Risposta all&#39;invio" in italian and "Answer to the referral" not in italian


def test_a_closed_signal_is_announced_with_its_reason_in_the_readers_language(app, login):
    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    evaluate(worker, task.id, {"decisione": "chiudi", "motivo_chiusura": "gia_in_carico", "messaggio": "Già seguita."})
    closed = notification(app, "signal_closed")
    assert closed.text == (
        f"La segnalazione n. {signal.id} è stata chiusa: La persona è già seguita dal Servizio sociale."
    )
    english = operator.get("/notifiche?lang=en").get_data(as_text=True)
    assert f"Concern no. {signal.id} has been closed: The person is already supported by the Social service." in english
    # the signal's own history: Tessere's line is stored in Italian and read in English; people's words as written
    with app.app_context():
        stored = [m.text for m in db.session.get(Signal, signal.id).messages]
    assert "Segnalazione chiusa. Motivo: La persona è già seguita dal Servizio sociale." in stored
    page = operator.get(f"/segnalazioni/{signal.id}?lang=en").get_data(as_text=True)
    assert "Concern closed. Reason: The person is already supported by the Social service." in page
    assert "Segnalazione chiusa. Motivo" not in page
    italian = operator.get(f"/segnalazioni/{signal.id}?lang=it").get_data(as_text=True)
    assert "Segnalazione chiusa. Motivo: La persona è già seguita dal Servizio sociale." in italian


def test_tessere_s_own_lines_in_a_signal_s_history_are_translated_and_people_s_words_are_not(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert system_messages.shown("esito", system_messages.taken_in_charge(), 15) == (
            "Taken in charge by the Social service."
        )
        assert system_messages.shown("scaduta", system_messages.no_answer(15), 15) == (
            "The organization did not answer within 15 days."
        )
        typed = "Presa in carico dal Servizio sociale."  # the same words typed by someone as a question
        assert system_messages.shown("domanda", typed, 15) == typed
        assert system_messages.shown("esito", "Un esito scritto a mano.", 15) == "Un esito scritto a mano."


def test_a_citizen_request_is_announced_to_the_organization_in_its_readers_language(app, client, login):
    request = ask_and_confirm(app, client)
    announced = notification(app, "citizen_request")
    assert announced.text == f"Nuova richiesta di un cittadino (n. {request.id}) per l'offerta «Pacchi alimentari»."
    english = login(f.OPERATOR_A).get("/notifiche?lang=en").get_data(as_text=True)
    assert f"New request from a citizen (no. {request.id}) for the offer “Pacchi alimentari”." in english


def test_a_diagram_update_in_the_timeline_is_said_in_the_readers_language(app):
    entry = SimpleNamespace(title="Versione 1 → 2", details={"from_version": 1, "to_version": 2, "notes": []})
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _migration(entry) == "Diagram updated: Version 1 → 2"
        erased = SimpleNamespace(title="Versione 1 → 2", details={"_cancellato": True})  # details erased by retention
        assert _migration(erased) == "Diagram updated: Versione 1 → 2"
    with app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert _migration(entry) == "Diagramma aggiornato: Versione 1 → 2"


def test_the_diagram_viewer_gets_the_names_of_the_steps_in_the_readers_language(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    names = worker.get(f"/processi/istanze/{instance_id}/diagramma.json?lang=en").get_json()["names"]
    assert names["Risposta all'invio"] == "Answer to the referral"
    assert names["Presa in carico"] == "Intake"
    assert worker.get(f"/processi/istanze/{instance_id}/diagramma.json?lang=it").get_json()["names"] == {}
