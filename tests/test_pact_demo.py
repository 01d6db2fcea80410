"""The demo data set covers Fase 2: a published pact signed by most members, zones, verification dates."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.demo import data
from webapp.demo.loader import load_demo
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.pact.models import PactSignature, PactVersion
from webapp.workflow import get_engine


def test_demo_has_a_published_pact_signed_by_most_members_and_verified_offers(app):
    with app.app_context():
        created = load_demo(db.session, get_engine())
        assert created["pact"] == 1
        version = db.session.scalar(select(PactVersion))
        assert version.version == 1 and version.instance_id is not None  # published through fase2_patto
        assert (version.valid_until.year - version.valid_from.year) == 2 and version.valid_until.month == 12
        signed = set(
            db.session.scalars(
                select(Organization.codice_fiscale)
                .join(PactSignature, PactSignature.organization_id == Organization.id)
                .where(PactSignature.withdrawn_at.is_(None))
            )
        )
        demo_cfs = {o["codice_fiscale"] for o in data.ORGANIZATIONS}
        assert signed == demo_cfs - set(data.PACT_NOT_SIGNED)
        assert len(signed) > len(demo_cfs) / 2

        demo_offers = db.session.scalars(
            select(Offer).join(Organization).where(Organization.codice_fiscale.in_(demo_cfs))
        ).all()
        assert all(o.areas for o in demo_offers)
        verified = [o for o in demo_offers if o.verified_at is not None]
        assert len(verified) >= len(demo_offers) - 3  # one organization never confirmed its data

        again = load_demo(db.session, get_engine())  # idempotent
        assert again["pact"] == 0
        assert db.session.scalar(select(func.count()).select_from(PactSignature)) == len(signed)
