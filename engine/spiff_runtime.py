"""The only module that talks to SpiffWorkflow: parsing, (de)serialization and the restricted script engine.

Known traps of SpiffWorkflow 3.2 handled here: a process parsed with the spiff parser needs the spiff serializer
configuration; task data must hold only JSON-safe values (we deep-copy form data and store ISO strings); timers
fire only when waiting tasks are refreshed, and use the wall clock, so `fire_timers` marks due timers as fired
against the engine's notion of "now"; the stock script engine evaluates Python with `eval`, so ours replaces
expression evaluation with `engine.expressions` and refuses scripts altogether.
"""

from __future__ import annotations

import json
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import expressions

__all__ = [
    "ParseFailure",
    "RestrictedScriptEngine",
    "SpiffWorkflowException",
    "TaskState",
    "WorkflowException",
    "fire_due_timers",
    "load_workflow",
    "new_workflow",
    "parse_specs",
    "pending_timers",
    "ready_user_tasks",
    "serialize_state",
    "task_by_id",
    "timer_due_of_task",
]


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a workflow without converting its specs: they are stored once per version, and converting them
    at every step only to throw them away cost about a tenth of a step."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        pruned = pruned_completions(workflow)
        if pruned:
            dct[_PRUNED_KEY] = dict(pruned)
        return dct

    def from_dict(self, dct):
        pruned = dct.pop(_PRUNED_KEY, None)
        workflow = super().from_dict(dct)
        if pruned:
            workflow.tessere_pruned_completions = Counter(pruned)
        return workflow


_PRUNED_KEY = "tessere_pruned"


class _EmptyDataTaskConverter(TaskConverter):
    """A task that has no data yet (one SpiffWorkflow predicts but has not reached) is stored as empty data.

    The stock converter stores a task's data as a delta from its parent's, so each predicted task listed every
    key of its parent as "deleted": a fifth of the state. An empty delta restores as empty data just the same.
    """

    def to_dict(self, task):
        dct = super().to_dict(task)
        if task.parent is not None and not task.data:
            dct["delta"] = {}
        return dct


_SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure(
        {**SPIFF_CONFIG, BpmnWorkflow: _StateOnlyWorkflowConverter, Task: _EmptyDataTaskConverter}
    )
)

ISO_DURATION = re.compile(r"^R?\d*/?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


class ParseFailure(ValueError):
    """SpiffWorkflow could not build a runnable process; carries the element id when it is known."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


class RestrictedScriptEngine(PythonScriptEngine):
    """Evaluates diagram expressions with the restricted evaluator and sends service tasks to named operations.

    `call_operation(task, name, params)` is supplied per step by the engine service: it runs the registered
    operation inside the step's transaction and returns a dict merged into the task data.
    """

    def __init__(self, call_operation: Callable[[Any, str, dict], dict | None] | None = None):
        super().__init__()
        self._call_operation = call_operation

    def validate(self, expression: str) -> None:
        problems = expressions.check_expression(expression)
        if problems:
            raise expressions.ExpressionError("; ".join(problems))

    def evaluate(self, task, expression, external_context=None):
        text = (expression or "").strip()
        if ISO_DURATION.match(text):
            return text  # a timer written as P5D rather than "P5D"
        context = dict(task.data)
        if external_context:
            context.update(external_context)
        try:
            return expressions.evaluate(text, context)
        except expressions.ExpressionError as exc:
            raise WorkflowException(str(exc), task_spec=task.task_spec) from None

    def execute(self, task, script, external_context=None):
        raise WorkflowException("Gli script non sono consentiti nei diagrammi di Tessere.", task_spec=task.task_spec)

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        if self._call_operation is None:
            raise WorkflowException(f"Operazione {operation_name} non disponibile in questo contesto.")
        params = {name: spec.get("value") for name, spec in (operation_params or {}).items()}
        result = self._call_operation(task, operation_name, params)
        if result:
            task.data.update(json.loads(json.dumps(result)))
        return "null"


def parse_specs(root: etree._Element, process_id: str) -> dict:
    """Build the serialized spec (process and its subprocesses) of one process of a parsed document."""
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ParseFailure(str(exc).splitlines()[0], getattr(exc, "id", None)) from None
    except (SpiffWorkflowException, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ParseFailure(f"Il motore non riesce a interpretare il processo: {exc}") from None
    return {
        "spec": _SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: _SERIALIZER.to_dict(sub) for name, sub in subprocess_specs.items()},
    }


class _CachedSpecRef:
    """Placeholder type: a state dict points at an already restored spec instead of carrying the spec itself."""


_SPEC_OBJECTS: OrderedDict[str, Any] = OrderedDict()
_SPEC_CACHE_SIZE = 64
_SERIALIZER.registry.register(
    _CachedSpecRef, lambda ref: {}, lambda dct: _SPEC_OBJECTS[dct["key"]], typename="TessereCachedSpec"
)


def _cached_spec_refs(cache_key: str, spec_json: Callable[[], str]) -> tuple[dict, dict]:
    """References to the restored spec objects of a version, restoring them once per process.

    Specs are immutable once deployed and SpiffWorkflow shares one spec among all its workflows, so every
    instance of a version can use the same objects; only the instance state is deserialized at each step.
    """
    top_key = f"{cache_key}:spec"
    if top_key not in _SPEC_OBJECTS:
        spec_dict = json.loads(spec_json())
        restored = {top_key: _SERIALIZER.from_dict(spec_dict["spec"])}
        for name, sub in spec_dict["subprocess_specs"].items():
            restored[f"{cache_key}:sub:{name}"] = _SERIALIZER.from_dict(sub)
        restored[f"{cache_key}:names"] = list(spec_dict["subprocess_specs"])
        _SPEC_OBJECTS.update(restored)
        while len(_SPEC_OBJECTS) > _SPEC_CACHE_SIZE * 4:
            _SPEC_OBJECTS.popitem(last=False)
    names = _SPEC_OBJECTS[f"{cache_key}:names"]
    ref = {"typename": "TessereCachedSpec", "key": top_key}
    subs = {name: {"typename": "TessereCachedSpec", "key": f"{cache_key}:sub:{name}"} for name in names}
    return ref, subs


def new_workflow(cache_key: str, spec_json: Callable[[], str], script_engine: RestrictedScriptEngine) -> BpmnWorkflow:
    ref, subs = _cached_spec_refs(cache_key, spec_json)
    spec = _SERIALIZER.registry.restore(ref)
    subprocess_specs = {name: _SERIALIZER.registry.restore(sub) for name, sub in subs.items()}
    return BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)


def serialize_state(workflow: BpmnWorkflow) -> str:
    """The instance state without the specs (they are stored once per version), its task lists compacted."""
    state = _SERIALIZER.to_dict(workflow)
    _compact_workflow(state)
    for subprocess in state.get("subprocesses", {}).values():
        _compact_workflow(subprocess)
    return json.dumps(state, separators=(",", ":"))


# Compact task lists. SpiffWorkflow writes each workflow's tasks as {id: {"id", "parent", "children", ...}} with
# every field, defaults included: a task id (36 characters) appears about four times and the default values of
# a predicted task take more room than its content. Stored here as a list in the same order, each task's id once,
# parent and children as positions in the list, short field names, defaults left out. `_expand_workflow` gives
# SpiffWorkflow back exactly its own dictionary (states stored before this format, a mapping, pass unchanged).
_FIELDS = (("task_spec", "s"), ("state", "t"), ("last_state_change", "l"))


def _compact_workflow(dct: dict) -> None:
    tasks = dct["tasks"]
    position = {task_id: index for index, task_id in enumerate(tasks)}
    compact = []
    for task_id, task in tasks.items():
        entry = {"i": task_id}
        for name, short in _FIELDS:
            entry[short] = task[name]
        if task["parent"] is not None:
            entry["p"] = position.get(task["parent"], task["parent"])
        if task["children"]:
            entry["c"] = [position.get(child, child) for child in task["children"]]
        if task["triggered"]:
            entry["g"] = 1
        if task["internal_data"]:
            entry["n"] = task["internal_data"]
        if task["data"]:
            entry["d"] = task["data"]
        delta = task["delta"]
        if delta:  # a non-empty delta means "the parent's data, with these changes" (even with no change)
            entry["u"] = delta.get("updates") or {}
            if delta.get("deletions"):
                entry["x"] = delta["deletions"]
        if task.get("typename", "Task") != "Task":
            entry["y"] = task["typename"]
        compact.append(entry)
    dct["tasks"] = compact


def _expand_workflow(dct: dict) -> None:
    compact = dct["tasks"]
    if not isinstance(compact, list):
        return
    ids = [entry["i"] for entry in compact]

    def task_id(reference):
        return ids[reference] if isinstance(reference, int) else reference

    tasks = {}
    for entry in compact:
        task = {"id": entry["i"]}
        for name, short in _FIELDS:
            task[name] = entry[short]
        task["parent"] = task_id(entry["p"]) if "p" in entry else None
        task["children"] = [task_id(child) for child in entry.get("c", ())]
        task["triggered"] = bool(entry.get("g"))
        task["internal_data"] = entry.get("n", {})
        task["data"] = entry.get("d", {})
        task["delta"] = {"updates": entry["u"], "deletions": entry.get("x", [])} if "u" in entry else {}
        task["typename"] = entry.get("y", "Task")
        tasks[entry["i"]] = task
    dct["tasks"] = tasks


def load_workflow(
    cache_key: str, spec_json: Callable[[], str], state_json: str, script_engine: RestrictedScriptEngine
) -> BpmnWorkflow:
    state = json.loads(state_json)
    _expand_workflow(state)
    for subprocess in state.get("subprocesses", {}).values():
        _expand_workflow(subprocess)
    state["spec"], state["subprocess_specs"] = _cached_spec_refs(cache_key, spec_json)
    workflow = _SERIALIZER.from_dict(state)
    workflow.script_engine = script_engine
    return workflow


def pruned_completions(workflow: BpmnWorkflow) -> Counter:
    """How many times each element of the subprocesses pruned from this workflow had completed (see below)."""
    return getattr(workflow, "tessere_pruned_completions", None) or Counter()


def prune_finished_subprocesses(workflow: BpmnWorkflow) -> None:
    """Drop the subprocesses that have finished (their call activity is completed or cancelled) from the state.

    Why: SpiffWorkflow keeps every finished subprocess with its whole task tree, so each re-referral added about
    7 KB to the state that every later step deserialized and serialized again. Nothing reads them afterwards:
    their data went to the call activity when they ended, the history lives in the journal and the domain tables,
    and SpiffWorkflow only looks a subprocess up again while its call activity is still running (a pruned one
    whose call activity were not finished would be started again: hence the check on the parent task). The only
    thing the diagram viewer needs of them, how many times each element completed, is kept as a counter
    (`pruned_completions`, stored with the state) that `element_states` adds to the live tasks.
    """
    finished = (TaskState.COMPLETED, TaskState.CANCELLED)
    for parent_id, subprocess in list(workflow.subprocesses.items()):
        if parent_id not in workflow.subprocesses or not subprocess.completed:
            continue  # already removed with its parent subprocess, or still running
        parent = task_by_id(workflow, str(parent_id))
        if parent is None or parent.state not in finished:
            continue
        counts = pruned_completions(workflow)
        for task in workflow.delete_subprocess(parent):
            if task.state == TaskState.COMPLETED and not isinstance(task.task_spec, LoopTask):
                element_id = getattr(task.task_spec, "bpmn_id", None)
                if element_id:
                    counts[element_id] += 1
        workflow.tessere_pruned_completions = counts


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def task_by_id(workflow: BpmnWorkflow, spiff_task_id: str):
    """The task with this id, or None: a task of a finished subprocess is gone from the state once it is pruned
    (a person completing a task another person has just completed meets exactly that)."""
    try:
        return workflow.get_task_from_id(UUID(spiff_task_id))
    except TaskNotFoundException:
        return None


def _waiting_timer_tasks(workflow: BpmnWorkflow) -> Iterable:
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            yield task


def _timer_moment(task) -> datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timers keep {"next": iso, ...}
        value = value.get("next")
    if not value:
        return None
    try:
        return TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None


def pending_timers(workflow: BpmnWorkflow) -> list[datetime]:
    """When each waiting timer of the instance is due."""
    return [moment for task in _waiting_timer_tasks(workflow) if (moment := _timer_moment(task)) is not None]


def timer_due_of_task(user_task) -> datetime | None:
    """The moment an interrupting boundary timer will take this user task away, if it has one."""
    parent = user_task.parent
    if parent is None:
        return None
    moments = []
    for sibling in parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) and getattr(sibling.task_spec, "cancel_activity", False):
            moment = _timer_moment(sibling)
            if moment is not None:
                moments.append(moment)
    return min(moments) if moments else None


def fire_due_timers(workflow: BpmnWorkflow, now: datetime) -> list[str]:
    """Mark every timer due at `now` as fired and advance the workflow; returns the fired elements' ids."""
    fired = []
    for task in list(_waiting_timer_tasks(workflow)):
        moment = _timer_moment(task)
        if moment is not None and moment <= now:
            task._set_internal_data(event_fired=True)
            fired.append(task.task_spec.bpmn_id)
    if fired:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    return fired


def refresh(workflow: BpmnWorkflow) -> None:
    """Run everything the engine can run without a person (and compute new timers' due moments)."""
    workflow.do_engine_steps()
    workflow.refresh_timers()


def forget_keys(workflow: BpmnWorkflow, keys: set[str]) -> None:
    """Drop keys from the data of every task (top level and subprocesses) and of the workflows themselves."""
    if not keys:
        return
    workflows = [workflow, *workflow.subprocesses.values()]
    for wf in workflows:
        for key in keys:
            wf.data.pop(key, None)
        for task in wf.tasks.values():
            for key in keys:
                task.data.pop(key, None)


def task_title(task) -> str:
    return task.task_spec.bpmn_name or task.task_spec.bpmn_id


def task_lane(task) -> str | None:
    return task.task_spec.lane


def task_form_key(task) -> str | None:
    return (task.task_spec.extensions or {}).get("properties", {}).get("formKey")
