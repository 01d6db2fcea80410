"""E-mail: Italian messages queued in the step's transaction, delivered by the worker through a real SMTP server
on loopback (aiosmtpd), retried with back-off, shown to administrators when they keep failing, and written to a
local log when no server is configured (the demo)."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.service import as_utc
from tests import factories as f
from tests.conftest import make_app
from tests.journey import INTAKE, offer_id, open_task, send_to_offer, start_case, submit
from tests.smtp_server import free_port, running_smtp_server
from webapp.auth.models import User
from webapp.extensions import db
from webapp.notifications import services
from webapp.notifications.mail import (
    MAX_ATTEMPTS,
    SmtpTransport,
    enqueue_mail,
    enqueue_text_mail,
    render_mail,
    retry_delay,
    send_due_mail,
)
from webapp.notifications.models import OutboxMessage
from webapp.referrals.models import Referral

BASE_URL = "https://tessere.example.it"
SENDER = "Tessere Campi Bisenzio <tessere@comune.example.it>"


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
        TESSERE_MAIL_SENDER=SENDER,
        TESSERE_MAIL_DIR=str(tmp_path / "mail"),
        TESSERE_BASE_URL=BASE_URL,
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _outbox(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def _worker(runner, now: datetime | None = None):
    args = ["tessere", "worker", "--once"] + (["--now", now.isoformat()] if now else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def _referral_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Referral.id)))


def test_sending_a_referral_queues_an_italian_email_to_the_organization_without_personal_data(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")

    [message] = _outbox(app)
    referral_id = _referral_id(app)
    assert message.to_address == f.OPERATOR_A and message.kind == "nuovo_invio"
    assert message.status == "pending"  # nothing is sent inside a web request: the worker delivers it
    assert message.subject == f"Tessere: nuovo invio n. {referral_id} per «Pacchi alimentari»"
    assert "Vi chiediamo di accettare o rifiutare l'invio" in message.body_text
    assert f"{BASE_URL}/invii/{referral_id}" in message.body_text
    for personal in ("Mario", "Rossi", INTAKE["codice_fiscale"], INTAKE["phone"], "Segue il servizio"):
        assert personal not in message.body_text and personal not in message.body_html


def test_a_refused_step_queues_no_email(app, login):
    worker = login(f.SOCIAL_WORKER)
    intake = {k: v for k, v in INTAKE.items() if k != "consent_share"}
    instance_id = start_case(app, worker, intake)
    task = open_task(app, instance_id, "scelta_offerta")
    submit(worker, task.id, {"offer_id": offer_id(app, "Pacchi alimentari"), "message": "x"}, expect=422)
    assert _outbox(app) == []


def test_the_worker_delivers_the_outbox_through_smtp_once(app, login, runner, smtp):
    worker = login(f.SOCIAL_WORKER)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    [queued] = _outbox(app)

    assert "E-mail inviate: 1" in _worker(runner)
    [received] = smtp.handler.messages()
    email = received.message
    assert received.rcpt_tos == [f.OPERATOR_A] and received.mail_from == "tessere@comune.example.it"
    assert email["To"] == f.OPERATOR_A and email["From"] == SENDER
    assert email["Subject"] == queued.subject and email["Message-ID"] == queued.message_id
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert f"{BASE_URL}/invii/" in text and f'<a href="{BASE_URL}/invii/' in html and 'lang="it"' in html

    [sent] = _outbox(app)
    assert sent.status == "sent" and sent.sent_at is not None and sent.attempts == 1 and sent.last_error is None
    assert "E-mail inviate: 0" in _worker(runner)
    assert len(smtp.handler.messages()) == 1  # a sent message is never sent again


def test_the_html_alternative_escapes_what_people_typed(app, login, runner, smtp):
    title = '<script>alert("x")</script> Pane & latte'
    with app.app_context():
        from webapp.network.models import Organization

        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        f.make_offer(db.session, organization, title, ["poverta"], ["generi_alimentari"])
        db.session.commit()
    worker = login(f.SOCIAL_WORKER)
    send_to_offer(app, worker, start_case(app, worker), title)
    _worker(runner)
    [received] = smtp.handler.messages()
    html = received.message.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Pane &amp; latte" in html
    assert title in received.message.get_body(("plain",)).get_content()  # plain text keeps it as typed


def test_a_temporary_failure_is_retried_with_back_off(app, login, runner, smtp):
    worker = login(f.SOCIAL_WORKER)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    smtp.handler.replies.append("451 4.3.0 Casella temporaneamente non disponibile")
    first = datetime.now(UTC) + timedelta(hours=1)

    output = _worker(runner, first)
    assert "E-mail inviate: 0, da riprovare: 1" in output
    [message] = _outbox(app)
    assert message.status == "pending" and message.attempts == 1 and "451" in message.last_error
    assert as_utc(message.next_attempt_at) == first + timedelta(minutes=1)

    assert "E-mail inviate: 0." in _worker(runner, first + timedelta(seconds=30))  # not due yet
    assert smtp.handler.messages() == []
    assert "E-mail inviate: 1" in _worker(runner, first + timedelta(minutes=2))
    assert len(smtp.handler.messages()) == 1
    [message] = _outbox(app)
    assert message.status == "sent" and message.attempts == 2 and message.last_error is None


def test_a_permanently_refused_message_fails_at_once_and_an_administrator_retries_it(app, login, runner, smtp):
    worker, admin = login(f.SOCIAL_WORKER), login(f.ADMIN)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    smtp.handler.replies.append("550 5.1.1 Casella inesistente")
    assert "non recapitate: 1" in _worker(runner)
    [message] = _outbox(app)
    assert message.status == "failed" and message.attempts == 1

    listing = admin.get("/amministrazione/posta?stato=failed").get_data(as_text=True)
    assert f.OPERATOR_A in listing and "550 5.1.1 Casella inesistente" in listing and "Non recapitata" in listing
    detail = admin.get(f"/amministrazione/posta/{message.id}").get_data(as_text=True)
    assert "Riprova l'invio" in detail and "Vi chiediamo di accettare" in detail
    assert worker.get("/amministrazione/posta").status_code == 404
    assert worker.post(f"/amministrazione/posta/{message.id}/riprova").status_code == 404

    response = admin.post(f"/amministrazione/posta/{message.id}/riprova")
    assert response.status_code == 302
    assert _outbox(app)[0].status == "pending"
    assert "E-mail inviate: 1" in _worker(runner)
    assert [r.rcpt_tos for r in smtp.handler.messages()] == [[f.OPERATOR_A]]
    assert _outbox(app)[0].status == "sent"


def test_a_message_that_keeps_failing_backs_off_exponentially_then_is_given_up(app, smtp):
    smtp.handler.replies.extend(["451 4.4.1 Riprova"] * MAX_ATTEMPTS)
    with app.app_context():
        enqueue_mail(db.session, "persona@example.it", "reimposta_password", {"name": "A", "link": "https://x/r"})
        db.session.commit()
        now = datetime.now(UTC)
        delays = []
        for _ in range(MAX_ATTEMPTS):
            transport = SmtpTransport(smtp.host, smtp.port)
            result = send_due_mail(db.session, transport, SENDER, now=now)
            transport.close()
            message = db.session.scalar(select(OutboxMessage))
            if message.status == "pending":
                due = as_utc(message.next_attempt_at)
                delays.append(due - now)
                now = due
        assert result.failed == 1 and message.status == "failed" and message.attempts == MAX_ATTEMPTS
        assert delays == [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
        assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert smtp.handler.messages() == []


def test_an_unreachable_server_keeps_messages_queued_with_the_reason(app):
    with app.app_context():
        for address in ("uno@example.it", "due@example.it"):
            enqueue_mail(db.session, address, "reimposta_password", {"name": "A", "link": "https://x/r"})
        db.session.commit()
        transport = SmtpTransport("127.0.0.1", free_port(), timeout=5)
        result = send_due_mail(db.session, transport, SENDER)
        assert result.server_unavailable and result.sent == 0
        first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert first.status == "pending" and first.attempts == 1 and "non disponibile" in first.last_error
        assert second.status == "pending" and second.attempts == 0  # the pass stopped: no point trying the rest


def test_without_a_mail_server_messages_go_to_the_local_log_that_administrators_read(app, login, runner, tmp_path):
    app.config["TESSERE_MAIL_SERVER"] = None  # the demo: no SMTP server configured
    worker, admin = login(f.SOCIAL_WORKER), login(f.ADMIN)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    assert "E-mail inviate: 1" in _worker(runner)

    [path] = sorted((tmp_path / "mail").glob("*.eml"))
    email = message_from_bytes(path.read_bytes(), policy=policy.default)
    [message] = _outbox(app)
    assert email["To"] == f.OPERATOR_A and email["Subject"] == message.subject and message.status == "sent"
    listing = admin.get("/amministrazione/posta").get_data(as_text=True)
    assert "registro locale" in listing and message.subject.replace("«", "") in listing.replace("«", "")
    detail = admin.get(f"/amministrazione/posta/{message.id}").get_data(as_text=True)
    assert "Inviata" in detail and f"{BASE_URL}/invii/" in detail


def test_invitation_password_reset_and_fase1_receipt_are_in_italian_with_their_link(app):
    expires = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.email == f.OPERATOR_A))
        assert services.enqueue_invitation(db.session, operator, "https://t.example/invito/abc", expires)
        assert services.enqueue_password_reset(db.session, operator, "https://t.example/reimposta/xyz", expires)
        assert services.enqueue_fase1_receipt(db.session, "segreteria@odv.example.it", "ODV Il Ponte", 42)
        assert not services.enqueue_fase1_receipt(db.session, "non-un-indirizzo", "ODV", 43)
        db.session.commit()
    invitation, reset, receipt = _outbox(app)
    assert invitation.subject == "Invito ad accedere a Tessere – Reti di comunità"
    assert "https://t.example/invito/abc" in invitation.body_text
    assert "operatore di organizzazione di Emporio Solidale di prova" in invitation.body_text
    assert "fino al 03/12/2026 alle 17:30" in invitation.body_text  # shown in Italian time
    assert reset.subject == "Tessere: reimpostazione della password" and "la password attuale resta valida" in (
        reset.body_text
    )
    assert receipt.to_address == "segreteria@odv.example.it"
    assert receipt.subject == "Tessere: ricevuta della domanda di adesione n. 42"
    assert "Conservate questo messaggio come ricevuta" in receipt.body_text


def test_a_subject_cannot_smuggle_headers(app, runner, smtp):
    rendered = render_mail(
        "nuovo_invio",
        {"referral_id": 1, "offer_title": "Pane\r\nBcc: spia@example.it", "organization_name": "X", "link": "u"},
    )
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    with app.app_context():
        enqueue_mail(
            db.session,
            "op@example.it",
            "nuovo_invio",
            {"referral_id": 1, "offer_title": "Pane\nBcc: spia@example.it", "organization_name": "X", "link": "u"},
        )
        assert enqueue_mail(db.session, "op@example.it\nBcc: spia@example.it", "invio_scaduto", {}) is None
        db.session.commit()
    _worker(runner)
    [received] = smtp.handler.messages()
    assert received.rcpt_tos == ["op@example.it"] and received.message["Bcc"] is None


def test_an_unknown_template_is_a_programming_error(app):
    with app.app_context(), pytest.raises(ValueError, match="modello di e-mail sconosciuto"):
        enqueue_mail(db.session, "op@example.it", "inventato", {})


def test_a_module_with_its_own_text_can_queue_it_and_the_html_is_escaped(app, runner, smtp):
    with app.app_context():
        queued = enqueue_text_mail(
            db.session,
            "legale@odv.example.it",
            "Domanda n. 7\nBcc: spia@example.it",
            "Gentile <b>ODV</b>,\n\nla domanda è stata ricevuta.\nhttps://t.example/domande/7?x=1&y=2",
            kind="ricevuta_adesione",
        )
        assert queued.subject == "Domanda n. 7 Bcc: spia@example.it" and queued.kind == "ricevuta_adesione"
        db.session.commit()
    _worker(runner)
    [received] = smtp.handler.messages()
    assert received.rcpt_tos == ["legale@odv.example.it"] and received.message["Bcc"] is None
    html = received.message.get_body(("html",)).get_content()
    assert "&lt;b&gt;ODV&lt;/b&gt;" in html and "<b>" not in html
    assert '<a href="https://t.example/domande/7?x=1&amp;y=2">' in html


# ------------------------------------------------------------------ TLS and login (aiosmtpd on loopback)
MAIL_USER, MAIL_PASSWORD = "tessere@comune.example.it", "parola-giusta-123"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 made for the test (cert.pem, key.pem): no system authority knows
    it, so the client trusts it only through TESSERE_MAIL_CA_FILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "posta di prova Tessere")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _use_server(app, server, certificate=None, **settings) -> None:
    app.config.update(TESSERE_MAIL_SERVER=server.host, TESSERE_MAIL_PORT=server.port, **settings)
    if certificate is not None:
        app.config["TESSERE_MAIL_CA_FILE"] = str(certificate[0])


def _queue_one(app, to: str = "persona@example.it") -> None:
    with app.app_context():
        enqueue_text_mail(db.session, to, "Prova di consegna", "Messaggio di prova.")
        db.session.commit()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_and_login_deliver_with_the_configured_account(app, runner, certificate, mechanism):
    accounts = {MAIL_USER: MAIL_PASSWORD}
    with running_smtp_server(_server_context(certificate), accounts=accounts, mechanisms=(mechanism,)) as server:
        _use_server(
            app,
            server,
            certificate,
            TESSERE_MAIL_USE_STARTTLS=True,
            TESSERE_MAIL_USERNAME=MAIL_USER,
            TESSERE_MAIL_PASSWORD=MAIL_PASSWORD,
        )
        _queue_one(app)
        assert "E-mail inviate: 1" in _worker(runner)
        # The server requires STARTTLS before MAIL and AUTH only over TLS: receiving the message proves both.
        [received] = server.handler.messages()
        assert received.rcpt_tos == ["persona@example.it"]
        assert server.handler.logins == [(mechanism, MAIL_USER, True)]
    [message] = _outbox(app)
    assert message.status == "sent" and message.last_error is None


def test_implicit_tls_smtps_delivers(app, runner, certificate):
    accounts = {MAIL_USER: MAIL_PASSWORD}
    with running_smtp_server(_server_context(certificate), implicit_tls=True, accounts=accounts) as server:
        _use_server(
            app,
            server,
            certificate,
            TESSERE_MAIL_USE_TLS=True,
            TESSERE_MAIL_USERNAME=MAIL_USER,
            TESSERE_MAIL_PASSWORD=MAIL_PASSWORD,
        )
        _queue_one(app)
        assert "E-mail inviate: 1" in _worker(runner)
        assert len(server.handler.messages()) == 1
        assert [accepted for _m, _u, accepted in server.handler.logins] == [True]


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_a_certificate_no_authority_vouches_for_is_refused_and_the_message_waits(app, runner, certificate, implicit):
    """Without TESSERE_MAIL_CA_FILE the self-signed certificate is not trusted: nothing is sent in clear or to an
    unverified server; the message stays queued with the reason."""
    with running_smtp_server(_server_context(certificate), implicit_tls=implicit) as server:
        mode = "TESSERE_MAIL_USE_TLS" if implicit else "TESSERE_MAIL_USE_STARTTLS"
        _use_server(app, server, **{mode: True})
        _queue_one(app)
        output = _worker(runner)
        assert "server di posta non raggiungibile" in output
        assert server.handler.messages() == []
    [message] = _outbox(app)
    assert message.status == "pending" and message.attempts == 1
    assert "certificato del server di posta" in message.last_error and "TESSERE_MAIL_CA_FILE" in message.last_error


def test_a_wrong_password_keeps_the_message_queued_with_back_off_and_shows_it_to_administrators(
    app, runner, login, certificate
):
    accounts = {MAIL_USER: MAIL_PASSWORD}
    with running_smtp_server(_server_context(certificate), accounts=accounts) as server:
        _use_server(
            app,
            server,
            certificate,
            TESSERE_MAIL_USE_STARTTLS=True,
            TESSERE_MAIL_USERNAME=MAIL_USER,
            TESSERE_MAIL_PASSWORD="parola-sbagliata",
        )
        _queue_one(app)
        first = datetime.now(UTC) + timedelta(hours=1)
        assert "server di posta non raggiungibile" in _worker(runner, first)
        [message] = _outbox(app)
        assert message.status == "pending" and message.attempts == 1
        assert "ha rifiutato l'accesso" in message.last_error and "535" in message.last_error
        assert "parola-sbagliata" not in message.last_error  # the password never reaches the page
        assert as_utc(message.next_attempt_at) == first + timedelta(minutes=1)

        _worker(runner, first + timedelta(seconds=30))  # not due yet: no new attempt
        assert _outbox(app)[0].attempts == 1
        _worker(runner, first + timedelta(minutes=1))
        [message] = _outbox(app)
        assert message.attempts == 2 and as_utc(message.next_attempt_at) == first + timedelta(minutes=3)
        assert server.handler.messages() == []
        # each pass: smtplib tries every mechanism the server offers, all refused, nothing sent
        assert server.handler.logins == [("PLAIN", MAIL_USER, False), ("LOGIN", MAIL_USER, False)] * 2

        listing = login(f.ADMIN).get("/amministrazione/posta").get_data(as_text=True)
        assert "rifiutato l&#39;accesso" in listing and "In coda" in listing

        app.config["TESSERE_MAIL_PASSWORD"] = MAIL_PASSWORD  # the administrator fixes the setting
        assert "E-mail inviate: 1" in _worker(runner, first + timedelta(minutes=3))
        assert len(server.handler.messages()) == 1
    [message] = _outbox(app)
    assert message.status == "sent" and message.attempts == 3 and message.last_error is None
