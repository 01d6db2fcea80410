"""Tessere's workflow runtime: BPMN diagrams run by SpiffWorkflow, persisted in SQL.

The engine knows nothing of associations or referrals. It deploys diagrams as immutable versions, starts and
advances process instances one database transaction per step, keeps a worklist of human tasks, fires timers, and
calls *named operations* that the application registers for service tasks. Diagrams are untrusted input: no
Python from a diagram ever runs (see `expressions` and `validation`).

Public surface::

    from engine import Engine, Actor, OperationRegistry, OperationContext
    from engine import DeployRefused, TaskConflict, TaskNotFound, OperationRefused, EngineError
    from engine.models import Base, ProcessVersion, ProcessInstance, HumanTask, JournalEntry

Nothing outside this package imports SpiffWorkflow.
"""

from engine.errors import DeployRefused, EngineError, OperationRefused, TaskConflict, TaskNotFound, ValidationIssue
from engine.operations import OperationContext, OperationRegistry
from engine.service import Actor, Engine

__all__ = [
    "Actor",
    "DeployRefused",
    "Engine",
    "EngineError",
    "OperationContext",
    "OperationRefused",
    "OperationRegistry",
    "TaskConflict",
    "TaskNotFound",
    "ValidationIssue",
]
