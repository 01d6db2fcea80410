"""The patto di rete's domain logic: which version is in force, publishing, signing, withdrawing, reminders.

Plain functions taking the session and who acts (see CONVENTIONS.md); the views, the BPMN operations of
`fase2_patto` and the demo loader all call these. Dates of validity are calendar days in Europe/Rome: a pact is in
force from the start of `valid_from` to the end of `valid_until`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from forms.pact import add_years, duration_problem
from webapp.auth.models import User
from webapp.network.models import Offer, Organization
from webapp.notifications.messages import N_, italian, message
from webapp.pact import mail
from webapp.pact.models import PactSignature, PactVersion
from webapp.referrals.models import Notification

ROME = ZoneInfo("Europe/Rome")
DEFAULT_REMINDER_DAYS = 90
VERIFICATION_INTERVAL = timedelta(days=335)  # "once a year", with a month of slack for the reminder


class PactError(Exception):
    """The pact action cannot be done; `message` is for a person, `field` the form field it concerns (if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def local_day(moment: datetime) -> date:
    """The calendar day in Campi Bisenzio at this moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ROME).date()


def expiry_moment(version: PactVersion) -> datetime:
    """The first moment the pact is no longer in force: midnight after its last day."""
    return datetime.combine(version.valid_until + timedelta(days=1), time(0, 0), ROME)


def reminder_moment(version: PactVersion, days_before: int = DEFAULT_REMINDER_DAYS) -> datetime:
    """When to remind that the pact expires: `days_before` days before its last day, at nine in the morning."""
    return datetime.combine(version.valid_until - timedelta(days=days_before), time(9, 0), ROME)


def next_verification_moment(version: PactVersion, now: datetime) -> datetime:
    """A year after `now`, or the pact's expiry if sooner (when the yearly reminders stop).

    Computed from the process's notion of now rather than written as a P1Y duration: SpiffWorkflow starts
    durations from the wall clock, so a worker run with `--now` far ahead would fire a duration timer again and
    again, once per loop iteration.
    """
    next_year = datetime.combine(add_years(local_day(now), 1), time(9, 0), ROME)
    return min(next_year, expiry_moment(version))


# ------------------------------------------------------------------------------------------------- queries
def pact_in_force(session: Session, day: date) -> PactVersion | None:
    """The highest published version whose validity includes `day`."""
    return session.scalars(
        select(PactVersion)
        .where(PactVersion.valid_from <= day, PactVersion.valid_until >= day)
        .order_by(PactVersion.version.desc())
        .limit(1)
    ).first()


def upcoming_pact(session: Session, day: date) -> PactVersion | None:
    """A version published to come into force after `day` (members may sign it in advance)."""
    return session.scalars(
        select(PactVersion).where(PactVersion.valid_from > day).order_by(PactVersion.version.desc()).limit(1)
    ).first()


def latest_pact(session: Session) -> PactVersion | None:
    return session.scalars(select(PactVersion).order_by(PactVersion.version.desc()).limit(1)).first()


def all_versions(session: Session) -> list[PactVersion]:
    return list(session.scalars(select(PactVersion).order_by(PactVersion.version.desc())))


def version_by_number(session: Session, number: int) -> PactVersion | None:
    return session.scalar(select(PactVersion).where(PactVersion.version == number))


def signable_versions(session: Session, day: date) -> list[PactVersion]:
    """What a member can sign today: the version in force and, if one was published already, the next one."""
    versions = [pact_in_force(session, day), upcoming_pact(session, day)]
    return [v for v in dict.fromkeys(versions) if v is not None]


def active_signature(session: Session, version_id: int, organization_id: int) -> PactSignature | None:
    return session.scalar(
        select(PactSignature).where(
            PactSignature.pact_version_id == version_id,
            PactSignature.organization_id == organization_id,
            PactSignature.withdrawn_at.is_(None),
        )
    )


def has_signed_pact_in_force(session: Session, organization_id: int | None, now: datetime) -> bool:
    """True when the organization's signature of the version in force today is standing."""
    if organization_id is None:
        return False
    version = pact_in_force(session, local_day(now))
    return version is not None and active_signature(session, version.id, organization_id) is not None


def active_signatures(session: Session, version: PactVersion) -> list[PactSignature]:
    """Standing signatures of a version, in order of signing, with their organization."""
    return list(
        session.scalars(
            select(PactSignature)
            .options(joinedload(PactSignature.organization))
            .where(PactSignature.pact_version_id == version.id, PactSignature.withdrawn_at.is_(None))
            .order_by(PactSignature.signed_at, PactSignature.id)
        )
    )


def signature_history(session: Session, version: PactVersion) -> list[PactSignature]:
    """Every signature of a version, withdrawn ones included (for the manager)."""
    return list(
        session.scalars(
            select(PactSignature)
            .options(joinedload(PactSignature.organization))
            .where(PactSignature.pact_version_id == version.id)
            .order_by(PactSignature.signed_at.desc(), PactSignature.id.desc())
        )
    )


def organization_signatures(session: Session, organization_id: int) -> list[PactSignature]:
    return list(
        session.scalars(
            select(PactSignature)
            .options(joinedload(PactSignature.pact_version))
            .where(PactSignature.organization_id == organization_id)
            .order_by(PactSignature.signed_at.desc(), PactSignature.id.desc())
        )
    )


def signatory_ids(session: Session, version: PactVersion | None) -> set[int]:
    """Ids of the organizations whose signature of this version is standing."""
    if version is None:
        return set()
    return set(
        session.scalars(
            select(PactSignature.organization_id).where(
                PactSignature.pact_version_id == version.id, PactSignature.withdrawn_at.is_(None)
            )
        )
    )


def members_without_signature(session: Session, version: PactVersion) -> list[Organization]:
    """Approved organizations that have not signed this version (or withdrew)."""
    signed = signatory_ids(session, version)
    members = session.scalars(select(Organization).where(Organization.status == "approved").order_by(Organization.name))
    return [o for o in members if o.id not in signed]


# ------------------------------------------------------------------------------------------------- writes
def publish_pact(
    session: Session,
    *,
    title: str,
    text: str,
    valid_from: date,
    valid_until: date,
    change_note: str | None,
    published_by_id: int | None,
    instance_id: int | None,
    now: datetime,
) -> PactVersion:
    """Store a new version (numbered after the last one) and tell every member organization and the managers."""
    problem = duration_problem(valid_from, valid_until, today=local_day(now))
    if problem:
        raise PactError(problem, field="valid_until")
    if not (title or "").strip() or not (text or "").strip():
        raise PactError(_("Titolo e testo del patto sono obbligatori."), field="text")
    number = (session.scalar(select(func.max(PactVersion.version))) or 0) + 1
    version = PactVersion(
        version=number,
        title=title.strip(),
        text=text.strip(),
        change_note=(change_note or "").strip() or None,
        valid_from=valid_from,
        valid_until=valid_until,
        published_at=now,
        published_by_id=published_by_id,
        instance_id=instance_id,
    )
    session.add(version)
    session.flush()
    notice = message(
        N_(
            "È stato pubblicato il patto di rete, versione %(number)s, in vigore dal %(start)s al %(end)s: "
            "leggetelo e firmatelo dalla pagina «Patto di rete»."
        ),
        number=number,
        start=valid_from,
        end=valid_until,
    )
    members = list(session.scalars(select(Organization).where(Organization.status == "approved")))
    for organization in members:
        _notify(session, now, "pact_published", notice, organization_id=organization.id)
    mail.mail_published(session, version, members, now)
    return version


def sign_pact(session: Session, user: User, version_id: int, signer_role: str, now: datetime) -> PactSignature:
    """The user's organization signs this version; refused if it cannot (with the reason)."""
    organization = _member_organization(session, user)
    version = session.get(PactVersion, version_id)
    if version is None or version not in signable_versions(session, local_day(now)):
        raise PactError(_("Questa versione del patto non si può più firmare: firma la versione in vigore."))
    if active_signature(session, version.id, organization.id) is not None:
        raise PactError(
            _(
                "%(organization)s ha già firmato la versione %(number)s del patto.",
                organization=organization.name,
                number=version.version,
            )
        )
    signature = PactSignature(
        pact_version_id=version.id,
        organization_id=organization.id,
        signed_at=now,
        signed_by_id=user.id,
        signer_name=user.name,
        signer_role=signer_role.strip(),
    )
    try:
        with session.begin_nested():
            session.add(signature)
    except IntegrityError:  # another operator of the same organization signed a moment ago
        raise PactError(
            _(
                "%(organization)s ha già firmato la versione %(number)s del patto.",
                organization=organization.name,
                number=version.version,
            )
        ) from None
    for manager_id in _manager_ids(session):
        _notify(
            session,
            now,
            "pact_signed",
            message(
                N_("%(organization)s ha firmato il patto di rete (versione %(number)s)."),
                organization=organization.name,
                number=version.version,
            ),
            user_id=manager_id,
        )
    mail.mail_signed(session, signature, organization, now)
    return signature


def withdraw_signature(
    session: Session, user: User, version_id: int, reason: str | None, now: datetime
) -> tuple[PactSignature, int]:
    """Withdraw the organization's signature of a version; returns it and how many offers left the catalogue.

    Without a standing signature of the pact in force an organization is no longer part of the network's
    catalogue: its active offers are deactivated (places already reserved by accepted referrals stay reserved).
    """
    organization = _member_organization(session, user, require_approved=False)
    signature = active_signature(session, version_id, organization.id)
    if signature is None:
        raise PactError(_("La tua organizzazione non ha una firma in vigore su questa versione del patto."))
    signature.withdrawn_at = now
    signature.withdrawn_by_id = user.id
    signature.withdrawn_by_name = user.name
    signature.withdrawal_reason = (reason or "").strip() or None
    session.flush()
    deactivated = 0
    if not has_signed_pact_in_force(session, organization.id, now):
        deactivated = session.execute(
            update(Offer)
            .where(Offer.organization_id == organization.id, Offer.active.is_(True))
            .values(active=False, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.expire_all()
    for manager_id in _manager_ids(session):
        _notify(
            session,
            now,
            "pact_withdrawn",
            message(
                N_("%(organization)s ha ritirato la firma del patto di rete (versione %(number)s)."),
                organization=organization.name,
                number=signature.pact_version.version,
            ),
            user_id=manager_id,
        )
    mail.mail_withdrawn(session, signature, organization, deactivated, now)
    return signature, deactivated


# ------------------------------------------------------------------------------------ process steps
def is_superseded(session: Session, version: PactVersion) -> bool:
    """A later version has been published: reminders and expiry of this one are its successor's business."""
    return bool(
        session.scalar(select(func.count()).select_from(PactVersion).where(PactVersion.version > version.version))
    )


def remind_expiry(session: Session, version: PactVersion, now: datetime) -> bool:
    """Tell the managers and the signatories that the pact expires soon; False when a new version exists already."""
    if is_superseded(session, version):
        return False
    version.expiry_reminded_at = now
    text = message(
        N_(
            "Il patto di rete (versione %(number)s) scade il %(date)s: "
            "è il momento di preparare e pubblicare il rinnovo."
        ),
        number=version.version,
        date=version.valid_until,
    )
    for manager_id in _manager_ids(session):
        _notify(session, now, "pact_expiry_reminder", text, user_id=manager_id)
    member_text = message(
        N_(
            "Il patto di rete che avete firmato (versione %(number)s) scade il %(date)s. "
            "L'ufficio di piano pubblicherà il rinnovo da firmare."
        ),
        number=version.version,
        date=version.valid_until,
    )
    signatories = signatory_ids(session, version)
    for organization_id in signatories:
        _notify(session, now, "pact_expiry_reminder", member_text, organization_id=organization_id)
    mail.mail_expiry_reminder(session, version, signatories, now)
    return True


def expire(session: Session, version: PactVersion, now: datetime) -> None:
    """Record that the pact's validity is over and tell the managers."""
    version.expired_at = now
    if is_superseded(session, version):
        return
    for manager_id in _manager_ids(session):
        _notify(
            session,
            now,
            "pact_expired",
            message(
                N_(
                    "Il patto di rete (versione %(number)s) è scaduto il %(date)s: le organizzazioni non possono "
                    "pubblicare nuove offerte finché non firmano un nuovo patto."
                ),
                number=version.version,
                date=version.valid_until,
            ),
            user_id=manager_id,
        )


def remind_verification(session: Session, version: PactVersion, now: datetime) -> bool:
    """The yearly reminder to confirm the catalogue data; returns whether reminders should go on next year."""
    if is_superseded(session, version) or now >= expiry_moment(version):
        return False
    threshold = now - VERIFICATION_INTERVAL
    stale: set[int] = set()
    for offer in session.scalars(select(Offer).where(Offer.active.is_(True))):
        verified = offer.verified_at
        if verified is not None and verified.tzinfo is None:
            verified = verified.replace(tzinfo=ZoneInfo("UTC"))
        if verified is None or verified < threshold:
            stale.add(offer.organization_id)
    for organization_id in sorted(stale & signatory_ids(session, version)):
        _notify(
            session,
            now,
            "verification_reminder",
            message(
                N_(
                    "È passato un anno dall'ultima verifica: controllate le vostre offerte nel catalogo e "
                    "confermate i dati dalla pagina «Le nostre offerte»."
                )
            ),
            organization_id=organization_id,
        )
    return True


# ------------------------------------------------------------------------------------------------ helpers
def _member_organization(session: Session, user: User, require_approved: bool = True) -> Organization:
    if user.role != "association" or user.organization_id is None:
        raise PactError(_("Solo gli operatori delle organizzazioni della rete possono firmare il patto."))
    organization = session.get(Organization, user.organization_id)
    if organization is None or (require_approved and organization.status != "approved"):
        raise PactError(_("La tua organizzazione non è ancora stata ammessa alla rete: non può firmare il patto."))
    return organization


def _manager_ids(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == "manager", User.active.is_(True))))


def _notify(session: Session, now: datetime, kind: str, notice: dict, user_id=None, organization_id=None) -> None:
    """An in-app notification: its Italian text, and its message for each reader's language (notifications.messages)."""
    session.add(
        Notification(
            user_id=user_id,
            organization_id=organization_id,
            kind=kind,
            text=italian(notice),
            message=notice,
            created_at=now,
        )
    )


@dataclass(frozen=True)
class PactStatus:
    """What one organization sees of the pact today."""

    version: PactVersion
    in_force: bool
    signature: PactSignature | None


def status_for_organization(session: Session, organization_id: int | None, now: datetime) -> list[PactStatus]:
    day = local_day(now)
    in_force = pact_in_force(session, day)
    result = []
    for version in signable_versions(session, day):
        signature = active_signature(session, version.id, organization_id) if organization_id else None
        result.append(PactStatus(version, version == in_force, signature))
    return result
