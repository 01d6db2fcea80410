"""The whole referral journey through the HTTP client: accept, decline and re-refer, deadline, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance
from tests import factories as f
from tests.journey import INTAKE, offer_id, open_task, send_to_offer, start_case, submit
from webapp.extensions import db
from webapp.network.models import Offer
from webapp.referrals.models import AccessLogEntry, Case, Referral


def _capacity(app, title):
    with app.app_context():
        return db.session.scalar(select(Offer.capacity_available).where(Offer.title == title))


def _case(app, instance_id) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.instance_id == instance_id))
        db.session.expunge(case)
        return case


def test_accepted_referral_reserves_a_place_and_closing_releases_it(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")

    # The organization sees the referral in its task list with the minimum data, not the codice fiscale or notes.
    page = operator.get("/attivita").get_data(as_text=True)
    assert "Risposta all&#39;invio" in page or "Risposta all'invio" in page
    answer = open_task(app, instance_id, "risposta_invio")
    task_page = operator.get(f"/attivita/{answer.id}").get_data(as_text=True)
    assert "Mario" in task_page and "333 1234567" in task_page
    assert "RSSMRA80A01D612Y" not in task_page and "Segue il servizio da marzo" not in task_page

    submit(operator, answer.id, {"answer": "accetta", "note": "Ci vediamo lunedì."})
    assert _capacity(app, "Pacchi alimentari") == 1

    outcome = open_task(app, instance_id, "esito_intervento")
    submit(operator, outcome.id, {"outcome": "concluso_positivo", "outcome_note": "Ha ricevuto tre pacchi."})

    closing = open_task(app, instance_id, "chiusura_caso")
    case_page = worker.get(f"/casi/{_case(app, instance_id).id}").get_data(as_text=True)
    assert "Ha ricevuto tre pacchi." in case_page  # the social worker reviews the feedback
    submit(worker, closing.id, {"closing_outcome": "obiettivi_raggiunti", "closing_note": "Chiuso."})

    assert _capacity(app, "Pacchi alimentari") == 2
    case = _case(app, instance_id)
    assert case.status == "closed" and case.closing_outcome == "obiettivi_raggiunti"
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.status == "completed"
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
        assert referral.status == "concluso" and referral.outcome == "concluso_positivo"


def test_timeline_shows_who_did_what(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    page = worker.get(f"/casi/{_case(app, instance_id).id}").get_data(as_text=True)
    assert "Cronologia" in page
    for step in ("Presa in carico", "Registra il caso", "Scelta dell", "Invia all"):
        assert step in page
    assert "as" in page and "In attesa di" in page


def test_declined_referral_returns_to_the_social_worker_who_re_refers(app, login):
    worker, operator_a, operator_b = login(f.SOCIAL_WORKER), login(f.OPERATOR_A), login(f.OPERATOR_B)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")

    answer = open_task(app, instance_id, "risposta_invio")
    submit(operator_a, answer.id, {"answer": "rifiuta", "decline_reason": "non_idoneo", "note": "Fuori zona."})
    assert _capacity(app, "Pacchi alimentari") == 2

    decision = open_task(app, instance_id, "dopo_rifiuto")
    assert decision.assignee_id is not None
    submit(worker, decision.id, {"decisione": "reinvia"})
    send_to_offer(app, worker, instance_id, "Mensa solidale")

    second = open_task(app, instance_id, "risposta_invio")
    assert operator_a.get(f"/attivita/{second.id}").status_code == 404  # now it belongs to organization B
    submit(operator_b, second.id, {"answer": "accetta"})
    assert _capacity(app, "Mensa solidale") == 3
    with app.app_context():
        statuses = [r.status for r in db.session.scalars(select(Referral).order_by(Referral.id))]
    assert statuses == ["rifiutato", "accettato"]


def test_decline_then_close_case(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    submit(
        operator,
        open_task(app, instance_id, "risposta_invio").id,
        {"answer": "rifiuta", "decline_reason": "posti_esauriti"},
    )
    submit(worker, open_task(app, instance_id, "dopo_rifiuto").id, {"decisione": "chiudi"})
    submit(worker, open_task(app, instance_id, "chiusura_caso").id, {"closing_outcome": "nessuna_offerta_adatta"})
    assert _case(app, instance_id).status == "closed"


def test_unanswered_referral_reminds_then_returns_to_social_worker_when_worker_runs(app, login, runner):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    assert answer.due_at is not None  # the deadline comes from the interrupting timer

    in_four_days = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", in_four_days])
    assert result.exit_code == 0, result.output
    assert open_task(app, instance_id, "risposta_invio").id == answer.id  # reminder only: still open
    with app.app_context():
        from webapp.referrals.models import Notification

        kinds = list(db.session.scalars(select(Notification.kind)))
    assert "referral_reminder" in kinds

    in_six_days = (datetime.now(UTC) + timedelta(days=6)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", in_six_days])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cancelled = db.session.get(HumanTask, answer.id)
        assert cancelled.status == "cancelled"
        referral = db.session.scalar(select(Referral))
        assert referral.status == "scaduto"
    decision = open_task(app, instance_id, "dopo_rifiuto")
    assert decision.assignee_id is not None


def test_worker_before_the_deadline_changes_nothing(app, login, runner):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    result = runner.invoke(args=["tessere", "worker", "--once"])
    assert "Timer scaduti gestiti: 0" in result.output
    open_task(app, instance_id, "risposta_invio")


def test_intake_with_invalid_codice_fiscale_is_refused_in_italian_and_keeps_what_was_typed(app, login):
    worker = login(f.SOCIAL_WORKER)
    bad = {**INTAKE, "codice_fiscale": "RSSMRA80A01D612X"}
    response = worker.post("/casi/nuovo", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Il codice fiscale non è valido" in page
    assert 'value="Mario"' in page and "Segue il servizio da marzo" in page
    with app.app_context():  # nothing half-made is left behind
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_intake_requires_names_and_needs_of_the_chosen_group(app, login):
    worker = login(f.SOCIAL_WORKER)
    response = worker.post("/casi/nuovo", data={**INTAKE, "first_name": "", "needs": ["mensa", "dopo_scuola"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Campo obbligatorio." in page
    assert "non appartengono al gruppo di riferimento" in page


def test_opening_the_intake_form_creates_nothing(app, login):
    worker = login(f.SOCIAL_WORKER)
    page = worker.get("/casi/nuovo").get_data(as_text=True)
    assert "Codice fiscale" in page and "Bisogni rilevati" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_no_consent_no_referral(app, login):
    worker = login(f.SOCIAL_WORKER)
    intake = {k: v for k, v in INTAKE.items() if k != "consent_share"}
    instance_id = start_case(app, worker, intake)
    task = open_task(app, instance_id, "scelta_offerta")
    page = submit(
        worker, task.id, {"offer_id": offer_id(app, "Pacchi alimentari"), "message": "Ciao"}, expect=422
    ).get_data(as_text=True)
    assert "senza consenso non è possibile l&#39;invio" in page or "senza consenso non è possibile l'invio" in page
    with app.app_context():
        assert db.session.scalar(select(Referral)) is None
    assert open_task(app, instance_id, "scelta_offerta").id == task.id  # nothing lost, still to do


def test_offer_choices_follow_the_target_group(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    task = open_task(app, instance_id, "scelta_offerta")
    page = worker.get(f"/attivita/{task.id}").get_data(as_text=True)
    assert "Pacchi alimentari" in page and "Mensa solidale" in page
    assert "Compagnia agli anziani" not in page and "Ascolto donne" not in page
    filtered = worker.get(f"/attivita/{task.id}?bisogno=mensa").get_data(as_text=True)
    assert "Mensa solidale" in filtered and "Pacchi alimentari" not in filtered


def test_an_offer_of_another_target_group_is_refused(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    task = open_task(app, instance_id, "scelta_offerta")
    page = submit(
        worker, task.id, {"offer_id": offer_id(app, "Compagnia agli anziani"), "message": "x"}, expect=422
    ).get_data(as_text=True)
    assert "Non è una opzione valida" in page


def test_decline_without_reason_is_refused(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    page = submit(operator, answer.id, {"answer": "rifiuta"}, expect=422).get_data(as_text=True)
    assert "Indica il motivo" in page


def test_accepting_without_places_left_is_refused_and_nothing_changes(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    first, second = start_case(app, worker), start_case(app, worker)
    send_to_offer(app, worker, first, "Pacchi alimentari")
    send_to_offer(app, worker, second, "Pacchi alimentari")
    with app.app_context():
        db.session.execute(
            Offer.__table__.update().where(Offer.title == "Pacchi alimentari").values(capacity_available=0)
        )
        db.session.commit()
    answer = open_task(app, first, "risposta_invio")
    page = submit(operator, answer.id, {"answer": "accetta"}, expect=422).get_data(as_text=True)
    assert "Non ci sono più posti disponibili" in page
    assert open_task(app, first, "risposta_invio").id == answer.id
    with app.app_context():
        assert db.session.scalar(select(Referral).where(Referral.status == "accettato")) is None


def test_other_organization_cannot_see_or_complete_the_referral(app, login):
    worker, operator_b = login(f.SOCIAL_WORKER), login(f.OPERATOR_B)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    assert "Risposta all" not in operator_b.get("/attivita").get_data(as_text=True)
    assert operator_b.get(f"/attivita/{answer.id}").status_code == 404
    assert operator_b.post(f"/attivita/{answer.id}", data={"answer": "accetta"}).status_code == 404
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    assert operator_b.get(f"/invii/{referral_id}").status_code == 404
    assert "Mario" not in operator_b.get("/casi").get_data(as_text=True)


def test_another_social_worker_cannot_open_the_case(app, login):
    worker, other = login(f.SOCIAL_WORKER), login(f.SOCIAL_WORKER_2)
    instance_id = start_case(app, worker)
    case_id = _case(app, instance_id).id
    assert other.get(f"/casi/{case_id}").status_code == 404
    assert login(f.MANAGER).get(f"/casi/{case_id}").status_code == 200
    task = open_task(app, instance_id, "scelta_offerta")
    assert other.get(f"/attivita/{task.id}").status_code == 404


def test_completed_task_cannot_be_completed_again(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    submit(operator, answer.id, {"answer": "accetta"})
    response = operator.post(
        f"/attivita/{answer.id}", data={"answer": "rifiuta", "decline_reason": "altro"}, follow_redirects=True
    )
    assert "già stata completata" in response.get_data(as_text=True)
    assert _capacity(app, "Pacchi alimentari") == 1


def test_stale_form_is_a_conflict_and_loses_nothing(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    task = open_task(app, instance_id, "scelta_offerta")
    with app.app_context():
        stale = db.session.get(ProcessInstance, instance_id).lock_version - 1
    response = worker.post(
        f"/attivita/{task.id}",
        data={"offer_id": offer_id(app, "Pacchi alimentari"), "message": "x", "lock_version": stale},
        follow_redirects=True,
    )
    assert "aggiornato da un" in response.get_data(as_text=True)
    assert open_task(app, instance_id, "scelta_offerta").id == task.id


def test_reading_a_case_is_logged(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    case_id = _case(app, instance_id).id
    worker.get(f"/casi/{case_id}")
    with app.app_context():
        actions = list(db.session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.case_id == case_id)))
    assert "case:view" in actions


def test_personal_data_is_not_kept_in_process_state_or_journal(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert "RSSMRA80A01D612Y" not in instance.state_json
        assert "Segue il servizio" not in instance.state_json
        from engine.models import JournalEntry

        journal = " ".join(str(e.details) for e in db.session.scalars(select(JournalEntry)))
        assert "RSSMRA80A01D612Y" not in journal and "Rossi" not in journal


def test_restricted_case_names_are_hidden_from_managers_lists(app, login):
    worker = login(f.SOCIAL_WORKER)
    start_case(app, worker, {**INTAKE, "target_group": "violenza_genere", "needs": ["ascolto_antiviolenza"]})
    listing = login(f.MANAGER).get("/casi").get_data(as_text=True)
    assert "Rossi" not in listing and "caso riservato" in listing
    assert "Rossi" in worker.get("/casi").get_data(as_text=True)


def test_after_intake_the_social_worker_goes_straight_to_choosing_the_offer(app, login):
    worker = login(f.SOCIAL_WORKER)
    response = worker.post("/casi/nuovo", data=INTAKE)
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task.form_key == "scelta_offerta" and task.status == "open"


def test_declining_for_another_reason_requires_a_note(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    page = submit(operator, answer.id, {"answer": "rifiuta", "decline_reason": "altro"}, expect=422)
    assert "Spiega il motivo nelle note." in page.get_data(as_text=True)
    submit(operator, answer.id, {"answer": "rifiuta", "decline_reason": "altro", "note": "Sede chiusa per lavori."})
