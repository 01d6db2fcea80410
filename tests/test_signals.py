"""Segnalazioni through the HTTP client: an organization signals a person, the social service evaluates it (a group
task), asks for more information (a bounded loop), then takes the person in charge with a prefilled intake or
closes the signal with a reason; and who sees what along the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.models import HumanTask, JournalEntry, ProcessInstance
from tests import factories as f
from tests.journey import open_task, submit
from tests.test_api import token_for
from webapp.extensions import db
from webapp.notifications.models import OutboxMessage
from webapp.referrals.models import Case, Notification
from webapp.signals.models import Signal

SIGNAL = {
    "first_name": "Giovanni",
    "last_name": "Esposito",
    "phone": "340 1112223",
    "contact_notes": "Passa al punto di ascolto il martedì mattina.",
    "listening_point": "Punto di ascolto di via Barberinese",
    "target_group": "poverta",
    "needs": ["generi_alimentari"],
    "description": "Ha perso il lavoro e chiede aiuto per la spesa.",
    "consent": "y",
}


def send_signal(app, client, data: dict | None = None) -> Signal:
    response = client.post("/segnalazioni/nuova", data=data or SIGNAL)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    signal_id = int(re.search(r"/segnalazioni/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        signal = db.session.get(Signal, signal_id)
        db.session.expunge(signal)
        return signal


def get_signal(app, signal_id: int) -> Signal:
    with app.app_context():
        signal = db.session.get(Signal, signal_id)
        db.session.expunge(signal)
        return signal


def evaluate(client, task_id: int, data: dict, expect: int = 302):
    return submit(client, task_id, data, expect=expect)


def test_association_signals_a_person_and_every_social_worker_gets_the_evaluation(app, login):
    operator = login(f.OPERATOR_A)
    signal = send_signal(app, operator)
    assert signal.status == "in_valutazione" and signal.first_name == "Giovanni" and signal.urgent is False

    # A group task: no owner yet, every social worker sees it, with the signal beside the form.
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    assert task.assignee_id is None and task.role == "social_worker"
    for email in (f.SOCIAL_WORKER, f.SOCIAL_WORKER_2):
        worker = login(email)
        worklist = worker.get("/attivita").get_data(as_text=True)
        assert "Valutazione della segnalazione" in worklist and f"Segnalazione n. {signal.id}" in worklist
        page = worker.get(f"/attivita/{task.id}").get_data(as_text=True)
        assert "Ha perso il lavoro" in page and "340 1112223" in page and "Punto di ascolto" in page

    # The person's data are in the domain table, not in the process state nor in the journal.
    with app.app_context():
        instance = db.session.get(ProcessInstance, signal.instance_id)
        assert "Giovanni" not in instance.state_json and "340 1112223" not in instance.state_json
        journal = db.session.scalars(select(JournalEntry).where(JournalEntry.instance_id == signal.instance_id))
        assert "Giovanni" not in str([entry.details for entry in journal])

    # The organization sees its signal and its state.
    page = operator.get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    assert "In valutazione al Servizio sociale" in page and "Giovanni" in page


def test_others_do_not_see_the_signal(app, login):
    signal = send_signal(app, login(f.OPERATOR_A))
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    other_org = login(f.OPERATOR_B)
    assert other_org.get(f"/segnalazioni/{signal.id}").status_code == 404
    assert "Giovanni" not in other_org.get("/segnalazioni").get_data(as_text=True)
    assert other_org.get(f"/attivita/{task.id}").status_code == 404
    with app.app_context():
        f.make_user(db.session, "ufsmia@test.it", "health_service")
        db.session.commit()
    health = login("ufsmia@test.it")
    assert health.get(f"/segnalazioni/{signal.id}").status_code == 404
    assert health.get(f"/attivita/{task.id}").status_code == 404
    assert "Valutazione della segnalazione" not in health.get("/attivita").get_data(as_text=True)
    assert login(f.ADMIN).get(f"/segnalazioni/{signal.id}").status_code == 404
    # managers follow every signal, read-only
    assert "Giovanni" in login(f.MANAGER).get(f"/segnalazioni/{signal.id}").get_data(as_text=True)


def test_invalid_signal_shows_italian_messages_keeps_input_and_creates_nothing(app, login):
    operator = login(f.OPERATOR_A)
    data = {**SIGNAL, "phone": "", "contact_notes": "", "consent": "", "needs": ["mensa", "pet_therapy"]}
    response = operator.post("/segnalazioni/nuova", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Senza il consenso della persona non è possibile segnalarla." in page
    assert "Indica almeno un recapito" in page
    assert "Alcuni bisogni scelti non appartengono al gruppo di riferimento indicato." in page
    assert 'value="Giovanni"' in page and "Ha perso il lavoro e chiede aiuto per la spesa." in page
    with app.app_context():
        assert db.session.scalar(select(Signal.id)) is None
        assert (
            db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == "segnalazione")) is None
        )


def test_only_organizations_may_signal(app, login):
    assert login(f.SOCIAL_WORKER).get("/segnalazioni/nuova").status_code == 404
    assert login(f.MANAGER).post("/segnalazioni/nuova", data=SIGNAL).status_code == 404


def test_asking_information_loops_back_to_the_social_service(app, login):
    operator, worker, worker2 = login(f.OPERATOR_A), login(f.SOCIAL_WORKER), login(f.SOCIAL_WORKER_2)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")

    # Asking without saying what is refused, with the choice kept.
    response = evaluate(worker, task.id, {"decisione": "richiedi_informazioni"}, expect=422)
    assert "Scrivi cosa vuoi sapere dall&#39;organizzazione." in response.get_data(as_text=True)

    evaluate(worker, task.id, {"decisione": "richiedi_informazioni", "domanda": "Vive da solo?"})
    assert get_signal(app, signal.id).status == "informazioni_richieste"
    question = open_task(app, signal.instance_id, "integrazione_segnalazione")
    assert question.organization_id is not None and question.due_at is not None
    with app.app_context():
        assert db.session.scalar(
            select(Notification).where(
                Notification.kind == "signal_question", Notification.organization_id.is_not(None)
            )
        )
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "segnalazione_domanda"))

    # The organization reads the question beside its form, and answers.
    assert "Vive da solo?" in operator.get(f"/attivita/{question.id}").get_data(as_text=True)
    assert login(f.OPERATOR_B).get(f"/attivita/{question.id}").status_code == 404
    submit(operator, question.id, {"risposta": "Sì, da due anni."})

    # The evaluation is back, again for every social worker, with the exchange on it.
    again = open_task(app, signal.instance_id, "valutazione_segnalazione")
    assert again.id != task.id and again.assignee_id is None
    page = worker2.get(f"/attivita/{again.id}").get_data(as_text=True)
    assert "Vive da solo?" in page and "Sì, da due anni." in page
    assert get_signal(app, signal.id).status == "in_valutazione"


def test_information_can_be_asked_three_times_at_most(app, login):
    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    signal = send_signal(app, operator)
    for n in range(3):
        task = open_task(app, signal.instance_id, "valutazione_segnalazione")
        evaluate(worker, task.id, {"decisione": "richiedi_informazioni", "domanda": f"Domanda {n + 1}"})
        submit(operator, open_task(app, signal.instance_id, "integrazione_segnalazione").id, {"risposta": "Risposta"})
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    response = evaluate(worker, task.id, {"decisione": "richiedi_informazioni", "domanda": "Ancora?"}, expect=422)
    page = response.get_data(as_text=True)
    assert "sono già state chieste informazioni 3 volte" in page and "Ancora?" in page
    evaluate(worker, task.id, {"decisione": "chiudi", "motivo_chiusura": "nessun_bisogno"})
    assert get_signal(app, signal.id).status == "chiusa"


def test_unanswered_question_returns_the_signal_to_the_social_service(app, login, runner):
    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    evaluate(worker, task.id, {"decisione": "richiedi_informazioni", "domanda": "Ha figli?"})
    in_sixteen_days = (datetime.now(UTC) + timedelta(days=16)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", in_sixteen_days])
    assert result.exit_code == 0, result.output
    open_task(app, signal.instance_id, "valutazione_segnalazione")  # back to the social service
    page = worker.get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    assert "non ha risposto entro 15 giorni" in page


def test_taking_in_charge_opens_a_prefilled_intake_linked_to_the_signal(app, login):
    operator, worker, worker2 = login(f.OPERATOR_A), login(f.SOCIAL_WORKER), login(f.SOCIAL_WORKER_2)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    response = evaluate(worker, task.id, {"decisione": "presa_in_carico"})

    # Straight on to the intake of the new case, owned by who decided, prefilled with the signal's data.
    signal = get_signal(app, signal.id)
    assert signal.status == "presa_in_carico" and signal.case_instance_id is not None
    intake = open_task(app, signal.case_instance_id, "presa_in_carico")
    assert response.headers["Location"].endswith(f"/attivita/{intake.id}")
    with app.app_context():
        owner_id = db.session.scalar(select(HumanTask.assignee_id).where(HumanTask.id == intake.id))
        worker_id = db.session.scalar(select(f.User.id).where(f.User.email == f.SOCIAL_WORKER))
    assert owner_id == worker_id and signal.owner_id == worker_id
    page = worker.get(f"/attivita/{intake.id}").get_data(as_text=True)
    assert 'value="Giovanni"' in page and 'value="Esposito"' in page and 'value="340 1112223"' in page
    assert "Dalla segnalazione n." in page and "Ha perso il lavoro" in page
    assert f"Segnalazione n. {signal.id}" in page  # the signal beside the intake form
    assert re.search(r'<option selected value="poverta">|<option value="poverta" selected', page)
    assert worker2.get(f"/attivita/{intake.id}").status_code == 404  # the case is the first worker's

    submit(
        worker,
        intake.id,
        {
            "first_name": "Giovanni",
            "last_name": "Esposito",
            "phone": "340 1112223",
            "target_group": "poverta",
            "needs": ["generi_alimentari"],
            "consent_share": "y",
        },
    )
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.instance_id == signal.case_instance_id))
        assert case is not None and case.owner_id == worker_id
        case_id = case.id

    # The social worker and managers reach the case from the signal; the organization sees only the state.
    assert f"/casi/{case_id}" in worker.get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    assert f"/casi/{case_id}" in login(f.MANAGER).get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    org_page = operator.get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    assert "Presa in carico dal Servizio sociale" in org_page and f"/casi/{case_id}" not in org_page
    assert operator.get(f"/casi/{case_id}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "segnalazione_presa_in_carico"))


def test_closing_needs_a_reason_that_the_organization_reads(app, login):
    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    response = evaluate(worker, task.id, {"decisione": "chiudi"}, expect=422)
    assert "Indica il motivo della chiusura." in response.get_data(as_text=True)
    response = evaluate(worker, task.id, {"decisione": "chiudi", "motivo_chiusura": "altro"}, expect=422)
    assert "Spiega il motivo all&#39;organizzazione." in response.get_data(as_text=True)
    evaluate(
        worker,
        task.id,
        {
            "decisione": "chiudi",
            "motivo_chiusura": "gia_in_carico",
            "messaggio": "La persona è già seguita dal servizio.",
        },
    )
    signal = get_signal(app, signal.id)
    assert signal.status == "chiusa" and signal.closing_reason == "gia_in_carico"
    page = operator.get(f"/segnalazioni/{signal.id}").get_data(as_text=True)
    assert "La persona è già seguita dal Servizio sociale" in page
    assert "La persona è già seguita dal servizio." in page
    with app.app_context():
        instance = db.session.get(ProcessInstance, signal.instance_id)
        assert instance.status == "completed"
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "segnalazione_chiusa"))


def test_signal_lists_show_each_side_its_own(app, login):
    send_signal(app, login(f.OPERATOR_A))
    send_signal(
        app, login(f.OPERATOR_A), {**SIGNAL, "first_name": "Rosa", "target_group": "violenza_genere", "needs": []}
    )
    own = login(f.OPERATOR_A).get("/segnalazioni").get_data(as_text=True)
    assert "Giovanni" in own and "Rosa" in own
    staff = login(f.SOCIAL_WORKER).get("/segnalazioni").get_data(as_text=True)
    assert "Giovanni" in staff and "Rosa Esposito" not in staff and "R. (segnalazione riservata)" in staff
    assert "Emporio Solidale di prova" in staff
    assert "Giovanni" not in login(f.OPERATOR_B).get("/segnalazioni").get_data(as_text=True)


def test_the_api_shows_the_signal_beside_the_evaluation_and_completes_it(app, login):
    signal = send_signal(app, login(f.OPERATOR_A))
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    worker = login(f.SOCIAL_WORKER)
    body = worker.get(f"/api/v1/tasks/{task.id}").get_json()
    assert body["context"]["signal"]["person"]["first_name"] == "Giovanni"
    assert task.id in [t["id"] for t in worker.get("/api/v1/tasks").get_json()["items"]]
    response = worker.post(
        f"/api/v1/tasks/{task.id}/complete",
        headers=bearer(app, f.SOCIAL_WORKER),
        json={"data": {"decisione": "chiudi", "motivo_chiusura": "non_di_competenza"}},
    )
    assert response.status_code == 200, response.get_json()
    assert get_signal(app, signal.id).status == "chiusa"


def bearer(app, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(app, email)}"}


def test_two_social_workers_on_the_same_signal_one_decides_the_other_is_told(app, login):
    signal = send_signal(app, login(f.OPERATOR_A))
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    first, second = login(f.SOCIAL_WORKER), login(f.SOCIAL_WORKER_2)
    assert second.get(f"/attivita/{task.id}").status_code == 200  # both opened the form
    evaluate(first, task.id, {"decisione": "presa_in_carico"})
    response = second.post(f"/attivita/{task.id}", data={"decisione": "chiudi", "motivo_chiusura": "altro"})
    assert response.status_code == 302
    page = second.get(response.headers["Location"]).get_data(as_text=True)
    assert "completata" in page or "non è più aperta" in page
    signal = get_signal(app, signal.id)
    assert signal.status == "presa_in_carico" and signal.closing_reason is None


def test_every_read_of_a_signal_is_in_the_access_log_and_managers_can_review_it(app, login):
    from webapp.referrals.models import AccessLogEntry

    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    signal = send_signal(app, operator)
    task = open_task(app, signal.instance_id, "valutazione_segnalazione")
    worker.get(f"/attivita/{task.id}")
    operator.get(f"/segnalazioni/{signal.id}")
    with app.app_context():
        reads = [
            (entry.user_id, entry.action)
            for entry in db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.signal_id == signal.id).order_by(AccessLogEntry.id)
            )
        ]
        from webapp.auth.models import User

        ids = {u.email: u.id for u in db.session.scalars(select(User))}
    assert (ids[f.SOCIAL_WORKER], "task:valutazione_segnalazione") in reads
    assert (ids[f.OPERATOR_A], "signal:view") in reads
    review = login(f.MANAGER).get("/registro-accessi").get_data(as_text=True)
    assert f"Segnalazione n. {signal.id}" in review and "Apertura della segnalazione" in review
