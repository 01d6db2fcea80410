"""What changed between two versions of a diagram, element by element, in words a manager reads.

The comparison reads the BPMN XML (not the engine's specs): it is about what people drew — names, forms,
operations, lanes, timers, conditions, connections — and its element ids are the ones the diagram viewer marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from lxml import etree

from engine.xml_safety import parse_bpmn

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}

TYPE_LABELS = {
    "process": _l("Processo"),
    "participant": _l("Partecipante"),
    "lane": _l("Corsia"),
    "startEvent": _l("Evento di inizio"),
    "endEvent": _l("Evento di fine"),
    "intermediateCatchEvent": _l("Evento intermedio"),
    "intermediateThrowEvent": _l("Evento intermedio"),
    "boundaryEvent": _l("Evento di bordo"),
    "userTask": _l("Attività utente"),
    "manualTask": _l("Attività manuale"),
    "serviceTask": _l("Attività di servizio"),
    "scriptTask": _l("Attività script"),
    "sendTask": _l("Attività di invio"),
    "receiveTask": _l("Attività di ricezione"),
    "businessRuleTask": _l("Regola di business"),
    "task": lazy_pgettext("bpmn", "Attività"),
    "callActivity": _l("Richiamo di processo"),
    "subProcess": _l("Sottoprocesso"),
    "exclusiveGateway": _l("Gateway esclusivo"),
    "inclusiveGateway": _l("Gateway inclusivo"),
    "parallelGateway": _l("Gateway parallelo"),
    "eventBasedGateway": _l("Gateway a eventi"),
    "complexGateway": _l("Gateway complesso"),
    "sequenceFlow": _l("Flusso"),
    "textAnnotation": _l("Annotazione"),
    "dataObjectReference": _l("Oggetto dati"),
    "dataStoreReference": _l("Deposito dati"),
}
# What is compared, and how each aspect is called in the list of changes.
ASPECT_LABELS = {
    "type": _l("tipo"),
    "name": _l("nome"),
    "documentation": _l("descrizione"),
    "form": _l("modulo"),
    "operation": _l("operazione"),
    "parameters": _l("parametri dell'operazione"),
    "lane": _l("corsia"),
    "condition": _l("condizione"),
    "default": _l("percorso predefinito"),
    "timer": _l("scadenza"),
    "events": _l("tipo di evento"),
    "interrupting": _l("interrompe l'attività"),
    "attached_to": _l("attaccato a"),
    "source": _l("origine"),
    "target": _l("destinazione"),
    "loop": _l("ciclo"),
    "executable": _l("eseguibile"),
}
_SKIPPED = {
    "extensionElements",
    "documentation",
    "incoming",
    "outgoing",
    "laneSet",
    "flowNodeRef",
    "conditionExpression",
    "standardLoopCharacteristics",
    "multiInstanceLoopCharacteristics",
    "loopCondition",
    "ioSpecification",
    "dataInput",
    "dataOutput",
    "inputSet",
    "outputSet",
    "property",
    "text",
}


@dataclass
class ElementChange:
    element_id: str
    kind: str  # added | removed | changed
    type_label: str
    name: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "element_id": self.element_id,
            "kind": self.kind,
            "type": self.type_label,
            "name": self.name,
            "details": self.details,
        }


def _local(element) -> str:
    return etree.QName(element).localname


def _text(element) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _signatures(xml: str) -> dict[str, dict]:
    root = parse_bpmn(xml)
    lanes = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    signatures: dict[str, dict] = {}
    containers = [*root.iterfind("bpmn:collaboration", NS), *root.iterfind("bpmn:process", NS)]
    for container in containers:
        for element in container.iter():
            if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN:
                continue
            tag = _local(element)
            element_id = element.get("id")
            if not element_id or tag in _SKIPPED or tag.endswith("EventDefinition"):
                continue
            signatures[element_id] = _signature(element, tag, lanes)
    return signatures


def _signature(element, tag: str, lanes: dict[str, str]) -> dict:
    sig: dict[str, str] = {
        "type": str(TYPE_LABELS.get(tag, tag)),
        "name": " ".join((element.get("name") or "").split()),
    }
    sig["documentation"] = " ".join(_text(doc) for doc in element.findall("bpmn:documentation", NS)).strip()
    props = {
        p.get("name"): p.get("value")
        for p in element.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)
    }
    if props.get("formKey"):
        sig["form"] = props["formKey"]
    operator = element.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is not None:
        sig["operation"] = operator.get("id") or ""
        params = [f"{p.get('id')}={p.get('value')}" for p in operator.iterfind(".//spiffworkflow:parameter", NS)]
        if params:
            sig["parameters"] = ", ".join(sorted(params))
    if element.get("id") in lanes:
        sig["lane"] = lanes[element.get("id")]
    if tag == "sequenceFlow":
        sig["source"] = element.get("sourceRef") or ""
        sig["target"] = element.get("targetRef") or ""
        condition = element.find("bpmn:conditionExpression", NS)
        if condition is not None:
            sig["condition"] = _text(condition)
    if element.get("default"):
        sig["default"] = element.get("default")
    if tag == "boundaryEvent":
        sig["attached_to"] = element.get("attachedToRef") or ""
        sig["interrupting"] = "no" if element.get("cancelActivity") == "false" else "sì"
    if tag == "process":
        sig["executable"] = "sì" if element.get("isExecutable") == "true" else "no"
    events = [_local(child) for child in element if isinstance(child.tag, str) and _local(child).endswith("Definition")]
    if events:
        sig["events"] = ", ".join(sorted(events))
    timer = [
        _text(moment)
        for moment in element.iterfind("bpmn:timerEventDefinition/*", NS)
        if _local(moment) in ("timeDuration", "timeDate", "timeCycle")
    ]
    if timer:
        sig["timer"] = ", ".join(timer)
    loop = element.find("bpmn:standardLoopCharacteristics", NS)
    if loop is not None:
        sig["loop"] = f"max {loop.get('loopMaximum') or '∞'}; {_text(loop.find('bpmn:loopCondition', NS))}"
    return sig


def diff_diagrams(old_xml: str, new_xml: str) -> list[ElementChange]:
    """Elements added, removed and changed from `old_xml` to `new_xml` (matched by id), in document order."""
    old, new = _signatures(old_xml), _signatures(new_xml)
    changes: list[ElementChange] = []
    for element_id, sig in new.items():
        if element_id not in old:
            changes.append(ElementChange(element_id, "added", sig["type"], sig["name"]))
    for element_id, sig in old.items():
        if element_id not in new:
            changes.append(ElementChange(element_id, "removed", sig["type"], sig["name"]))
            continue
        after = new[element_id]
        details = []
        for aspect in ASPECT_LABELS:
            before_value, after_value = sig.get(aspect, ""), after.get(aspect, "")
            if before_value != after_value:
                details.append(_describe(aspect, before_value, after_value))
        if details:
            changes.append(ElementChange(element_id, "changed", after["type"], after["name"] or sig["name"], details))
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda change: order[change.kind])
    return changes


def _describe(aspect: str, before: str, after: str) -> str:
    label = str(ASPECT_LABELS[aspect])
    if not before:
        return _("%(aspect)s: aggiunto «%(value)s»", aspect=label, value=_short(after))
    if not after:
        return _("%(aspect)s: tolto «%(value)s»", aspect=label, value=_short(before))
    return _("%(aspect)s: «%(before)s» → «%(after)s»", aspect=label, before=_short(before), after=_short(after))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
