"""The demo data set opens the three doors: an agreement with a specialist operator, signals, citizens' requests."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import HumanTask
from webapp.agreements.models import NetworkAgreement
from webapp.auth.models import User
from webapp.citizen.models import CitizenRequest
from webapp.demo.loader import DEMO_HEALTH_USER, load_demo
from webapp.extensions import db
from webapp.signals.models import Signal
from webapp.workflow import get_engine


def test_demo_opens_the_doors_and_loading_twice_changes_nothing(app):
    with app.app_context():
        created = load_demo(db.session, get_engine())
        assert created["agreements"] == 1 and created["signals"] == 2 and created["citizen_requests"] == 2
        operator = db.session.scalar(select(User).where(User.email == DEMO_HEALTH_USER["email"]))
        assert operator.role == "health_service" and operator.specialist_service.name == DEMO_HEALTH_USER["service"]
        statuses = sorted(db.session.scalars(select(Signal.status)))
        assert statuses == ["in_valutazione", "informazioni_richieste"]
        open_forms = set(
            db.session.scalars(
                select(HumanTask.form_key).where(
                    HumanTask.status == "open",
                    HumanTask.form_key.in_(
                        (
                            "valutazione_segnalazione",
                            "integrazione_segnalazione",
                            "risposta_richiesta_cittadino",
                            "contatto_cittadino",
                        )
                    ),
                )
            )
        )
        assert open_forms == {
            "valutazione_segnalazione",
            "integrazione_segnalazione",
            "risposta_richiesta_cittadino",
            "contatto_cittadino",
        }
        assert set(db.session.scalars(select(CitizenRequest.status))) == {"in_attesa"}

        again = load_demo(db.session, get_engine())
        assert again["agreements"] == 0 and again["signals"] == 0 and again["citizen_requests"] == 0
        assert db.session.scalar(select(func.count()).select_from(NetworkAgreement)) == 1
        assert db.session.scalar(select(func.count()).select_from(Signal)) == 2


def test_demo_gives_the_specialist_operator_one_restricted_referral(app):
    from webapp.referrals.models import Case, Referral

    with app.app_context():
        assert load_demo(db.session, get_engine())["casi_servizi_specialistici"] == 1
        operator = db.session.scalar(select(User).where(User.email == DEMO_HEALTH_USER["email"]))
        cases = list(db.session.scalars(select(Case).where(Case.owner_id == operator.id)))
        assert len(cases) == 1
        case = cases[0]
        assert case.target_group == "disagio_psichico" and case.restricted
        assert case.referring_service_id == operator.specialist_service.id
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
        assert referral is not None and referral.status == "inviato"
        assert load_demo(db.session, get_engine())["casi_servizi_specialistici"] == 0
