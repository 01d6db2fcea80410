"""Named domain operations that BPMN service tasks may call.

A diagram never contains code: a service task names an operation (`spiffworkflow:serviceTaskOperator id="..."`)
that the application registered here. Deploy-time validation refuses names that are not registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass
class OperationContext:
    """What an operation may use: the step's session (same transaction), who acted, and the task data.

    `data` is the live task data: an operation may read it and write results into it (ids of domain rows it
    created, for example). `params` are the service task's parameters, already evaluated.
    """

    session: Session
    instance_id: int
    process_key: str
    actor: Any
    data: dict[str, Any]
    params: dict[str, Any]
    now: datetime
    element_id: str
    notes: list[str] = field(default_factory=list)
    forget: set[str] = field(default_factory=set)

    def forget_keys(self, *keys: str) -> None:
        """Remove these keys from the data of every task of the instance once the step has run.

        Personal data typed into a form is moved into domain tables by an operation; forgetting it keeps it out of
        the stored process state (SpiffWorkflow keeps a copy of the data on every task).
        """
        self.forget.update(keys)


Operation = Callable[[OperationContext], dict[str, Any] | None]


@dataclass(frozen=True)
class RegisteredOperation:
    name: str
    label: str
    function: Operation


class OperationRegistry:
    """The catalogue of operations a diagram may compose; filled by the application at start-up."""

    def __init__(self) -> None:
        self._operations: dict[str, RegisteredOperation] = {}

    def register(self, name: str, label: str) -> Callable[[Operation], Operation]:
        """Decorator: `@registry.register("referral.send", "Invia il caso all'organizzazione")`."""

        def decorator(function: Operation) -> Operation:
            if name in self._operations:
                raise ValueError(f"operation {name!r} registered twice")
            self._operations[name] = RegisteredOperation(name, label, function)
            return function

        return decorator

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[RegisteredOperation]:
        return iter(sorted(self._operations.values(), key=lambda op: op.name))

    def get(self, name: str) -> RegisteredOperation:
        return self._operations[name]
