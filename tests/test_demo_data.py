"""Consistency checks for the demo network in webapp/demo/data.py, and the demo's Fase 1 review queue."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select
from stdnum.it import iva

from engine.models import HumanTask
from forms.vocabulary import NEED_GROUP, ORGANIZATION_TYPES, TARGET_GROUPS_BY_CODE
from tests import factories as f
from webapp.demo.applications import DEMO_APPLICATIONS, load_applications
from webapp.demo.data import DEMO_PASSWORD, OFFERS, ORGANIZATIONS, STAFF_USERS, UNCOVERED_NEEDS
from webapp.extensions import db
from webapp.membership.models import MembershipApplication, OperatorInvitation
from webapp.network.models import Organization
from webapp.workflow import get_engine

ORGANIZATION_KEYS = {
    "name", "codice_fiscale", "type", "email", "phone", "address", "description", "area",
    "legal_representative", "registry", "operator",
}
OFFER_KEYS = {
    "organization_cf", "title", "description", "target_groups", "needs", "capacity_total", "capacity_unit",
    "location", "schedule", "how_to_access", "eligibility", "languages", "cost",
}


def test_organizations_have_the_expected_keys_and_types():
    type_codes = {code for code, _ in ORGANIZATION_TYPES}
    for org in ORGANIZATIONS:
        assert set(org) == ORGANIZATION_KEYS, org["name"]
        assert org["type"] in type_codes, org["name"]
        assert set(org["operator"]) == {"email", "name"}, org["name"]
        assert org["operator"]["email"].endswith("@demo.tessere.it"), org["name"]
        assert "50013 " in org["address"] and "Campi Bisenzio" in org["address"], org["name"]
        assert re.fullmatch(r"\d{3} \d{6,7}", org["phone"]), org["phone"]
    assert len({org["type"] for org in ORGANIZATIONS}) >= 6


def test_codici_fiscali_are_valid_and_unique():
    cfs = [org["codice_fiscale"] for org in ORGANIZATIONS]
    for cf in cfs:
        assert len(cf) == 11 and cf.isdigit(), cf
        assert iva.is_valid(cf), cf
    assert len(set(cfs)) == len(cfs)


def test_first_two_organizations_are_the_documented_ones():
    first, second = ORGANIZATIONS[0], ORGANIZATIONS[1]
    assert first["type"] == "odv"
    assert first["operator"]["email"] == "operatore@demo.tessere.it"
    first_offers = [offer for offer in OFFERS if offer["organization_cf"] == first["codice_fiscale"]]
    assert any("generi_alimentari" in offer["needs"] for offer in first_offers)
    assert second["operator"]["email"] == "operatore2@demo.tessere.it"


def test_every_offer_belongs_to_an_existing_organization():
    cfs = {org["codice_fiscale"] for org in ORGANIZATIONS}
    for offer in OFFERS:
        assert offer["organization_cf"] in cfs, offer["title"]


def test_every_organization_has_one_to_four_offers():
    per_org = Counter(offer["organization_cf"] for offer in OFFERS)
    for org in ORGANIZATIONS:
        assert 1 <= per_org[org["codice_fiscale"]] <= 4, org["name"]


def test_offers_are_well_formed():
    for offer in OFFERS:
        assert set(offer) == OFFER_KEYS, offer["title"]
        assert 1 <= len(offer["target_groups"]) <= 2, offer["title"]
        assert all(group in TARGET_GROUPS_BY_CODE for group in offer["target_groups"]), offer["title"]
        assert offer["needs"], offer["title"]
        assert isinstance(offer["capacity_total"], int) and 3 <= offer["capacity_total"] <= 40, offer["title"]
        assert offer["capacity_unit"] in ("posti", "ore"), offer["title"]
        assert offer["languages"] and "it" in offer["languages"], offer["title"]
        assert all(re.fullmatch(r"[a-z]{2}", lang) for lang in offer["languages"]), offer["title"]


def test_every_need_belongs_to_one_of_the_offer_target_groups():
    for offer in OFFERS:
        for need in offer["needs"]:
            assert need in NEED_GROUP, (offer["title"], need)
            assert NEED_GROUP[need] in offer["target_groups"], (offer["title"], need)


def test_counts():
    assert len(ORGANIZATIONS) >= 12
    assert len(OFFERS) >= 30


def test_each_target_group_has_at_least_four_offers():
    per_group = Counter(group for offer in OFFERS for group in offer["target_groups"])
    for code in TARGET_GROUPS_BY_CODE:
        assert per_group[code] >= 4, code


def test_need_coverage_is_at_least_80_percent_with_some_gaps():
    covered = {need for offer in OFFERS for need in offer["needs"]}
    assert len(covered) / len(NEED_GROUP) >= 0.8
    uncovered = set(NEED_GROUP) - covered
    assert uncovered, "the 'needs with no offer' report needs something to show"
    assert uncovered == set(UNCOVERED_NEEDS)


def test_user_emails_are_unique():
    operator_emails = [org["operator"]["email"] for org in ORGANIZATIONS]
    assert len(set(operator_emails)) == len(operator_emails)
    all_emails = operator_emails + [user["email"] for user in STAFF_USERS]
    assert len(set(all_emails)) == len(all_emails)


def test_staff_users():
    roles = Counter(user["role"] for user in STAFF_USERS)
    assert roles == {"social_worker": 3, "manager": 1, "admin": 1}
    assert STAFF_USERS[0]["email"] == "assistente.sociale@demo.tessere.it"
    emails = {user["email"]: user["role"] for user in STAFF_USERS}
    assert emails["responsabile@demo.tessere.it"] == "manager"
    assert emails["admin@demo.tessere.it"] == "admin"
    assert DEMO_PASSWORD == "tessere-demo-2026"


# ------------------------------------------------------------------ Fase 1: the demo's review queue
def test_demo_applications_cover_every_state_with_valid_distinct_codes():
    assert [a["state"] for a in DEMO_APPLICATIONS] == [
        "draft", "submitted", "changes_requested", "rejected", "approved"
    ]
    elenco = {org["codice_fiscale"] for org in ORGANIZATIONS}
    submitted = [a for a in DEMO_APPLICATIONS if a["state"] != "draft"]
    for application in submitted:
        assert iva.is_valid(application["scheda"]["codice_fiscale"]), application["scheda"]["name"]
        assert application["scheda"]["codice_fiscale"] not in elenco, application["scheda"]["name"]
    emails = [a["scheda"]["contact_email"] for a in DEMO_APPLICATIONS]
    assert len(set(emails)) == len(emails)
    assert all(a.get("review") for a in DEMO_APPLICATIONS if a["state"] in ("changes_requested", "rejected"))


def test_the_demo_applications_load_through_the_process_once(app):
    with app.app_context():
        assert load_applications(db.session, get_engine(), datetime.now(UTC)) == 5
        rows = {a.contact_email: a for a in db.session.scalars(select(MembershipApplication))}
        states = sorted(a.status for a in rows.values())
        assert states == sorted(["draft", "submitted", "changes_requested", "rejected", "approved"])
        rejected = rows["formaebenessere@demo-adesioni.it"]
        assert "non rientra nelle finalità" in rejected.last_request and rejected.protocol_number
        changes = rows["auser@demo-adesioni.it"]
        assert "San Piero a Ponti" in changes.last_request
        amend = db.session.scalar(
            select(HumanTask).where(HumanTask.instance_id == changes.instance_id, HumanTask.status == "open")
        )
        assert amend is not None and amend.form_key == "integrazione_domanda"
        waiting = rows["melograno@demo-adesioni.it"]
        review = db.session.scalar(
            select(HumanTask).where(HumanTask.instance_id == waiting.instance_id, HumanTask.status == "open")
        )
        assert review is not None and review.form_key == "esame_domanda_adesione"
        approved = rows["santamaria@demo-adesioni.it"]
        organization = db.session.get(Organization, approved.organization_id)
        assert organization.status == "approved" and organization.name == "Parrocchia di Santa Maria a Campi"
        assert db.session.scalar(
            select(OperatorInvitation).where(OperatorInvitation.application_id == approved.id)
        ) is not None
        draft = rows["circolo.rondinino@demo-adesioni.it"]
        assert draft.protocol_number is None and draft.form_data["codice_fiscale"] == ["9420"]

        assert load_applications(db.session, get_engine(), datetime.now(UTC)) == 0  # a second run creates nothing
        assert len(db.session.scalars(select(MembershipApplication)).all()) == 5


def test_the_manager_sees_the_demo_review_queue(app, login):
    with app.app_context():
        load_applications(db.session, get_engine(), datetime.now(UTC))
    page = login(f.MANAGER).get("/adesioni").get_data(as_text=True)
    for name in ("Il Melograno APS", "Auser Volontariato", "Palestra Forma e Benessere", "Parrocchia di Santa Maria"):
        assert name in page
    assert "Circolo ARCI Il Rondinino" not in page  # a draft belongs to the applicant until it is sent
