"""Data retention: closed cases older than the period lose the person's data; figures and the journal stay valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case, submit
from webapp.audit.retention import aggregate_figures
from webapp.extensions import db
from webapp.referrals.models import Case, Referral


def _closed_case(app, login) -> int:
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari", message="Chiamare Mario al 333 1234567")
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta", "note": "Lunedì"})
    submit(
        operator,
        open_task(app, instance_id, "esito_intervento").id,
        {"outcome": "concluso_positivo", "outcome_note": "Mario ha ricevuto i pacchi"},
    )
    submit(
        worker,
        open_task(app, instance_id, "chiusura_caso").id,
        {"closing_outcome": "obiettivi_raggiunti", "closing_note": "Rossi sta meglio"},
    )
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.instance_id == instance_id))


def test_retention_anonymizes_only_closed_cases_older_than_the_period_and_keeps_the_figures(app, login, runner):
    old_case = _closed_case(app, login)
    recent_open = start_case(app, login(f.SOCIAL_WORKER))
    with app.app_context():
        case = db.session.get(Case, old_case)
        case.closed_at = datetime.now(UTC) - timedelta(days=365 * 10 + 5)
        db.session.commit()
        figures_before = aggregate_figures(db.session)

    dry = runner.invoke(args=["tessere", "retention", "--dry-run"])
    assert dry.exit_code == 0 and f"caso n. {old_case}" in dry.output
    with app.app_context():
        assert db.session.get(Case, old_case).beneficiary.last_name == "Rossi"  # dry run changed nothing

    result = runner.invoke(args=["tessere", "retention"])
    assert result.exit_code == 0 and "anonimizzati: 1" in result.output, result.output
    with app.app_context():
        case = db.session.get(Case, old_case)
        person = case.beneficiary
        assert case.anonymized_at is not None
        assert (person.first_name, person.last_name, person.codice_fiscale, person.phone) == ("Anonimo", "", None, None)
        assert case.notes is None and case.closing_note is None
        referral = db.session.scalar(select(Referral).where(Referral.case_id == old_case))
        assert referral.message == "" and referral.outcome_note is None and referral.answer_note is None
        assert referral.outcome == "concluso_positivo" and case.closing_outcome == "obiettivi_raggiunti"
        assert aggregate_figures(db.session) == figures_before
        from engine.models import JournalEntry

        journal = " ".join(str(e.details) for e in db.session.scalars(select(JournalEntry)))
        assert "Rossi sta meglio" not in journal and "333 1234567" not in journal
        other = db.session.scalar(select(Case).where(Case.instance_id == recent_open))
        assert other.beneficiary.last_name == "Rossi" and other.anonymized_at is None
    assert runner.invoke(args=["tessere", "audit", "verify"]).exit_code == 0  # the chain survives the erasure
    assert runner.invoke(args=["tessere", "check"]).exit_code == 0
    assert "Persona anonimizzata" in login(f.SOCIAL_WORKER).get("/casi?stato=closed").get_data(as_text=True)
    again = runner.invoke(args=["tessere", "retention"])
    assert "anonimizzati: 0" in again.output  # idempotent


def test_a_recently_closed_case_is_kept(app, login, runner):
    case_id = _closed_case(app, login)
    result = runner.invoke(args=["tessere", "retention"])
    assert "anonimizzati: 0" in result.output
    with app.app_context():
        assert db.session.get(Case, case_id).beneficiary.last_name == "Rossi"
    shorter = runner.invoke(args=["tessere", "retention", "--years", "1", "--now", "2100-01-01T00:00"])
    assert "anonimizzati: 1" in shorter.output
