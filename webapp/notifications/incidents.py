"""Incidents of web requests: a step that raised while a person used a page or the API.

The step itself is rolled back whole (the engine's contract: the instance, its tasks and the domain rows stay as
they were, and the person can simply do the task again once the cause is fixed). What remains is this record,
written afterwards in a transaction of its own: who, which task and instance, the error and its traceback, so that
administrators see it on the incident list next to the processes the worker parked in error, and mark it resolved.

Which task and instance failed is read from the engine's own frames in the traceback (`Engine.complete` has the
task id, `Engine.start`/`complete` the instance): the engine raises ordinary exceptions and knows nothing of Flask
or of incidents, and every caller (pages, API, other modules' services) is covered without passing anything down.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from flask import Flask, current_app, got_request_exception, has_request_context, request
from flask_login import current_user
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from engine import Engine, OperationRefused, TaskConflict, TaskNotFound
from engine.errors import DeployRefused
from engine.models import HumanTask, ProcessInstance
from webapp.notifications.models import RequestIncident

# The person's own input or a concurrent change, answered on the page itself: not an incident.
NOT_INCIDENTS = (TaskNotFound, TaskConflict, OperationRefused, DeployRefused)


@dataclass(frozen=True)
class StepContext:
    task_id: int | None = None
    instance_id: int | None = None


def _identity(obj) -> int | None:
    """The primary key of an ORM object without loading anything (the session may be in a failed state)."""
    try:
        identity = inspect(obj).identity
    except Exception:  # noqa: BLE001 - not an ORM object, or not yet flushed
        return None
    return identity[0] if identity else None


def step_from_traceback(tb: TracebackType | None) -> StepContext:
    """The task and instance of the innermost engine call in the traceback (None where not found)."""
    task_id = instance_id = None
    while tb is not None:
        frame_locals = tb.tb_frame.f_locals
        if isinstance(frame_locals.get("self"), Engine):
            if isinstance(frame_locals.get("task_id"), int):
                task_id = frame_locals["task_id"]
            instance = frame_locals.get("instance")
            if isinstance(instance, ProcessInstance):
                instance_id = _identity(instance) or instance_id
            elif isinstance(frame_locals.get("instance_id"), int):
                instance_id = frame_locals["instance_id"]
        tb = tb.tb_next
    return StepContext(task_id=task_id, instance_id=instance_id)


def _text(value: str, limit: int, keep_end: bool = False) -> str:
    """Storable text: NUL bytes shown (PostgreSQL refuses them, and an error about hostile input may quote them),
    cut to the column's size (a traceback keeps its end, where the error is)."""
    value = value.replace("\x00", "\\x00")
    return value[-limit:] if keep_end else value[:limit]


def is_incident(exc: BaseException) -> bool:
    return isinstance(exc, Exception) and not isinstance(exc, NOT_INCIDENTS)


def record_request_failure(session: Session, exc: BaseException, now: datetime | None = None) -> RequestIncident | None:
    """Roll the failed step back, then store the incident in a transaction of its own; returns it (None if the
    error is not an incident or the database cannot even take the record, which is then only logged)."""
    if not is_incident(exc) or not has_request_context():
        return None
    context = step_from_traceback(exc.__traceback__)
    user_id = _identity(current_user._get_current_object()) if current_user.is_authenticated else None
    session.rollback()  # nothing of the step remains; from here on a fresh transaction
    try:
        user_label = "Visitatore non autenticato"
        if user_id is not None:
            user_label = f"{current_user.name} <{current_user.email}>"
        task_title = None
        instance_id = context.instance_id
        if context.task_id is not None:
            task = session.get(HumanTask, context.task_id)
            if task is not None:
                task_title = task.title
                instance_id = instance_id or task.instance_id
        incident = RequestIncident(
            occurred_at=now or datetime.now(UTC),
            user_id=user_id,
            user_label=_text(user_label, 200),
            method=_text(request.method, 10),
            path=_text(request.path, 500),
            endpoint=_text(request.endpoint or "", 200) or None,
            instance_id=instance_id,
            task_id=context.task_id,
            task_title=_text(task_title or "", 300) or None,
            error_type=_text(f"{type(exc).__module__}.{type(exc).__qualname__}", 200),
            error_message=_text(str(exc) or type(exc).__name__, 2000),
            error_traceback=_text("".join(traceback.format_exception(exc)), 16000, keep_end=True),
        )
        session.add(incident)
        session.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed; the log still has the error
        session.rollback()
        current_app.logger.exception("l'incidente della richiesta non è stato registrato")
        return None
    return incident


def open_incident_count(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(RequestIncident).where(RequestIncident.resolved_at.is_(None)))
        or 0
    )


def resolve(session: Session, incident_id: int, user_id: int, now: datetime | None = None) -> RequestIncident | None:
    """An administrator marks the incident resolved (the cause fixed, the person told to repeat the task)."""
    incident = session.get(RequestIncident, incident_id)
    if incident is None:
        return None
    if incident.resolved_at is None:
        incident.resolved_at = now or datetime.now(UTC)
        incident.resolved_by_id = user_id
    return incident


def init_app(app: Flask) -> None:
    """Record every unhandled exception of a request (the engine-error page records its own, see webapp)."""
    from webapp.extensions import db

    def on_exception(sender, exception: BaseException, **extra) -> None:
        record_request_failure(db.session, exception)  # Flask itself logs the exception

    got_request_exception.connect(on_exception, app, weak=False)
