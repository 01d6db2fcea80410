"""The access-control matrix of the three doors into the network, on seeded objects and with the `health_service`
role: a signal of organization A, two confirmed citizens' requests to A's offer (one asking for the social service's
support), an agreement with a specialist service and its operator. Every route of `signals`, `citizen` and
`agreements` answers each persona what webapp/security/policy.py and the views intend (404, never 403, for what a
persona may not know exists)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from tests import factories as f
from tests.journey import offer_id
from tests.test_agreements import HEALTH, make_service
from tests.test_citizen import REQUEST, ask_and_confirm
from tests.test_signals import send_signal
from webapp.agreements.models import NetworkAgreement
from webapp.extensions import db

PERSONAS = {
    "anonymous": None,
    "social_worker": f.SOCIAL_WORKER,
    "association_a": f.OPERATOR_A,
    "association_b": f.OPERATOR_B,
    "manager": f.MANAGER,
    "admin": f.ADMIN,
    "health_service": HEALTH,
}
ALL = tuple(PERSONAS)


def expect(ok: tuple[str, ...], **others: int) -> dict[str, int]:
    """200 for `ok`, a redirect to the login page for anonymous visitors, 404 for the rest (unless told)."""
    table = {p: (200 if p in ok else 302 if p == "anonymous" else 404) for p in ALL}
    table.update(others)
    return table


@pytest.fixture
def world(app, login):
    service_id = make_service(app)
    signal = send_signal(app, login(f.OPERATOR_A))
    client = app.test_client()
    plain = ask_and_confirm(app, client)
    supported = ask_and_confirm(
        app, client, "Pacchi alimentari", {**REQUEST, "email": "con.supporto@example.org", "support_requested": "y"}
    )
    from tests.test_citizen import confirmation_token

    with app.app_context():
        evaluation = db.session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == signal.instance_id, HumanTask.status == "open")
        )
        agreement_id = db.session.scalar(select(NetworkAgreement.id))
    return {
        "signal": signal.id,
        "evaluation_task": evaluation,
        "plain_request": plain.id,
        "supported_request": supported.id,
        "token": confirmation_token(app),
        "offer": offer_id(app, "Pacchi alimentari"),
        "agreement": agreement_id,
        "service": service_id,
    }


@pytest.fixture
def clients(app, login):
    return {p: (login(email) if email else app.test_client()) for p, email in PERSONAS.items()}


def test_get_routes_of_the_doors_answer_each_persona(world, clients):
    staff_and_orgs = ("social_worker", "association_a", "association_b", "manager")
    table = {
        "/segnalazioni": expect(staff_and_orgs),
        "/segnalazioni/nuova": expect(("association_a", "association_b")),
        f"/segnalazioni/{world['signal']}": expect(("social_worker", "association_a", "manager")),
        f"/attivita/{world['evaluation_task']}": expect(("social_worker",)),
        f"/catalogo/offerte/{world['offer']}": expect(ALL),
        f"/catalogo/offerte/{world['offer']}/partecipa": expect(ALL),
        f"/catalogo/offerte/{world['offer']}/partecipa/inviata": expect(ALL),
        f"/partecipa/{world['token']}": expect(ALL),  # the secret link is the citizen's credential
        "/partecipa/un-link-che-non-esiste": expect((), anonymous=404),
        "/richieste": expect(staff_and_orgs),
        f"/richieste/{world['plain_request']}": expect(("association_a",)),
        f"/richieste/{world['supported_request']}": expect(("association_a", "social_worker", "manager")),
        "/accordi": expect(("manager",)),
        "/accordi/nuovo": expect(("manager",)),
        f"/accordi/{world['agreement']}": expect(("manager",)),
        "/accordi/invii": expect(("manager",)),
        f"/accordi/invii?servizio={world['service']}": expect(("manager",)),
        "/casi": expect(("social_worker", "association_a", "association_b", "manager", "health_service")),
        "/casi/nuovo": expect(("social_worker", "health_service")),
    }
    mismatches = []
    for url, expected in table.items():
        for persona, status in expected.items():
            response = clients[persona].get(url)
            if response.status_code != status:
                mismatches.append(f"GET {url} as {persona}: {response.status_code}, expected {status}")
            elif status == 302 and "/accesso" not in response.headers["Location"]:
                mismatches.append(f"GET {url} as {persona} redirects to {response.headers['Location']}")
    assert not mismatches, "\n".join(mismatches)


def test_post_routes_of_the_doors_refuse_who_may_not(world, clients):
    table = {
        "/segnalazioni/nuova": ("association_a", "association_b"),
        f"/richieste/{world['plain_request']}/concludi": ("association_a",),
        "/accordi/nuovo": ("manager",),
        f"/accordi/{world['agreement']}": ("manager",),
        f"/accordi/{world['agreement']}/servizi": ("manager",),
        f"/accordi/servizi/{world['service']}/attivo": ("manager",),
        f"/accordi/servizi/{world['service']}/operatori": ("manager",),
    }
    mismatches = []
    for url, allowed in table.items():
        for persona in ALL:
            if persona in allowed:
                continue
            response = clients[persona].post(url, data={})
            expected = 302 if persona == "anonymous" else 404
            if response.status_code != expected:
                mismatches.append(f"POST {url} as {persona}: {response.status_code}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_organization_b_cannot_conclude_a_participation_of_organization_a(world, clients):
    assert clients["association_b"].post(f"/richieste/{world['plain_request']}/concludi").status_code == 404
