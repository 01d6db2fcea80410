"""The journal's hash chain, the access log and its review, restricted cases, consent and the person's data."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from engine.models import JournalEntry, ProcessInstance
from tests import factories as f
from tests.journey import INTAKE, offer_id, open_task, send_to_offer, start_case, submit
from webapp.extensions import db
from webapp.referrals.models import AccessLogEntry, Case, Referral

RESTRICTED = {**INTAKE, "target_group": "violenza_genere", "needs": ["ascolto_antiviolenza"], "email": "m@esempio.it"}


def _case(app, instance_id) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.instance_id == instance_id))
        db.session.expunge(case)
        return case


def _journey(app, login) -> int:
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})
    return instance_id


# --------------------------------------------------------------------------------------------- hash chain
def test_the_journal_is_hash_chained_and_verifies(app, login, runner):
    instance_id = _journey(app, login)
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(JournalEntry).where(JournalEntry.instance_id == instance_id).order_by(JournalEntry.id)
            )
        )
        assert len(entries) >= 4 and entries[0].prev_hash == "0" * 64
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))
        assert db.session.get(ProcessInstance, instance_id).journal_head == entries[-1].hash
    result = runner.invoke(args=["tessere", "audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Catena integra" in result.output and "Sigillo" in result.output


def _tamper(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def test_changing_a_journal_entry_is_detected(app, login, runner):
    instance_id = _journey(app, login)
    with app.app_context():
        entry_id = db.session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.instance_id == instance_id, JournalEntry.kind == "task_completed"
            )
        )
    _tamper(app, "UPDATE journal_entry SET actor_label = 'Qualcun altro' WHERE id = :id", id=entry_id)
    result = runner.invoke(args=["tessere", "audit", "verify"])
    assert result.exit_code == 1 and f"voce {entry_id}" in result.output and "alterato" in result.output


def test_changing_journal_details_is_detected(app, login, runner):
    instance_id = _journey(app, login)
    with app.app_context():
        entry = db.session.scalars(
            select(JournalEntry).where(JournalEntry.instance_id == instance_id, JournalEntry.kind == "task_completed")
        ).first()
        entry.details = {"data": {"answer": "rifiuta"}}
        db.session.commit()
    assert runner.invoke(args=["tessere", "audit", "verify"]).exit_code == 1


def test_removing_a_journal_entry_in_the_middle_or_at_the_end_is_detected(app, login, runner):
    instance_id = _journey(app, login)
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(JournalEntry.id).where(JournalEntry.instance_id == instance_id).order_by(JournalEntry.id)
            )
        )
    _tamper(app, "DELETE FROM journal_entry WHERE id = :id", id=ids[-1])
    assert runner.invoke(args=["tessere", "audit", "verify"]).exit_code == 1
    _tamper(
        app, "UPDATE process_instance SET journal_head = (SELECT hash FROM journal_entry WHERE id = :id)", id=ids[-2]
    )
    assert runner.invoke(args=["tessere", "audit", "verify"]).exit_code == 0  # the head moved: consistent again
    _tamper(app, "DELETE FROM journal_entry WHERE id = :id", id=ids[2])
    result = runner.invoke(args=["tessere", "audit", "verify"])
    assert result.exit_code == 1 and "collegamento" in result.output


def test_the_check_command_finds_every_instance_consistent(app, login, runner):
    _journey(app, login)
    result = runner.invoke(args=["tessere", "check"])
    assert result.exit_code == 0, result.output
    assert "con problemi: 0" in result.output


def test_the_check_command_reports_a_task_row_that_disagrees_with_the_state(app, login, runner):
    instance_id = _journey(app, login)
    _tamper(app, "UPDATE human_task SET status = 'cancelled' WHERE instance_id = :i AND status = 'open'", i=instance_id)
    result = runner.invoke(args=["tessere", "check"])
    assert result.exit_code == 1 and f"Processo {instance_id}" in result.output


# ------------------------------------------------------------------------------- restricted cases, access log
def test_a_manager_states_why_before_reading_a_restricted_case_and_the_reason_is_logged(app, login):
    worker, manager = login(f.SOCIAL_WORKER), login(f.MANAGER)
    case = _case(app, start_case(app, worker, RESTRICTED))
    response = manager.get(f"/casi/{case.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casi/{case.id}/motivo")
    page = manager.get(f"/casi/{case.id}/motivo").get_data(as_text=True)
    assert "Rossi" not in page and "RSSMRA80A01D612Y" not in page
    assert manager.post(f"/casi/{case.id}/motivo", data={"reason": "altro", "detail": ""}).status_code == 422
    manager.post(f"/casi/{case.id}/motivo", data={"reason": "supervisione", "detail": "Verifica mensile"})
    page = manager.get(f"/casi/{case.id}").get_data(as_text=True)
    assert "Rossi" in page and "RSSMRA80A01D612Y" in page  # managers see the identity
    with app.app_context():
        entry = db.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.case_id == case.id, AccessLogEntry.action == "case:view")
        ).first()
        assert entry.reason == "Supervisione del caso: Verifica mensile"
    # the social worker in charge is not asked
    assert worker.get(f"/casi/{case.id}").status_code == 200
    log = manager.get(f"/registro-accessi?caso={case.id}&riservati=1").get_data(as_text=True)
    assert "Verifica mensile" in log and "Rossi" not in log and "caso riservato" in log


def test_the_organization_of_a_restricted_case_sees_only_what_was_shared(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker, RESTRICTED)
    task = open_task(app, instance_id, "scelta_offerta")
    submit(
        worker, task.id, {"offer_id": offer_id(app, "Ascolto donne"), "message": "Solo al mattino", "share_phone": "y"}
    )
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    page = operator.get(f"/invii/{referral_id}").get_data(as_text=True)
    assert "Mario" in page and "333 1234567" in page
    for secret in ("Rossi", "RSSMRA80A01D612Y", "Segue il servizio", "m@esempio.it"):
        assert secret not in page
    listing = operator.get("/casi").get_data(as_text=True) + operator.get("/attivita").get_data(as_text=True)
    assert "Rossi" not in listing


def test_the_access_log_is_for_managers_only(login):
    assert login(f.MANAGER).get("/registro-accessi").status_code == 200
    for email in (f.SOCIAL_WORKER, f.OPERATOR_A, f.ADMIN):
        assert login(email).get("/registro-accessi").status_code == 404


def test_api_reads_of_a_person_are_logged_with_their_channel(app, login):
    from tests.test_api import token_for

    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    task = open_task(app, instance_id, "scelta_offerta")
    headers = {"Authorization": f"Bearer {token_for(app, f.SOCIAL_WORKER)}"}
    assert app.test_client().get(f"/api/v1/tasks/{task.id}", headers=headers).status_code == 200
    with app.app_context():
        channels = set(db.session.scalars(select(AccessLogEntry.channel)))
    assert "api" in channels


# ------------------------------------------------------------------------------------------------ consent
def test_consent_is_recorded_with_what_when_who_and_scope(app, login):
    case = _case(app, start_case(app, login(f.SOCIAL_WORKER)))
    with app.app_context():
        worker_id = db.session.scalar(select(Case.owner_id).where(Case.id == case.id))
    assert case.consent_share and case.consent_recorded_at and case.consent_recorded_by_id == worker_id
    assert "mai codice fiscale" in case.consent_scope


def test_withdrawing_consent_stops_further_sharing(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    case = _case(app, instance_id)
    assert worker.post(f"/casi/{case.id}/consenso/revoca", data={}).status_code == 302
    assert _case(app, instance_id).consent_withdrawn_at is None  # not confirmed: nothing recorded
    worker.post(f"/casi/{case.id}/consenso/revoca", data={"conferma": "si"})
    after = _case(app, instance_id)
    assert after.consent_withdrawn_at is not None and not after.consent_share
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    page = operator.get(f"/invii/{referral_id}").get_data(as_text=True)
    assert "revocato il consenso" in page and "333 1234567" not in page and "Rossi" not in page
    answer = open_task(app, instance_id, "risposta_invio")
    submit(operator, answer.id, {"answer": "rifiuta", "decline_reason": "non_idoneo"})
    submit(worker, open_task(app, instance_id, "dopo_rifiuto").id, {"decisione": "reinvia"})
    task = open_task(app, instance_id, "scelta_offerta")
    refused = submit(worker, task.id, {"offer_id": offer_id(app, "Mensa solidale"), "message": "x"}, expect=422)
    assert "revocato il consenso" in refused.get_data(as_text=True)


# ---------------------------------------------------------------------------------------- right of access
def test_a_persons_data_can_be_exported_on_request_and_the_export_is_logged(app, login, runner):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    case = _case(app, instance_id)
    worker.get(f"/casi/{case.id}")
    response = worker.get(f"/casi/{case.id}/dati-personali")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert document["person"]["codice_fiscale"] == "RSSMRA80A01D612Y"
    shared = document["cases"][0]["shared_with"][0]
    assert shared["organization"] == "Emporio Solidale di prova" and "telefono" in shared["shared_data"]
    assert any(
        e["action"] == "case:view" or e["action"].startswith("task:") for e in document["cases"][0]["access_log"]
    )
    assert login(f.SOCIAL_WORKER_2).get(f"/casi/{case.id}/dati-personali").status_code == 404
    assert login(f.OPERATOR_A).get(f"/casi/{case.id}/dati-personali").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AccessLogEntry).where(AccessLogEntry.action == "export:person")) is not None
    cli = runner.invoke(args=["tessere", "export-person", str(case.id)])
    assert cli.exit_code == 0 and "RSSMRA80A01D612Y" in cli.output
