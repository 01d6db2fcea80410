"""The background worker (`flask --app webapp tessere worker`): starts the periodic processes that are due (the
monitoring periods, webapp.monitoring.schedule), fires due BPMN timers, deletes citizens' requests never confirmed
(after seven days), then sends the e-mail outbox.

A pass fires every timer due now (boundary and intermediate timer events; the engine takes instances with FOR
UPDATE SKIP LOCKED, in batches, one transaction per batch) and then delivers the due e-mails (one row locked and
marked per transaction). Any number of workers may run against PostgreSQL; on SQLite run one.

Without `--once` the worker repeats passes every `interval` seconds until SIGTERM or SIGINT, which let the
current pass finish. A pass that fails (the database restarting, say) is reported and the next one tries again,
so a service manager only needs to restart the worker if the process dies.
"""

from __future__ import annotations

import signal
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import Engine
from webapp.notifications.mail import DEFAULT_SENDER, MailPassResult, Transport, send_due_mail, transport_from_settings

TIMER_BATCH = 100
MAX_TIMER_BATCHES_PER_PASS = 50  # then the outbox gets its turn; the next pass goes on with the timers


@dataclass
class PassResult:
    timers: int = 0
    mail: MailPassResult = field(default_factory=MailPassResult)
    started: int = 0  # periodic processes started (webapp.monitoring.schedule)
    purged_requests: int = 0  # citizens' requests never confirmed, deleted (webapp.citizen.services)

    def summary(self) -> str:
        mail = self.mail
        text = f"Timer scaduti gestiti: {self.timers}. E-mail inviate: {mail.sent}"
        if mail.retrying:
            text += f", da riprovare: {mail.retrying}"
        if mail.failed:
            text += f", non recapitate: {mail.failed}"
        if mail.server_unavailable:
            text += " (server di posta non raggiungibile: riprovo al prossimo passaggio)"
        if self.started:
            text += f". Processi periodici avviati: {self.started}"
        if self.purged_requests:
            text += f". Richieste dei cittadini mai confermate eliminate: {self.purged_requests}"
        return text + "."

    @property
    def did_something(self) -> bool:
        return bool(
            self.started
            or self.timers
            or self.purged_requests
            or self.mail.sent
            or self.mail.retrying
            or self.mail.failed
        )


def purge_unconfirmed_requests(session: Session, now: datetime) -> int:
    """Citizens' requests never confirmed by e-mail go after a few days (their data reached nobody)."""
    from webapp.citizen.services import purge_unconfirmed

    try:
        purged = purge_unconfirmed(session, now)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return purged


def fire_timers(session: Session, engine: Engine, fixed_now: datetime | None = None) -> int:
    """Fire due timers batch after batch (one transaction each) until none is due; returns the instances handled."""
    total = 0
    for _ in range(MAX_TIMER_BATCHES_PER_PASS):
        try:
            handled = engine.fire_due_timers(session, now=fixed_now or datetime.now(UTC), limit=TIMER_BATCH)
            session.commit()
        except Exception:
            session.rollback()
            raise
        total += handled
        if handled < TIMER_BATCH:
            break
    return total


def run_pass(
    session: Session,
    engine: Engine,
    config: Mapping[str, Any],
    fixed_now: datetime | None = None,
    transport: Transport | None = None,
) -> PassResult:
    from webapp.monitoring.schedule import start_due_periods

    # Periodic processes first: a period that just began (or, catching up, ended) gets its instance, whose timers
    # the same pass then fires.
    started = start_due_periods(session, engine, fixed_now or datetime.now(UTC))
    result = PassResult(timers=fire_timers(session, engine, fixed_now), started=started)
    result.purged_requests = purge_unconfirmed_requests(session, fixed_now or datetime.now(UTC))
    transport = transport or transport_from_settings(config)
    try:
        result.mail = send_due_mail(
            session,
            transport,
            config.get("TESSERE_MAIL_SENDER") or DEFAULT_SENDER,
            now=fixed_now or datetime.now(UTC),
        )
    except Exception:
        session.rollback()
        raise
    finally:
        transport.close()
    return result


def run_worker(
    session: Session,
    engine: Engine,
    config: Mapping[str, Any],
    once: bool,
    fixed_now: datetime | None,
    interval: float,
    echo: Callable[..., None],
) -> None:
    if once:
        echo(run_pass(session, engine, config, fixed_now).summary())
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    echo(f"Worker avviato: un passaggio ogni {interval:g} secondi (SIGTERM per fermarlo).")
    while not stop.is_set():
        try:
            result = run_pass(session, engine, config, fixed_now)
        except Exception:  # noqa: BLE001 - reported; the next pass tries again
            session.rollback()
            echo("Passaggio non riuscito, riprovo al prossimo:\n" + traceback.format_exc(), err=True)
        else:
            if result.did_something:
                echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {result.summary()}")
        session.close()  # nothing kept between passes: fresh objects and connections back to the pool
        stop.wait(interval)
    echo("Worker fermato.")
