"""Where an instance stands, element by element: what the diagram viewer colours.

The journal says what happened; this reads the workflow state and says, for each BPMN element, whether it has been
completed, is active (a person's task is open, a subprocess is running) or is waiting (a timer, a join). An element
that ran several times (inside a loop) takes its most pressing state: error, then active, then waiting, then
completed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

COMPLETED, ACTIVE, WAITING, ERROR = "completed", "active", "waiting", "error"
_PRIORITY = {COMPLETED: 1, WAITING: 2, ACTIVE: 3, ERROR: 4}
_STATES = {
    TaskState.COMPLETED: COMPLETED,
    TaskState.READY: ACTIVE,
    TaskState.STARTED: ACTIVE,
    TaskState.WAITING: WAITING,
    TaskState.ERROR: ERROR,
}


@dataclass
class ElementStates:
    """`states`: BPMN element id -> completed | active | waiting | error; `completed_count`: how many times each
    element was completed (more than once inside loops)."""

    states: dict[str, str] = field(default_factory=dict)
    completed_count: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        # `order`: the elements in the order the instance reached them (JSON objects may be re-sorted by key)
        return {"states": self.states, "completed_count": self.completed_count, "order": list(self.states)}


def element_states(workflow) -> ElementStates:
    """The state of every element of the workflow's diagram that has been reached (subprocesses included)."""
    # Finished subprocesses are pruned from the stored state (spiff_runtime.prune_finished_subprocesses): their
    # elements come first, in the order they completed, from the counter kept for them.
    completed: Counter[str] = Counter(getattr(workflow, "tessere_pruned_completions", None) or {})
    states: dict[str, str] = dict.fromkeys(completed, COMPLETED)
    for task in workflow.get_tasks():
        element_id = getattr(task.task_spec, "bpmn_id", None)
        state = _STATES.get(task.state)
        if not element_id or state is None:
            continue
        if state == COMPLETED and not isinstance(task.task_spec, LoopTask):  # count iterations, not the loop too
            completed[element_id] += 1
        if _PRIORITY[state] > _PRIORITY.get(states.get(element_id, ""), 0):
            states[element_id] = state
    return ElementStates(states, dict(completed))
