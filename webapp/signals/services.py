"""Segnalazioni: starting one, who may see which, what each side sees of it, and how the task pages show them.

Who sees what. The organization that signalled sees its own signals (the data it typed, the state, the questions and
answers, the closing reason) and never the case the social service may open: a presa in carico is a separate
`percorso_beneficiario` instance it reaches only if a referral is later sent to it. Every social worker sees every
signal: the evaluation is a group task (no owner until one of them takes the person in charge). Managers see them
all, read-only. Specialist services and administrators see none. Names of signals about special-category groups
(violence, mental health) are hidden in lists, as for restricted cases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict

from engine import Engine, TaskNotFound
from engine.models import HumanTask, ProcessInstance
from forms import form_to_task_data
from forms.signals import CLOSING_REASONS, DECISIONS, SegnalazioneForm
from forms.vocabulary import SPECIAL_CATEGORY_GROUPS, label_for, need_label, target_group_label
from webapp.auth.models import User
from webapp.auth.services import actor_for
from webapp.i18n.formatting import format_datetime
from webapp.signals import system_messages
from webapp.signals.models import STATUS_LABELS, Signal
from webapp.signals.operations import INFO_DAYS

PROCESS_KEY = "segnalazione"
SIGNAL_FORM_KEY = "segnalazione"
STAFF_ROLES = ("social_worker", "manager")
MESSAGE_KIND_LABELS = {
    "domanda": _l("Domanda del Servizio sociale"),
    "risposta": _l("Risposta dell'organizzazione"),
    "scaduta": _l("Nessuna risposta"),
    "esito": _l("Esito"),
}
CLOSING_REASON_LABELS = dict(CLOSING_REASONS)
DECISION_LABELS = dict(DECISIONS)


class SignalInvalid(Exception):
    """The signal form did not validate; `form` carries the messages and what was typed."""

    def __init__(self, form: SegnalazioneForm):
        super().__init__(_("La segnalazione contiene errori."))
        self.form = form


class NotAllowed(Exception):
    """This user may not signal (not an operator of an approved organization)."""


# ------------------------------------------------------------------ starting a signal
def may_signal(user: User) -> bool:
    return (
        user.role == "association"
        and user.organization_id is not None
        and user.organization is not None
        and user.organization.status == "approved"
    )


def journal_copy(data: dict) -> dict:
    """What the journal keeps of the signal form: the person's data replaced by a marker."""
    personal = set(SegnalazioneForm.personal_fields)
    return {k: ("[dato personale]" if k in personal and v else v) for k, v in data.items()}


def start_signal(session: Session, engine: Engine, user: User, formdata: MultiDict) -> Signal:
    """Validate the association's form, then start `segnalazione` and complete its first task, in ONE transaction.

    Nothing is created while the form is invalid (SignalInvalid carries it back with what was typed). Commits.
    """
    if not may_signal(user):
        raise NotAllowed()
    form = SegnalazioneForm(formdata)
    if not form.validate():
        raise SignalInvalid(form)
    data = form_to_task_data(form)
    actor = actor_for(user)
    try:
        instance = engine.start(session, PROCESS_KEY, {"organization_id": user.organization_id}, actor)
        first = next(
            (t for t in engine.open_tasks(session, instance.id) if t.form_key == SIGNAL_FORM_KEY),
            None,
        )
        if first is None or not engine.may_complete(first, actor):
            raise TaskNotFound("Il processo della segnalazione non inizia con il modulo dell'organizzazione.")
        engine.complete(session, first.id, data, actor, journal_data=journal_copy(data))
        signal = signal_for_instance(session, instance.id)
        session.commit()
        return signal
    except Exception:
        session.rollback()
        raise


# ------------------------------------------------------------------ visibility
def may_see_signal(user: User, signal: Signal) -> bool:
    if user.role in STAFF_ROLES:
        return True
    return user.role == "association" and user.organization_id == signal.organization_id


def signal_for_user(session: Session, user: User, signal_id: int) -> Signal | None:
    signal = session.get(Signal, signal_id)
    return signal if signal is not None and may_see_signal(user, signal) else None


def signal_for_instance(session: Session, instance_id: int) -> Signal | None:
    return session.scalar(select(Signal).where(Signal.instance_id == instance_id))


def signal_for_case_instance(session: Session, instance_id: int) -> Signal | None:
    return session.scalar(select(Signal).where(Signal.case_instance_id == instance_id))


def list_signals(
    session: Session, user: User, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Signal], int]:
    query = select(Signal).options(joinedload(Signal.organization)).order_by(Signal.created_at.desc(), Signal.id.desc())
    if user.role == "association":
        query = query.where(Signal.organization_id == user.organization_id)
    elif user.role not in STAFF_ROLES:
        return [], 0
    if status in STATUS_LABELS:
        query = query.where(Signal.status == status)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset)).unique()), total


def status_counts(session: Session, user: User) -> dict[str, int]:
    query = select(Signal.status, func.count()).group_by(Signal.status)
    if user.role == "association":
        query = query.where(Signal.organization_id == user.organization_id)
    elif user.role not in STAFF_ROLES:
        return {}
    return {status: count for status, count in session.execute(query)}


def is_restricted(signal: Signal) -> bool:
    return signal.target_group in SPECIAL_CATEGORY_GROUPS


def display_name(signal: Signal, viewer: User) -> str:
    """Lists hide the names of special-category signals from everyone but who signalled and who took them in charge."""
    if viewer.role == "association" or not is_restricted(signal) or viewer.id == signal.owner_id:
        return signal.full_name
    return _("%(initial)s. (segnalazione riservata)", initial=signal.first_name[:1])


def signal_view(session: Session, signal: Signal, viewer: User) -> dict[str, Any]:
    """What `viewer` may know of the signal (JSON-safe: also the API's task context)."""
    view: dict[str, Any] = {
        "signal_id": signal.id,
        "status": signal.status,
        "status_label": signal.status_label,
        "organization": signal.organization.name,
        "reported_by": signal.reported_by.name if signal.reported_by else None,
        "created_at": signal.created_at.isoformat(),
        "urgent": signal.urgent,
        "person": {
            "first_name": signal.first_name,
            "last_name": signal.last_name,
            "phone": signal.phone,
            "email": signal.email,
            "address": signal.address,
            "contact_notes": signal.contact_notes,
        },
        "listening_point": signal.listening_point,
        "target_group": signal.target_group,
        "target_group_label": target_group_label(signal.target_group) if signal.target_group else None,
        "needs": [need_label(n) for n in signal.needs or []],
        "description": signal.description,
        "restricted": is_restricted(signal),
        "info_requests": signal.info_requests,
        "closing_reason": label_for(CLOSING_REASON_LABELS, signal.closing_reason) if signal.closing_reason else None,
        "closing_message": signal.closing_message,
        "messages": [
            {
                "kind": m.kind,
                "kind_label": label_for(MESSAGE_KIND_LABELS, m.kind),
                "at": m.at.isoformat(),
                "at_text": _local_text(m.at),
                "author": m.author_label,
                "text": system_messages.shown(m.kind, m.text, INFO_DAYS),
            }
            for m in signal.messages
        ],
    }
    if viewer.role in STAFF_ROLES:
        view["owner"] = signal.owner.name if signal.owner else None
        view["case_id"] = _visible_case_id(session, signal, viewer)
    return view


def _local_text(moment) -> str:
    return format_datetime(moment)  # Rome's clock, in the reader's language


def _visible_case_id(session: Session, signal: Signal, viewer: User) -> int | None:
    """The case opened from the signal, if the viewer may see it (its owner or a manager)."""
    from webapp.referrals.services import case_for_instance, may_see_case

    if signal.case_instance_id is None:
        return None
    case = case_for_instance(session, signal.case_instance_id)
    return case.id if case is not None and may_see_case(viewer, case) else None


def open_tasks_of(session: Session, engine: Engine, signal: Signal) -> list[HumanTask]:
    return engine.open_tasks(session, signal.instance_id) if signal.instance_id else []


def log_signal_access(session: Session, user: User, signal: Signal, action: str, channel: str = "web") -> None:
    """A signal holds a person's data (sometimes of a special category): every read is logged, as for cases."""
    from webapp.referrals.models import AccessLogEntry

    session.add(
        AccessLogEntry(user_id=user.id, signal_id=signal.id, at=datetime.now(UTC), action=action, channel=channel)
    )


# ------------------------------------------------------------------ how the generic task pages show signals
def task_context(session: Session, user: User, task: HumanTask, channel: str = "web") -> dict:
    signal = signal_for_instance(session, task.instance_id)
    if signal is None or not may_see_signal(user, signal):
        return {}
    log_signal_access(session, user, signal, f"task:{task.form_key}", channel)
    return {"panel": "signals/_task_panel.html", "signal": signal_view(session, signal, user)}


def intake_context(session: Session, user: User, task: HumanTask) -> dict:
    """Beside the intake of a case opened from a signal (no case yet): the signal it comes from."""
    signal = signal_for_case_instance(session, task.instance_id)
    if signal is None or not may_see_signal(user, signal):
        return {}
    log_signal_access(session, user, signal, f"task:{task.form_key}")
    return {"panel": "signals/_task_panel.html", "signal": signal_view(session, signal, user)}


def task_subject(session: Session, user: User, task: HumanTask) -> str | None:
    return _signal_subject(user, signal_for_instance(session, task.instance_id))


def task_subjects(session: Session, user: User, tasks: list[HumanTask]) -> dict[int, str | None]:
    """task_subject for a whole page of the worklist in one query (no query per row)."""
    instance_ids = {task.instance_id for task in tasks}
    signals = {s.instance_id: s for s in session.scalars(select(Signal).where(Signal.instance_id.in_(instance_ids)))}
    return {task.id: _signal_subject(user, signals.get(task.instance_id)) for task in tasks}


def _signal_subject(user: User, signal: Signal | None) -> str | None:
    if signal is None or not may_see_signal(user, signal):
        return None
    if signal.urgent:
        return _("Segnalazione n. %(n)s · %(name)s · urgente", n=signal.id, name=display_name(signal, user))
    return _("Segnalazione n. %(n)s · %(name)s", n=signal.id, name=display_name(signal, user))


def follow_up_instance(session: Session, instance: ProcessInstance) -> int | None:
    """After the evaluation that took the person in charge, the social worker goes on with the new intake."""
    signal = signal_for_instance(session, instance.id)
    return signal.case_instance_id if signal is not None else None


def intake_prefill(session: Session, task: HumanTask) -> dict[str, Any]:
    """The intake form of a case opened from a signal starts with what the organization wrote."""
    signal = signal_for_case_instance(session, task.instance_id)
    if signal is None:
        return {}
    note = f"Dalla segnalazione n. {signal.id} di {signal.organization.name}: {signal.description}"
    if signal.contact_notes:
        note += f"\nCome contattarla: {signal.contact_notes}"
    return {
        "first_name": signal.first_name,
        "last_name": signal.last_name,
        "phone": signal.phone or "",
        "email": signal.email or "",
        "address": signal.address or "",
        "target_group": signal.target_group or "",
        "needs": list(signal.needs or []),
        "notes": note[:4000],
    }


def prefill_form(form, values: dict[str, Any]) -> None:
    """Put initial values into a freshly built form (nothing submitted yet)."""
    for name, value in values.items():
        if name in form and value not in (None, ""):
            field = form[name]
            field.data = date.fromisoformat(value) if field.type == "DateField" and isinstance(value, str) else value
