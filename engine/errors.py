"""Exceptions the engine raises, each carrying a message a person can read (in Italian)."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """A process could not advance for a reason that is not the user's input (a bug or a broken diagram)."""


class TaskNotFound(EngineError):
    """The task does not exist or the actor may not see it (the two are indistinguishable on purpose)."""


class TaskConflict(EngineError):
    """The task is no longer open, or someone else advanced the same instance first."""


class OperationRefused(EngineError):
    """A domain operation refused the step (for example: no places left); the whole step is rolled back.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ValidationIssue:
    """One reason a diagram was refused, tied to the BPMN element it concerns (None for the whole file)."""

    element_id: str | None
    message: str

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "message": self.message}


class DeployRefused(EngineError):
    """A diagram was refused at deploy time; `issues` lists every reason found."""

    def __init__(self, issues: list[ValidationIssue]):
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues
