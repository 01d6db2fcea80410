"""E-mail: Italian templates rendered into the outbox, and the sender that delivers the outbox.

Writing: `enqueue_mail` renders a template of `webapp/templates/mail/` (plain text, the subject in a block) and
adds an `OutboxMessage` to the caller's session, so the e-mail commits or rolls back with the step that caused
it; `enqueue_text_mail` does the same for a subject and body a module wrote with its own templates. The HTML
alternative is built from the text, every character escaped: nothing a person typed can become markup.
E-mails carry no personal data of the people in charge of the service (no names, no codice fiscale): only numbers
of referrals, offers, deadlines and a link to Tessere, where access is checked and logged.

Sending: `send_due_mail` takes one due message at a time with FOR UPDATE SKIP LOCKED, hands it to the transport,
and records the result in the same transaction, so several workers on PostgreSQL never send a message twice.
A failure is retried with exponential back-off; after `MAX_ATTEMPTS`, or at once when the server refuses it for
good (5xx), the message is `failed` and shown to administrators, who can retry it.

Transports: SMTP (`smtplib`, with implicit TLS or STARTTLS, the certificate always verified, and login) when
`TESSERE_MAIL_SERVER` is set; otherwise
each message is written as an .eml file to `TESSERE_MAIL_DIR` (the demo's delivery: administrators read the sent
messages on the outbox page).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import force_locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.notifications.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, OutboxMessage

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "mail"
ROME = ZoneInfo("Europe/Rome")
DEFAULT_SENDER = "Tessere – Reti di comunità <tessere@localhost>"

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


# ------------------------------------------------------------------ templates
def format_date(value: Any, with_time: bool = False) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return moment.astimezone(ROME).strftime("%d/%m/%Y alle %H:%M" if with_time else "%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=False,  # plain text; the HTML alternative is escaped as a whole in `html_from_text`
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.filters["data"] = format_date
_templates.filters["data_ora"] = lambda value: format_date(value, with_time=True)

MAIL_TEMPLATES = {
    "nuovo_invio": "Nuovo invio per un'organizzazione",
    "promemoria_scadenza": "Promemoria prima della scadenza della risposta",
    "invio_scaduto": "Invio scaduto: il caso torna all'assistente sociale",
    "risposta_invio": "Risposta dell'organizzazione all'invio",
    "esito_ricevuto": "Esito dell'intervento ricevuto",
    "sollecito_esito": "Sollecito dell'esito di un invio accettato",
    "invito": "Invito ad accedere a Tessere",
    "reimposta_password": "Reimpostazione della password",
    "ricevuta_fase1": "Ricevuta della domanda di adesione (Fase 1)",
    "patto_pubblicato": "Nuova versione del patto di rete da firmare",
    "patto_firmato": "Conferma della firma del patto di rete",
    "patto_firma_ritirata": "Firma del patto di rete ritirata",
    "patto_in_scadenza": "Promemoria della scadenza del patto di rete",
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_mail(template: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render `mail/<template>.txt`: its `subject` block is the subject, the rest the text body.

    Always in Italian, whatever the language of the person whose action sends it: e-mails are the Comune's
    official communications and their recipients' language is unknown, so the labels the context carries
    (lazy strings such as a status label) are resolved in Italian here.
    """
    if template not in MAIL_TEMPLATES:
        raise ValueError(f"modello di e-mail sconosciuto: {template!r}")
    values = {"base_url": setting("TESSERE_BASE_URL", "http://127.0.0.1:5000").rstrip("/"), **context}
    compiled = _templates.get_template(f"{template}.txt")
    with force_locale("it"):
        subject = "".join(compiled.blocks["subject"](compiled.new_context(values)))
        text = compiled.render(values).strip() + "\n"
    subject = " ".join(subject.split())  # one line: a newline in a header would be an injection
    return RenderedMail(subject=subject, text=text, html=html_from_text(subject, text))


_URL = re.compile(r"https?://[^\s<>&\"']+(?:&amp;[^\s<>&\"']+)*")


def html_from_text(subject: str, text: str) -> str:
    """The HTML alternative: the text escaped paragraph by paragraph, its links made clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        '<!DOCTYPE html>\n<html lang="it">\n<head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n" + "\n".join(paragraphs) + "\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------ queueing
def setting(name: str, default: Any = None) -> Any:
    """A setting of the running application (mail is also rendered by the worker, inside an app context)."""
    if has_app_context():
        value = current_app.config.get(name)
        return default if value is None or value == "" else value
    return default


def valid_address(address: str | None) -> bool:
    if not address or any(c in address for c in "\r\n,;<>"):
        return False
    _name, parsed = parseaddr(address)
    local, _, domain = parsed.partition("@")
    return bool(local) and "." in domain and parsed == address.strip()


def _message_id() -> str:
    domain = parseaddr(setting("TESSERE_MAIL_SENDER", DEFAULT_SENDER))[1].partition("@")[2] or "tessere.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue_mail(
    session: Session, to: str, template: str, context: Mapping[str, Any], now: datetime | None = None
) -> OutboxMessage | None:
    """Queue one e-mail rendered from a template in the caller's transaction; None if the address is not usable."""
    if not valid_address((to or "").strip()):
        return None
    rendered = render_mail(template, context)
    return enqueue_text_mail(session, to, rendered.subject, rendered.text, kind=template, now=now)


def enqueue_text_mail(
    session: Session, to: str, subject: str, body_text: str, kind: str = "messaggio", now: datetime | None = None
) -> OutboxMessage | None:
    """Queue one e-mail whose plain-text body the caller wrote (for modules with their own templates).

    The subject is folded to one line and the HTML alternative is built escaped from the text. None (nothing
    queued) if the address is not usable.
    """
    to = (to or "").strip()
    if not valid_address(to):
        return None
    subject = " ".join((subject or "").split())[:300]  # one line: a newline in a header would be an injection
    body_text = body_text.strip() + "\n"
    real_now = datetime.now(UTC)
    now = now or real_now
    message = OutboxMessage(
        kind=kind[:40],
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=html_from_text(subject, body_text),
        message_id=_message_id(),
        status=MAIL_PENDING,
        attempts=0,
        # Due at once, also when a worker run with --now in the future queued it (steps may carry a "now" that
        # is not the wall clock); a later real-time worker must not wait for that moment.
        next_attempt_at=min(now, real_now),
        created_at=now,
    )
    session.add(message)
    return message


def retry_message(session: Session, message_id: int, now: datetime | None = None) -> OutboxMessage | None:
    """An administrator asks to send a failed (or waiting) message again now; None if there is no such message."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status == MAIL_SENT:
        return None
    message.status = MAIL_PENDING
    message.attempts = 0
    message.next_attempt_at = now or datetime.now(UTC)
    return message


# ------------------------------------------------------------------ transports
class TransportUnavailable(Exception):
    """The mail server cannot be reached or refused the login: stop this pass, try again at the next one."""


class Transport(Protocol):
    description: str

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class FileTransport:
    """The demo's delivery: each message becomes an .eml file in a folder that people can open."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.description = f"registro locale {self.directory}"

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        local_part = (message["Message-ID"] or uuid.uuid4().hex).strip("<>").partition("@")[0]
        token = re.sub(r"[^A-Za-z0-9]", "", local_part)[:40] or uuid.uuid4().hex
        target = self.directory / f"{stamp}-{token}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(message.as_bytes())
            os.replace(temporary, target)  # readers never see half a message
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        pass


class SmtpTransport:
    """Delivery through an SMTP server; one connection per worker pass, opened at the first message."""

    def __init__(
        self,
        host: str,
        port: int,
        use_tls: bool = False,
        use_starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30,
        ca_file: str | None = None,
    ):
        self.host, self.port = host, port
        self.use_tls, self.use_starttls = use_tls, use_starttls
        self.username, self.password = username, password
        self.timeout = timeout
        self.ca_file = ca_file
        self.description = f"SMTP {host}:{port}"
        self._connection: smtplib.SMTP | None = None

    def tls_context(self) -> ssl.SSLContext:
        """Certificates are always verified (hostname included): against the system's authorities, or against
        `TESSERE_MAIL_CA_FILE` when the server's certificate comes from an internal authority (or, in the tests,
        is self-signed). There is deliberately no setting that turns verification off."""
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        where = f"{self.host}:{self.port}"
        connection: smtplib.SMTP | None = None
        try:
            if self.use_tls:
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.tls_context())
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_starttls:
                    connection.starttls(context=self.tls_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._abandon(connection)
            raise TransportUnavailable(
                f"il server di posta {where} ha rifiutato l'accesso (controllare TESSERE_MAIL_USERNAME e "
                f"TESSERE_MAIL_PASSWORD): {exc.smtp_code} {_smtp_text(exc.smtp_error)}"
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            self._abandon(connection)
            raise TransportUnavailable(
                f"il certificato del server di posta {where} non è valido o non è di un'autorità riconosciuta "
                f"(per un'autorità interna impostare TESSERE_MAIL_CA_FILE): {exc.verify_message or exc}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._abandon(connection)
            raise TransportUnavailable(f"server di posta {where} non disponibile: {exc}") from exc
        return connection

    @staticmethod
    def _abandon(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def send(self, message: EmailMessage) -> None:
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._connection = None  # the next message opens a new connection
            raise

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._connection = None


def transport_from_settings(config: Mapping[str, Any]) -> Transport:
    server = config.get("TESSERE_MAIL_SERVER")
    if not server:
        return FileTransport(config.get("TESSERE_MAIL_DIR") or "mail")
    use_tls = bool(config.get("TESSERE_MAIL_USE_TLS"))
    use_starttls = bool(config.get("TESSERE_MAIL_USE_STARTTLS"))
    port = config.get("TESSERE_MAIL_PORT") or (465 if use_tls else 587 if use_starttls else 25)
    return SmtpTransport(
        server,
        int(port),
        use_tls=use_tls,
        use_starttls=use_starttls,
        username=config.get("TESSERE_MAIL_USERNAME") or None,
        password=config.get("TESSERE_MAIL_PASSWORD") or None,
        timeout=float(config.get("TESSERE_MAIL_TIMEOUT") or 30),
        ca_file=config.get("TESSERE_MAIL_CA_FILE") or None,
    )


# ------------------------------------------------------------------ sending
@dataclass
class MailPassResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unavailable: bool = False


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = message.message_id  # the same on every attempt: receivers can drop a duplicate
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _permanent(exc: BaseException) -> bool:
    """The server refused this message for good (5xx): retrying it would give the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _smtp_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(exc: BaseException) -> str:
    """The reason, as administrators read it on the outbox page."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{rcpt}: {code} {_smtp_text(text)}" for rcpt, (code, text) in exc.recipients.items())
        return f"Destinatario rifiutato dal server di posta: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"Il server di posta ha risposto {exc.smtp_code} {_smtp_text(exc.smtp_error)} ({type(exc).__name__})"
    return "".join(traceback.format_exception_only(exc)).strip()[-4000:]


def _record_failure(message: OutboxMessage, exc: BaseException, now: datetime, result: MailPassResult) -> None:
    message.attempts += 1
    message.last_error = _describe(exc)
    if _permanent(exc) or message.attempts >= MAX_ATTEMPTS:
        message.status = MAIL_FAILED
        result.failed += 1
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        result.retrying += 1


def send_due_mail(
    session: Session, transport: Transport, sender: str, now: datetime | None = None, limit: int = 500
) -> MailPassResult:
    """Send up to `limit` due messages, one transaction each; stops early if the server is unavailable.

    The caller owns the session; this function commits after each message (its row was locked until then).
    """
    now = now or datetime.now(UTC)
    result = MailPassResult()
    for _ in range(limit):
        message = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == MAIL_PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            break
        try:
            transport.send(build_email(message, sender))
        except TransportUnavailable as exc:
            _record_failure(message, exc, now, result)
            session.commit()
            result.server_unavailable = True
            break
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the message and retried
            _record_failure(message, exc, now, result)
        else:
            message.status = MAIL_SENT
            message.sent_at = datetime.now(UTC)
            message.attempts += 1
            message.last_error = None
            result.sent += 1
        session.commit()
    return result
