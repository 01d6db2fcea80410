"""Servizi specialistici: managers record network agreements and their services; an operator bound to a service
takes people in charge and refers them like a social worker, only while the agreement is in force; the case records
the referring service; managers see referrals by referring service."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests import factories as f
from tests.journey import INTAKE, open_task, send_to_offer, start_case, submit
from webapp.agreements.models import NetworkAgreement, SpecialistService
from webapp.auth.models import User
from webapp.extensions import db
from webapp.referrals.models import Case, Referral

HEALTH = "ufsmia@test.it"
UFSMIA = "UFSMIA Zona Nord-Ovest"


def make_service(app, valid_from: date | None = None, valid_until: date | None = None, bind: bool = True) -> int:
    """An agreement with AUSL Toscana Centro (in force today unless told), its UFSMIA, and an operator bound to it."""
    today = date.today()
    with app.app_context():
        now = datetime.now(UTC)
        agreement = NetworkAgreement(
            title="Accordo di rete per la salute mentale dei minori",
            counterpart="Azienda USL Toscana Centro",
            valid_from=valid_from or today - timedelta(days=30),
            valid_until=valid_until or today + timedelta(days=365),
            created_at=now,
            updated_at=now,
        )
        db.session.add(agreement)
        db.session.flush()
        service = SpecialistService(agreement_id=agreement.id, name=UFSMIA, kind="ufsmia", active=True, created_at=now)
        db.session.add(service)
        db.session.flush()
        user = f.make_user(db.session, HEALTH, "health_service")
        if bind:
            user.specialist_service_id = service.id
        db.session.commit()
        return service.id


def case_of(app, instance_id: int) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.instance_id == instance_id))
        db.session.expunge(case)
        return case


def test_manager_records_an_agreement_its_services_and_binds_an_operator(app, login):
    manager = login(f.MANAGER)
    assert "Nessun accordo" in manager.get("/accordi").get_data(as_text=True)
    bad = manager.post(
        "/accordi/nuovo",
        data={
            "title": "Accordo UFSMIA",
            "counterpart": "Azienda USL Toscana Centro",
            "valid_from": "2026-01-01",
            "valid_until": "2025-12-31",
        },
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "La fine della validità non può precedere l&#39;inizio." in page and 'value="Accordo UFSMIA"' in page

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
    assert response.status_code == 302
    agreement_id = int(re.search(r"/accordi/(\d+)$", response.headers["Location"]).group(1))
    assert manager.post(f"/accordi/{agreement_id}/servizi", data={"name": UFSMIA}).status_code == 422
    assert manager.post(f"/accordi/{agreement_id}/servizi", data={"name": UFSMIA, "kind": "ufsmia"}).status_code == 302
    duplicate = manager.post(f"/accordi/{agreement_id}/servizi", data={"name": UFSMIA.upper(), "kind": "ufsmia"})
    assert duplicate.status_code == 422 and "Esiste già un servizio" in duplicate.get_data(as_text=True)
    with app.app_context():
        service_id = db.session.scalar(select(SpecialistService.id).where(SpecialistService.name == UFSMIA))
        f.make_user(db.session, HEALTH, "health_service")
        db.session.commit()

    wrong = manager.post(f"/accordi/servizi/{service_id}/operatori", data={"email": f.SOCIAL_WORKER})
    assert wrong.status_code == 422 and "Solo gli utenti con il ruolo" in wrong.get_data(as_text=True)
    assert manager.post(f"/accordi/servizi/{service_id}/operatori", data={"email": HEALTH}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.specialist_service_id).where(User.email == HEALTH)) == service_id
    page = manager.get(f"/accordi/{agreement_id}").get_data(as_text=True)
    assert UFSMIA in page and HEALTH in page and "In vigore" in page

    assert manager.post(f"/accordi/servizi/{service_id}/attivo", data={"attivo": "0"}).status_code == 302
    assert "Sospeso" in manager.get(f"/accordi/{agreement_id}").get_data(as_text=True)


def test_only_managers_manage_agreements(app, login):
    service_id = make_service(app)
    for email in (f.SOCIAL_WORKER, f.OPERATOR_A, f.ADMIN, HEALTH):
        client = login(email)
        assert client.get("/accordi").status_code == 404
        assert client.get("/accordi/invii").status_code == 404
        assert client.post(f"/accordi/servizi/{service_id}/attivo", data={"attivo": "0"}).status_code == 404


def test_specialist_operator_takes_in_charge_and_refers_like_a_social_worker(app, login):
    service_id = make_service(app)
    health, operator = login(HEALTH), login(f.OPERATOR_A)
    assert health.get("/casi/nuovo").status_code == 200
    instance_id = start_case(app, health)  # straight on to the choice of the offer: their own task
    case = case_of(app, instance_id)
    assert case.referring_service_id == service_id
    send_to_offer(app, health, instance_id, "Pacchi alimentari")
    submit(
        operator,
        open_task(app, instance_id, "risposta_invio").id,
        {"answer": "rifiuta", "decline_reason": "non_idoneo"},
    )
    decision = open_task(app, instance_id, "dopo_rifiuto")
    assert "Decidere dopo il rifiuto" in health.get("/attivita").get_data(as_text=True)
    submit(health, decision.id, {"decisione": "chiudi"})
    submit(health, open_task(app, instance_id, "chiusura_caso").id, {"closing_outcome": "nessuna_offerta_adatta"})
    assert case_of(app, instance_id).status == "closed"

    page = health.get(f"/casi/{case.id}").get_data(as_text=True)
    assert "Servizio inviante: " + UFSMIA in page
    # the case is theirs: social workers do not see it, managers do
    assert login(f.SOCIAL_WORKER).get(f"/casi/{case.id}").status_code == 404
    assert UFSMIA in login(f.MANAGER).get(f"/casi/{case.id}").get_data(as_text=True)


def test_specialist_operator_sees_only_tasks_assigned_to_them(app, login):
    make_service(app)
    worker_instance = start_case(app, login(f.SOCIAL_WORKER))
    worker_task = open_task(app, worker_instance, "scelta_offerta")
    health = login(HEALTH)
    assert health.get(f"/attivita/{worker_task.id}").status_code == 404
    assert "Scelta dell" not in health.get("/attivita").get_data(as_text=True)
    assert health.post(f"/attivita/{worker_task.id}", data={"offer_id": "1", "message": "x"}).status_code == 404


def test_no_presa_in_carico_outside_an_agreement_in_force(app, login):
    yesterday = date.today() - timedelta(days=1)
    make_service(app, valid_from=yesterday - timedelta(days=365), valid_until=yesterday)
    health = login(HEALTH)
    page = health.get("/casi/nuovo")
    assert page.status_code == 403 and "è scaduto" in page.get_data(as_text=True)
    response = health.post("/casi/nuovo", data=INTAKE)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "è scaduto" in text and 'value="Mario"' in text and "Segue il servizio da marzo." in text
    with app.app_context():
        assert db.session.scalar(select(Case.id)) is None


def test_an_operator_without_service_is_told_what_to_do(app, login):
    make_service(app, bind=False)
    page = login(HEALTH).get("/casi/nuovo")
    assert page.status_code == 403
    assert "non è collegato a un servizio specialistico" in page.get_data(as_text=True)


def test_referrals_stop_when_the_agreement_ends(app, login):
    service_id = make_service(app)
    health = login(HEALTH)
    instance_id = start_case(app, health)
    with app.app_context():
        service = db.session.get(SpecialistService, service_id)
        service.agreement.valid_until = date.today() - timedelta(days=1)
        db.session.commit()
    task = open_task(app, instance_id, "scelta_offerta")
    response = submit(health, task.id, {"offer_id": "1", "message": "Contattare al mattino."}, expect=422)
    assert "non puoi avviare prese in carico né inviare persone alla rete" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Referral.id)) is None


def test_managers_see_referrals_by_referring_service(app, login):
    service_id = make_service(app)
    worker, health = login(f.SOCIAL_WORKER), login(HEALTH)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    health_instance = start_case(app, health, {**INTAKE, "first_name": "Sara"})
    send_to_offer(app, health, health_instance, "Mensa solidale")
    submit(login(f.OPERATOR_B), open_task(app, health_instance, "risposta_invio").id, {"answer": "accetta"})

    manager = login(f.MANAGER)
    page = manager.get("/accordi/invii").get_data(as_text=True)
    assert "Servizio sociale del Comune" in page and UFSMIA in page
    row = re.search(rf"{UFSMIA}</a>.*?</tr>", page, re.S).group(0)
    assert [int(n) for n in re.findall(r'<td class="text-end">(\d+)</td>', row)] == [1, 1, 1, 0, 0]
    detail = manager.get(f"/accordi/invii?servizio={service_id}").get_data(as_text=True)
    assert "Mensa solidale" in detail and "Pacchi alimentari" not in detail
    own = manager.get("/accordi/invii?servizio=comune").get_data(as_text=True)
    assert "Pacchi alimentari" in own and "Mensa solidale" not in own
    assert manager.get("/accordi/invii?servizio=999").status_code == 404


def test_cli_creates_an_operator_bound_to_a_service(app, runner):
    make_service(app, bind=False)
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            "npi@test.it",
            "--name",
            "Neuropsichiatra",
            "--role",
            "health_service",
            "--service",
            UFSMIA,
            "--password",
            "Una-password-lunga-2026!",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "npi@test.it"))
        assert user.specialist_service is not None and user.specialist_service.name == UFSMIA
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            "altro@test.it",
            "--name",
            "Altro",
            "--role",
            "health_service",
            "--service",
            "Servizio che non c'è",
            "--password",
            "Una-password-lunga-2026!",
        ]
    )
    assert result.exit_code != 0 and "Nessun servizio specialistico" in result.output
