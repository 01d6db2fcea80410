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


# ------------------------------------------------------------------ sent e-mails and unconfirmed requests
def _mail(app, to: str, sent_days_ago: int | None, status: str = "sent") -> str:
    """A message in the outbox, sent (and logged as .eml by the demo's transport) `sent_days_ago` days ago."""
    from webapp.notifications.mail import FileTransport, build_email, enqueue_text_mail

    with app.app_context():
        message = enqueue_text_mail(db.session, to, "Prova", "Testo di prova.")
        message.status = status
        if sent_days_ago is not None:
            message.sent_at = datetime.now(UTC) - timedelta(days=sent_days_ago)
        db.session.commit()
        if status == "sent":
            FileTransport(app.config["TESSERE_MAIL_DIR"]).send(build_email(message, "t@example.it"))
        return message.message_id


def _eml_files(app) -> list[str]:
    from pathlib import Path

    return sorted(path.name for path in Path(app.config["TESSERE_MAIL_DIR"]).glob("*.eml"))


def test_retention_deletes_sent_mail_older_than_the_period_with_its_eml_copy(app, runner):
    from webapp.audit.retention import _eml_token
    from webapp.notifications.models import OutboxMessage

    old = _mail(app, "vecchia@example.it", sent_days_ago=120)
    recent = _mail(app, "recente@example.it", sent_days_ago=10)
    _mail(app, "in-coda@example.it", sent_days_ago=None, status="pending")
    _mail(app, "fallita@example.it", sent_days_ago=None, status="failed")
    files = _eml_files(app)
    assert len(files) == 2 and any(_eml_token(old) in name for name in files)

    dry = runner.invoke(args=["tessere", "retention", "--dry-run"])
    assert dry.exit_code == 0 and "da eliminare: 1 (copie .eml: 1)" in dry.output, dry.output
    assert _eml_files(app) == files

    result = runner.invoke(args=["tessere", "retention"])
    assert result.exit_code == 0 and "eliminate: 1 (copie .eml: 1)" in result.output, result.output
    with app.app_context():
        left = sorted(db.session.scalars(select(OutboxMessage.to_address)))
    assert left == ["fallita@example.it", "in-coda@example.it", "recente@example.it"]
    [remaining] = _eml_files(app)
    assert _eml_token(recent) in remaining and _eml_token(old) not in remaining

    app.config["TESSERE_MAIL_RETENTION_DAYS"] = 5  # a shorter period, as configured
    assert "eliminate: 1 (copie .eml: 1)" in runner.invoke(args=["tessere", "retention"]).output
    assert _eml_files(app) == []


def test_retention_and_the_worker_delete_citizen_requests_never_confirmed(app, client, runner):
    from tests.test_citizen import REQUEST, ask, ask_and_confirm
    from webapp.citizen.models import CitizenRequest

    def requests() -> list[str]:
        with app.app_context():
            return sorted(db.session.scalars(select(CitizenRequest.email)))

    ask(app, client)  # never confirmed
    ask_and_confirm(app, client, "Mensa solidale", {**REQUEST, "email": "confermata@example.org"})
    assert "mai confermate eliminate: 0" in runner.invoke(args=["tessere", "retention"]).output
    assert len(requests()) == 2

    in_eight_days = (datetime.now(UTC) + timedelta(days=8)).isoformat()
    dry = runner.invoke(args=["tessere", "retention", "--dry-run", "--now", in_eight_days])
    assert "mai confermate da eliminare: 1" in dry.output and len(requests()) == 2
    result = runner.invoke(args=["tessere", "retention", "--now", in_eight_days])
    assert "mai confermate eliminate: 1" in result.output
    assert requests() == ["confermata@example.org"]

    ask(app, client, data={**REQUEST, "email": "altra@example.org"}, ip="10.0.0.9")
    worker = runner.invoke(args=["tessere", "worker", "--once", "--now", in_eight_days])
    assert worker.exit_code == 0 and "mai confermate eliminate: 1" in worker.output, worker.output
    assert requests() == ["confermata@example.org"]
