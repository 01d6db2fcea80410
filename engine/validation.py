"""Deploy-time validation of a BPMN diagram: refuse, with reasons a manager understands, what must not run.

A diagram is refused when its XML is unsafe or not BPMN, when the engine cannot parse it, when it names a form,
operation or lane role Tessere does not know, when an expression is not allowed by the restricted evaluator, when
it contains scripts, or when it draws a loop as a back-edge (such loops grow the state without bound in
SpiffWorkflow: use a task's standard loop with a maximum instead). Every issue names the element it concerns, so
the modeler can mark it on the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine import expressions
from engine.errors import ValidationIssue
from engine.spiff_runtime import ISO_DURATION, ParseFailure, parse_specs
from engine.xml_safety import UnsafeXml, parse_bpmn

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

FLOW_CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")
HUMAN_TASKS = ("userTask", "manualTask")
REFUSED_ELEMENTS = {
    "scriptTask": "Le attività di tipo script non sono consentite: usare un'attività di servizio con un'operazione.",
    "businessRuleTask": "Le tabelle decisionali (DMN) non sono supportate.",
    "complexGateway": "I gateway complessi non sono supportati.",
}


@dataclass(frozen=True)
class DiagramRules:
    """What this installation knows: form keys, operations and lane names (lower-cased) mapped to roles."""

    form_keys: frozenset[str]
    operations: frozenset[str]
    lane_roles: Mapping[str, str]


@dataclass
class ProcessCandidate:
    key: str
    name: str
    spec_dict: dict


@dataclass
class ValidationResult:
    issues: list[ValidationIssue] = field(default_factory=list)
    processes: list[ProcessCandidate] = field(default_factory=list)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _label(element: etree._Element) -> str:
    name = element.get("name")
    return f"«{name}»" if name else element.get("id", "?")


def validate_diagram(xml: bytes | str, rules: DiagramRules) -> ValidationResult:
    result = ValidationResult()
    try:
        root = parse_bpmn(xml)
    except UnsafeXml as exc:
        result.issues.append(ValidationIssue(None, str(exc)))
        return result

    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "").lower() == "true"] or [
        p for p in processes if len(p.xpath("bpmn:startEvent", namespaces=NS))
    ]
    if not executable:
        result.issues.append(ValidationIssue(None, "Il diagramma non contiene alcun processo eseguibile."))
        return result

    lanes = _lane_of_nodes(root)
    for process in executable:
        issues = _check_process(process, lanes, rules)
        result.issues.extend(issues)
        if issues:
            continue
        try:
            spec_dict = parse_specs(root, process.get("id"))
        except ParseFailure as exc:
            result.issues.append(ValidationIssue(exc.element_id or process.get("id"), str(exc)))
            continue
        result.processes.append(
            ProcessCandidate(process.get("id"), process.get("name") or process.get("id"), spec_dict)
        )
    return result


def _lane_of_nodes(root: etree._Element) -> dict[str, str]:
    lanes = {}
    for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS):
        if ref.text:
            lanes[ref.text.strip()] = (ref.getparent().get("name") or "").strip()
    return lanes


def _check_process(process: etree._Element, lanes: Mapping[str, str], rules: DiagramRules) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    key = process.get("id") or ""
    if not key.replace("_", "").replace("-", "").isalnum():
        issues.append(
            ValidationIssue(key or None, "L'identificativo del processo deve contenere solo lettere, cifre e _.")
        )
    has_lanes = bool(process.findall(".//bpmn:lane", NS))

    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element)
        element_id = element.get("id")
        if tag in REFUSED_ELEMENTS:
            issues.append(ValidationIssue(element_id, f"{_label(element)}: {REFUSED_ELEMENTS[tag]}"))
        elif tag in ("preScript", "postScript") and (element.text or "").strip():
            owner = element.getparent().getparent()
            issues.append(ValidationIssue(owner.get("id"), f"{_label(owner)}: gli script non sono consentiti."))
        elif tag in HUMAN_TASKS:
            issues.extend(_check_human_task(element, lanes, has_lanes, rules))
        elif tag == "serviceTask":
            issues.extend(_check_service_task(element, rules))
        elif tag == "conditionExpression":
            issues.extend(_check_expression(element.getparent(), element.text, "condizione"))
        elif tag in ("timeDuration", "timeDate", "timeCycle"):
            issues.extend(_check_timer(element))
        elif tag == "standardLoopCharacteristics":
            issues.extend(_check_standard_loop(element))
        elif tag in ("loopCardinality", "completionCondition"):
            issues.extend(_check_expression(element.getparent().getparent(), element.text, "espressione del ciclo"))

    for container in [process, *process.iter(*(f"{{{NS['bpmn']}}}{c}" for c in FLOW_CONTAINERS[1:]))]:
        issues.extend(_check_flow_graph(container))
    return issues


def _check_human_task(task, lanes, has_lanes, rules: DiagramRules) -> list[ValidationIssue]:
    issues = []
    element_id = task.get("id")
    props = {
        p.get("name"): p.get("value")
        for p in task.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)
    }
    form_key = props.get("formKey")
    if _local(task) == "userTask":
        if not form_key:
            issues.append(ValidationIssue(element_id, f"{_label(task)}: manca il modulo (proprietà formKey)."))
        elif form_key not in rules.form_keys:
            issues.append(ValidationIssue(element_id, f"{_label(task)}: modulo sconosciuto «{form_key}»."))
    lane = lanes.get(element_id)
    if lane is None:
        if not has_lanes or not _inherited_lane(task, lanes):
            issues.append(ValidationIssue(element_id, f"{_label(task)}: l'attività non è in nessuna corsia (ruolo)."))
    elif lane.lower() not in rules.lane_roles:
        issues.append(
            ValidationIssue(element_id, f"{_label(task)}: la corsia «{lane}» non corrisponde a un ruolo noto.")
        )
    return issues


def _inherited_lane(task, lanes) -> bool:
    """A task inside a subprocess that sits in a lane takes that lane (as SpiffWorkflow does)."""
    parent = task.getparent()
    while parent is not None and _local(parent) != "process":
        if parent.get("id") in lanes:
            return True
        parent = parent.getparent()
    return False


def _check_service_task(task, rules: DiagramRules) -> list[ValidationIssue]:
    operator = task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is None or not operator.get("id"):
        return [ValidationIssue(task.get("id"), f"{_label(task)}: manca l'operazione da eseguire.")]
    name = operator.get("id")
    if name not in rules.operations:
        return [ValidationIssue(task.get("id"), f"{_label(task)}: operazione sconosciuta «{name}».")]
    issues = []
    for parameter in operator.iterfind(".//spiffworkflow:parameter", NS):
        issues.extend(_check_expression(task, parameter.get("value"), f"parametro {parameter.get('id')}"))
    return issues


def _check_expression(owner, text: str | None, what: str) -> list[ValidationIssue]:
    expression = (text or "").strip()
    if not expression:
        return [ValidationIssue(owner.get("id"), f"{_label(owner)}: {what} vuota.")]
    return [
        ValidationIssue(owner.get("id"), f"{_label(owner)}, {what}: {p}")
        for p in expressions.check_expression(expression)
    ]


def _check_timer(element) -> list[ValidationIssue]:
    event = element.getparent().getparent()
    text = (element.text or "").strip()
    if ISO_DURATION.match(text):
        return []
    if re.match(r"^R?\d*/?P\d", text):
        return [
            ValidationIssue(
                event.get("id"),
                f"{_label(event)}: scadenza del timer non valida «{text}» "
                "(durate ISO 8601, es. P5D per cinque giorni, PT12H per dodici ore).",
            )
        ]
    issues = _check_expression(event, text, "scadenza del timer")
    if not issues:
        try:
            value = expressions.evaluate(text, {})
        except expressions.ExpressionError:
            return []  # depends on process data; checked when it runs
        if isinstance(value, str) and not (ISO_DURATION.match(value) or _is_iso_datetime(value)):
            issues.append(
                ValidationIssue(event.get("id"), f"{_label(event)}: scadenza del timer non valida «{value}» (es. P5D).")
            )
    return issues


def _is_iso_datetime(value: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_standard_loop(loop) -> list[ValidationIssue]:
    owner = loop.getparent()
    issues = []
    maximum = loop.get("loopMaximum")
    if not maximum or not maximum.isdigit() or not 1 <= int(maximum) <= 100:
        issues.append(
            ValidationIssue(
                owner.get("id"), f"{_label(owner)}: il ciclo deve avere un numero massimo di ripetizioni (da 1 a 100)."
            )
        )
    condition = loop.find("bpmn:loopCondition", NS)
    if condition is not None:
        issues.extend(_check_expression(owner, condition.text, "condizione del ciclo"))
    return issues


def _check_flow_graph(container) -> list[ValidationIssue]:
    """Refuse back-edges (cycles of sequence flows) and nodes nothing can reach, inside one flow container."""
    nodes: dict[str, etree._Element] = {}
    edges: dict[str, list[tuple[str, str]]] = {}
    incoming: set[str] = set()
    for child in container:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child)
        if tag == "sequenceFlow":
            source, target = child.get("sourceRef"), child.get("targetRef")
            edges.setdefault(source, []).append((target, child.get("id")))
            incoming.add(target)
        elif tag not in (
            "laneSet",
            "extensionElements",
            "documentation",
            "dataObject",
            "dataObjectReference",
            "dataStoreReference",
            "textAnnotation",
            "association",
            "group",
            "ioSpecification",
            "property",
            "standardLoopCharacteristics",
            "multiInstanceLoopCharacteristics",
            "incoming",
            "outgoing",
        ):
            nodes[child.get("id")] = child
    for node_id, node in nodes.items():
        if _local(node) == "boundaryEvent":
            edges.setdefault(node.get("attachedToRef"), []).append((node_id, None))
            incoming.add(node_id)

    issues = []
    for node_id, node in nodes.items():
        tag = _local(node)
        if (
            node_id not in incoming
            and tag not in ("startEvent", "boundaryEvent")
            and not (tag == "subProcess" and node.get("triggeredByEvent") == "true")
        ):
            issues.append(
                ValidationIssue(node_id, f"{_label(node)}: elemento irraggiungibile (nessun flusso in ingresso).")
            )

    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    reported: set[str] = set()

    def visit(start: str) -> None:
        stack = [(start, iter(edges.get(start, [])))]
        colour[start] = grey
        while stack:
            node_id, children = stack[-1]
            for target, flow_id in children:
                if colour.get(target) == grey and flow_id and flow_id not in reported:
                    reported.add(flow_id)
                    issues.append(
                        ValidationIssue(
                            flow_id,
                            "Ciclo disegnato con un flusso all'indietro verso "
                            f"{_label(nodes[target])}: usare un sottoprocesso con ciclo standard "
                            "e numero massimo di ripetizioni.",
                        )
                    )
                elif colour.get(target) == white:
                    colour[target] = grey
                    stack.append((target, iter(edges.get(target, []))))
                    break
            else:
                colour[node_id] = black
                stack.pop()

    for node_id in nodes:
        if colour[node_id] == white:
            visit(node_id)
    return issues
