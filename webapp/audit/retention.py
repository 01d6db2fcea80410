"""Data retention: closed cases older than the configured period (default ten years) lose the person's data.

What stays is what the aggregate figures need: target group, needs, dates, statuses and coded outcomes of the case
and its referrals. Names, codice fiscale, contacts, free-text notes and messages go, in the domain tables and in
the journal's details (the hash chain covers the details through a digest, so it still verifies). The access log
keeps who read which case number, without any personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import REDACTED_KEY, JournalEntry
from webapp.referrals.models import Case, Notification

ANONYMOUS = "Anonimo"


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
