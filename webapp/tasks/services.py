"""Completing a task the same way from the web page and from the JSON API.

The form of the task's key validates the input (with choices that depend on data filled in here); the engine
runs the step; the transaction commits only if everything succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict
from wtforms import Form

from engine import Engine, OperationRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask, ProcessInstance
from forms import FORM_CLASSES, form_to_task_data
from forms.choices import choices
from webapp.auth.models import User
from webapp.auth.services import actor_for
from webapp.referrals.operations import PERSON_FIELDS
from webapp.referrals.services import case_for_instance, offer_choices, offers_for_case

# The task's instance and its version by a join with the task row (ProcessInstance.version is itself joined).
TASK_WITH_INSTANCE = (joinedload(HumanTask.instance, innerjoin=True),)


@dataclass
class FormInvalid(Exception):
    """The submitted data did not validate: field name -> list of messages (Italian)."""

    errors: dict[str, list[str]]


def visible_task(session: Session, engine: Engine, user: User, task_id: int) -> HumanTask:
    """The open or closed task `user` may act on, loaded with its instance (and the instance's version) in one
    SELECT: every caller goes on to the instance (the engine step, the task page), and on PostgreSQL each lazy load
    would be one more round trip."""
    task = session.get(HumanTask, task_id, options=TASK_WITH_INSTANCE)
    if task is None or not engine.may_complete(task, actor_for(user)):
        raise TaskNotFound(_("Attività non trovata."))
    return task


def build_form(session: Session, task: HumanTask, formdata: MultiDict | None, need: str | None = None) -> Form:
    form_cls = FORM_CLASSES.get(task.form_key or "")
    if form_cls is None:
        raise TaskNotFound(_("Modulo sconosciuto: %(key)s", key=task.form_key))
    form = form_cls(formdata)
    if task.form_key == "scelta_offerta":
        case = case_for_instance(session, task.instance_id)
        offers = offers_for_case(session, case, need)
        form.offer_id.choices = choices(offer_choices(offers))
        # Held by the form for the rest of the request: the step's operation (send_referral) reads the same case and
        # the chosen offer, and the session's identity map keeps objects only while something refers to them.
        form.loaded_objects = (case, offers)
    from webapp.workflow import prepare_form  # data-dependent choices and initial values of other forms

    prepare_form(session, task, form, fresh=formdata is None)
    return form


def _journal_copy(form_key: str, data: Mapping) -> dict:
    """What the journal keeps of a submission: personal data typed at intake (or in any form that declares its
    `personal_fields`) is replaced by a marker."""
    if form_key == "presa_in_carico":
        personal = set(PERSON_FIELDS)
    else:
        personal = set(getattr(FORM_CLASSES.get(form_key or ""), "personal_fields", ()))
    if not personal:
        return dict(data)
    return {k: ("[dato personale]" if k in personal and v else v) for k, v in data.items()}


def complete_task(
    session: Session,
    engine: Engine,
    user: User,
    task_id: int,
    formdata: MultiDict,
    expected_lock_version: int | None = None,
    before_commit: Callable[[ProcessInstance], None] | None = None,
) -> ProcessInstance:
    """Validate and complete; commit on success, roll back and re-raise on any failure.

    `before_commit` reads what the caller needs of the step's outcome inside the step's transaction (the JSON API
    builds its answer there): after the commit the instance is expired, and reading it again would cost a new
    transaction and a SELECT of the instance.
    """
    try:
        task = visible_task(session, engine, user, task_id)
        if task.status != "open":
            raise TaskConflict(_("Questa attività non è più aperta: è già stata completata o annullata."))
        form = build_form(session, task, formdata)
        if not form.validate():
            raise FormInvalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        data = form_to_task_data(form)
        instance = engine.complete(
            session,
            task.id,
            data,
            actor_for(user),
            expected_lock_version=expected_lock_version,
            journal_data=_journal_copy(task.form_key, data),
        )
        if before_commit is not None:
            before_commit(instance)
        session.commit()
        return instance
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc).lower():  # SQLite: another writer held the database
            raise TaskConflict(_("Il caso è occupato da un'altra operazione: riprova tra un istante.")) from None
        raise
    except (FormInvalid, OperationRefused, TaskConflict, TaskNotFound):
        session.rollback()
        raise
    except Exception:
        session.rollback()
        raise


def start_with_first_task(
    session: Session, engine: Engine, user: User, process_key: str, formdata: MultiDict
) -> ProcessInstance:
    """Start a process and complete its first task (the starter's) in ONE transaction.

    Used for the presa in carico: nothing is created until the intake form is valid, so abandoning the form
    leaves no empty case behind. Raises FormInvalid / OperationRefused with everything rolled back.
    """
    try:
        instance = engine.start(session, process_key, {"owner_user_id": user.id}, actor_for(user))
        actor = actor_for(user)
        first = next((t for t in engine.open_tasks(session, instance.id) if engine.may_complete(t, actor)), None)
        if first is None:
            raise TaskNotFound(_("Il processo non inizia con un'attività di chi lo avvia."))
        form = build_form(session, first, formdata)
        if not form.validate():
            raise FormInvalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        data = form_to_task_data(form)
        engine.complete(session, first.id, data, actor, journal_data=_journal_copy(first.form_key, data))
        session.commit()
        return instance
    except Exception:
        session.rollback()
        raise


def start_process(session: Session, engine: Engine, user: User, process_key: str, data: Mapping) -> ProcessInstance:
    """Start an instance; the starter owns it (its social-service tasks are assigned to them)."""
    start_data = {**dict(data), "owner_user_id": user.id}
    try:
        instance = engine.start(session, process_key, start_data, actor_for(user))
        session.commit()
        return instance
    except Exception:
        session.rollback()
        raise


# ------------------------------------------------------------------------------------------- group tasks
def claim_task(session: Session, engine: Engine, user: User, task_id: int, take_over: bool = False) -> HumanTask:
    """Take on a group task (or take it over from a colleague, where allowed); commit, or roll back and raise."""
    try:
        task = engine.claim(session, task_id, actor_for(user), take_over=take_over)
        session.commit()
        return task
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc).lower():  # SQLite: another writer held the database
            raise TaskConflict(_("Il caso è occupato da un'altra operazione: riprova tra un istante.")) from None
        raise
    except Exception:
        session.rollback()
        raise


def release_task(session: Session, engine: Engine, user: User, task_id: int) -> HumanTask:
    """Give a claimed group task back to its group; commit, or roll back and raise."""
    try:
        task = engine.release(session, task_id, actor_for(user))
        session.commit()
        return task
    except Exception:
        session.rollback()
        raise


@dataclass(frozen=True)
class ClaimState:
    """What the task page says about who is on a task, and which buttons it offers."""

    group_task: bool
    claimed_by_name: str | None
    mine: bool
    may_take_over: bool

    @property
    def claimed_by_other(self) -> bool:
        return self.claimed_by_name is not None and not self.mine


def claim_state(session: Session, engine: Engine, user: User, task: HumanTask) -> ClaimState:
    claimant = session.get(User, task.claimed_by_id) if task.claimed_by_id is not None else None
    mine = task.claimed_by_id is not None and task.claimed_by_id == user.id
    return ClaimState(
        group_task=task.assignee_id is None,
        claimed_by_name=claimant.name if claimant is not None else None,
        mine=mine,
        may_take_over=task.claimed_by_id is not None and not mine and engine.may_take_over(task, actor_for(user)),
    )
