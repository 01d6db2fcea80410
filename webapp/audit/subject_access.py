"""Right of access (GDPR art. 15): everything Tessere holds about the person of a case, as one JSON document."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.service import as_utc
from forms.vocabulary import label_for
from webapp.auth.models import User
from webapp.referrals.models import AccessLogEntry, Case, Notification
from webapp.referrals.services import CASE_STATUS_LABELS, LABELS, REFERRAL_STATUS_LABELS, case_view


def _iso(moment) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


def person_export(session: Session, case: Case) -> dict:
    """The person's data, every case of the same person (same codice fiscale), who received what and who read it."""
    person = case.beneficiary
    cases = [case]
    if person.codice_fiscale:
        from webapp.referrals.models import Beneficiary

        cases = list(
            session.scalars(
                select(Case)
                .join(Beneficiary, Beneficiary.id == Case.beneficiary_id)
                .where(Beneficiary.codice_fiscale == person.codice_fiscale)
                .order_by(Case.id)
            )
        )
    users = {u.id: u for u in session.scalars(select(User))}

    def who(user_id):
        user = users.get(user_id)
        return f"{user.name} ({user.role_label})" if user else None

    exported = []
    for item in cases:
        view = case_view(item)
        exported.append(
            {
                **view,
                "status_label": str(CASE_STATUS_LABELS.get(item.status, item.status)),
                "opened_at": _iso(item.opened_at),
                "closed_at": _iso(item.closed_at),
                "closing_outcome": label_for(LABELS["closing_outcome"], item.closing_outcome) or None,
                "closing_note": item.closing_note,
                "social_worker": item.owner.name,
                "consent_recorded_by": who(item.consent_recorded_by_id),
                "shared_with": [
                    {
                        "organization": r.organization.name,
                        "offer": r.offer.title,
                        "sent_at": _iso(r.sent_at),
                        "status": str(REFERRAL_STATUS_LABELS.get(r.status, r.status)),
                        "shared_data": ["nome"]
                        + (["cognome"] if r.share_last_name else [])
                        + (["telefono"] if r.share_phone else [])
                        + (["e-mail"] if r.share_email else []),
                        "message": r.message,
                    }
                    for r in item.referrals
                ],
                "notifications": [
                    {"at": _iso(n.created_at), "text": n.text}
                    for n in session.scalars(select(Notification).where(Notification.case_id == item.id))
                ],
                "access_log": [
                    {
                        "at": _iso(e.at),
                        "who": who(e.user_id),
                        "action": e.action,
                        "channel": e.channel,
                        "reason": e.reason,
                    }
                    for e in session.scalars(
                        select(AccessLogEntry).where(AccessLogEntry.case_id == item.id).order_by(AccessLogEntry.at)
                    )
                ],
            }
        )
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "controller": "Comune di Campi Bisenzio – Servizi sociali",
        "person": exported[0]["person"] if exported else {},
        "cases": exported,
    }
