"""Deny by default: every route of the URL map against the declared policy (webapp/security/policy.py).

A route without a rule fails `test_every_endpoint_has_a_declared_policy`, which names it. Then each GET is tried by
six personas on seeded objects of organization A and of the social worker in charge, and must answer what the table
declares: 200, a redirect to the login page, or 404 for what the persona may not know exists (never 403, except
where the table says so). POST-only routes are checked for anonymous visitors, roles not allowed, and CSRF.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from tests import factories as f
from tests.journey import send_to_offer, start_case
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.referrals.models import Case, Referral
from webapp.security import policy

PERSONA_EMAILS = {
    "social_worker": f.SOCIAL_WORKER,
    "association_a": f.OPERATOR_A,
    "association_b": f.OPERATOR_B,
    "manager": f.MANAGER,
    "admin": f.ADMIN,
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static" or rule.rule.startswith("/static")]


@pytest.fixture
def world(app, login):
    """A referral of the social worker's case to organization A, and the other objects routes take as ids: a signal
    sent by organization A, a confirmed citizen's request to A's offer that asks for the social service's support,
    and a network agreement with a specialist service."""
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    from tests.test_agreements import make_service
    from tests.test_citizen import REQUEST, ask_and_confirm
    from tests.test_signals import send_signal

    specialist_service_id = make_service(app)
    signal = send_signal(app, login(f.OPERATOR_A))
    citizen_request = ask_and_confirm(
        app, app.test_client(), "Pacchi alimentari", {**REQUEST, "support_requested": "y"}
    )
    from tests.test_membership import application_by_cf, submit_new
    from tests.test_membership import open_task as membership_open_task
    from tests.test_pact import publish_directly, start_publication
    from webapp.membership.services import REVIEW_FORM_KEY

    publish_directly(app)
    publication_task = start_publication(login(f.MANAGER))
    membership_token = submit_new(app.test_client())
    application = application_by_cf(app)
    review_task = membership_open_task(app, application.id, REVIEW_FORM_KEY)
    with app.app_context():
        from webapp.notifications.models import OutboxMessage

        case = db.session.scalar(select(Case).where(Case.instance_id == instance_id))
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
        task = db.session.scalar(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        )
        org_a = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        offer = db.session.scalar(select(Offer).where(Offer.title == "Pacchi alimentari"))
        message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
        from webapp.agreements.models import SpecialistService

        agreement_id = db.session.get(SpecialistService, specialist_service_id).agreement_id
        values = {
            "case_id": case.id,
            "referral_id": referral.id,
            "task_id": task.id,
            "instance_id": instance_id,
            "offer_id": offer.id,
            "organization_id": org_a.id,
            "service_id": str(offer.id),
            "number": 1,
            "message_id": message.id if message else 999999,
            "notification_id": 999999,
            "application_id": application.id,
            "token_id": 999999,
            "token": membership_token,
            "process_key": "percorso_beneficiario",
            "filename": "css/tessere.css",
            "signal_id": signal.id,
            "request_id": citizen_request.id,
            "agreement_id": agreement_id,
            # routes whose parameter names another kind of object than the same name elsewhere
            "by_endpoint": {
                "pact.publish": {"task_id": publication_task},
                "membership.review_by_task": {"task_id": review_task.id if review_task else 999999},
                "membership.accept_invitation": {"token": "invito-inesistente"},
                "security.reset_password": {"token": "collegamento-inesistente"},
                "agreements.toggle_service": {"service_id": specialist_service_id},
                "agreements.bind_operator": {"service_id": specialist_service_id},
            },
        }
    return values


def _unseeded(rule, name: str, values) -> bool:
    return name not in values.get("by_endpoint", {}).get(rule.endpoint, {}) and name not in values


def _url(app, rule, values) -> str:
    with app.test_request_context():
        from flask import url_for

        specific = values.get("by_endpoint", {}).get(rule.endpoint, {})
        return url_for(rule.endpoint, **{name: specific.get(name, values.get(name, 999999)) for name in rule.arguments})


@pytest.fixture
def clients(app, login):
    made = {"anonymous": app.test_client()}
    for persona, email in PERSONA_EMAILS.items():
        made[persona] = login(email)
    return made


def test_every_endpoint_has_a_declared_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(policy.ROUTES))
    assert not missing, "Routes without an access policy in webapp/security/policy.py: " + ", ".join(missing)
    stale = sorted(set(policy.ROUTES) - endpoints)
    assert not stale, "Policies for routes that no longer exist: " + ", ".join(stale)


def test_a_route_without_a_policy_is_refused_at_runtime(app, login):
    """Deny by default also when the table is forgotten: the gate answers 404 and logs the endpoint."""
    app.add_url_rule("/senza-regola", "senza_regola", lambda: "segreto")
    for client in (app.test_client(), login(f.MANAGER)):
        response = client.get("/senza-regola")
        assert response.status_code == 404 and b"segreto" not in response.data


def test_every_get_answers_what_the_policy_declares_for_each_persona(app, world, clients):
    mismatches = []
    for rule in app.url_map.iter_rules():
        declared = policy.rule_for(rule.endpoint)
        if declared is None or "GET" not in rule.methods:
            continue
        url = _url(app, rule, world)
        # A parameter the world does not seed gets an id no row has: allowed personas must then get 404 (the
        # gate and the view still run). Seed it in `world` to check the real answer.
        unseeded = any(_unseeded(rule, name, world) for name in rule.arguments)
        for persona in policy.PERSONAS:
            expected = declared.expected(persona)
            if expected is None:
                continue
            if unseeded and expected == 200 and declared.allow != policy.PUBLIC:
                expected = 404
            response = clients[persona].get(url)
            response.close()  # static files are streamed from disk
            status = response.status_code
            if status != expected:
                mismatches.append(f"{rule.endpoint} {url} as {persona}: {status}, declared {expected}")
            elif status == 302 and persona == "anonymous" and declared.allow != policy.PUBLIC:
                if "/accesso" not in response.headers["Location"]:
                    mismatches.append(f"{rule.endpoint} as anonymous redirects to {response.headers['Location']}")
    assert not mismatches, "\n".join(mismatches)


def test_post_routes_refuse_anonymous_visitors_and_roles_not_allowed(app, world, clients):
    mismatches = []
    for rule in app.url_map.iter_rules():
        declared = policy.rule_for(rule.endpoint)
        if declared is None or "POST" not in rule.methods or declared.allow in (policy.PUBLIC,):
            continue
        url = _url(app, rule, world)
        for persona in policy.PERSONAS:
            role = policy.PERSONA_ROLES[persona]
            if role is None:
                expected = 401 if declared.allow == policy.API else 302
            elif not declared.allows(role):
                expected = 404
            else:
                continue  # allowed: what the view does with an empty form is its own tests' business
            response = clients[persona].post(url, data={})
            if response.status_code != expected:
                mismatches.append(f"POST {rule.endpoint} as {persona}: {response.status_code}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)


def _csrf_login(client, email: str) -> None:
    page = client.get("/accesso").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/accesso", data={"email": email, "password": f.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_every_state_change_needs_the_csrf_token(database, tmp_path):
    """With CSRF protection on (as in production), a POST without the token changes nothing: 400."""
    from tests.conftest import make_app

    app = make_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        staff = {}
        for persona, email in PERSONA_EMAILS.items():
            client = app.test_client()
            _csrf_login(client, email)
            staff[policy.PERSONA_ROLES[persona]] = client
        values = {"process_key": "percorso_beneficiario", "filename": "x", "token": "x"}
        refused = []
        for rule in app.url_map.iter_rules():
            declared = policy.rule_for(rule.endpoint)
            if declared is None or not ({"POST", "PUT", "PATCH", "DELETE"} & rule.methods):
                continue
            url = _url(app, rule, values)
            if declared.allow in (policy.PUBLIC,):
                callers = [app.test_client()]
            else:
                callers = [c for role, c in staff.items() if declared.allows(role)][:1]
            for caller in callers:
                status = caller.post(url, data={"x": "1"}).status_code
                if status != 400:
                    refused.append(f"POST {rule.endpoint} without CSRF token: {status}")
        assert not refused, "\n".join(refused)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_guessed_ids_of_another_organization_are_not_found_through_pages_and_api(app, world, clients, login):
    from tests.test_api import token_for

    other = clients["association_b"]
    for url in (
        f"/invii/{world['referral_id']}",
        f"/attivita/{world['task_id']}",
        f"/le-nostre-offerte/{world['offer_id']}",
        f"/casi/{world['case_id']}",
        f"/casi/{world['case_id']}/dati-personali",
        f"/segnalazioni/{world['signal_id']}",
        f"/richieste/{world['request_id']}",
    ):
        assert other.get(url).status_code == 404, url
    for persona in ("association_a", "social_worker", "manager"):  # the same ids exist and are theirs to see
        assert clients[persona].get(f"/segnalazioni/{world['signal_id']}").status_code == 200, persona
        assert clients[persona].get(f"/richieste/{world['request_id']}").status_code == 200, persona
    assert clients["manager"].get(f"/accordi/{world['agreement_id']}").status_code == 200
    assert clients["association_a"].get(f"/accordi/{world['agreement_id']}").status_code == 404
    assert other.post(f"/richieste/{world['request_id']}/concludi").status_code == 404
    assert other.post(f"/le-nostre-offerte/{world['offer_id']}/disattiva").status_code == 404
    assert other.post(f"/attivita/{world['task_id']}", data={"answer": "accetta"}).status_code == 404
    headers = {"Authorization": f"Bearer {token_for(app, f.OPERATOR_B)}"}
    api = app.test_client()
    for url in (f"/api/v1/tasks/{world['task_id']}", f"/api/v1/instances/{world['instance_id']}"):
        response = api.get(url, headers=headers)
        assert response.status_code == 404 and response.is_json, url
    response = api.post(
        f"/api/v1/tasks/{world['task_id']}/complete", json={"data": {"answer": "accetta"}}, headers=headers
    )
    assert response.status_code == 404
    listing = api.get("/api/v1/tasks", headers=headers).get_json()
    assert all(item["instance_id"] != world["instance_id"] for item in listing["items"])
    with app.app_context():
        offer = db.session.get(Offer, world["offer_id"])
        assert offer.active and offer.capacity_available == 2
        assert db.session.get(Referral, world["referral_id"]).status == "inviato"
