"""Deploy-time validation of a BPMN diagram: refuse, with reasons a manager understands, what must not run.

A diagram is refused when its XML is unsafe or not BPMN, when the engine cannot parse it, when it names a form,
operation or lane role Tessere does not know, when an expression is not allowed by the restricted evaluator, when
it contains scripts, or when it draws a loop as a back-edge (such loops grow the state without bound in
SpiffWorkflow: use a task's standard loop with a maximum instead). Every issue names the element it concerns, so
the modeler can mark it on the diagram.
"""

from __future__ import annotations

import logging
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
HUMAN_TASKS = ("userTask", "manualTask", "task")
REFUSED_ELEMENTS = {
    "scriptTask": "Le attività di tipo script non sono consentite: usare un'attività di servizio con un'operazione.",
    "businessRuleTask": "Le tabelle decisionali (DMN) non sono supportate.",
    "complexGateway": "I gateway complessi non sono supportati.",
    # What Tessere's engine does not run: the element is refused, with what to draw instead.
    "callActivity": "Il richiamo di un altro processo (call activity) non è supportato: disegnare un sottoprocesso.",
    "transaction": "Le transazioni non sono supportate: usare un sottoprocesso.",
    "adHocSubProcess": "I sottoprocessi ad hoc non sono supportati: usare un sottoprocesso.",
    "eventBasedGateway": "I gateway basati su eventi non sono supportati: usare un gateway esclusivo o un timer.",
    "sendTask": "Le attività di invio di messaggi non sono supportate: usare un'attività di servizio "
    "con un'operazione.",
    "receiveTask": "Le attività di ricezione di messaggi non sono supportate.",
    "multiInstanceLoopCharacteristics": "Le attività multi-istanza non sono supportate: usare un ciclo standard "
    "con un numero massimo di ripetizioni.",
    "dataStoreReference": "I depositi di dati (data store) non sono supportati.",
    "messageEventDefinition": "Gli eventi di messaggio non sono supportati.",
    "signalEventDefinition": "Gli eventi di segnale non sono supportati.",
    "conditionalEventDefinition": "Gli eventi condizionali non sono supportati: usare un gateway esclusivo.",
    "compensateEventDefinition": "Gli eventi di compensazione non sono supportati.",
    "escalationEventDefinition": "Gli eventi di escalation non sono supportati.",
    "linkEventDefinition": "Gli eventi di collegamento non sono supportati: collegare gli elementi con un flusso.",
}
# Event definitions are reported on the event that holds them (the element the modeler can mark).
_EVENT_DEFINITIONS = {name for name in REFUSED_ELEMENTS if name.endswith("EventDefinition")}
# A diagram bigger than this is not a case-management process: refused before the engine parses it.
MAX_FLOW_ELEMENTS = 1500
MAX_TIMER_REPETITIONS = 100

log = logging.getLogger(__name__)


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
    # The document as text to store: UTF-8, whatever encoding the file declared (None when it could not be read).
    text: str | None = None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _label(element: etree._Element) -> str:
    name = element.get("name")
    return f"«{name}»" if name else element.get("id", "?")


def validate_diagram(xml: bytes | str, rules: DiagramRules) -> ValidationResult:
    """Every reason to refuse the diagram, and what to deploy when there is none. Never raises: diagrams come from
    other tools and from people, and whatever they hold becomes a reason, not a crash."""
    try:
        return _validate(xml, rules)
    except Exception:  # noqa: BLE001 - an unexpected shape of XML is a refusal with a reason, never a server error
        log.exception("unexpected failure while validating a diagram")
        return ValidationResult(
            issues=[
                ValidationIssue(
                    None,
                    "Il diagramma non può essere verificato: contiene una struttura che Tessere non sa interpretare.",
                )
            ]
        )


def _validate(xml: bytes | str, rules: DiagramRules) -> ValidationResult:
    result = ValidationResult()
    try:
        root = parse_bpmn(xml)
    except UnsafeXml as exc:
        result.issues.append(ValidationIssue(None, str(exc)))
        return result
    result.text = _as_text(xml, root)

    size = sum(1 for element in root.iter() if isinstance(element.tag, str))
    if size > MAX_FLOW_ELEMENTS * 10:
        result.issues.append(ValidationIssue(None, f"Il diagramma è troppo grande ({size} elementi XML)."))
        return result

    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "").lower() == "true"]
    # Diagrams from other tools often leave isExecutable="false": such processes are checked all the same, so the
    # manager learns at once everything to change, and refused.
    candidates = executable or [p for p in processes if p.find("bpmn:startEvent", NS) is not None]
    if not candidates:
        result.issues.append(ValidationIssue(None, "Il diagramma non contiene alcun processo eseguibile."))
        return result

    lanes = _lane_of_nodes(root)
    for process in candidates:
        issues = _check_process(process, lanes, rules)
        if process not in executable:
            issues.insert(
                0,
                ValidationIssue(
                    process.get("id"),
                    f"Il processo {_label(process)} non è segnato come eseguibile (isExecutable): "
                    "nel modellatore, selezionarlo e attivare «Processo eseguibile».",
                ),
            )
        result.issues.extend(issues)
        if issues:
            continue
        try:
            spec_dict = parse_specs(root, process.get("id"))
        except ParseFailure as exc:
            result.issues.append(ValidationIssue(exc.element_id or process.get("id"), _italian_parse_failure(exc)))
            continue
        result.processes.append(
            ProcessCandidate(process.get("id"), process.get("name") or process.get("id"), spec_dict)
        )
    return result


def _as_text(xml: bytes | str, root: etree._Element) -> str:
    """The document as a str that declares (or implies) UTF-8, so it can be stored and parsed again as it is."""
    if isinstance(xml, str):
        return xml
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper().replace("_", "-")
    if encoding in ("UTF-8", "UTF8"):
        return xml.decode("utf-8")
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True).decode("utf-8")


_SPIFF_MESSAGES = (
    (re.compile(r"Data Store with name (.*)"), "Il deposito di dati «{0}» non è supportato."),
    (re.compile(r"Process (.*) is not executable"), "Il processo «{0}» non è segnato come eseguibile."),
    (re.compile(r"No start event"), "Il processo non ha un evento di inizio."),
)


def _italian_parse_failure(exc: ParseFailure) -> str:
    """SpiffWorkflow's parser speaks English: the known messages in Italian, the others inside an Italian frame."""
    text = str(exc).strip().rstrip(".").strip()
    for pattern, italian in _SPIFF_MESSAGES:
        match = pattern.search(text)
        if match:
            return italian.format(*(group.strip().rstrip(".") for group in match.groups()))
    if text.startswith("Il motore"):
        return text
    return f"Il motore non riesce a interpretare il processo: {text}."


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
    flow_elements = sum(1 for element in process.iter() if isinstance(element.tag, str))
    if flow_elements > MAX_FLOW_ELEMENTS:
        return [
            ValidationIssue(
                key or None,
                f"Il processo ha troppi elementi ({flow_elements}; massimo {MAX_FLOW_ELEMENTS}): "
                "dividerlo in processi più piccoli.",
            )
        ]

    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element)
        element_id = element.get("id")
        if tag in _EVENT_DEFINITIONS:
            event = element.getparent()
            issues.append(ValidationIssue(event.get("id"), f"{_label(event)}: {REFUSED_ELEMENTS[tag]}"))
        elif tag == "multiInstanceLoopCharacteristics":
            owner = element.getparent()
            issues.append(ValidationIssue(owner.get("id"), f"{_label(owner)}: {REFUSED_ELEMENTS[tag]}"))
        elif tag in REFUSED_ELEMENTS:
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
        elif tag == "timerEventDefinition":
            issues.extend(_check_timer_definition(element))
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
    if _local(task) == "task":
        # SpiffWorkflow waits for a person at a task with no type: without a form nobody could ever complete it.
        issues.append(
            ValidationIssue(
                element_id,
                f"{_label(task)}: attività senza tipo. Sceglierne il tipo: attività utente (con un modulo) "
                "o attività di servizio (con un'operazione).",
            )
        )
        return issues
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


def _check_timer_definition(definition) -> list[ValidationIssue]:
    event = definition.getparent()
    moments = [child for child in definition if isinstance(child.tag, str) and _local(child) != "documentation"]
    if not moments:
        return [ValidationIssue(event.get("id"), f"{_label(event)}: manca la scadenza del timer (es. P5D).")]
    return []


_CYCLE = re.compile(r"^R(\d*)/")


def _check_timer(element) -> list[ValidationIssue]:
    event = element.getparent().getparent()
    text = (element.text or "").strip()
    if _local(element) == "timeCycle":
        cycle = _CYCLE.match(text.strip("'\""))
        if cycle and not (cycle.group(1) and 1 <= int(cycle.group(1)) <= MAX_TIMER_REPETITIONS):
            return [
                ValidationIssue(
                    event.get("id"),
                    f"{_label(event)}: il timer ciclico deve indicare quante volte ripetersi "
                    f"(da 1 a {MAX_TIMER_REPETITIONS}, es. R3/P1D).",
                )
            ]
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
