"""Small, explicit test data: two organizations with offers, and one user per role.

Passwords are hashed once per test session (Argon2 is deliberately slow) and the hash reused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.auth.services import hash_password
from webapp.network.models import Offer, Organization

PASSWORD = "password-di-prova-123"

SOCIAL_WORKER = "as@test.it"
SOCIAL_WORKER_2 = "as2@test.it"
OPERATOR_A = "op.a@test.it"
OPERATOR_B = "op.b@test.it"
MANAGER = "resp@test.it"
ADMIN = "admin@test.it"

ORG_A_CF = "94770720483"
ORG_B_CF = "06942230480"


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def now() -> datetime:
    return datetime.now(UTC)


def make_organization(session: Session, name: str, cf: str) -> Organization:
    organization = Organization(name=name, codice_fiscale=cf, type="odv", status="approved", created_at=now())
    session.add(organization)
    session.flush()
    return organization


def make_offer(
    session: Session, organization: Organization, title: str, groups: list[str], needs: list[str], capacity: int = 5
) -> Offer:
    offer = Offer(
        organization_id=organization.id,
        title=title,
        description=f"Descrizione di {title}",
        target_groups=groups,
        needs=needs,
        capacity_total=capacity,
        capacity_available=capacity,
        capacity_unit="posti",
        languages=["it"],
        active=True,
        created_at=now(),
    )
    session.add(offer)
    session.flush()
    return offer


def laundry_offer_row(organization_id: int, areas: list[str]) -> dict:
    """An offer as a row for a bulk `insert(Offer)`, which bypasses the ORM and its listeners (the search and filter
    indexes then need `tessere catalog reindex`)."""
    return {
        "organization_id": organization_id,
        "title": "Lavanderia sociale",
        "description": "Lavatrici a disposizione",
        "target_groups": ["poverta"],
        "needs": ["riuso"],
        "capacity_total": 3,
        "capacity_available": 3,
        "capacity_unit": "posti",
        "languages": ["it"],
        "active": True,
        "areas": areas,
        "created_at": now(),
    }


def make_user(session: Session, email: str, role: str, organization: Organization | None = None) -> User:
    user = User(
        email=email,
        name=email.split("@")[0],
        role=role,
        password_hash=password_hash(),
        organization_id=organization.id if organization else None,
        active=True,
        created_at=now(),
    )
    session.add(user)
    session.flush()
    return user


def seed_network(session: Session) -> None:
    org_a = make_organization(session, "Emporio Solidale di prova", ORG_A_CF)
    org_b = make_organization(session, "Cooperativa di prova", ORG_B_CF)
    make_offer(session, org_a, "Pacchi alimentari", ["poverta"], ["generi_alimentari", "riuso"], capacity=2)
    make_offer(session, org_a, "Ascolto donne", ["violenza_genere"], ["ascolto_antiviolenza"], capacity=3)
    make_offer(session, org_b, "Mensa solidale", ["poverta"], ["mensa", "generi_alimentari"], capacity=4)
    make_offer(session, org_b, "Compagnia agli anziani", ["anziani"], ["contrasto_solitudine"], capacity=4)
    make_user(session, SOCIAL_WORKER, "social_worker")
    make_user(session, SOCIAL_WORKER_2, "social_worker")
    make_user(session, OPERATOR_A, "association", org_a)
    make_user(session, OPERATOR_B, "association", org_b)
    make_user(session, MANAGER, "manager")
    make_user(session, ADMIN, "admin")
