"""Diagrams made with other tools (the OMG MIWG reference models, tests/data/miwg/): each deploys or is refused with
reasons a manager can act on, never a crash or a hang; and one of them, fixed the way a manager would in the
modeler, deploys and runs."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine import Actor
from engine.models import ProcessVersion
from tests import factories as f
from tests.test_api import api, ok  # noqa: F401  (the `api` fixture)
from webapp.extensions import db
from webapp.workflow import get_engine

MIWG = Path(__file__).parent / "data" / "miwg"
MODELS = sorted(MIWG.glob("*.bpmn"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ENGLISH = ("is not", "No start", "Data Store", "Traceback", "Error", "None")


def deploy(client, data: bytes):
    return client.client.post(
        "/api/v1/process-versions", headers=client.headers, data=data, content_type="application/xml"
    )


def test_the_corpus_is_there_with_its_licence():
    assert len(MODELS) == 21
    assert "Creative Commons Attribution 3.0" in (MIWG / "LICENSE.txt").read_text()


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_each_reference_model_deploys_or_is_refused_with_reasons(app, api, path):  # noqa: F811
    manager = api(f.MANAGER)
    started = time.monotonic()
    response = deploy(manager, path.read_bytes())
    assert time.monotonic() - started < 15, f"{path.name} took too long"
    assert response.status_code in (201, 422), (path.name, response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    if response.status_code == 201:
        return
    errors = body["errors"]
    assert errors, path.name
    text = path.read_text(encoding="iso-8859-1")
    for error in errors:
        assert error["message"].strip(), error
        own_words = re.sub(r"«[^»]*»", "", error["message"])  # names drawn in the diagram are quoted as they are
        assert not any(word in own_words for word in ENGLISH), error  # Italian, with no stack traces
        if error["element_id"] is not None:
            assert f'"{error["element_id"]}"' in text, f"{error['element_id']} is not an element of {path.name}"


def test_the_modeler_validation_endpoint_answers_for_every_reference_model(app, login):
    manager = login(f.MANAGER)
    for path in MODELS:
        response = manager.post(
            "/processi/modellatore/verifica", data=path.read_bytes(), content_type="application/xml"
        )
        assert response.status_code == 200, path.name
        assert response.get_json()["errors"], path.name


def _fixed_as_a_manager_would(path: Path) -> bytes:
    """Mark the process executable, make its plain tasks user tasks with a form, and put them in a known lane."""
    root = etree.fromstring(path.read_bytes())
    process = root.find(f"{{{BPMN}}}process")
    process.set("isExecutable", "true")
    nodes = []
    for element in list(process):
        if not isinstance(element.tag, str) or etree.QName(element).localname == "sequenceFlow":
            continue
        if etree.QName(element).localname == "task":
            element.tag = f"{{{BPMN}}}userTask"
            extensions = etree.Element(f"{{{BPMN}}}extensionElements")
            properties = etree.SubElement(extensions, f"{{{SPIFF}}}properties", nsmap={"spiffworkflow": SPIFF})
            etree.SubElement(properties, f"{{{SPIFF}}}property", name="formKey", value="dopo_rifiuto")
            element.insert(0, extensions)
        nodes.append(element.get("id"))
    lane_set = etree.Element(f"{{{BPMN}}}laneSet", id="LaneSet_fix")
    lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id="Lane_fix", name="Servizio sociale")
    for node in nodes:
        etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = node
    process.insert(0, lane_set)
    return etree.tostring(root, xml_declaration=True, encoding="ISO-8859-1")


def test_a_reference_model_fixed_as_in_the_modeler_deploys_and_runs(app, api):  # noqa: F811
    body = ok(deploy(api(f.MANAGER), _fixed_as_a_manager_would(MIWG / "A.1.0.bpmn")), 201)
    assert body["process_key"] == "WFP-6-" and body["version"] == 1
    with app.app_context():
        engine = get_engine()
        worker = Actor(1, "Assistente", frozenset({"social_worker"}))
        instance = engine.start(db.session, "WFP-6-", {}, worker)
        for _ in range(3):
            (task,) = engine.open_tasks(db.session, instance.id)
            engine.complete(db.session, task.id, {}, worker)
        assert instance.status == "completed"
        stored = db.session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.process_key == "WFP-6-"))
        assert "ISO-8859-1" not in stored
        assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) >= 2
