"""Small BPMN documents for engine and validation tests, built from a few lines of process body."""

from __future__ import annotations

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_test" targetNamespace="http://tessere.test/bpmn">"""


def user_task(task_id: str, form_key: str = "dopo_rifiuto", name: str = "Decidere", incoming="", outgoing="") -> str:
    return f"""<bpmn:userTask id="{task_id}" name="{name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="{form_key}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      {incoming}{outgoing}
    </bpmn:userTask>"""


def document(
    body: str, process_id: str = "prova", lane_nodes: tuple[str, ...] = ("t1",), lane_name: str = "Servizio sociale"
) -> str:
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in lane_nodes)
    lanes = f"""<bpmn:laneSet id="ls"><bpmn:lane id="lane1" name="{lane_name}">{refs}</bpmn:lane></bpmn:laneSet>"""
    return f"""{HEADER}
  <bpmn:process id="{process_id}" name="Processo di prova" isExecutable="true">
    {lanes if lane_nodes else ""}
    {body}
  </bpmn:process>
</bpmn:definitions>"""


def linear(process_id: str = "prova", form_key: str = "dopo_rifiuto", lane_name: str = "Servizio sociale") -> str:
    """start -> one user task -> end."""
    body = f"""<bpmn:startEvent id="s" />
    {user_task("t1", form_key)}
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e" />"""
    return document(body, process_id, lane_name=lane_name)


def with_gateway(condition: str) -> str:
    """start -> user task -> exclusive gateway (condition | default) -> two ends."""
    body = f"""<bpmn:startEvent id="s" />
    {user_task("t1")}
    <bpmn:exclusiveGateway id="g" default="f4" />
    <bpmn:endEvent id="e1" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="g" />
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e2" />"""
    return document(body)


def back_edge_loop() -> str:
    """A loop drawn as a gateway back-edge: the shape SpiffWorkflow cannot run safely."""
    body = f"""<bpmn:startEvent id="s" />
    {user_task("t1")}
    <bpmn:exclusiveGateway id="g" default="back" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="g" />
    <bpmn:sequenceFlow id="out" sourceRef="g" targetRef="e">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decisione == "chiudi"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="back" sourceRef="g" targetRef="t1" />"""
    return document(body)


def script_task() -> str:
    body = """<bpmn:startEvent id="s" />
    <bpmn:scriptTask id="sc" name="Pulizia">
      <bpmn:script>import os; os.system("rm -rf /")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sc" />
    <bpmn:sequenceFlow id="f2" sourceRef="sc" targetRef="e" />"""
    return document(body, lane_nodes=())


def service_task(operation: str) -> str:
    body = f"""<bpmn:startEvent id="s" />
    <bpmn:serviceTask id="op" name="Operazione">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="{operation}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="op" />
    <bpmn:sequenceFlow id="f2" sourceRef="op" targetRef="e" />"""
    return document(body, lane_nodes=())


def timer_task(duration: str) -> str:
    """A user task with an interrupting boundary timer leading to a second user task."""
    body = f"""<bpmn:startEvent id="s" />
    {user_task("t1", "risposta_invio", "Rispondere")}
    <bpmn:boundaryEvent id="timer" attachedToRef="t1">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    {user_task("t2", "dopo_rifiuto", "Dopo la scadenza")}
    <bpmn:endEvent id="e1" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e1" />
    <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="t2" />
    <bpmn:sequenceFlow id="f4" sourceRef="t2" targetRef="e2" />"""
    return document(body, lane_nodes=("t1", "t2", "timer"))
