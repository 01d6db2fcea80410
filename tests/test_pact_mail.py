"""The patto di rete's e-mails: queued in the outbox in the same transaction as the pact step, delivered by the
worker through a real SMTP server on loopback (aiosmtpd).

A new version goes to the member organizations' operators, a signature is confirmed to the signer, a withdrawal
is told to the managers, and the expiry reminder fired by the diagram's timer reaches managers and signatories.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forms.pact import add_years
from tests import factories as f
from tests.conftest import make_app
from tests.smtp_server import running_smtp_server
from tests.test_pact import (
    _published_by_process,
    publish,
    publish_directly,
    sign_directly,
    three_years_from,
    today,
)
from webapp.extensions import db
from webapp.notifications.models import OutboxMessage
from webapp.pact import services

BASE_URL = "https://tessere.example.it"


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app(database, tmp_path, smtp):
    app = make_app(
        database,
        tmp_path,
        TESSERE_MAIL_SERVER=smtp.host,
        TESSERE_MAIL_PORT=smtp.port,
        TESSERE_BASE_URL=BASE_URL,
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def outbox(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
        )
        db.session.expunge_all()
        return rows


def worker(runner, now: datetime | None = None) -> None:
    args = ["tessere", "worker", "--once"] + (["--now", now.isoformat()] if now else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def test_a_new_version_is_mailed_to_the_operators_of_every_member_organization(app, login, runner, smtp):
    manager = login(f.MANAGER)
    publish(manager, *three_years_from(today()))
    queued = outbox(app, "patto_pubblicato")
    assert sorted(m.to_address for m in queued) == sorted([f.OPERATOR_A, f.OPERATOR_B])
    message = queued[0]
    assert message.subject == "Tessere: pubblicato il patto di rete, versione 1"
    assert "versione 1, in vigore dal" in message.body_text
    assert f"{BASE_URL}/patto" in message.body_text
    worker(runner)
    received = {r.rcpt_tos[0]: r.message for r in smtp.handler.messages()}
    assert set(received) >= {f.OPERATOR_A, f.OPERATOR_B}
    body = received[f.OPERATOR_A].get_body(("plain",)).get_content()
    assert "Emporio Solidale di prova deve firmare questa versione" in body


def test_a_publication_refused_by_the_rules_sends_nothing(app, login):
    manager = login(f.MANAGER)
    publish(manager, "2027-06-01", "2027-12-31", expect=422)  # shorter than three years: rolled back
    assert outbox(app, "patto_pubblicato") == []


def test_the_signer_gets_a_confirmation_of_what_was_signed(app, login, runner, smtp):
    publish_directly(app)
    operator = login(f.OPERATOR_A)
    response = operator.post("/patto/firma/1", data={"firma1-signer_role": "Presidente", "firma1-confirm": "y"})
    assert response.status_code == 302
    (message,) = outbox(app, "patto_firmato")
    assert message.to_address == f.OPERATOR_A
    assert message.subject == "Tessere: firma del patto di rete registrata (versione 1)"
    assert "per Emporio Solidale di prova" in message.body_text
    assert "Firmato da: op.a (Presidente)" in message.body_text
    worker(runner)
    assert f.OPERATOR_A in [r.rcpt_tos[0] for r in smtp.handler.messages()]


def test_a_refused_signature_sends_no_confirmation(app, login):
    publish_directly(app)
    operator = login(f.OPERATOR_A)
    assert operator.post("/patto/firma/1", data={"firma1-signer_role": "Presidente"}).status_code == 422
    assert outbox(app, "patto_firmato") == []


def test_a_withdrawal_is_mailed_to_the_managers_with_its_reason(app, login):
    version_id = publish_directly(app)
    sign_directly(app, f.OPERATOR_A, version_id)
    response = login(f.OPERATOR_A).post(
        "/patto/ritiro/1", data={"ritiro1-reason": "Cambio del direttivo", "ritiro1-confirm": "y"}
    )
    assert response.status_code == 302
    (message,) = outbox(app, "patto_firma_ritirata")
    assert message.to_address == f.MANAGER
    assert message.subject == "Tessere: Emporio Solidale di prova ha ritirato la firma del patto di rete"
    assert "Motivo indicato: Cambio del direttivo" in message.body_text
    assert "non sono più nel catalogo" in message.body_text  # its offers left the catalogue


def test_the_expiry_reminder_timer_mails_managers_and_signatories(app, login, runner, smtp):
    version = _published_by_process(app, login)
    sign_directly(app, f.OPERATOR_A, version.id)
    reminder = services.reminder_moment(version)

    worker(runner, reminder - timedelta(days=1))
    assert outbox(app, "patto_in_scadenza") == []

    worker(runner, reminder + timedelta(hours=1))
    queued = outbox(app, "patto_in_scadenza")
    assert sorted(m.to_address for m in queued) == sorted([f.MANAGER, f.OPERATOR_A])  # not the non-signatory B
    by_address = {m.to_address: m for m in queued}
    assert f"scade il {version.valid_until:%d/%m/%Y}" in by_address[f.MANAGER].subject
    assert "preparare e pubblicare il rinnovo" in by_address[f.MANAGER].body_text
    assert "Emporio Solidale di prova ha firmato questa versione" in by_address[f.OPERATOR_A].body_text
    worker(runner, reminder + timedelta(hours=2))  # the same worker delivers
    delivered = [r.rcpt_tos[0] for r in smtp.handler.messages()]
    assert f.MANAGER in delivered and f.OPERATOR_A in delivered
    worker(runner, reminder + timedelta(hours=3))
    assert len(outbox(app, "patto_in_scadenza")) == 2  # the timer fired once


def test_pact_mails_are_sent_in_the_step_transaction(app):
    """A publication that is rolled back leaves no e-mail behind (the outbox row is in the same transaction)."""
    with app.app_context():
        start = datetime.now(UTC).date()
        services.publish_pact(
            db.session,
            title="Patto",
            text="Testo",
            valid_from=start,
            valid_until=add_years(start, 3),
            change_note=None,
            published_by_id=None,
            instance_id=None,
            now=datetime.now(UTC),
        )
        db.session.flush()
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "patto_pubblicato")) is not None
        db.session.rollback()
    assert outbox(app, "patto_pubblicato") == []
