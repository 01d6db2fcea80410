"""Data retention: closed cases older than the configured period (default ten years) lose the person's data.

What stays is what the aggregate figures need: target group, needs, dates, statuses and coded outcomes of the case
and its referrals. Names, codice fiscale, contacts, free-text notes and messages go, in the domain tables and in
the journal's details (the hash chain covers the details through a digest, so it still verifies). The access log
keeps who read which case number, without any personal data.

The same command also clears what is kept only for a while: e-mails already sent, older than
`TESSERE_MAIL_RETENTION_DAYS` (default 90; they name their recipient), with their .eml copies in the demo's mail
log, and citizens' requests never confirmed by e-mail (`webapp.citizen.services.purge_unconfirmed`, after seven days;
the worker's periodic pass clears those too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.models import REDACTED_KEY, JournalEntry
from webapp.notifications.models import MAIL_SENT, OutboxMessage
from webapp.referrals.models import Case, Notification

ANONYMOUS = "Anonimo"
DEFAULT_MAIL_RETENTION_DAYS = 90
_EML_NAME = re.compile(r"^(\d{8}T\d{6})-([A-Za-z0-9]+)\.eml$")  # FileTransport's "<sent at>-<message id>.eml"


@dataclass
class RetentionResult:
    cases: list[int]
    cutoff: datetime


def cutoff_for(years: int, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def cases_due(session: Session, cutoff: datetime) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .where(Case.status == "closed", Case.closed_at < cutoff, Case.anonymized_at.is_(None))
            .order_by(Case.id)
        )
    )


def anonymize_case(session: Session, case: Case, now: datetime) -> None:
    person = case.beneficiary
    person.first_name = ANONYMOUS
    person.last_name = ""
    person.codice_fiscale = None
    person.birth_date = person.birth_date.replace(month=1, day=1) if person.birth_date else None  # year for ages
    person.phone = None
    person.email = None
    person.address = None
    case.notes = None
    case.closing_note = None
    case.anonymized_at = now
    for referral in case.referrals:
        referral.message = ""
        referral.answer_note = None
        referral.outcome_note = None
    for notification in session.scalars(select(Notification).where(Notification.case_id == case.id)):
        notification.text = "Notifica relativa a un caso anonimizzato."
    if case.instance_id is not None:
        for entry in session.scalars(
            select(JournalEntry).where(JournalEntry.instance_id == case.instance_id, JournalEntry.details.is_not(None))
        ):
            if entry.kind == "task_completed":
                entry.details = {REDACTED_KEY: now.isoformat()}


def apply_retention(session: Session, years: int, now: datetime | None = None, dry_run: bool = False):
    now = now or datetime.now(UTC)
    cutoff = cutoff_for(years, now)
    due = cases_due(session, cutoff)
    if not dry_run:
        for case in due:
            anonymize_case(session, case, now)
        session.flush()
    return RetentionResult(cases=[case.id for case in due], cutoff=cutoff)


def aggregate_figures(session: Session) -> dict:
    """Counts by target group and closing outcome: what the reports rely on, before and after retention."""
    figures: dict = {}
    for case in session.scalars(select(Case)):
        key = f"{case.target_group}/{case.status}/{case.closing_outcome or '-'}"
        figures[key] = figures.get(key, 0) + 1
        for referral in case.referrals:
            rkey = f"invio/{referral.status}/{referral.outcome or '-'}"
            figures[rkey] = figures.get(rkey, 0) + 1
    return figures


# ------------------------------------------------------------------ what is kept only for a while
@dataclass
class MailPurgeResult:
    messages: int = 0
    files: list[Path] = field(default_factory=list)
    cutoff: datetime | None = None


def _eml_token(message_id: str) -> str:
    """The part of an .eml file name that comes from the Message-ID (as FileTransport writes it)."""
    local_part = (message_id or "").strip("<>").partition("@")[0]
    return re.sub(r"[^A-Za-z0-9]", "", local_part)[:40]


def purge_sent_mail(
    session: Session, days: int, mail_dir: str | Path | None, now: datetime | None = None, dry_run: bool = False
) -> MailPurgeResult:
    """Delete the outbox rows of e-mails sent more than `days` ago and their .eml copies in `mail_dir`.

    Pending and failed messages stay (administrators still need them). An .eml file goes when its message goes, or
    when its name says it was written before the cutoff (a copy whose row is already gone). The caller commits.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    old = select(OutboxMessage.id, OutboxMessage.message_id).where(
        OutboxMessage.status == MAIL_SENT, OutboxMessage.sent_at < cutoff
    )
    rows = session.execute(old).all()
    result = MailPurgeResult(messages=len(rows), cutoff=cutoff)
    folder = Path(mail_dir) if mail_dir else None
    if folder is not None and folder.is_dir():
        tokens = {_eml_token(message_id) for _id, message_id in rows}
        stamp_cutoff = cutoff.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        for path in sorted(folder.glob("*.eml")):
            match = _EML_NAME.match(path.name)
            if match and (match.group(2) in tokens or match.group(1) < stamp_cutoff):
                result.files.append(path)
    if not dry_run:
        if rows:
            session.execute(
                delete(OutboxMessage)
                .where(OutboxMessage.id.in_([row_id for row_id, _ in rows]))
                .execution_options(synchronize_session=False)
            )
        for path in result.files:
            path.unlink(missing_ok=True)
    return result


def unconfirmed_requests_due(session: Session, now: datetime | None = None) -> int:
    """How many unconfirmed citizens' requests `purge_unconfirmed` would delete (for --dry-run)."""
    from webapp.citizen.models import UNCONFIRMED, CitizenRequest
    from webapp.citizen.services import UNCONFIRMED_RETENTION

    now = now or datetime.now(UTC)
    return (
        session.scalar(
            select(func.count())
            .select_from(CitizenRequest)
            .where(CitizenRequest.status == UNCONFIRMED, CitizenRequest.created_at < now - UNCONFIRMED_RETENTION)
        )
        or 0
    )


def purge_unconfirmed_requests(session: Session, now: datetime | None = None, dry_run: bool = False) -> int:
    from webapp.citizen.services import purge_unconfirmed

    if dry_run:
        return unconfirmed_requests_due(session, now)
    return purge_unconfirmed(session, now)
