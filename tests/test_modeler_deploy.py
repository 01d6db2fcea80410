"""Deploying diagrams through the API and the modeler: good ones become versions, bad and malicious ones are refused
with reasons tied to the elements (for the modeler to mark), and nothing of a refused diagram is stored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import ProcessVersion
from tests import bpmn_samples as samples
from tests import factories as f
from tests.test_api import api, ok  # noqa: F401  (the `api` fixture)
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "bpmn" / "percorso_beneficiario.bpmn"


def deploy(client, xml: bytes | str, content_type: str = "application/xml"):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return client.client.post("/api/v1/process-versions", headers=client.headers, data=data, content_type=content_type)


def version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def shipped() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def refused(app, client, xml, status: int = 422) -> list[dict]:
    before = version_count(app)
    started = time.monotonic()
    response = deploy(client, xml)
    assert time.monotonic() - started < 10, "validation must not hang"
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.is_json
    assert version_count(app) == before, "a refused diagram must not be stored"
    return response.get_json().get("errors", [])


def assert_reason(errors: list[dict], element_id: str | None, *words: str) -> None:
    for error in errors:
        assert set(error) == {"element_id", "message"} and error["message"].strip()
    matching = [e for e in errors if e["element_id"] == element_id]
    assert matching, f"no reason for {element_id}: {errors}"
    text = " ".join(e["message"] for e in matching).lower()
    for word in words:
        assert word.lower() in text, f"{word!r} not in {text!r}"


# ------------------------------------------------------------------------------------------------- good ones
def test_an_edited_referral_diagram_deploys_as_version_2(app, api):  # noqa: F811
    edited = shipped().replace(
        '<spiffworkflow:property name="formKey" value="chiusura_caso" />',
        '<spiffworkflow:property name="formKey" value="dopo_rifiuto" />',
    )
    body = ok(deploy(api(f.MANAGER), edited), 201)
    assert (body["process_key"], body["version"]) == ("percorso_beneficiario", 2)


def test_a_diagram_in_another_encoding_is_stored_as_utf8(app, api):  # noqa: F811
    latin1 = samples.linear("prova_latin1").replace('name="Decidere"', 'name="Attività più lunga"')
    latin1 = latin1.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("iso-8859-1")
    ok(deploy(api(f.MANAGER), latin1), 201)
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "prova_latin1"))
        assert "Attività più lunga" in version.bpmn_xml and "ISO-8859-1" not in version.bpmn_xml


# ---------------------------------------------------------------------------------------------- malicious XML
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol2;</bpmn:definitions>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&xxe;</bpmn:definitions>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x"> %remote;]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>"""
XINCLUDE = samples.linear("prova_xinclude").replace(
    "<bpmn:startEvent",
    '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/><bpmn:startEvent',
)


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (XXE, "DOCTYPE"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_DTD, "DOCTYPE"),
        (PARAMETER_ENTITY, "DOCTYPE"),
        ("<root>niente BPMN</root>", "BPMN"),
        ("non è XML <<<", "XML"),
        ("", "vuoto"),
        ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "BPMN"),
    ],
    ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity", "not-bpmn", "not-xml", "empty", "svg-script"],
)
def test_unsafe_or_non_bpmn_xml_is_refused_for_the_whole_file(app, api, xml, words):  # noqa: F811
    errors = refused(app, api(f.MANAGER), xml)
    assert_reason(errors, None, words)
    assert not any("root:" in e["message"] for e in errors)  # no file was ever read


def test_xinclude_is_never_resolved(app, api):  # noqa: F811
    response = deploy(api(f.MANAGER), XINCLUDE)
    assert "root:" not in response.get_data(as_text=True)


def test_deeply_nested_xml_is_refused_without_crashing(app, api):  # noqa: F811
    nested = "<bpmn:extensionElements>" * 5000 + "</bpmn:extensionElements>" * 5000
    xml = samples.linear("prova_annidata").replace("<bpmn:startEvent", nested + "<bpmn:startEvent")
    errors = refused(app, api(f.MANAGER), xml)
    assert errors and all(e["message"] for e in errors)


def test_a_file_over_the_size_limit_is_refused(app, api):  # noqa: F811
    big = samples.linear().replace("</bpmn:definitions>", "<!--" + "x" * (3 * 1024 * 1024) + "--></bpmn:definitions>")
    errors = refused(app, api(f.MANAGER), big)
    assert_reason(errors, None, "troppo grande")


def test_a_diagram_with_too_many_elements_is_refused(app, api):  # noqa: F811
    tasks = "".join(samples.user_task(f"t{i}") for i in range(2, 1700))
    xml = samples.linear("prova_enorme").replace("<bpmn:endEvent", tasks + "<bpmn:endEvent")
    errors = refused(app, api(f.MANAGER), xml)
    assert_reason(errors, "prova_enorme", "troppi elementi")


# -------------------------------------------------------------------------------------- what the engine refuses
def _with_body(body: str, lane_nodes=("t1",), process_id: str = "prova") -> str:
    return samples.document(body, process_id, lane_nodes=lane_nodes)


START_END = """<bpmn:startEvent id="s" /><bpmn:endEvent id="e" />"""


@pytest.mark.parametrize(
    ("xml", "element_id", "words"),
    [
        (samples.linear(form_key="modulo_inesistente"), "t1", ["modulo sconosciuto", "modulo_inesistente"]),
        (samples.linear(lane_name="Pasticceri"), "t1", ["corsia", "Pasticceri", "ruolo"]),
        (samples.service_task("operazione.inventata"), "op", ["operazione sconosciuta"]),
        (samples.script_task(), "sc", ["script"]),
        (samples.with_gateway("__import__('os').system('id')"), "f3", ["condizione"]),
        (samples.with_gateway("().__class__.__bases__"), "f3", ["condizione"]),
        (samples.with_gateway("9 ** 9 ** 9"), "f3", ["condizione"]),
        (samples.back_edge_loop(), "back", ["ciclo", "all'indietro"]),
        (samples.timer_task("P5 giorni"), "timer", ["scadenza"]),
    ],
    ids=[
        "unknown-form",
        "unknown-role",
        "unknown-operation",
        "script-task",
        "import-in-condition",
        "dunder-in-condition",
        "huge-power",
        "back-edge-loop",
        "bad-timer",
    ],
)
def test_what_the_engine_cannot_run_is_refused_on_the_element(app, api, xml, element_id, words):  # noqa: F811
    assert_reason(refused(app, api(f.MANAGER), xml), element_id, *words)


def test_a_user_task_with_no_lane_is_refused(app, api):  # noqa: F811
    xml = samples.document(
        """<bpmn:startEvent id="s" />"""
        + samples.user_task("t1")
        + """<bpmn:endEvent id="e" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
        <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e" />""",
        "prova_senza_corsia",
        lane_nodes=(),
    )
    assert_reason(refused(app, api(f.MANAGER), xml), "t1", "corsia")


def test_an_unreachable_task_is_refused(app, api):  # noqa: F811
    xml = samples.linear("prova_isolata").replace(
        "<bpmn:endEvent", samples.user_task("isolata", name="Isolata") + "<bpmn:endEvent"
    )
    xml = xml.replace(
        "<bpmn:flowNodeRef>t1</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>t1</bpmn:flowNodeRef><bpmn:flowNodeRef>isolata</bpmn:flowNodeRef>",
    )
    assert_reason(refused(app, api(f.MANAGER), xml), "isolata", "irraggiungibile")


def test_an_untyped_task_and_message_events_are_refused_with_what_to_do(app, api):  # noqa: F811
    body = """<bpmn:startEvent id="s"><bpmn:messageEventDefinition /></bpmn:startEvent>
      <bpmn:task id="t1" name="Generica" />
      <bpmn:endEvent id="e" />
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
      <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e" />"""
    errors = refused(app, api(f.MANAGER), _with_body(body, process_id="prova_generica"))
    assert_reason(errors, "t1", "senza tipo", "attività utente")
    assert_reason(errors, "s", "messaggio")


def test_a_process_not_marked_executable_is_refused_with_the_reason(app, api):  # noqa: F811
    xml = samples.linear("prova_non_eseguibile").replace('isExecutable="true"', 'isExecutable="false"')
    assert_reason(refused(app, api(f.MANAGER), xml), "prova_non_eseguibile", "eseguibile")


def test_an_endless_timer_cycle_is_refused(app, api):  # noqa: F811
    xml = samples.timer_task("P1D").replace("timeDuration", "timeCycle").replace(">P1D<", ">R/P1D<")
    assert_reason(refused(app, api(f.MANAGER), xml), "timer", "ripetersi")


def test_every_reason_of_a_broken_edit_names_an_element_of_the_diagram(app, api):  # noqa: F811
    broken = shipped().replace('value="chiusura_caso"', 'value="modulo_che_non_esiste"')
    broken = broken.replace(
        'esito_invio == "accettato"</bpmn:conditionExpression>', "open('/etc/passwd')</bpmn:conditionExpression>", 1
    )
    errors = refused(app, api(f.MANAGER), broken)
    ids = {e["element_id"] for e in errors}
    assert {"chiusura_caso", "f_gw_accettato"} <= ids
    assert all(e["element_id"] in shipped() for e in errors)


def test_a_refused_diagram_leaves_the_shipped_files_untouched(app, api):  # noqa: F811
    before = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*.bpmn")}
    refused(app, api(f.MANAGER), samples.script_task())
    ok(deploy(api(f.MANAGER), shipped().replace("Nuova presa in carico", "Nuova presa in carico (v2)")), 201)
    assert {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*.bpmn")} == before
