"""The e-mails of the patto di rete: who is written to when a version is published, signed, withdrawn or expiring.

Each function queues messages in the shared outbox (`webapp.notifications`) inside the caller's transaction, the
same one as the pact step, so a publication or signature that rolls back sends nothing. Bodies are the Italian
templates `templates/mail/patto_*.txt`; the outbox kind is the template's name. The pact's e-mails carry no
personal data of the people the network serves: only the pact, the organization and who signed for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.network.models import Organization
from webapp.notifications.mail import enqueue_mail
from webapp.notifications.services import external_url, mail_organization, mail_user
from webapp.pact.models import PactSignature, PactVersion


def _pact_link() -> str:
    return external_url("pact.index")


def _version_context(version: PactVersion) -> dict:
    return {
        "version_number": version.version,
        "title": version.title,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "link": _pact_link(),
    }


def _manager_addresses(session: Session) -> list[str]:
    return list(
        session.scalars(select(User.email).where(User.role == "manager", User.active.is_(True)).order_by(User.id))
    )


def mail_published(session: Session, version: PactVersion, organizations: list[Organization], now: datetime) -> int:
    """A new version to sign: to the operators of each member organization. Returns how many were queued."""
    queued = 0
    for organization in organizations:
        context = {
            **_version_context(version),
            "change_note": version.change_note,
            "organization_name": organization.name,
        }
        queued += mail_organization(session, organization.id, "patto_pubblicato", context, now)
    return queued


def mail_signed(session: Session, signature: PactSignature, organization: Organization, now: datetime) -> int:
    """The signer's confirmation: what was signed, for whom, when."""
    context = {
        **_version_context(signature.pact_version),
        "organization_name": organization.name,
        "signer_name": signature.signer_name,
        "signer_role": signature.signer_role,
        "signed_at": signature.signed_at,
    }
    return mail_user(session, signature.signed_by_id, "patto_firmato", context, now)


def mail_withdrawn(
    session: Session, signature: PactSignature, organization: Organization, offers_withdrawn: int, now: datetime
) -> int:
    """A signature withdrawn: the managers learn it, with the reason and the offers that left the catalogue."""
    context = {
        **_version_context(signature.pact_version),
        "organization_name": organization.name,
        "withdrawn_at": signature.withdrawn_at,
        "reason": signature.withdrawal_reason,
        "offers_withdrawn": offers_withdrawn,
    }
    return sum(
        enqueue_mail(session, address, "patto_firma_ritirata", context, now) is not None
        for address in _manager_addresses(session)
    )


def mail_expiry_reminder(session: Session, version: PactVersion, signatory_ids: set[int], now: datetime) -> int:
    """Before expiry: the managers (to prepare the renewal) and the operators of the signatory organizations."""
    queued = sum(
        enqueue_mail(
            session,
            address,
            "patto_in_scadenza",
            {**_version_context(version), "for_managers": True, "organization_name": ""},
            now,
        )
        is not None
        for address in _manager_addresses(session)
    )
    for organization in session.scalars(
        select(Organization).where(Organization.id.in_(signatory_ids)).order_by(Organization.id)
    ):
        context = {**_version_context(version), "for_managers": False, "organization_name": organization.name}
        queued += mail_organization(session, organization.id, "patto_in_scadenza", context, now)
    return queued
