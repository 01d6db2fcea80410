"""Fase 1 (adesione alla rete): drafts, submission, the applicant's link, review helpers and operator invitations.

How the applicant fits the engine. An organization that applies has no account, so it is not an engine actor like
the others. Drafting happens entirely outside the engine: the scheda is a domain row reached through a secret link
(`access_token`), and nothing runs until the applicant submits — abandoned drafts never create process instances.
Submission starts `fase1_adesione`; from then on the diagram drives the application. The one step the applicant
takes inside the process, amending after a change request, is a user task in the lane "Organizzazione
richiedente", mapped to the role `applicant` that no user account can have: it never shows in any worklist, and
only the applicant's link page completes it, acting as `applicant_actor`. The review's change-request loop is a
subprocess with a standard loop and `loopMaximum` (no back-edge); `MAX_CHANGE_REQUESTS` is the same bound seen by
the domain, which refuses a further request with a message the manager reads.

The applicant's link is signed (itsdangerous) over the application id and a random per-application nonce kept in
the database: the link can be sent again at any time without storing it, and changing the nonce revokes it. The
operator's invitation is different — single use and expiring — so it is a random token of which only the SHA-256
is stored (`OperatorInvitation`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from engine import Actor, Engine, OperationRefused, TaskConflict
from engine.models import HumanTask
from forms.membership import ImpostaPasswordForm, OperatingSiteForm, SchedaRicognizioneForm
from webapp.auth.models import User
from webapp.auth.services import AccountError, actor_for, create_user
from webapp.membership import mail
from webapp.membership.models import (
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    SUBMITTED,
    ApplicationEvent,
    MembershipApplication,
    OperatingSite,
    OperatorInvitation,
    ProtocolCounter,
    RegistryEnrolment,
)
from webapp.network.models import Organization
from webapp.security.passwords import password_problem

PROCESS_KEY = "fase1_adesione"
APPLICANT_ROLE = "applicant"
REVIEW_FORM_KEY = "esame_domanda_adesione"
AMEND_FORM_KEY = "integrazione_domanda"
MAX_CHANGE_REQUESTS = 3  # the diagram's loop allows MAX_CHANGE_REQUESTS + 1 reviews
CHANGES_DEADLINE_DAYS = 30  # the diagram's timer on the applicant's amendment (P30D)
INVITATION_VALIDITY = timedelta(days=14)
EDITABLE_STATUSES = (DRAFT, CHANGES_REQUESTED)
LIVE_STATUSES = (SUBMITTED, CHANGES_REQUESTED, APPROVED)
ROME = ZoneInfo("Europe/Rome")

EVENT_LABELS = {
    "draft_created": _l("Bozza creata"),
    "submitted": _l("Domanda inviata e protocollata"),
    "changes_requested": _l("Modifiche richieste al richiedente"),
    "resubmitted": _l("Domanda modificata inviata di nuovo"),
    "changes_expired": _l("Modifiche non inviate entro il termine"),
    "approved": _l("Domanda approvata: organizzazione nell'elenco"),
    "rejected": _l("Domanda non accolta"),
    "invitation_sent": _l("Invito inviato al primo operatore"),
    "invitation_not_sent": _l("Invito non inviato"),
    "invitation_accepted": _l("Invito accettato: accesso creato"),
    "link_resent": _l("Link della domanda inviato di nuovo su richiesta"),
}

DUPLICATE_IN_ELENCO = _l(
    "Un'organizzazione con questo codice fiscale è già iscritta all'elenco della rete: per aggiornarne i dati "
    "scrivi all'Ufficio di piano."
)
DUPLICATE_IN_REVIEW = _l(
    "È già in esame una domanda di adesione con questo codice fiscale: non se ne può inviare un'altra finché "
    "non è stata decisa."
)
EMAIL_NEEDED_FOR_DRAFT = _l(
    "Per salvare la bozza serve l'e-mail del referente: è lì che inviamo il link per riprendere la compilazione."
)

_MAX_VALUE_LENGTH = 10_000
_MAX_VALUES_PER_KEY = 100
_SITE_KEY = re.compile(r"^sites-(\d{1,3})-([a-z_]+)$")


class SchedaInvalid(Exception):
    """The scheda did not validate; `form` carries the messages and what was typed, for the page to show again."""

    def __init__(self, form: SchedaRicognizioneForm, message: str | None = None):
        super().__init__(str(message or _("La scheda contiene errori.")))
        self.form = form
        self.message = message


class NotEditable(Exception):
    """The application is under review or decided: the link shows it, but it cannot be changed now."""


class InvitationProblem(Exception):
    """The invitation cannot be accepted; the message is for the person who opened it (`field`: where it goes)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def utcnow() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------ the applicant's link
def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="tessere.membership.application")


def access_token(application: MembershipApplication) -> str:
    return _signer().dumps([application.id, application.access_nonce])


def application_for_token(session: Session, token: str) -> MembershipApplication | None:
    try:
        payload = _signer().loads(token)
    except BadData:
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        return None
    application = session.get(MembershipApplication, payload[0])
    if application is None or not hmac.compare_digest(application.access_nonce, str(payload[1])):
        return None
    return application


def application_link(application: MembershipApplication) -> str:
    return mail.external_url("membership.application_by_link", token=access_token(application))


def applicant_actor(application: MembershipApplication) -> Actor:
    """Who acts in the engine for an applicant without an account: the role of the lane «Organizzazione richiedente»."""
    return Actor(None, f"Richiedente – {application.display_name}"[:200], frozenset({APPLICANT_ROLE}))


# ------------------------------------------------------------------ the working copy
def scheda_form(formdata: MultiDict | None = None) -> SchedaRicognizioneForm:
    return SchedaRicognizioneForm(formdata)


def _field_names(form_class) -> frozenset[str]:
    return frozenset(name for name in dir(form_class) if isinstance(getattr(form_class, name), UnboundField))


_SCHEDA_FIELDS = _field_names(SchedaRicognizioneForm) - {"sites"}
_SITE_FIELDS = _field_names(OperatingSiteForm)


def _is_scheda_key(key: str) -> bool:
    site = _SITE_KEY.match(key)
    if site:
        return site.group(2) in _SITE_FIELDS
    return key in _SCHEDA_FIELDS


def working_copy(formdata: MultiDict) -> dict[str, list[str]]:
    """What the applicant typed, as JSON: only the scheda's own fields, each value capped in length."""
    copy: dict[str, list[str]] = {}
    for key in formdata:
        if _is_scheda_key(key):
            values = [str(v)[:_MAX_VALUE_LENGTH] for v in formdata.getlist(key)[:_MAX_VALUES_PER_KEY]]
            copy[key] = values
    return copy


def formdata_of(application: MembershipApplication) -> MultiDict:
    return MultiDict([(key, value) for key, values in (application.form_data or {}).items() for value in values])


def without_site(formdata: MultiDict, index: int) -> MultiDict:
    prefix = f"sites-{index}-"
    return MultiDict([(k, v) for k, v in formdata.items(multi=True) if not k.startswith(prefix)])


def save_draft(
    session: Session, formdata: MultiDict, application: MembershipApplication | None = None, now: datetime | None = None
) -> tuple[MembershipApplication, bool]:
    """Save what was typed, valid or not; a new draft gets its link by e-mail. Returns (application, created).

    Only the referent's e-mail must be valid, because the link to come back goes there. The caller commits.
    """
    now = now or utcnow()
    if application is not None and application.status not in EDITABLE_STATUSES:
        raise NotEditable()
    form = scheda_form(formdata)
    if not form.contact_email.validate(form):
        raise SchedaInvalid(form, EMAIL_NEEDED_FOR_DRAFT)
    created = application is None
    if created:
        application = _new_application(session, formdata, now)
        record_event(session, application, "draft_created", now, None, "Richiedente")
        mail.send_draft_link(session, application, application_link(application), now)
    else:
        application.form_data = working_copy(formdata)
        application.updated_at = now
    if application.status == DRAFT:
        # Where the link goes, so that «ho perso il link» finds the draft (a submitted scheda has its own column).
        application.contact_email = form.contact_email.data.strip().lower()
    session.flush()
    return application, created


LOST_LINK_MAX_APPLICATIONS = 10


def resend_links(session: Session, email: str, now: datetime | None = None) -> int:
    """«Ho perso il link»: mail again the link of every draft or application to amend with this referent e-mail.

    Returns how many were sent, for tests and logs only: the page says the same thing whatever the number, so it
    cannot be used to learn which addresses have applied. The caller commits.
    """
    now = now or utcnow()
    address = (email or "").strip().lower()
    if not address:
        return 0
    applications = session.scalars(
        select(MembershipApplication)
        .where(
            func.lower(MembershipApplication.contact_email) == address,
            MembershipApplication.status.in_(EDITABLE_STATUSES),
        )
        .order_by(MembershipApplication.id.desc())
        .limit(LOST_LINK_MAX_APPLICATIONS)
    ).all()
    for application in applications:
        mail.send_lost_link(session, application, address, application_link(application), now)
        record_event(session, application, "link_resent", now, None, "Richiedente", address)
    return len(applications)


def _new_application(session: Session, formdata: MultiDict, now: datetime) -> MembershipApplication:
    application = MembershipApplication(
        status=DRAFT,
        access_nonce=secrets.token_urlsafe(24),
        form_data=working_copy(formdata),
        revision=0,
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    return application


# ------------------------------------------------------------------ submission
def submit_application(
    session: Session,
    engine: Engine,
    formdata: MultiDict,
    application: MembershipApplication | None = None,
    now: datetime | None = None,
) -> MembershipApplication:
    """Validate the whole scheda and submit it; commits, or rolls back and raises.

    The first submission starts the process (which gives the protocol number and sends the receipt); after a change
    request it completes the applicant's task, and the diagram takes the application back to review. When the
    scheda is refused, an existing application keeps what was typed as its working copy.
    """
    now = now or utcnow()
    if application is not None and application.status not in EDITABLE_STATUSES:
        raise NotEditable()
    application_id = application.id if application is not None else None
    form = scheda_form(formdata)
    try:
        valid = form.validate()
        unique = _no_duplicates(session, form, application_id)  # run both: every message shows at once
        if not (valid and unique):
            raise SchedaInvalid(form)
        if application is None:
            application = _new_application(session, formdata, now)
        else:
            application.form_data = working_copy(formdata)
            application.updated_at = now
        _write_scheda(session, application, form)
        if not _take_codice_fiscale(session, application):
            form.codice_fiscale.errors = [*form.codice_fiscale.errors, DUPLICATE_IN_REVIEW]
            raise SchedaInvalid(form)
        actor = applicant_actor(application)
        if application.status == DRAFT:
            engine.start(session, PROCESS_KEY, {"application_id": application.id}, actor, now=now)
        else:
            task = applicant_task(session, application)
            if task is None:
                raise TaskConflict("La domanda non è più modificabile: il termine per le modifiche è scaduto.")
            engine.complete(session, task.id, {"conferma": True}, actor, now=now)
        session.commit()
        return application
    except OperationRefused as exc:
        session.rollback()
        target = form[exc.field] if exc.field and exc.field in form else form.codice_fiscale
        target.errors = [*target.errors, exc.message]
        _keep_working_copy(session, application_id, formdata, now)
        raise SchedaInvalid(form) from None
    except SchedaInvalid:
        session.rollback()
        _keep_working_copy(session, application_id, formdata, now)
        raise
    except Exception:
        session.rollback()
        raise


def _keep_working_copy(session: Session, application_id: int | None, formdata: MultiDict, now: datetime) -> None:
    """A refused submission of a saved application still saves what was typed (nothing typed is lost)."""
    if application_id is None:
        return
    application = session.get(MembershipApplication, application_id)
    if application is not None and application.status in EDITABLE_STATUSES:
        application.form_data = working_copy(formdata)
        application.updated_at = now
        session.commit()


def _no_duplicates(session: Session, form: SchedaRicognizioneForm, own_id: int | None) -> bool:
    """Refuse a codice fiscale (or partita IVA) already in the elenco or in another application under review."""
    ok = True
    cf = form.codice_fiscale.data if not form.codice_fiscale.errors else ""
    piva = form.partita_iva.data if not form.partita_iva.errors else ""
    others = select(MembershipApplication).where(MembershipApplication.status.in_(LIVE_STATUSES))
    if own_id is not None:
        others = others.where(MembershipApplication.id != own_id)
    if cf:
        if _in_elenco(session, cf):
            form.codice_fiscale.errors = [*form.codice_fiscale.errors, DUPLICATE_IN_ELENCO]
            ok = False
        elif session.scalar(others.where(MembershipApplication.codice_fiscale == cf).limit(1)):
            form.codice_fiscale.errors = [*form.codice_fiscale.errors, DUPLICATE_IN_REVIEW]
            ok = False
    if piva and piva != cf:
        if _in_elenco(session, piva):
            form.partita_iva.errors = [
                *form.partita_iva.errors,
                "Questa partita IVA è già di un'organizzazione iscritta all'elenco della rete.",
            ]
            ok = False
        elif session.scalar(
            others.where(
                or_(MembershipApplication.partita_iva == piva, MembershipApplication.codice_fiscale == piva)
            ).limit(1)
        ):
            form.partita_iva.errors = [
                *form.partita_iva.errors,
                "Questa partita IVA compare già in una domanda di adesione in esame.",
            ]
            ok = False
    return ok


def _in_elenco(session: Session, code: str) -> bool:
    return (
        session.scalar(
            select(Organization.id).where(Organization.codice_fiscale == code, Organization.status == "approved")
        )
        is not None
    )


def _take_codice_fiscale(session: Session, application: MembershipApplication) -> bool:
    """Hold the codice fiscale for this live application; False when another one holds it (the database says so)."""
    if application.codice_fiscale_lock == application.codice_fiscale:
        return True
    try:
        with session.begin_nested():
            application.codice_fiscale_lock = application.codice_fiscale
    except IntegrityError:
        return False
    return True


def _write_scheda(session: Session, application: MembershipApplication, form: SchedaRicognizioneForm) -> None:
    """Copy the validated scheda into the application's columns and rows (replacing the previous version)."""

    def text(field) -> str | None:
        value = (field.data or "").strip() if isinstance(field.data, str) else field.data
        return value or None

    for name in (
        "name",
        "org_type",
        "codice_fiscale",
        "partita_iva",
        "founding_deed",
        "legal_address",
        "legal_postcode",
        "legal_municipality",
        "phone",
        "email",
        "website",
        "pec",
        "description",
        "area_scope",
        "area_detail",
        "representative_name",
        "representative_role",
        "affiliation_provincial",
        "affiliation_regional",
        "affiliation_national",
        "contact_name",
        "contact_phone",
    ):
        setattr(application, name, text(form[name]))
    application.legal_province = (form.legal_province.data or "").strip().upper()
    application.contact_email = form.contact_email.data.strip().lower()
    application.email = (application.email or "").lower() or None
    application.founded_on = form.founded_on.data
    application.sectors = list(form.sectors.data)
    application.target_groups = list(form.target_groups.data)
    application.needs = list(form.needs.data)

    application.sites.clear()
    application.enrolments.clear()
    session.flush()  # delete the previous version's rows before adding the new ones
    for position, entry in enumerate(form.sites.entries):
        site = entry.form
        application.sites.append(
            OperatingSite(
                position=position,
                name=text(site.name),
                address=site.address.data.strip(),
                postcode=text(site.postcode),
                municipality=site.municipality.data.strip(),
                opening_hours=site.opening_hours.data.strip(),
            )
        )
    if form.runts_section.data:
        application.enrolments.append(
            RegistryEnrolment(
                kind="runts",
                section=form.runts_section.data,
                number=form.runts_number.data.strip(),
                enrolled_on=form.runts_date.data,
            )
        )
    if form.albo_coop_section.data:
        application.enrolments.append(
            RegistryEnrolment(
                kind="albo_cooperative_sociali",
                section=form.albo_coop_section.data,
                number=form.albo_coop_number.data.strip(),
            )
        )
    if text(form.other_registry):
        application.enrolments.append(RegistryEnrolment(kind="altro", description=text(form.other_registry)))


def next_protocol_number(session: Session, now: datetime) -> str:
    """The next number of the year's protocol register, e.g. TESS-2026-000123 (sequential, no gaps)."""
    year = now.astimezone(ROME).year
    bump = (
        update(ProtocolCounter)
        .where(ProtocolCounter.year == year)
        .values(last_number=ProtocolCounter.last_number + 1)
        .returning(ProtocolCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.add(ProtocolCounter(year=year, last_number=1))
            number = 1
        except IntegrityError:  # another submission opened the year at the same moment
            number = session.execute(bump).scalar_one()
    return f"TESS-{year}-{number:06d}"


# ------------------------------------------------------------------ review
def applicant_task(session: Session, application: MembershipApplication) -> HumanTask | None:
    if application.instance_id is None:
        return None
    return session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == application.instance_id,
            HumanTask.form_key == AMEND_FORM_KEY,
            HumanTask.status == "open",
        )
    )


def review_task(session: Session, engine: Engine, user: User, application: MembershipApplication) -> HumanTask | None:
    """The open review task of this application, if this user may complete it."""
    if application.instance_id is None:
        return None
    actor = actor_for(user)
    for task in engine.open_tasks(session, application.instance_id):
        if task.form_key == REVIEW_FORM_KEY and engine.may_complete(task, actor):
            return task
    return None


def change_requests(application: MembershipApplication) -> int:
    return sum(1 for event in application.events if event.kind == "changes_requested")


def list_applications(
    session: Session, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[MembershipApplication], int]:
    """Submitted applications, newest first (drafts belong to the applicant until they are sent)."""
    query = select(MembershipApplication).where(MembershipApplication.status != DRAFT)
    if status:
        query = query.where(MembershipApplication.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MembershipApplication.last_submitted_at.desc(), MembershipApplication.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def record_event(
    session: Session,
    application: MembershipApplication,
    kind: str,
    now: datetime,
    actor_id: int | None,
    actor_label: str,
    note: str | None = None,
) -> ApplicationEvent:
    event = ApplicationEvent(
        application_id=application.id,
        at=now,
        kind=kind,
        revision=application.revision or 0,
        actor_id=actor_id,
        actor_label=actor_label[:200],
        note=note,
    )
    session.add(event)
    application.events.append(event)
    return event


# ------------------------------------------------------------------ invitations
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(
    session: Session, application: MembershipApplication, organization: Organization, now: datetime
) -> tuple[OperatorInvitation, str]:
    """A new single-use invitation for the application's referent; the raw token is returned once, never stored."""
    token = secrets.token_urlsafe(32)
    invitation = OperatorInvitation(
        application_id=application.id,
        organization_id=organization.id,
        email=application.contact_email,
        name=application.contact_name or "",
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def invite_first_operator(
    session: Session, application: MembershipApplication, organization: Organization, now: datetime, actor: Actor
) -> OperatorInvitation | None:
    """Invite the referent to become the organization's first operator (not if the e-mail already has an account)."""
    existing = session.scalar(select(User).where(func.lower(User.email) == (application.contact_email or "").lower()))
    if existing is not None:
        record_event(
            session,
            application,
            "invitation_not_sent",
            now,
            actor.id,
            actor.label,
            "Esiste già un account con l'e-mail del referente: l'amministratore deve collegarlo all'organizzazione.",
        )
        return None
    invitation, token = create_invitation(session, application, organization, now)
    link = mail.external_url("membership.accept_invitation", token=token)
    mail.send_invitation(session, application, invitation, link, now)
    record_event(session, application, "invitation_sent", now, actor.id, actor.label, invitation.email)
    return invitation


def reissue_invitation(
    session: Session, user: User, application: MembershipApplication, now: datetime | None = None
) -> OperatorInvitation | None:
    """A manager sends a new invitation (the previous ones stop working); the caller commits."""
    now = now or utcnow()
    if application.status != APPROVED or application.organization is None:
        raise InvitationProblem(_("Si può invitare un operatore solo per una domanda approvata."))
    for invitation in session.scalars(
        select(OperatorInvitation).where(
            OperatorInvitation.application_id == application.id,
            OperatorInvitation.used_at.is_(None),
            OperatorInvitation.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now
    return invite_first_operator(session, application, application.organization, now, actor_for(user))


def latest_invitation(session: Session, application: MembershipApplication) -> OperatorInvitation | None:
    return session.scalar(
        select(OperatorInvitation)
        .where(OperatorInvitation.application_id == application.id)
        .order_by(OperatorInvitation.id.desc())
        .limit(1)
    )


def invitation_state(invitation: OperatorInvitation, now: datetime | None = None) -> str:
    """accepted | revoked | expired | pending."""
    if invitation.used_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    expires = invitation.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=UTC)
    return "expired" if expires <= (now or utcnow()) else "pending"


def invitation_for_token(session: Session, token: str, now: datetime | None = None) -> OperatorInvitation | None:
    """The invitation if the link is still good: not used, not revoked, not expired."""
    now = now or utcnow()
    invitation = session.scalar(select(OperatorInvitation).where(OperatorInvitation.token_hash == _digest(token)))
    if invitation is None or invitation_state(invitation, now) != "pending":
        return None
    return invitation


def accept_invitation(session: Session, token: str, form: ImpostaPasswordForm, now: datetime | None = None) -> User:
    """Create the organization's first operator from a valid invitation and a validated form; commits."""
    now = now or utcnow()
    invitation = invitation_for_token(session, token, now)
    if invitation is None:
        raise InvitationProblem(_("Il link di invito non è più valido: è già stato usato o è scaduto."))
    organization = invitation.organization
    problem = password_problem(form.password.data or "", invitation.email)
    if problem:
        raise InvitationProblem(problem, field="password")
    try:
        user = create_user(
            session, invitation.email, form.name.data, "association", form.password.data, organization.codice_fiscale
        )
    except AccountError as exc:
        session.rollback()
        raise InvitationProblem(str(exc)) from None
    invitation.used_at = now
    invitation.user_id = user.id
    application = session.get(MembershipApplication, invitation.application_id)
    record_event(session, application, "invitation_accepted", now, user.id, user.name, user.email)
    session.commit()
    return user
