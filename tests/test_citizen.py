"""Richieste dei cittadini through the HTTP client: the public form on an offer's page, the confirmation link, the
limits against abuse, the organization's answers (accept with a place, propose another offer, decline), the e-mails
the citizen gets, and the social service seeing a request only when the citizen asked for its support."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from engine.models import HumanTask, ProcessInstance
from tests import factories as f
from tests.journey import offer_id, open_task, submit
from tests.test_api import token_for
from webapp.citizen.models import CitizenRequest
from webapp.extensions import db
from webapp.network.models import Offer
from webapp.notifications.models import OutboxMessage

REQUEST = {
    "name": "Lucia Ferri",
    "email": "lucia.ferri@example.org",
    "phone": "333 9876543",
    "message": "Sono libera il pomeriggio.",
    "consent": "y",
}


def ask(app, client, title: str = "Pacchi alimentari", data: dict | None = None, ip: str = "10.0.0.1", expect=302):
    response = client.post(
        f"/catalogo/offerte/{offer_id(app, title)}/partecipa",
        data=data or REQUEST,
        environ_base={"REMOTE_ADDR": ip},
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def confirmation_token(app, email: str = REQUEST["email"]) -> str:
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "cittadino_conferma", OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        )
        assert message is not None, "no confirmation e-mail"
        return re.search(r"/partecipa/([A-Za-z0-9_-]+)", message.body_text).group(1)


def the_request(app, email: str = REQUEST["email"]) -> CitizenRequest:
    with app.app_context():
        request = db.session.scalar(
            select(CitizenRequest).where(CitizenRequest.email == email).order_by(CitizenRequest.id.desc())
        )
        db.session.expunge(request)
        return request


def ask_and_confirm(app, client, title: str = "Pacchi alimentari", data: dict | None = None) -> CitizenRequest:
    ask(app, client, title, data)
    token = confirmation_token(app, (data or REQUEST)["email"])
    response = client.post(f"/partecipa/{token}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return the_request(app, (data or REQUEST)["email"])


def capacity(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Offer.capacity_available).where(Offer.title == title))


def mails(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_offer_page_invites_to_ask_and_nothing_reaches_anyone_before_confirmation(app, client, login):
    page = client.get(f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}").get_data(as_text=True)
    assert "Chiedi di partecipare" in page
    form = client.get(f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa")
    assert form.status_code == 200 and "Acconsento al trattamento" in form.get_data(as_text=True)

    response = ask(app, client)
    assert response.headers["Location"].endswith("/partecipa/inviata")
    assert "Controlla la tua e-mail" in client.get(response.headers["Location"]).get_data(as_text=True)
    request = the_request(app)
    assert request.status == "da_confermare" and request.instance_id is None
    assert request.ip_hash != "10.0.0.1" and "10.0.0.1" not in request.ip_hash
    confirmation = mails(app, "cittadino_conferma")
    assert len(confirmation) == 1 and confirmation[0].to_address == REQUEST["email"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HumanTask)) == 0
    assert "Lucia" not in login(f.OPERATOR_A).get("/richieste").get_data(as_text=True)


def test_confirming_sends_the_request_to_the_organization_only(app, client, login):
    ask(app, client)
    token = confirmation_token(app)
    page = client.get(f"/partecipa/{token}")
    assert page.status_code == 200 and "Conferma la richiesta" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(f"/partecipa/{token}").status_code == 302
    assert client.post(f"/partecipa/{token}").status_code == 302  # a second click changes nothing
    request = the_request(app)
    assert request.status == "in_attesa" and request.instance_id is not None
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ProcessInstance)
                .where(ProcessInstance.process_key == "richiesta_cittadino")
            )
            == 1
        )
    status_page = client.get(f"/partecipa/{token}").get_data(as_text=True)
    assert "In attesa di risposta" in status_page

    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    operator = login(f.OPERATOR_A)
    assert "Richiesta n." in operator.get("/attivita").get_data(as_text=True)
    task_page = operator.get(f"/attivita/{task.id}").get_data(as_text=True)
    assert "Lucia Ferri" in task_page and "Sono libera il pomeriggio." in task_page
    assert "Lucia Ferri" in operator.get("/richieste").get_data(as_text=True)
    assert len(mails(app, "cittadino_nuova_richiesta")) == 1
    assert "Lucia" not in mails(app, "cittadino_nuova_richiesta")[0].body_text  # no personal data by e-mail

    # Nobody else: another organization, the social service (no support asked), managers.
    assert login(f.OPERATOR_B).get(f"/attivita/{task.id}").status_code == 404
    assert login(f.OPERATOR_B).get(f"/richieste/{request.id}").status_code == 404
    for email in (f.SOCIAL_WORKER, f.MANAGER):
        staff = login(email)
        assert staff.get(f"/richieste/{request.id}").status_code == 404
        assert "Lucia" not in staff.get("/richieste").get_data(as_text=True)
        assert "Lucia" not in staff.get("/attivita").get_data(as_text=True)


def test_accepting_takes_a_place_tells_the_citizen_and_concluding_frees_it(app, client, login):
    request = ask_and_confirm(app, client)
    operator = login(f.OPERATOR_A)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    submit(
        operator,
        task.id,
        {
            "risposta": "accetta",
            "messaggio": "Ti aspettiamo lunedì alle 10 in via Barberinese 118.",
            "primo_incontro": "2030-03-04",
        },
    )
    assert capacity(app, "Pacchi alimentari") == 1
    request = the_request(app)
    assert request.status == "accettata" and request.capacity_reserved
    answer = mails(app, "cittadino_risposta_accetta")
    assert len(answer) == 1 and answer[0].to_address == REQUEST["email"]
    assert "Ti aspettiamo lunedì" in answer[0].body_text and "04/03/2030" in answer[0].body_text
    token = confirmation_token(app)
    assert "Richiesta accolta" in client.get(f"/partecipa/{token}").get_data(as_text=True)

    assert login(f.OPERATOR_B).post(f"/richieste/{request.id}/concludi").status_code == 404
    detail = operator.get(f"/richieste/{request.id}").get_data(as_text=True)
    assert "libera il posto" in detail
    assert operator.post(f"/richieste/{request.id}/concludi").status_code == 302
    assert capacity(app, "Pacchi alimentari") == 2 and the_request(app).status == "conclusa"
    operator.post(f"/richieste/{request.id}/concludi")  # twice: the place is not given back twice
    assert capacity(app, "Pacchi alimentari") == 2


def test_accepting_without_places_is_refused_and_nothing_changes(app, client, login):
    request = ask_and_confirm(app, client)
    with app.app_context():
        db.session.execute(update(Offer).where(Offer.title == "Pacchi alimentari").values(capacity_available=0))
        db.session.commit()
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    response = submit(login(f.OPERATOR_A), task.id, {"risposta": "accetta", "messaggio": "Benvenuta."}, expect=422)
    page = response.get_data(as_text=True)
    assert "Non ci sono più posti disponibili" in page and "Benvenuta." in page
    assert the_request(app).status == "in_attesa" and capacity(app, "Pacchi alimentari") == 0
    assert mails(app, "cittadino_risposta_accetta") == []


def test_proposing_another_offer_of_the_network(app, client, login):
    request = ask_and_confirm(app, client)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    operator = login(f.OPERATOR_A)
    page = operator.get(f"/attivita/{task.id}").get_data(as_text=True)
    assert "Mensa solidale" in page  # other organizations' offers too
    assert f'value="{offer_id(app, "Pacchi alimentari")}"' not in page.split('name="offerta_proposta"')[1][:2000]
    response = submit(operator, task.id, {"risposta": "proponi", "messaggio": "Prova la mensa."}, expect=422)
    assert "Scegli l&#39;offerta da proporre." in response.get_data(as_text=True)
    submit(
        operator,
        task.id,
        {
            "risposta": "proponi",
            "messaggio": "Prova la mensa.",
            "offerta_proposta": str(offer_id(app, "Mensa solidale")),
        },
    )
    request = the_request(app)
    assert request.status == "altra_offerta_proposta" and capacity(app, "Pacchi alimentari") == 2
    proposal = mails(app, "cittadino_risposta_proponi")
    assert len(proposal) == 1 and "Mensa solidale" in proposal[0].body_text
    assert f"/catalogo/offerte/{offer_id(app, 'Mensa solidale')}" in proposal[0].body_text


def test_declining_needs_a_reason_the_citizen_reads(app, client, login):
    request = ask_and_confirm(app, client)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    operator = login(f.OPERATOR_A)
    response = submit(operator, task.id, {"risposta": "rifiuta", "messaggio": "Ci dispiace."}, expect=422)
    assert "Indica il motivo." in response.get_data(as_text=True)
    submit(operator, task.id, {"risposta": "rifiuta", "messaggio": "Ci dispiace.", "motivo_rifiuto": "non_attiva"})
    answer = mails(app, "cittadino_risposta_rifiuta")
    assert len(answer) == 1 and "L'attività non è attiva in questo periodo" in answer[0].body_text
    assert the_request(app).status == "rifiutata"


def test_asking_for_support_makes_the_request_visible_to_the_social_service(app, client, login):
    request = ask_and_confirm(app, client, data={**REQUEST, "support_requested": "y"})
    contact = open_task(app, request.instance_id, "contatto_cittadino")
    assert contact.assignee_id is None and contact.role == "social_worker"
    worker = login(f.SOCIAL_WORKER_2)
    assert "Contatto con il cittadino" in worker.get("/attivita").get_data(as_text=True)
    assert "Lucia Ferri" in worker.get(f"/attivita/{contact.id}").get_data(as_text=True)
    assert "Lucia Ferri" in worker.get("/richieste").get_data(as_text=True)
    assert worker.get(f"/richieste/{request.id}").status_code == 200
    submit(worker, contact.id, {"esito": "contattato", "nota": "Fissato un colloquio."})
    request = the_request(app)
    assert request.support_outcome == "contattato" and request.support_note == "Fissato un colloquio."
    # the organization answers on its own branch; the process ends when both are done
    submit(
        login(f.OPERATOR_A),
        open_task(app, request.instance_id, "risposta_richiesta_cittadino").id,
        {"risposta": "rifiuta", "messaggio": "Posti finiti.", "motivo_rifiuto": "posti_esauriti"},
    )
    with app.app_context():
        assert db.session.get(ProcessInstance, request.instance_id).status == "completed"
    # the social service's note stays with the social service
    assert "Fissato un colloquio." not in login(f.OPERATOR_A).get(f"/richieste/{request.id}").get_data(as_text=True)


def test_invalid_request_shows_italian_messages_and_keeps_what_was_typed(app, client):
    data = {**REQUEST, "email": "non-una-mail", "consent": ""}
    response = ask(app, client, data=data, expect=422)
    page = response.get_data(as_text=True)
    assert "Indirizzo e-mail non valido." in page
    assert "Senza il consenso al trattamento dei dati non possiamo inoltrare la richiesta." in page
    assert 'value="Lucia Ferri"' in page and "Sono libera il pomeriggio." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CitizenRequest)) == 0


def test_limits_per_address_and_per_email_keep_what_was_typed(app, client):
    for n in range(5):
        ask(
            app,
            client,
            "Mensa solidale" if n % 2 else "Compagnia agli anziani",
            data={**REQUEST, "email": f"persona{n}@example.org"},
            ip="10.9.9.9",
        )
    response = ask(app, client, data={**REQUEST, "email": "sesta@example.org"}, ip="10.9.9.9", expect=429)
    page = response.get_data(as_text=True)
    assert "molte richieste nell&#39;ultima ora" in page and 'value="sesta@example.org"' in page
    ask(app, client, data={**REQUEST, "email": "sesta@example.org"}, ip="10.9.9.10")  # another address may

    for n, title in enumerate(("Pacchi alimentari", "Mensa solidale", "Compagnia agli anziani")):
        ask(app, client, title, data={**REQUEST, "email": "stessa@example.org"}, ip=f"10.1.1.{n}")
    response = ask(
        app, client, "Ascolto donne", data={**REQUEST, "email": "stessa@example.org"}, ip="10.1.1.9", expect=429
    )
    assert "Con questo indirizzo e-mail sono già state fatte diverse richieste" in response.get_data(as_text=True)


def test_one_live_request_per_person_and_offer(app, client):
    ask(app, client)
    response = ask(app, client, ip="10.0.0.2", expect=429)
    assert "controlla la tua e-mail e conferma la richiesta" in response.get_data(as_text=True)
    client.post(f"/partecipa/{confirmation_token(app)}")
    response = ask(app, client, ip="10.0.0.3", expect=429)
    assert "Hai già una richiesta in attesa di risposta per questa offerta" in response.get_data(as_text=True)


def test_the_robots_trap_drops_the_request_silently(app, client):
    response = ask(app, client, data={**REQUEST, "website": "http://spam.example"})
    assert response.headers["Location"].endswith("/partecipa/inviata")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CitizenRequest)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_links_unknown_or_expired(app, client):
    assert client.get("/partecipa/non-esiste").status_code == 404
    ask(app, client)
    token = confirmation_token(app)
    with app.app_context():
        db.session.execute(update(CitizenRequest).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.session.commit()
    assert "Link scaduto" in client.get(f"/partecipa/{token}").get_data(as_text=True)
    response = client.post(f"/partecipa/{token}")
    assert response.status_code == 410 and "è scaduto" in response.get_data(as_text=True)
    assert the_request(app).status == "da_confermare"
    ask(app, client, ip="10.0.0.7")  # an expired, unconfirmed request does not block a new one


def test_no_answer_in_ten_days_tells_the_citizen(app, client, login, runner):
    request = ask_and_confirm(app, client)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    assert task.due_at is not None
    in_four_days = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    assert runner.invoke(args=["tessere", "worker", "--once", "--now", in_four_days]).exit_code == 0
    assert len(mails(app, "cittadino_promemoria")) == 1
    in_eleven_days = (datetime.now(UTC) + timedelta(days=11)).isoformat()
    assert runner.invoke(args=["tessere", "worker", "--once", "--now", in_eleven_days]).exit_code == 0
    assert the_request(app).status == "scaduta"
    expired = mails(app, "cittadino_scaduta")
    assert len(expired) == 1 and expired[0].to_address == REQUEST["email"]
    assert login(f.OPERATOR_A).get(f"/attivita/{task.id}").status_code in (302, 404)


def test_unconfirmed_requests_are_purged_after_a_week(app, client):
    from webapp.citizen.services import purge_unconfirmed

    ask(app, client)
    ask_and_confirm(app, client, "Mensa solidale", {**REQUEST, "email": "confermata@example.org"})
    with app.app_context():
        assert purge_unconfirmed(db.session) == 0
        assert purge_unconfirmed(db.session, datetime.now(UTC) + timedelta(days=8)) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(CitizenRequest)) == 1


def test_the_api_shows_the_request_beside_the_organizations_task_and_completes_it(app, client, login):
    request = ask_and_confirm(app, client)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    operator = login(f.OPERATOR_A)
    body = operator.get(f"/api/v1/tasks/{task.id}").get_json()
    assert body["context"]["citizen_request"]["name"] == "Lucia Ferri"
    fields = {field["name"]: field for field in body["form"]["fields"]}
    assert any(label.startswith("Mensa solidale") for _value, label in fields["offerta_proposta"]["choices"])
    response = operator.post(
        f"/api/v1/tasks/{task.id}/complete",
        headers=bearer(app, f.OPERATOR_A),
        json={"data": {"risposta": "rifiuta", "messaggio": "Ci dispiace."}},
    )
    assert response.status_code == 422 and "motivo_rifiuto" in response.get_json()["errors"]
    response = operator.post(
        f"/api/v1/tasks/{task.id}/complete",
        headers=bearer(app, f.OPERATOR_A),
        json={"data": {"risposta": "rifiuta", "messaggio": "Ci dispiace.", "motivo_rifiuto": "posti_esauriti"}},
    )
    assert response.status_code == 200, response.get_json()
    assert the_request(app).status == "rifiutata"


def bearer(app, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(app, email)}"}
