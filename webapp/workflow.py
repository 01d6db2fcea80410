"""Wires the engine to the domain: the operations registry, the known form keys, lanes to roles.

One `Engine` per application; views, the JSON API, the CLI and the worker all get it from `get_engine()`.

Processes whose tasks are not about a case (segnalazioni, citizens' requests) tell the generic task pages how to show
them through `PROCESS_PAGES` (the side panel of a task and the worklist's subject) and `FORM_PREPARERS` (choices that
depend on data, initial values); see `webapp.tasks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_

from engine import Actor, Engine, OperationRegistry
from engine.models import HumanTask
from forms import FORM_CLASSES
from webapp.citizen.operations import register_citizen_operations
from webapp.membership.operations import register_membership_operations
from webapp.monitoring.operations import register_monitoring_operations
from webapp.pact.operations import register_pact_operations
from webapp.referrals.operations import register_referral_operations
from webapp.signals.operations import register_signal_operations

LANE_ROLES = {
    "servizio sociale": "social_worker",
    "assistente sociale": "social_worker",
    "social_worker": "social_worker",
    "organizzazione": "association",
    "associazione": "association",
    "association": "association",
    "ufficio di piano": "manager",
    "responsabile": "manager",
    "manager": "manager",
    "amministrazione": "admin",
    "admin": "admin",
    "servizi specialistici": "health_service",
    "health_service": "health_service",
    # Applicants have no account: only the secret link of their application acts in this lane (webapp.membership).
    "organizzazione richiedente": "applicant",
    "richiedente": "applicant",
    "applicant": "applicant",
}


class TessereEngine(Engine):
    """The engine with one rule of Tessere's: operators of a specialist service (`health_service`) follow the cases
    they took in charge as social workers do.

    The social-service tasks of a case are assigned to the case's owner (engine.service.default_task_scope), so a
    specialist operator may see and complete exactly the `social_worker` tasks assigned to them personally, never
    the social service's group tasks (signals, citizens' requests) nor anyone else's.
    """

    ACTS_AS = {"health_service": "social_worker"}

    def _roles_acted(self, actor: Actor) -> set[str]:
        return {self.ACTS_AS[role] for role in actor.roles if role in self.ACTS_AS}

    def may_complete(self, task: HumanTask, actor: Actor) -> bool:
        if super().may_complete(task, actor):
            return True
        return (
            actor.id is not None
            and task.role in self._roles_acted(actor)
            and task.assignee_id == actor.id
            and task.organization_id is None
        )

    def _visible_clause(self, actor: Actor):
        clause = super()._visible_clause(actor)
        acted = self._roles_acted(actor)
        if not acted or actor.id is None:
            return clause
        return or_(
            clause,
            and_(HumanTask.role.in_(acted), HumanTask.assignee_id == actor.id, HumanTask.organization_id.is_(None)),
        )


def build_engine() -> Engine:
    registry = OperationRegistry()
    register_referral_operations(registry)
    register_pact_operations(registry)
    register_membership_operations(registry)
    register_monitoring_operations(registry)
    register_signal_operations(registry)
    register_citizen_operations(registry)
    return TessereEngine(operations=registry, form_keys=FORM_CLASSES.keys(), lane_roles=LANE_ROLES)


@dataclass(frozen=True)
class ProcessPages:
    """How the generic task pages show the tasks of a process that has no case.

    `context(session, user, task, channel)` is the task's side panel (a dict with the template to include under
    "panel", JSON-safe for the API); `subject(session, user, task)` names the task in the worklist;
    `follow_up(session, instance)` is another instance whose next task the same person goes on with right away;
    `subjects(session, user, tasks)` names a whole page of worklist rows at once ({task id: subject}).
    """

    context: Callable[..., dict[str, Any]]
    subject: Callable[..., str | None]
    follow_up: Callable[..., int | None]
    subjects: Callable[..., dict[int, str | None]] | None = None


def _signal_pages() -> ProcessPages:
    from webapp.signals import services

    return ProcessPages(
        services.task_context, services.task_subject, services.follow_up_instance, services.task_subjects
    )


def _citizen_pages() -> ProcessPages:
    from webapp.citizen import services

    return ProcessPages(
        services.task_context, services.task_subject, services.follow_up_instance, services.task_subjects
    )


PROCESS_PAGES: dict[str, Callable[[], ProcessPages]] = {
    "segnalazione": _signal_pages,
    "richiesta_cittadino": _citizen_pages,
}


def process_pages(process_key: str | None) -> ProcessPages | None:
    factory = PROCESS_PAGES.get(process_key or "")
    return factory() if factory is not None else None


def _prefill_intake(session, task: HumanTask, form, fresh: bool) -> None:
    """A presa in carico opened from a signal starts with the data the organization wrote."""
    if not fresh:
        return
    from webapp.signals.services import intake_prefill, prefill_form

    prefill_form(form, intake_prefill(session, task))


def _citizen_answer_choices(session, task: HumanTask, form, fresh: bool) -> None:
    from webapp.citizen.services import prepare_answer_form

    prepare_answer_form(session, task, form, fresh)


# form key -> preparer(session, task, form, fresh): fresh is True when nothing was submitted yet.
FORM_PREPARERS: dict[str, Callable[..., None]] = {
    "presa_in_carico": _prefill_intake,
    "risposta_richiesta_cittadino": _citizen_answer_choices,
}


def prepare_form(session, task: HumanTask, form, fresh: bool) -> None:
    preparer = FORM_PREPARERS.get(task.form_key or "")
    if preparer is not None:
        preparer(session, task, form, fresh)


def init_app(app) -> None:
    app.extensions["tessere_engine"] = build_engine()


def get_engine() -> Engine:
    return current_app.extensions["tessere_engine"]
