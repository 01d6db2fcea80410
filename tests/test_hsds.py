"""`/api/hsds/`: the catalogue as Open Referral HSDS 3.0, validated against the official JSON schemas.

The schemas are copies in tests/data/hsds-3.0/ (CC BY-SA 4.0, see its README); `$ref`s between them resolve
offline through a `referencing` registry, and formats (uuid, email) are checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.network.models import Offer, Organization

SCHEMAS = Path(__file__).parent / "data" / "hsds-3.0"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "contents")


@cache
def registry() -> Registry:
    resources = []
    for path in [*SCHEMAS.glob("*.json"), *(SCHEMAS / "compiled").glob("*.json")]:
        if path.name == "openapi.json":
            continue
        uri = BASE + str(path.relative_to(SCHEMAS))
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def page_schema() -> dict:
    return json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))["components"]["schemas"]["Page"]


def validate(instance: dict, schema_name: str) -> None:
    """Raise (with every problem listed) unless `instance` is valid against the named HSDS schema."""
    validator = Draft202012Validator({"$ref": BASE + schema_name}, registry=registry(), format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    assert not problems, f"not valid against {schema_name}:\n" + "\n".join(problems)


def validate_page(body: dict, item_schema: str) -> None:
    for field in PAGE_FIELDS:
        assert field in body, f"pagination field {field} missing"
    Draft202012Validator(page_schema(), format_checker=FormatChecker()).validate(body)
    assert isinstance(body["contents"], list) and body["size"] == len(body["contents"])
    for item in body["contents"]:
        validate(item, item_schema)


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.is_json, response.content_type
    return response.get_json()


@pytest.fixture
def hsds_app(app):
    """Factories' network with addresses, zones, languages, a schedule and a verification date."""
    with app.app_context():
        for organization in db.session.scalars(select(Organization)):
            organization.address = "Via Barberinese 118, 50013 Campi Bisenzio (FI)"
            organization.phone = "055 8951234"
            organization.email = "info@organizzazione.example"
            organization.description = f"Descrizione di {organization.name}"
            organization.legal_representative = "Ermenegilda Rappresentante"
        for offer in db.session.scalars(select(Offer)):
            offer.location = "Via Tosca Fiesoli 45, 50013 Campi Bisenzio (FI)"
            offer.schedule = "Martedì e venerdì 9:00-12:30"
            offer.areas = ["centro", "tutto_il_comune"]
            offer.languages = ["it", "ar"]
            offer.how_to_access = "Su invio del Servizio sociale"
            offer.cost = "Gratuito"
            offer.eligibility = "Residenti a Campi Bisenzio"
            offer.verified_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        db.session.commit()
    return app


# ----------------------------------------------------------------------------------------------- the API
def test_version_info_and_openapi(hsds_app, client):
    body = get_json(client, "/api/hsds/")
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/hsds/openapi.json") and body["profile"].startswith("https://")
    spec = get_json(client, "/api/hsds/openapi.json")
    openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
    openapi_spec_validator.validate(spec)
    assert set(spec["paths"]) == {"/", "/services", "/services/{id}", "/organizations", "/organizations/{id}"}


def test_it_is_public_while_the_token_api_stays_protected(hsds_app, client):
    response = client.get("/api/hsds/services")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/offers").status_code == 401  # the api blueprint's before_request still applies there


def test_services_are_paginated_with_the_spec_fields(hsds_app, client):
    first = get_json(client, "/api/hsds/services?per_page=3")
    validate_page(first, "compiled/service_list.json")
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (4, 2, 1, 3)
    assert first["first_page"] is True and first["last_page"] is False and first["empty"] is False
    second = get_json(client, "/api/hsds/services?per_page=3&page=2")
    validate_page(second, "compiled/service_list.json")
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    names = {s["name"] for s in first["contents"] + second["contents"]}
    assert names == {"Pacchi alimentari", "Ascolto donne", "Mensa solidale", "Compagnia agli anziani"}
    beyond = get_json(client, "/api/hsds/services?per_page=3&page=9")
    validate_page(beyond, "compiled/service_list.json")
    assert beyond["empty"] is True and beyond["contents"] == []


def test_a_service_is_fully_nested_and_valid(hsds_app, client):
    listed = get_json(client, "/api/hsds/services?search=pacchi")["contents"]
    assert [s["name"] for s in listed] == ["Pacchi alimentari"]
    service = get_json(client, f"/api/hsds/services/{listed[0]['id']}")
    validate(service, "service.json")
    assert service["status"] == "active" and service["assured_date"] == "2026-03-02"
    assert service["fees_description"] == "Gratuito"
    assert service["application_process"] == "Su invio del Servizio sociale"
    assert service["schedules"][0]["description"] == "Martedì e venerdì 9:00-12:30"
    assert {lang["code"] for lang in service["languages"]} == {"it", "ar"}
    assert {area["name"] for area in service["service_areas"]} == {
        "Campi Bisenzio centro",
        "Tutto il territorio comunale",
    }
    address = service["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["city"]) == (
        "Via Tosca Fiesoli 45",
        "50013",
        "Campi Bisenzio",
    )
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]): a.get("value") for a in service["attributes"]
    }
    assert ("destinatari", "poverta") in terms and ("bisogni", "generi_alimentari") in terms
    assert terms[("capacita", "capacita_massima")] == "2" and terms[("capacita", "capacita_disponibile")] == "2"
    assert service["organization"]["name"] == "Emporio Solidale di prova"
    validate(service["organization"], "organization.json")


def test_full_service_lists_validate_as_services(hsds_app, client):
    body = get_json(client, "/api/hsds/services?full=true")
    validate_page(body, "compiled/service_list.json")
    for service in body["contents"]:
        validate(service, "service.json")


def test_organizations_carry_the_codice_fiscale_as_identifier(hsds_app, client):
    listing = get_json(client, "/api/hsds/organizations?per_page=1")
    validate_page(listing, "compiled/organization_list.json")
    assert (listing["total_items"], listing["total_pages"], listing["size"]) == (2, 2, 1)
    summaries = listing["contents"] + get_json(client, "/api/hsds/organizations?per_page=1&page=2")["contents"]
    assert {o["tax_id"] for o in summaries} == {f.ORG_A_CF, f.ORG_B_CF}

    for summary in summaries:
        organization = get_json(client, f"/api/hsds/organizations/{summary['id']}")
        validate(organization, "organization.json")
        (identifier,) = organization["organization_identifiers"]
        assert identifier["identifier_scheme"] == "IT-CF" and identifier["identifier_type"] == "Codice fiscale"
        assert identifier["identifier"] == summary["tax_id"] and identifier["organization_id"] == summary["id"]
        assert organization["locations"][0]["addresses"][0]["postal_code"] == "50013"
        assert len(organization["services"]) == 2
        for service in organization["services"]:
            validate(service, "compiled/service_list.json")
            assert service["organization_id"] == summary["id"]

    full = get_json(client, "/api/hsds/organizations?full=true")
    validate_page(full, "compiled/organization_list.json")
    for organization in full["contents"]:
        validate(organization, "organization.json")


def test_services_of_one_organization(hsds_app, client):
    organization_id = get_json(client, "/api/hsds/services?search=mensa")["contents"][0]["organization_id"]
    body = get_json(client, f"/api/hsds/services?organization_id={organization_id}")
    assert {s["name"] for s in body["contents"]} == {"Mensa solidale", "Compagnia agli anziani"}
    assert get_json(client, "/api/hsds/services?organization_id=non-valido", status=400)["error"]


def test_only_the_public_catalogue_is_published(hsds_app, client):
    with hsds_app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.title == "Pacchi alimentari"))
        offer.active = False
        db.session.commit()
        offer_id = offer.id
    names = {s["name"] for s in get_json(client, "/api/hsds/services")["contents"]}
    assert "Pacchi alimentari" not in names
    assert get_json(client, f"/api/hsds/services/{offer_id}", status=404)["error"]


def test_nothing_personal_is_published(hsds_app, client):
    texts = [
        client.get(url).get_data(as_text=True)
        for url in ("/api/hsds/services?full=true", "/api/hsds/organizations?full=true")
    ]
    for text in texts:
        assert "Ermenegilda" not in text and f.OPERATOR_A not in text and "op.a" not in text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/hsds/services/00000000-0000-4000-8000-000000000001", 404),
        ("/api/hsds/services/999999", 404),
        ("/api/hsds/organizations/non-esiste", 404),
        ("/api/hsds/services?page=0", 400),
        ("/api/hsds/services?per_page=1000", 400),
        ("/api/hsds/organizations?page=abc", 400),
    ],
)
def test_errors_are_json_in_italian(hsds_app, client, url, status):
    body = get_json(client, url, status=status)
    assert body["error"] and "not found" not in body["error"].lower()


def test_ids_are_stable_uuids_and_numeric_ids_work_too(hsds_app, client):
    service = get_json(client, "/api/hsds/services?search=mensa")["contents"][0]
    with hsds_app.app_context():
        offer_id = db.session.scalar(select(Offer.id).where(Offer.title == "Mensa solidale"))
    assert service["id"].endswith(f"{offer_id:012x}")
    assert get_json(client, f"/api/hsds/services/{offer_id}")["id"] == service["id"]
    assert get_json(client, "/api/hsds/services?search=mensa")["contents"][0]["id"] == service["id"]
