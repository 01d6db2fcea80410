"""The modeler's pages and JSON endpoints: vocabulary and live checks for the side panel, drafts, publishing,
versions and their comparison, exports, and the diagram of an instance with the state of each element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance, ProcessVersion
from tests import bpmn_samples as samples
from tests import factories as f
from tests.journey import send_to_offer, start_case
from webapp.cli import deploy_shipped_diagrams
from webapp.extensions import db
from webapp.modeler.models import DiagramDraft
from webapp.referrals.models import Case

ROOT = Path(__file__).resolve().parent.parent
KEY = "percorso_beneficiario"
SHIPPED = ROOT / "bpmn" / f"{KEY}.bpmn"


def shipped() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def edited(form_key: str = "dopo_rifiuto") -> str:
    return shipped().replace('value="chiusura_caso"', f'value="{form_key}"')


def versions(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ProcessVersion.version).where(ProcessVersion.process_key == KEY).order_by(ProcessVersion.version)
            )
        )


def publish(client, xml: str):
    return client.post("/processi/modellatore/pubblica", data=xml.encode("utf-8"), content_type="application/xml")


def save(client, xml: str, revision=None, process_key=KEY, base_version=1):
    return client.post(
        "/processi/modellatore/bozza",
        json={"xml": xml, "revision": revision, "process_key": process_key, "base_version": base_version},
    )


# ------------------------------------------------------------------------------------------------- navigation
def test_only_managers_see_the_processes_link_and_pages(app, login):
    manager = login(f.MANAGER)
    assert 'href="/processi"' in manager.get("/attivita").get_data(as_text=True)
    for email in (f.SOCIAL_WORKER, f.OPERATOR_A, f.ADMIN):
        client = login(email)
        assert 'href="/processi"' not in client.get("/attivita").get_data(as_text=True)
        for url in (
            "/processi",
            f"/processi/{KEY}",
            f"/processi/{KEY}/modifica",
            "/processi/modellatore/vocabolario.json",
        ):
            assert client.get(url).status_code == 404, (email, url)
        assert publish(client, edited()).status_code == 404
    assert versions(app) == [1]


def test_the_process_list_and_detail_show_versions_with_who_deployed_them(app, login):
    manager = login(f.MANAGER)
    assert publish(manager, edited()).status_code == 201
    page = manager.get("/processi").get_data(as_text=True)
    assert "Percorso beneficiario" in page and KEY in page
    detail = manager.get(f"/processi/{KEY}").get_data(as_text=True)
    assert "tessere init" in detail and f.MANAGER in detail
    assert "in uso per i nuovi processi" in detail
    assert f"/processi/{KEY}/confronto?da=1&amp;a=2" in detail


def test_versions_export_as_bpmn_attachments_and_as_json_for_the_viewer(app, login):
    manager = login(f.MANAGER)
    download = manager.get(f"/processi/{KEY}/versioni/1.bpmn")
    assert download.status_code == 200 and download.mimetype == "application/xml"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{KEY}-v1.bpmn"'
    assert download.get_data(as_text=True) == shipped()
    assert manager.get(f"/processi/{KEY}/versioni/1/diagramma.json").get_json()["xml"] == shipped()
    page = manager.get(f"/processi/{KEY}/versioni/1").get_data(as_text=True)
    assert 'data-diagram-svg="version-diagram"' in page  # SVG export, drawn in the browser
    assert manager.get(f"/processi/{KEY}/versioni/9").status_code == 404


# --------------------------------------------------------------------------------------- the panel's helpers
def test_the_vocabulary_offers_forms_operations_and_lane_roles_with_labels(app, login):
    body = login(f.MANAGER).get("/processi/modellatore/vocabolario.json").get_json()
    forms = {item["value"]: item["label"] for item in body["forms"]}
    assert forms["chiusura_caso"] == "Chiusura del caso" and "presa_in_carico" in forms
    operations = {item["value"]: item["label"] for item in body["operations"]}
    assert operations["referral.send"] == "Invia il caso all'organizzazione"
    roles = {item["value"]: item for item in body["roles"]}
    assert (
        roles["social_worker"]["lane"] == "Servizio sociale" and "servizio sociale" in roles["social_worker"]["aliases"]
    )
    assert roles["association"]["lane"] == "Organizzazione"


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ('esito_invio == "accettato"', True),
        ("len(bisogni) > 2 and not urgente", True),
        ("__import__('os').system('id')", False),
        ("().__class__", False),
        ("9 ** 9 ** 9", False),
        ("esito ==", False),
    ],
)
def test_the_live_expression_check_uses_the_restricted_evaluator(app, login, expression, valid):
    response = login(f.MANAGER).post("/processi/modellatore/verifica-espressione", json={"expression": expression})
    problems = response.get_json()["problems"]
    assert (problems == []) is valid, problems
    assert all(isinstance(p, str) and p for p in problems)


def test_the_expression_check_wants_a_json_expression(app, login):
    assert login(f.MANAGER).post("/processi/modellatore/verifica-espressione", data="x").status_code == 400


def test_the_validation_endpoint_returns_the_reasons_with_their_elements(app, login):
    manager = login(f.MANAGER)
    response = manager.post(
        "/processi/modellatore/verifica", data=edited("modulo_inesistente"), content_type="application/xml"
    )
    assert response.get_json()["errors"] == [
        {"element_id": "chiusura_caso", "message": "«Chiusura del caso»: modulo sconosciuto «modulo_inesistente»."}
    ]
    ok = manager.post("/processi/modellatore/verifica", data=shipped(), content_type="application/xml")
    assert ok.get_json()["errors"] == []


# ----------------------------------------------------------------------------------------------------- drafts
def test_a_draft_is_saved_without_deploying_and_the_modeler_opens_it(app, login):
    manager = login(f.MANAGER)
    response = save(manager, edited("modulo_inesistente"))
    body = response.get_json()
    assert response.status_code == 200 and body["revision"] == 1 and body["process_key"] == KEY
    assert [e["element_id"] for e in body["errors"]] == ["chiusura_caso"]  # saved all the same, with its problems
    assert versions(app) == [1]
    source = manager.get(f"/processi/{KEY}/modifica/diagramma.json").get_json()
    assert source["draft"] is True and source["revision"] == 1 and "modulo_inesistente" in source["xml"]
    assert "Bozza non pubblicata" in manager.get("/processi").get_data(as_text=True)
    page = manager.get(f"/processi/{KEY}/modifica").get_data(as_text=True)
    assert "Bozza salvata da" in page and 'data-process-key="percorso_beneficiario"' in page
    # a given version can still be opened
    version = manager.get(f"/processi/{KEY}/modifica/diagramma.json?versione=1").get_json()
    assert version["draft"] is False and version["xml"] == shipped() and version["revision"] == 1


def test_two_managers_saving_the_same_draft_are_told_instead_of_losing_a_change(app, login):
    first, second = login(f.MANAGER), login(f.MANAGER)
    assert save(first, edited()).get_json()["revision"] == 1
    conflict = save(second, edited("esito_intervento"), revision=None)
    assert conflict.status_code == 409 and "ricaricare" in conflict.get_json()["error"]
    assert save(second, edited("esito_intervento"), revision=1).get_json()["revision"] == 2
    assert save(first, edited(), revision=1).status_code == 409


def test_a_draft_cannot_change_the_process_key_nor_hold_unsafe_xml(app, login):
    manager = login(f.MANAGER)
    other = save(manager, shipped().replace('"percorso_beneficiario"', '"altro_processo"'))
    assert other.status_code == 422 and "identificativo del processo è cambiato" in other.get_json()["error"]
    unsafe = save(manager, '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
    assert unsafe.status_code == 422 and "DOCTYPE" in unsafe.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DiagramDraft)) == 0


def test_a_new_process_starts_from_a_template_and_its_draft_gets_its_own_page(app, login):
    manager = login(f.MANAGER)
    assert manager.get("/processi/nuovo").status_code == 200
    template = manager.get("/processi/modellatore/nuovo.json").get_json()["xml"]
    xml = template.replace("nuovo_processo", "richiesta_contributo")
    body = save(manager, xml, process_key=None, base_version=None).get_json()
    assert (
        body["process_key"] == "richiesta_contributo" and body["edit_url"] == "/processi/richiesta_contributo/modifica"
    )
    assert [e["element_id"] for e in body["errors"]] == ["prima_attivita"]  # the template's task has no form yet
    assert manager.get("/processi/richiesta_contributo").status_code == 200
    assert manager.get("/processi/richiesta_contributo/modifica").status_code == 200
    discarded = manager.post("/processi/richiesta_contributo/bozza/scarta")
    assert discarded.status_code == 302 and discarded.headers["Location"].endswith("/processi")
    assert manager.get("/processi/richiesta_contributo").status_code == 404


# -------------------------------------------------------------------------------------------------- publishing
def test_publishing_from_the_modeler_creates_a_version_and_closes_the_draft(app, login):
    manager = login(f.MANAGER)
    save(manager, edited())
    response = publish(manager, edited())
    body = response.get_json()
    assert response.status_code == 201 and (body["process_key"], body["version"]) == (KEY, 2)
    assert body["process_url"] == f"/processi/{KEY}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DiagramDraft)) == 0
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.version == 2))
        assert version.deployed_by == f.MANAGER


def test_a_refused_publication_lists_the_reasons_and_keeps_the_draft(app, login):
    manager = login(f.MANAGER)
    save(manager, edited("modulo_inesistente"))
    response = publish(manager, edited("modulo_inesistente"))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["element_id"] == "chiusura_caso"
    assert versions(app) == [1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DiagramDraft)) == 1


def test_publishing_reports_the_instances_left_on_older_versions(app, login):
    worker = login(f.SOCIAL_WORKER)
    start_case(app, worker)
    body = publish(login(f.MANAGER), edited()).get_json()
    assert body["running_on_older_versions"] == 1 and body["migration_url"] == f"/processi/{KEY}/migrazione"


def test_a_managers_edit_never_rewrites_the_shipped_files_and_init_does_not_bring_them_back(app, login):
    before = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*.bpmn")}
    manager = login(f.MANAGER)
    save(manager, edited())
    assert publish(manager, edited()).status_code == 201
    with app.app_context():
        assert deploy_shipped_diagrams() == []  # `tessere init` again: version 2 stays the latest
    assert versions(app) == [1, 2]
    assert {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*.bpmn")} == before


# ------------------------------------------------------------------------------------------------- comparison
def test_the_comparison_lists_elements_added_removed_and_changed(app, login):
    manager = login(f.MANAGER)
    v2 = edited().replace('name="Chiusura del caso"', 'name="Chiusura e archiviazione"')
    v2 = v2.replace('<bpmn:endEvent id="fine_sollecito"', '<bpmn:endEvent id="fine_sollecito_2"')
    v2 = v2.replace('targetRef="fine_sollecito"', 'targetRef="fine_sollecito_2"')
    v2 = v2.replace('bpmnElement="fine_sollecito"', 'bpmnElement="fine_sollecito_2"')
    v2 = v2.replace(
        "<bpmn:flowNodeRef>fine_sollecito</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>fine_sollecito_2</bpmn:flowNodeRef>"
    )
    assert publish(manager, v2).status_code == 201
    body = manager.get(f"/processi/{KEY}/confronto.json?da=1&a=2").get_json()
    changes = {(c["element_id"], c["kind"]): c for c in body["changes"]}
    closing = changes[("chiusura_caso", "changed")]
    assert "modulo: «chiusura_caso» → «dopo_rifiuto»" in closing["details"]
    assert "nome: «Chiusura del caso» → «Chiusura e archiviazione»" in closing["details"]
    assert ("fine_sollecito_2", "added") in changes and ("fine_sollecito", "removed") in changes
    assert ("f_sollecito_fine", "changed") in changes  # its target changed
    page = manager.get(f"/processi/{KEY}/confronto?da=1&a=2").get_data(as_text=True)
    assert 'data-element-id="chiusura_caso"' in page and "Aggiunto" in page and "Tolto" in page
    same = manager.get(f"/processi/{KEY}/confronto?da=2&a=2").get_data(as_text=True)
    assert "Nessuna differenza" in same


# --------------------------------------------------------------------------------------- an instance's diagram
@pytest.fixture
def referral_instance(app, login) -> int:
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    return instance_id


def test_the_instance_diagram_has_completed_active_and_waiting_elements(app, login, referral_instance):
    body = login(f.SOCIAL_WORKER).get(f"/processi/istanze/{referral_instance}/diagramma.json").get_json()
    assert body["version"] == 1 and body["xml"] == shipped()
    states = body["states"]
    assert states["presa_in_carico"] == states["scelta_offerta"] == states["invia"] == "completed"
    assert states["risposta_invio"] == "active"
    assert states["scadenza_risposta"] == states["promemoria_risposta"] == "waiting"
    assert "chiusura_caso" not in states  # not reached yet
    assert body["completed_count"]["scelta_offerta"] == 1


def test_the_instance_diagram_is_shown_only_to_whoever_may_see_the_instance(app, login, referral_instance):
    url = f"/processi/istanze/{referral_instance}/diagramma.json"
    for email, status in ((f.MANAGER, 200), (f.ADMIN, 200), (f.OPERATOR_A, 200), (f.OPERATOR_B, 404)):
        response = login(email).get(url)
        assert response.status_code == status, email
        assert response.is_json
    assert app.test_client().get(url).status_code == 302  # to the login page
    assert login(f.MANAGER).get("/processi/istanze/999999/diagramma.json").status_code == 404


def test_the_case_page_and_the_instance_page_show_the_diagram_next_to_the_timeline(app, login, referral_instance):
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.instance_id == referral_instance))
    page = login(f.SOCIAL_WORKER).get(f"/casi/{case_id}").get_data(as_text=True)
    assert f'data-source="/processi/istanze/{referral_instance}/diagramma.json"' in page
    assert "bpmn-navigated-viewer.production.min.js" in page and "js/diagram-viewer.js" in page
    assert "Cronologia" in page and "Percorso nel diagramma" in page
    assert not re.search(r"<script>|style=\"", page)  # no inline script or style (CSP)
    manager_page = login(f.MANAGER).get(f"/processi/istanze/{referral_instance}").get_data(as_text=True)
    assert "Percorso nel diagramma" in manager_page and "Cronologia" in manager_page
    assert f'href="/casi/{case_id}"' in manager_page


def test_modeler_pages_have_no_inline_scripts_or_styles(app, login):
    manager = login(f.MANAGER)
    publish(manager, edited())
    with app.app_context():
        instance_id = db.session.scalar(select(ProcessInstance.id).limit(1))
    urls = [
        "/processi",
        f"/processi/{KEY}",
        f"/processi/{KEY}/modifica",
        "/processi/nuovo",
        f"/processi/{KEY}/versioni/1",
        f"/processi/{KEY}/confronto",
        f"/processi/{KEY}/migrazione",
    ]
    if instance_id:
        urls.append(f"/processi/istanze/{instance_id}")
    for url in urls:
        response = manager.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not re.search(r"<script>|<script [^>]*>[^<]|style=\"|<style", html), url


def test_a_sample_diagram_without_collaboration_opens_in_the_modeler_too(app, login):
    manager = login(f.MANAGER)
    assert publish(manager, samples.linear("prova_semplice")).status_code == 201
    assert manager.get("/processi/prova_semplice/modifica").status_code == 200
    source = manager.get("/processi/prova_semplice/modifica/diagramma.json").get_json()
    assert source["base_version"] == 1 and source["draft"] is False


def test_the_incident_page_of_an_instance_shows_its_diagram_to_administrators(app, login, referral_instance):
    with app.app_context():
        db.session.get(ProcessInstance, referral_instance).status = "error"
        db.session.commit()
    page = login(f.ADMIN).get(f"/amministrazione/incidenti/{referral_instance}").get_data(as_text=True)
    assert f'data-source="/processi/istanze/{referral_instance}/diagramma.json"' in page
    body = login(f.ADMIN).get(f"/processi/istanze/{referral_instance}/diagramma.json").get_json()
    assert body["status"] == "error" and body["states"]["risposta_invio"] == "active"
