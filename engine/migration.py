"""Moving a running instance from one version of its diagram to another.

SpiffWorkflow 3.2 compares two specs (`SpecDiff`: tasks aligned by BPMN id, with the attributes that changed) and can
re-point a workflow's tasks to the new spec. Its own `migrate_workflow` resets every ready or waiting task, which
would restart every running timer from the moment of the migration and drop what the task held; Tessere resets only
the tasks whose definition changed, keeps their data, and keeps the due moment of a timer whose duration did not
change.

An instance can move only when nothing it has already done or is doing disappears from the new version: a task it
completed, an open task, a running subprocess. Predicted tasks (paths not taken yet) follow the new diagram. The
whole migration happens on an in-memory copy of the workflow; the engine saves it only when the copy was serialized
and read back with the new spec without error, so an instance that cannot move is never touched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.util.task import TaskState

from engine import spiff_runtime as rt

_KEEP_ON_REMOVAL = TaskState.PREDICTED_MASK | TaskState.CANCELLED
_CHANGE_LABELS = {
    "extensions": "modulo, operazione o proprietà",
    "event_definition": "scadenza o evento",
    "lane": "corsia",
    "bpmn_name": "nome",
    "outputs": "collegamenti in uscita",
    "inputs": "collegamenti in ingresso",
    "cond_task_specs": "condizioni",
    "default_task_spec": "percorso predefinito",
    "documentation": "descrizione",
}


@dataclass
class MigrationOutcome:
    """What moving one workflow would do: `blockers` (why it cannot move, in Italian; empty when it can) and
    `notes` (what changes for the instance if it moves)."""

    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.blockers


def _title(task_spec) -> str:
    name = getattr(task_spec, "bpmn_name", None) or getattr(task_spec, "bpmn_id", None) or task_spec.name
    return f"«{' '.join(str(name).split())}»"


def _is_visible(task_spec) -> bool:
    """Whether a task spec is an element of the diagram (SpiffWorkflow adds a few of its own: Start, End, joins)."""
    return bool(getattr(task_spec, "bpmn_id", None))


def migrate_workflow(workflow, spec, subprocess_specs: dict) -> MigrationOutcome:
    """Re-point `workflow` (and its running subprocesses) to `spec`; mutates the workflow in place.

    Call it on a copy loaded for the purpose: when the outcome has blockers the workflow is left half-way and must be
    thrown away.
    """
    outcome = MigrationOutcome()
    registry = rt._SERIALIZER.registry
    pairs = [(workflow, SpecDiff(registry, workflow.spec, spec), spec)]
    for sub in workflow.subprocesses.values():
        new_sub = subprocess_specs.get(sub.spec.name)
        if new_sub is None:
            parent = workflow.get_task_from_id(sub.parent_task_id)
            outcome.blockers.append(
                f"il sottoprocesso {_title(parent.task_spec)}, in corso, non esiste più nella nuova versione"
            )
            continue
        pairs.append((sub, SpecDiff(registry, sub.spec, new_sub), new_sub))
    for wf, spec_diff, _new in pairs:
        _collect_blockers(WorkflowDiff(wf, spec_diff), outcome)
    if outcome.blockers:
        return outcome

    for wf, spec_diff, new in pairs:
        _apply(wf, WorkflowDiff(wf, spec_diff), spec_diff, new, outcome)
    workflow.subprocess_specs = subprocess_specs
    for wf, _diff, new in pairs:
        for task in wf.tasks.values():
            if new.task_specs.get(task.task_spec.name) is not task.task_spec:
                outcome.blockers.append(
                    f"l'elemento {_title(task.task_spec)} non trova corrispondenza nella nuova versione"
                )
    outcome.notes = list(dict.fromkeys(outcome.notes))
    outcome.blockers = list(dict.fromkeys(outcome.blockers))
    return outcome


def _collect_blockers(diff: WorkflowDiff, outcome: MigrationOutcome) -> None:
    for task in diff.removed:
        if task.has_state(_KEEP_ON_REMOVAL) or not _is_visible(task.task_spec):
            continue
        if task.has_state(TaskState.COMPLETED):
            what = "già svolta in questo caso"
        elif task.has_state(TaskState.READY):
            what = "aperta in questo momento"
        elif task.has_state(TaskState.WAITING | TaskState.STARTED):
            what = "in corso in questo momento"
        else:
            what = "attesa come prossimo passo"
        outcome.blockers.append(f"l'attività {_title(task.task_spec)}, {what}, non esiste più nella nuova versione")


def _apply(wf, diff: WorkflowDiff, spec_diff: SpecDiff, spec, outcome: MigrationOutcome) -> None:
    changed = spec_diff.changed
    changes = {task.id: changed[task.task_spec] for task in wf.tasks.values() if task.task_spec in changed}
    wf.spec = spec
    for task in list(wf.tasks.values()):
        new_spec = diff.alignment.get(task)
        if new_spec is not None:
            task.task_spec = new_spec

    # Paths not taken yet, and branches already cancelled, simply follow the new diagram.
    for task in diff.removed:
        if task.id in wf.tasks and task.has_state(_KEEP_ON_REMOVAL):
            wf._remove_task(task.id)

    for task in list(wf.get_tasks(state=TaskState.READY | TaskState.WAITING, skip_subprocesses=True)):
        keys = changes.get(task.id)
        if task.id not in wf.tasks or not keys:
            continue
        internal = copy.deepcopy(task.internal_data)
        task.reset_branch(copy.deepcopy(task.data))
        if "event_definition" in keys:
            if _is_visible(task.task_spec):
                outcome.notes.append(f"la scadenza di {_title(task.task_spec)} ricomincia dal momento della migrazione")
        else:
            task.internal_data.update(internal)
        if _is_visible(task.task_spec) and task.task_spec.manual:
            what = ", ".join(dict.fromkeys(_CHANGE_LABELS.get(k, k) for k in keys))
            outcome.notes.append(f"l'attività aperta {_title(task.task_spec)} cambia ({what})")

    # A running subprocess or loop keeps running; what follows it, and what is expected next, follows the new
    # diagram (iterations of a loop are "triggered" children, which SpiffWorkflow never removes here).
    for task in list(wf.get_tasks(state=TaskState.STARTED | TaskState.FUTURE, skip_subprocesses=True)):
        if task.id not in wf.tasks or not changes.get(task.id):
            continue
        if task.has_state(TaskState.STARTED):
            task._sync_children(task.task_spec.outputs, TaskState.FUTURE)
        else:
            task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)

    if wf.last_task is not None and wf.last_task.id not in wf.tasks:
        wf.last_task = None
