"""Verifying the journal, checking instances, and reading the access log (no request objects here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine import Engine
from engine.consistency import chain_problems, instance_problems
from engine.models import JournalEntry, ProcessInstance
from webapp.auth.models import User
from webapp.referrals.models import AccessLogEntry, Case


@dataclass
class AuditReport:
    instances: int = 0
    entries: int = 0
    problems: dict[int, list[str]] = field(default_factory=dict)
    seal: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_journal(session: Session) -> AuditReport:
    """Walk every instance's hash chain. The seal is a digest of all chain heads: write it down (or send it
    elsewhere) to prove later that nothing was rewritten since, even by someone who recomputed the hashes."""
    report = AuditReport()
    seal = hashlib.sha256()
    for instance in session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)):
        journal = list(
            session.scalars(
                select(JournalEntry).where(JournalEntry.instance_id == instance.id).order_by(JournalEntry.id)
            )
        )
        report.instances += 1
        report.entries += len(journal)
        problems = chain_problems(instance, journal)
        if problems:
            report.problems[instance.id] = problems
        seal.update(f"{instance.id}:{instance.journal_head or ''}\n".encode())
    report.seal = seal.hexdigest()
    return report


def check_instances(session: Session, engine: Engine) -> AuditReport:
    """Every instance's state against its task rows and its journal (read-only)."""
    report = AuditReport()
    for instance in session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)):
        report.instances += 1
        problems = instance_problems(engine, session, instance)
        if problems:
            report.problems[instance.id] = problems
    return report


ACTION_LABELS = {
    "case:view": _l("Apertura del caso"),
    "referral:view": _l("Apertura dell'invio"),
    "consent:withdraw": _l("Revoca del consenso"),
    "export:person": _l("Esportazione dei dati della persona"),
    "signal:view": _l("Apertura della segnalazione"),
    "citizen_request:view": _l("Apertura della richiesta del cittadino"),
}


def action_label(action: str) -> str:
    if action.startswith("task:"):
        return _("Attività (%(form)s)", form=action.removeprefix("task:"))
    return str(ACTION_LABELS.get(action, action))


def access_log(
    session: Session,
    case_id: int | None = None,
    user_id: int | None = None,
    restricted_only: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
):
    from sqlalchemy import func

    query = (
        select(AccessLogEntry, User, Case)
        .outerjoin(Case, Case.id == AccessLogEntry.case_id)
        .outerjoin(User, User.id == AccessLogEntry.user_id)
        .options(joinedload(Case.beneficiary))
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    )
    if case_id is not None:
        query = query.where(AccessLogEntry.case_id == case_id)
    if user_id is not None:
        query = query.where(AccessLogEntry.user_id == user_id)
    if restricted_only:
        query = query.where(Case.restricted.is_(True))
    if since is not None:
        query = query.where(AccessLogEntry.at >= since)
    if until is not None:
        query = query.where(AccessLogEntry.at < until)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.execute(query.limit(limit).offset(offset)).unique()), total
