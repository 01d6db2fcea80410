"""A real SMTP server on the loopback interface (aiosmtpd) that records what it receives.

`replies` scripts the server's answers to the next messages (e.g. "451 ..." then "550 ..."); once it is empty every
message is accepted and recorded. Used by the mail and worker tests instead of mocking smtplib.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    replies: deque[str] = field(default_factory=deque)
    # not "auth_...": aiosmtpd takes handler attributes named auth_* for AUTH mechanisms
    logins: list[tuple[str, str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.replies:
                return self.replies.popleft()
            parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Messaggio accettato"

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accounts_authenticator(accounts: dict[str, str], attempts: list[tuple[str, str, bool]]):
    """An aiosmtpd authenticator accepting these user/password pairs; records (mechanism, user, accepted)."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        user = auth_data.login.decode()
        accepted = isinstance(auth_data, LoginPassword) and accounts.get(user) == auth_data.password.decode()
        attempts.append((mechanism, user, accepted))
        return AuthResult(success=accepted, handled=False)  # handled=False: aiosmtpd answers 535 itself

    return authenticate


@contextmanager
def running_smtp_server(
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
    accounts: dict[str, str] | None = None,
    mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN"),
) -> Iterator[SmtpServer]:
    """A recording server; with `tls_context`, STARTTLS is offered (and required) or, with `implicit_tls`, the
    whole connection is TLS (SMTPS); with `accounts`, AUTH is required, only over TLS, with `mechanisms`."""
    handler = RecordingHandler()
    port = free_port()
    parameters = {}
    if tls_context is not None and implicit_tls:
        parameters["ssl_context"] = tls_context
    elif tls_context is not None:
        parameters.update(tls_context=tls_context, require_starttls=True)
    if accounts is not None:
        parameters.update(
            authenticator=accounts_authenticator(accounts, handler.logins),
            # aiosmtpd counts only STARTTLS as TLS for AUTH (and warns about requiring AUTH without it): with
            # implicit TLS, where the whole connection is encrypted, AUTH is offered but not enforced.
            auth_required=not implicit_tls,
            auth_require_tls=not implicit_tls,
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in mechanisms],
        )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **parameters)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
