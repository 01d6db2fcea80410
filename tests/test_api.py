"""The JSON API (../shared/API.md) through the Flask test client with Bearer tokens, and the `tessere` CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion
from tests import bpmn_samples as samples
from tests import factories as f
from webapp.auth.models import ApiToken, User
from webapp.auth.services import create_token
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.referrals.models import Case, Referral

PROCESS = "percorso_beneficiario"
START_URL = f"/api/v1/processes/{PROCESS}/instances"

INTAKE_JSON = {
    "first_name": "Mario",
    "last_name": "Rossi",
    "codice_fiscale": "RSSMRA80A01D612Y",
    "phone": "333 1234567",
    "target_group": "poverta",
    "needs": ["generi_alimentari"],
    "notes": "Segue il servizio da marzo.",
    "consent_share": True,
}


# --------------------------------------------------------------------------------------------------- helpers
class Api:
    """A test client that sends `Authorization: Bearer TOKEN` with every request."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        if json is not None:
            kwargs["json"] = json
        return self.client.post(url, headers=self.headers, **kwargs)


def token_for(app, email: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = create_token(db.session, user)
        db.session.commit()
        return token


@pytest.fixture
def api(app):
    """api(email) -> an Api client authenticated with a fresh token of that user."""

    def _api(email: str) -> Api:
        return Api(app.test_client(), token_for(app, email))

    return _api


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:2000])
    assert response.is_json, response.get_data(as_text=True)[:500]
    return response.get_json()


def start(worker: Api, data: dict | None = None) -> dict:
    return ok(worker.post(START_URL, json={"data": data or {}}), 201)


def only_task(client: Api, instance_id: int, form_key: str) -> dict:
    items = ok(client.get(f"/api/v1/tasks?instance_id={instance_id}"))["items"]
    matching = [t for t in items if t["form_key"] == form_key]
    assert len(matching) == 1, items
    return matching[0]


def complete(client: Api, task_id: int, data: dict, status: int = 200, **extra) -> dict:
    return ok(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data, **extra}), status)


def offer_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Offer.id).where(Offer.title == title))


def organization_id(app, cf: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Organization.id).where(Organization.codice_fiscale == cf))


def capacity(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Offer.capacity_available).where(Offer.title == title))


def choose_offer_data(app, title: str = "Pacchi alimentari") -> dict:
    return {
        "offer_id": offer_id(app, title),
        "message": "Contattare al mattino.",
        "share_last_name": True,
        "share_phone": True,
    }


def case_up_to_referral(app, worker: Api, title: str = "Pacchi alimentari") -> int:
    """Start, fill the intake and send to an offer via the API only; returns the instance id."""
    instance_id = start(worker)["id"]
    complete(worker, only_task(worker, instance_id, "presa_in_carico")["id"], INTAKE_JSON)
    complete(worker, only_task(worker, instance_id, "scelta_offerta")["id"], choose_offer_data(app, title))
    return instance_id


# ----------------------------------------------------------------------------------------------- authentication
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tasks",
        "/api/v1/offers",
        "/api/v1/organizations",
        "/api/v1/process-versions",
        "/api/v1/instances/1",
        "/api/v1/tasks/1",
    ],
)
def test_reads_without_a_token_are_401_in_json(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.is_json and "token" in response.get_json()["error"].lower()


@pytest.mark.parametrize(
    "header",
    ["Bearer tes_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "tes_no_scheme"],
)
def test_a_bad_or_malformed_token_is_401(client, header):
    response = client.get("/api/v1/tasks", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]


def test_writes_without_a_token_are_401_and_start_nothing(app, client):
    response = client.post(START_URL, json={"data": {}})
    assert response.status_code == 401 and response.is_json
    response = client.post("/api/v1/process-versions", data=b"<x/>", content_type="application/xml")
    assert response.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_a_revoked_token_is_refused(app, client):
    token = token_for(app, f.SOCIAL_WORKER)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(ApiToken.__table__.update().values(revoked_at=datetime.now(UTC)))
        db.session.commit()
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(app):
    token = token_for(app, f.SOCIAL_WORKER)
    with app.app_context():
        stored = list(db.session.scalars(select(ApiToken.token_hash)))
    assert stored and token not in stored and all(token not in h for h in stored)


# ---------------------------------------------------------------------------------------------- the journey
def test_whole_referral_journey_through_the_api_only(app, api):
    worker, operator_a = api(f.SOCIAL_WORKER), api(f.OPERATOR_A)
    org_a = organization_id(app, f.ORG_A_CF)

    started = start(worker)
    assert set(started) >= {"id", "process_key", "version", "status"}
    assert started["process_key"] == PROCESS and started["version"] == 1 and started["status"] == "running"
    instance_id = started["id"]

    # The starter gets the first task, in their own list.
    listing = ok(worker.get("/api/v1/tasks"))
    assert listing["total"] == 1
    (first,) = listing["items"]
    assert set(first) >= {"id", "title", "form_key", "process_key", "instance_id", "lane", "due_at"}
    assert first["form_key"] == "presa_in_carico" and first["instance_id"] == instance_id
    assert first["process_key"] == PROCESS and first["lane"] == "Servizio sociale"
    # ...and nobody else's list.
    assert ok(api(f.SOCIAL_WORKER_2).get("/api/v1/tasks"))["total"] == 0
    assert ok(operator_a.get("/api/v1/tasks"))["total"] == 0

    detail = ok(worker.get(f"/api/v1/tasks/{first['id']}"))
    assert detail["id"] == first["id"] and "context" in detail and isinstance(detail["context"], dict)
    fields = {field["name"]: field for field in detail["form"]["fields"]}
    assert {"first_name", "last_name", "codice_fiscale", "target_group", "needs", "consent_share"} <= set(fields)
    for field in fields.values():
        assert set(field) >= {"name", "label", "type", "required"}
        assert field["type"] in (
            "string",
            "text",
            "integer",
            "decimal",
            "boolean",
            "date",
            "email",
            "choice",
            "multichoice",
        )
        assert field["label"]
    assert fields["first_name"]["type"] == "string" and fields["first_name"]["required"] is True
    assert fields["needs"]["type"] == "multichoice"
    assert fields["target_group"]["type"] == "choice" and fields["target_group"]["required"] is True
    assert any(value == "poverta" and label for value, label in fields["target_group"]["choices"])
    assert all(value != "" for value, _ in fields["target_group"]["choices"])
    assert all(len(pair) == 2 for pair in fields["needs"]["choices"])
    assert any(value == "generi_alimentari" for value, _ in fields["needs"]["choices"])
    assert fields["consent_share"]["type"] == "boolean"
    assert fields["birth_date"]["type"] == "date" and fields["email"]["type"] == "email"
    assert fields["notes"]["type"] == "text" and fields["codice_fiscale"]["required"] is False

    # Intake: needs as a JSON list, consent as true.
    body = complete(worker, first["id"], INTAKE_JSON)
    assert body["instance"]["id"] == instance_id and body["instance"]["status"] == "running"
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.instance_id == instance_id))
        assert case.needs == ["generi_alimentari"] and case.consent_share is True
        assert case.beneficiary.codice_fiscale == "RSSMRA80A01D612Y"

    # Choose the offer: its choices follow the case's target group, the context shows the case.
    choice = only_task(worker, instance_id, "scelta_offerta")
    assert [t["form_key"] for t in body["instance"]["open_tasks"]] == ["scelta_offerta"]
    detail = ok(worker.get(f"/api/v1/tasks/{choice['id']}"))
    offer_field = next(fl for fl in detail["form"]["fields"] if fl["name"] == "offer_id")
    offered = {value for value, _ in offer_field["choices"]}
    assert offer_id(app, "Pacchi alimentari") in offered and offer_id(app, "Mensa solidale") in offered
    assert offer_id(app, "Compagnia agli anziani") not in offered
    assert detail["context"]["case"]["person"]["last_name"] == "Rossi"
    body = complete(worker, choice["id"], choose_offer_data(app))
    (answer_task,) = body["instance"]["open_tasks"]
    assert answer_task["form_key"] == "risposta_invio" and answer_task["organization_id"] == org_a
    assert ok(worker.get("/api/v1/tasks"))["total"] == 0

    # The operator of organization A sees the referral with only what was shared.
    listing = ok(operator_a.get("/api/v1/tasks"))
    assert [t["id"] for t in listing["items"]] == [answer_task["id"]]
    assert listing["items"][0]["due_at"] is not None
    detail = ok(operator_a.get(f"/api/v1/tasks/{answer_task['id']}"))
    referral = detail["context"]["referral"]
    assert referral["first_name"] == "Mario" and referral["phone"] == "333 1234567"
    text = str(detail["context"])
    assert "RSSMRA80A01D612Y" not in text and "Segue il servizio" not in text
    assert {value for value, _ in next(fl for fl in detail["form"]["fields"] if fl["name"] == "answer")["choices"]} == {
        "accetta",
        "rifiuta",
    }
    body = complete(operator_a, answer_task["id"], {"answer": "accetta", "note": "Ci vediamo lunedì."})
    assert capacity(app, "Pacchi alimentari") == 1
    (outcome_task,) = body["instance"]["open_tasks"]
    assert outcome_task["form_key"] == "esito_intervento" and outcome_task["organization_id"] == org_a

    # The instance: status, open tasks with their organization, and the history of who did what.
    instance = ok(worker.get(f"/api/v1/instances/{instance_id}"))
    assert instance["id"] == instance_id and instance["process_key"] == PROCESS and instance["version"] == 1
    assert instance["status"] == "running"
    assert [(t["form_key"], t["organization_id"]) for t in instance["open_tasks"]] == [("esito_intervento", org_a)]
    history = instance["history"]
    assert all(set(h) >= {"task", "actor", "at"} for h in history)
    completed = [(h["task"], h["actor"]) for h in history if h.get("kind") == "task_completed"]
    assert completed == [
        ("Presa in carico", "as"),
        ("Scelta dell'offerta e invio", "as"),
        ("Risposta all'invio", "op.a"),
    ]
    assert all(datetime.fromisoformat(h["at"]).tzinfo is not None for h in history)
    # The history keeps no personal data typed at intake.
    assert "Rossi" not in str(instance) and "RSSMRA80A01D612Y" not in str(instance)

    # Until the end: outcome by the organization, closing by the social worker -> completed.
    complete(operator_a, outcome_task["id"], {"outcome": "concluso_positivo", "outcome_note": "Tre pacchi."})
    closing = only_task(worker, instance_id, "chiusura_caso")
    body = complete(worker, closing["id"], {"closing_outcome": "obiettivi_raggiunti"})
    assert body["instance"]["status"] == "completed" and body["instance"]["open_tasks"] == []
    assert capacity(app, "Pacchi alimentari") == 2
    assert ok(worker.get(f"/api/v1/instances/{instance_id}"))["status"] == "completed"


def test_start_with_an_unknown_process_key_is_404(api):
    response = api(f.SOCIAL_WORKER).post("/api/v1/processes/non_esiste/instances", json={"data": {}})
    assert response.status_code == 404 and "non_esiste" in response.get_json()["error"]


def test_an_association_cannot_start_processes(app, api):
    response = api(f.OPERATOR_A).post(START_URL, json={"data": {}})
    assert response.status_code == 403 and response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_start_refuses_system_fields_in_data(app, api):
    response = api(f.SOCIAL_WORKER).post(START_URL, json={"data": {"owner_user_id": 999, "case_id": 1}})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"owner_user_id", "case_id"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_start_accepts_a_missing_body_data(api):
    worker = api(f.SOCIAL_WORKER)
    assert ok(worker.post(START_URL, json={}), 201)["status"] == "running"


# ------------------------------------------------------------------------------------------- invalid input
def test_missing_fields_are_422_with_italian_messages_per_field(app, api):
    worker = api(f.SOCIAL_WORKER)
    instance_id = start(worker)["id"]
    task = only_task(worker, instance_id, "presa_in_carico")
    body = complete(worker, task["id"], {"notes": "solo note"}, status=422)
    assert body["error"]
    errors = body["errors"]
    assert errors["first_name"] == ["Campo obbligatorio."]
    assert errors["last_name"] == ["Campo obbligatorio."]
    assert "target_group" in errors and "needs" in errors
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in errors.values())
    assert errors["needs"] == ["Scegli almeno un bisogno."]
    # Nothing happened: the task is still open, no case exists.
    assert only_task(worker, instance_id, "presa_in_carico")["id"] == task["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_invalid_codice_fiscale_is_422_in_italian(app, api):
    worker = api(f.SOCIAL_WORKER)
    task = only_task(worker, start(worker)["id"], "presa_in_carico")
    body = complete(worker, task["id"], {**INTAKE_JSON, "codice_fiscale": "RSSMRA80A01D612X"}, status=422)
    assert body["errors"] == {"codice_fiscale": ["Il codice fiscale non è valido: controlla lettere e cifre."]}
    body = complete(worker, task["id"], {**INTAKE_JSON, "codice_fiscale": "RSSMRA80"}, status=422)
    assert body["errors"] == {"codice_fiscale": ["Il codice fiscale deve avere 16 caratteri."]}


def test_needs_of_another_group_and_an_unknown_choice_are_422(api):
    worker = api(f.SOCIAL_WORKER)
    task = only_task(worker, start(worker)["id"], "presa_in_carico")
    body = complete(worker, task["id"], {**INTAKE_JSON, "needs": ["mensa", "dopo_scuola"]}, status=422)
    assert "non appartengono al gruppo" in body["errors"]["needs"][0]
    body = complete(worker, task["id"], {**INTAKE_JSON, "target_group": "marziani"}, status=422)
    assert body["errors"]["target_group"] == ["Non è una opzione valida"]


def test_refusal_of_an_operation_is_422_on_the_field(app, api):
    """No consent at intake: the referral is refused by the operation, on the offer field, and nothing is sent."""
    worker = api(f.SOCIAL_WORKER)
    instance_id = start(worker)["id"]
    complete(worker, only_task(worker, instance_id, "presa_in_carico")["id"], {**INTAKE_JSON, "consent_share": False})
    task = only_task(worker, instance_id, "scelta_offerta")
    body = complete(worker, task["id"], choose_offer_data(app), status=422)
    assert "senza consenso" in body["errors"]["offer_id"][0]
    assert only_task(worker, instance_id, "scelta_offerta")["id"] == task["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "non è json", "content_type": "text/plain"},
        {"data": "{rotto", "content_type": "application/json"},
        {"json": ["una", "lista"]},
        {"json": {"data": ["non", "un", "oggetto"]}},
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(app, api, kwargs):
    worker = api(f.SOCIAL_WORKER)
    task = only_task(worker, start(worker)["id"], "presa_in_carico")
    response = worker.client.post(f"/api/v1/tasks/{task['id']}/complete", headers=worker.headers, **kwargs)
    assert response.status_code == 400 and response.is_json and response.get_json()["error"]
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).status == "open"


def test_start_with_a_non_json_body_is_400(api):
    worker = api(f.SOCIAL_WORKER)
    response = worker.client.post(START_URL, headers=worker.headers, data="x", content_type="text/plain")
    assert response.status_code == 400 and response.is_json


# ------------------------------------------------------------------------------------- visibility, conflicts
def test_a_task_of_another_organization_is_404(app, api):
    worker, operator_b = api(f.SOCIAL_WORKER), api(f.OPERATOR_B)
    instance_id = case_up_to_referral(app, worker)
    with app.app_context():
        task_id = db.session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        )
    assert operator_b.get(f"/api/v1/tasks/{task_id}").status_code == 404
    response = operator_b.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"answer": "accetta"}})
    assert response.status_code == 404 and response.is_json
    assert ok(operator_b.get("/api/v1/tasks"))["total"] == 0
    assert ok(operator_b.get(f"/api/v1/tasks?instance_id={instance_id}"))["items"] == []
    assert capacity(app, "Pacchi alimentari") == 2
    with app.app_context():
        assert db.session.get(HumanTask, task_id).status == "open"
    # A task that does not exist at all answers the same.
    assert operator_b.get("/api/v1/tasks/999999").status_code == 404


def test_a_task_assigned_to_another_social_worker_is_404(app, api):
    worker, other = api(f.SOCIAL_WORKER), api(f.SOCIAL_WORKER_2)
    task = only_task(worker, start(worker)["id"], "presa_in_carico")
    assert other.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert other.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": INTAKE_JSON}).status_code == 404
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).status == "open"


def test_other_peoples_instances_are_404(app, api):
    worker = api(f.SOCIAL_WORKER)
    instance_id = case_up_to_referral(app, worker)
    url = f"/api/v1/instances/{instance_id}"
    assert ok(worker.get(url))["id"] == instance_id
    assert ok(api(f.MANAGER).get(url))["id"] == instance_id
    assert ok(api(f.OPERATOR_A).get(url))["id"] == instance_id  # it has an open task there
    for stranger in (f.SOCIAL_WORKER_2, f.OPERATOR_B, f.ADMIN):
        response = api(stranger).get(url)
        assert response.status_code == 404, stranger
        assert response.get_json() == {"error": "Istanza non trovata."}
    assert worker.get("/api/v1/instances/999999").status_code == 404


def test_completing_an_already_completed_task_is_409_and_changes_nothing(app, api):
    worker, operator_a = api(f.SOCIAL_WORKER), api(f.OPERATOR_A)
    instance_id = case_up_to_referral(app, worker)
    task = only_task(operator_a, instance_id, "risposta_invio")
    complete(operator_a, task["id"], {"answer": "accetta"})
    with app.app_context():
        journal_before = db.session.scalar(select(func.count()).select_from(JournalEntry))
    body = complete(operator_a, task["id"], {"answer": "rifiuta", "decline_reason": "altro", "note": "x"}, status=409)
    assert "non è più aperta" in body["error"]
    assert capacity(app, "Pacchi alimentari") == 1
    with app.app_context():
        assert db.session.scalar(select(Referral.status)) == "accettato"
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == journal_before


def test_a_stale_lock_version_is_409_and_the_task_stays_open(app, api, runner):
    """The organization loaded the task, then the reminder timer advanced the instance: its answer conflicts."""
    worker, operator_a = api(f.SOCIAL_WORKER), api(f.OPERATOR_A)
    instance_id = case_up_to_referral(app, worker)
    task = only_task(operator_a, instance_id, "risposta_invio")
    seen = ok(operator_a.get(f"/api/v1/instances/{instance_id}"))["lock_version"]
    result = runner.invoke(
        args=["tessere", "worker", "--once", "--now", (datetime.now(UTC) + timedelta(days=4)).isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert ok(operator_a.get(f"/api/v1/instances/{instance_id}"))["lock_version"] > seen
    body = complete(operator_a, task["id"], {"answer": "accetta"}, status=409, lock_version=seen)
    assert "aggiornato da un'altra persona" in body["error"]
    assert capacity(app, "Pacchi alimentari") == 2
    assert only_task(operator_a, instance_id, "risposta_invio")["id"] == task["id"]
    # With the current lock version it goes through.
    current = ok(operator_a.get(f"/api/v1/instances/{instance_id}"))["lock_version"]
    complete(operator_a, task["id"], {"answer": "accetta"}, lock_version=current)
    assert capacity(app, "Pacchi alimentari") == 1


# ---------------------------------------------------------------------------------------------- pagination
def test_task_list_is_paginated_with_total(app, api):
    worker = api(f.SOCIAL_WORKER)
    instances = [start(worker)["id"] for _ in range(5)]
    full = ok(worker.get("/api/v1/tasks"))
    assert full["total"] == 5 and len(full["items"]) == 5
    all_ids = [t["id"] for t in full["items"]]

    pages = [ok(worker.get(f"/api/v1/tasks?per_page=2&page={n}")) for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert all(p["total"] == 5 for p in pages)
    assert [t["id"] for p in pages for t in p["items"]] == all_ids  # stable order, no overlap

    only = ok(worker.get(f"/api/v1/tasks?instance_id={instances[2]}"))
    assert only["total"] == 1 and only["items"][0]["instance_id"] == instances[2]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=201", "page=0", "page=abc", "per_page=x", "instance_id=abc"])
def test_bad_pagination_parameters_are_400(api, query):
    response = api(f.SOCIAL_WORKER).get(f"/api/v1/tasks?{query}")
    assert response.status_code == 400 and response.is_json and response.get_json()["error"]


def test_offers_are_paginated_too(api):
    client = api(f.OPERATOR_A)
    first = ok(client.get("/api/v1/offers?per_page=3&page=1"))
    second = ok(client.get("/api/v1/offers?per_page=3&page=2"))
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}


# -------------------------------------------------------------------------------------- catalogue, network
def test_offers_shape(app, api):
    body = ok(api(f.SOCIAL_WORKER).get("/api/v1/offers"))
    assert body["total"] == 4 and len(body["items"]) == 4
    for item in body["items"]:
        assert set(item) >= {"id", "title", "organization_id", "target_groups", "capacity_available"}
        assert isinstance(item["target_groups"], list) and isinstance(item["capacity_available"], int)
    by_title = {o["title"]: o for o in body["items"]}
    assert by_title["Pacchi alimentari"]["organization_id"] == organization_id(app, f.ORG_A_CF)
    assert by_title["Pacchi alimentari"]["target_groups"] == ["poverta"]
    assert by_title["Pacchi alimentari"]["capacity_available"] == 2
    assert by_title["Mensa solidale"]["organization_id"] == organization_id(app, f.ORG_B_CF)


def test_offers_follow_the_capacity(app, api):
    worker = api(f.SOCIAL_WORKER)
    instance_id = case_up_to_referral(app, worker)
    complete(
        api(f.OPERATOR_A), only_task(api(f.OPERATOR_A), instance_id, "risposta_invio")["id"], {"answer": "accetta"}
    )
    by_title = {o["title"]: o for o in ok(worker.get("/api/v1/offers"))["items"]}
    assert by_title["Pacchi alimentari"]["capacity_available"] == 1


def test_organizations_shape_lists_only_approved(app, api):
    with app.app_context():
        db.session.add(
            Organization(
                name="In attesa", codice_fiscale="00000000000", type="odv", status="pending", created_at=f.now()
            )
        )
        db.session.commit()
    body = ok(api(f.SOCIAL_WORKER).get("/api/v1/organizations"))
    assert body["total"] == 2 == len(body["items"])
    assert {o["codice_fiscale"] for o in body["items"]} == {f.ORG_A_CF, f.ORG_B_CF}
    for item in body["items"]:
        assert set(item) >= {"id", "name", "codice_fiscale"} and isinstance(item["id"], int)


# --------------------------------------------------------------------------------------- process versions
def _shipped_xml(app) -> bytes:
    from pathlib import Path

    return (Path(app.config["TESSERE_BPMN_DIR"]) / f"{PROCESS}.bpmn").read_bytes()


def _version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def _deploy(client: Api, xml: bytes | str, content_type: str = "application/xml"):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return client.client.post("/api/v1/process-versions", headers=client.headers, data=data, content_type=content_type)


def test_process_versions_list(api):
    body = ok(api(f.SOCIAL_WORKER).get("/api/v1/process-versions"))
    items = [v for v in body["items"] if v["process_key"] == PROCESS]
    assert len(items) == 1
    (item,) = items
    assert item["version"] == 1 and item["deployed_by"] == "tessere init"
    assert datetime.fromisoformat(item["deployed_at"]).tzinfo is not None


def test_manager_deploys_a_new_version_and_new_instances_use_it(app, api):
    manager, worker = api(f.MANAGER), api(f.SOCIAL_WORKER)
    old_instance = start(worker)["id"]
    changed = _shipped_xml(app).replace(
        b"<bpmn:documentation>La persona", b"<bpmn:documentation>Versione 2. La persona", 1
    )
    assert changed != _shipped_xml(app)
    body = ok(_deploy(manager, changed), 201)
    assert body["process_key"] == PROCESS and body["version"] == 2

    versions = [v for v in ok(manager.get("/api/v1/process-versions"))["items"] if v["process_key"] == PROCESS]
    assert [(v["version"], v["deployed_by"]) for v in versions] == [(1, "tessere init"), (2, f.MANAGER)]
    assert start(worker)["version"] == 2
    assert ok(worker.get(f"/api/v1/instances/{old_instance}"))["version"] == 1  # running ones keep theirs

    # Deploying the same content again creates nothing new.
    assert ok(_deploy(manager, changed), 201)["version"] == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == PROCESS)
            )
            == 2
        )


def test_manager_deploys_a_diagram_with_a_new_process_key(app, api):
    xml = _shipped_xml(app).replace(b'"percorso_beneficiario"', b'"percorso_prova"')
    body = ok(_deploy(api(f.MANAGER), xml), 201)
    assert body["process_key"] == "percorso_prova" and body["version"] == 1
    assert start(api(f.SOCIAL_WORKER))["version"] == 1  # the shipped process is untouched
    instance = ok(api(f.SOCIAL_WORKER).post("/api/v1/processes/percorso_prova/instances", json={"data": {}}), 201)
    assert instance["process_key"] == "percorso_prova" and instance["version"] == 1


@pytest.mark.parametrize("email", [f.SOCIAL_WORKER, f.OPERATOR_A, f.ADMIN])
def test_non_managers_cannot_deploy(app, api, email):
    response = _deploy(api(email), samples.linear("da_non_pubblicare"))
    assert response.status_code == 403 and response.is_json and response.get_json()["error"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ProcessVersion)
                .where(ProcessVersion.process_key == "da_non_pubblicare")
            )
            == 0
        )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&xxe;</bpmn:definitions>"""


@pytest.mark.parametrize(
    ("xml", "element_id", "words"),
    [
        (samples.script_task().encode(), "sc", "script"),
        (XXE, None, "DOCTYPE"),
        (b"questo non \xc3\xa8 XML", None, "XML"),
        (b"<root>niente BPMN</root>", None, "BPMN"),
        (samples.linear(form_key="modulo_inesistente").encode(), "t1", "modulo_inesistente"),
    ],
    ids=["script-task", "xxe-doctype", "not-xml", "not-bpmn", "unknown-form"],
)
def test_an_invalid_diagram_is_422_with_the_reasons(app, api, xml, element_id, words):
    before = _version_count(app)
    response = _deploy(api(f.MANAGER), xml)
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] and isinstance(body["errors"], list) and body["errors"]
    for issue in body["errors"]:
        assert set(issue) == {"element_id", "message"} and issue["message"]
    assert any(i["element_id"] == element_id and words.lower() in i["message"].lower() for i in body["errors"]), body
    assert "root:" not in response.get_data(as_text=True)  # no entity was ever resolved
    assert _version_count(app) == before  # nothing deployed


def test_deploy_wants_an_xml_content_type(api):
    response = _deploy(api(f.MANAGER), samples.linear(), content_type="application/json")
    assert response.status_code == 415 and response.is_json


def test_a_diagram_over_the_size_limit_is_413_in_json(app, api):
    big = samples.linear().replace("</bpmn:definitions>", "<!--" + "x" * (5 * 1024 * 1024) + "--></bpmn:definitions>")
    response = _deploy(api(f.MANAGER), big)
    assert response.status_code == 413
    assert response.is_json, "API errors must be JSON (API.md), got: " + response.content_type
    assert response.get_json()["error"] == "Richiesta troppo grande."


def test_a_json_body_over_the_size_limit_is_413_in_json(api):
    worker = api(f.SOCIAL_WORKER)
    task = only_task(worker, start(worker)["id"], "presa_in_carico")
    response = complete(worker, task["id"], {**INTAKE_JSON, "notes": "x" * (5 * 1024 * 1024)}, status=413)
    assert response["error"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/non-esiste", 404),
        ("get", "/api/v1/tasks/abc", 404),
        ("delete", "/api/v1/tasks", 405),
        ("put", "/api/v1/offers", 405),
    ],
)
def test_routing_errors_under_the_api_are_json_too(api, method, url, status):
    client = api(f.SOCIAL_WORKER)
    response = getattr(client.client, method)(url, headers=client.headers)
    assert response.status_code == status
    assert response.is_json, f"{method.upper()} {url}: API errors must be JSON, got {response.content_type}"
    assert response.get_json()["error"]


# ------------------------------------------------------------------------------------------------- OpenAPI
def _spec_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "{}", rule)


def test_openapi_is_valid_and_documents_every_api_route(app, client):
    import openapi_spec_validator

    response = client.get("/api/openapi.json")  # public: no token needed
    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    openapi_spec_validator.validate(spec)
    assert spec["openapi"].startswith("3.")

    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = {
        (_spec_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed, "no /api/v1 routes found"
    assert routed - documented == set(), "routes missing from openapi.json"
    assert documented - routed == set(), "openapi.json documents routes that do not exist"


def test_openapi_path_parameters_match_the_templates(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)


# ----------------------------------------------------------------------------------------------------- CLI
def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_cli_user_create(app, runner):
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            "Nuova@Test.it",
            "--name",
            "Nuova Persona",
            "--role",
            "social_worker",
            "--password",
            "una-password-lunga",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "nuova@test.it" in result.output
    user = _user(app, "nuova@test.it")
    assert user is not None and user.role == "social_worker" and user.organization_id is None
    assert "una-password-lunga" not in user.password_hash
    # Can log in with that password.
    response = app.test_client().post("/accesso", data={"email": "nuova@test.it", "password": "una-password-lunga"})
    assert response.status_code == 302


def test_cli_user_create_association_with_organization(app, runner):
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            "op.nuovo@test.it",
            "--name",
            "Op",
            "--role",
            "association",
            "--organization",
            f.ORG_B_CF,
            "--password",
            "una-password-lunga",
        ]
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "op.nuovo@test.it").organization_id == organization_id(app, f.ORG_B_CF)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--role", "capo"], "Ruolo sconosciuto"),
        (["--role", "association"], "organizzazione"),
        (["--role", "association", "--organization", "99999999999"], "Nessuna organizzazione"),
        (["--role", "social_worker", "--password", "corta"], "almeno"),
    ],
    ids=["bad-role", "association-without-organization", "unknown-organization", "short-password"],
)
def test_cli_user_create_refuses(app, runner, extra, words):
    args = [
        "tessere",
        "user",
        "create",
        "--email",
        "rifiutato@test.it",
        "--name",
        "R",
        "--password",
        "una-password-lunga",
        *extra,
    ]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert words in result.output
    assert _user(app, "rifiutato@test.it") is None


def test_cli_user_create_refuses_a_duplicate_email(app, runner):
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            f.SOCIAL_WORKER.upper(),
            "--name",
            "X",
            "--role",
            "social_worker",
            "--password",
            "una-password-lunga",
        ]
    )
    assert result.exit_code != 0 and "Esiste già" in result.output


def test_cli_token_create_prints_a_working_token(app, runner):
    result = runner.invoke(args=["tessere", "token", "create", f.SOCIAL_WORKER])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("tes_")
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_cli_token_create_for_an_unknown_email_fails(app, runner):
    result = runner.invoke(args=["tessere", "token", "create", "nessuno@test.it"])
    assert result.exit_code != 0
    assert "nessuno@test.it" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_cli_deploy_refuses_a_bad_file_listing_the_reasons(app, runner, tmp_path):
    bad = tmp_path / "cattivo.bpmn"
    bad.write_text(samples.script_task())
    before = _version_count(app)
    result = runner.invoke(args=["tessere", "deploy", str(bad)])
    assert result.exit_code == 1
    assert "rifiutato" in result.stderr.lower()
    assert "[sc]" in result.stderr and "script" in result.stderr
    assert _version_count(app) == before

    xxe = tmp_path / "xxe.bpmn"
    xxe.write_bytes(XXE)
    result = runner.invoke(args=["tessere", "deploy", str(xxe)])
    assert result.exit_code == 1 and "DOCTYPE" in result.stderr and "root:" not in result.output


def test_cli_deploy_of_a_good_file(app, runner, tmp_path):
    good = tmp_path / "buono.bpmn"
    good.write_text(samples.linear("prova_cli"))
    result = runner.invoke(args=["tessere", "deploy", str(good)])
    assert result.exit_code == 0, result.output
    assert "prova_cli versione 1" in result.output
    result = runner.invoke(args=["tessere", "deploy", str(good)])  # unchanged: same version
    assert result.exit_code == 0 and "prova_cli versione 1" in result.output
    good.write_text(samples.linear("prova_cli").replace('name="Decidere"', 'name="Decidere ora"'))
    result = runner.invoke(args=["tessere", "deploy", str(good)])
    assert result.exit_code == 0 and "prova_cli versione 2" in result.output
    with app.app_context():
        assert (
            db.session.scalar(select(ProcessVersion.deployed_by).where(ProcessVersion.process_key == "prova_cli"))
            == "riga di comando"
        )


def test_cli_deploy_of_a_missing_file_fails(runner, tmp_path):
    result = runner.invoke(args=["tessere", "deploy", str(tmp_path / "manca.bpmn")])
    assert result.exit_code != 0


def test_processes_started_by_their_own_pages_cannot_be_started_through_the_api(app, client):
    with app.app_context():
        from webapp.auth.models import User
        from webapp.auth.services import create_token

        token = create_token(db.session, db.session.scalar(select(User).where(User.email == f.SOCIAL_WORKER)))
        db.session.commit()
    for key in ("segnalazione", "richiesta_cittadino"):
        response = client.post(
            f"/api/v1/processes/{key}/instances", json={"data": {}}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 422 and "si avvia solo dalla sua pagina" in response.get_json()["error"]
