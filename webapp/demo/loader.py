"""Loads the demo network (webapp.demo.data) into the database; running it twice changes nothing.

Besides organizations, offers and one account per role, it walks a few demo cases through the real engine so
the task lists are not empty: one waiting for the first organization's answer, one accepted and waiting for
feedback, one declined and back with the social worker. The manager publishes the patto di rete through the real
`fase2_patto` process and most organizations sign it; offers get their zones and the date of the last yearly check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from webapp.auth.models import User
from webapp.auth.services import create_user
from webapp.demo import data
from webapp.network.models import Offer, Organization
from webapp.referrals.models import Case
from webapp.tasks.services import complete_task, start_process

DEMO_CASES = (
    {
        "person": {
            "first_name": "Mario",
            "last_name": "Rossi",
            "phone": "333 1234567",
            "codice_fiscale": "RSSMRA80A01D612Y",
        },
        "target_group": "poverta",
        "needs": ["generi_alimentari", "sostegno_economico"],
        "steps": ["send"],
    },
    {
        "person": {"first_name": "Anna", "last_name": "Bianchi", "phone": "347 7654321"},
        "target_group": "anziani",
        "needs": ["spesa_farmaci", "contrasto_solitudine"],
        "steps": ["send", "accept"],
    },
    {
        "person": {"first_name": "Luca", "last_name": "Verdi", "email": "luca.verdi@example.org"},
        "target_group": "poverta",
        "needs": ["mensa"],
        "steps": ["send", "decline"],
    },
)


def load_demo(session: Session, engine: Engine) -> dict[str, int]:
    """Create what is missing of the demo data set; returns counts of what was created."""
    created = {"organizations": 0, "offers": 0, "users": 0, "cases": 0, "pact": 0}
    now = datetime.now(UTC)
    organizations = {o.codice_fiscale: o for o in session.scalars(select(Organization))}
    for entry in data.ORGANIZATIONS:
        if entry["codice_fiscale"] in organizations:
            continue
        fields = {k: v for k, v in entry.items() if k not in ("operator", "registry")}
        fields["registry_enrolment"] = entry.get("registry") or None
        organization = Organization(**fields, status="approved", created_at=now)
        session.add(organization)
        session.flush()
        organizations[organization.codice_fiscale] = organization
        created["organizations"] += 1
    existing_offers = {(o.organization_id, o.title) for o in session.scalars(select(Offer))}
    for entry in data.OFFERS:
        organization = organizations[entry["organization_cf"]]
        if (organization.id, entry["title"]) in existing_offers:
            continue
        fields = {k: v for k, v in entry.items() if k != "organization_cf"}
        session.add(
            Offer(
                **fields,
                organization_id=organization.id,
                capacity_available=entry["capacity_total"],
                active=True,
                created_at=now,
            )
        )
        created["offers"] += 1
    emails = set(session.scalars(select(User.email)))
    for entry in data.STAFF_USERS:
        if entry["email"] not in emails:
            create_user(session, entry["email"], entry["name"], entry["role"], data.DEMO_PASSWORD)
            created["users"] += 1
    for entry in data.ORGANIZATIONS:
        operator = entry["operator"]
        if operator["email"] not in emails:
            create_user(
                session,
                operator["email"],
                operator["name"],
                "association",
                data.DEMO_PASSWORD,
                organization_cf=entry["codice_fiscale"],
            )
            created["users"] += 1
    session.commit()
    if session.scalar(select(Case).limit(1)) is None:
        created["cases"] = _walk_demo_cases(session, engine)
    _zones_and_verification(session, now)
    created["pact"] = _publish_and_sign_pact(session, engine)
    created.update(_open_the_doors(session, engine, now))
    created["casi_servizi_specialistici"] = _health_service_case(session, engine)
    from webapp.demo.history import load_history  # twenty months of past referrals and monitoring (Fase 3)

    created["storico_invii"] = load_history(session, engine, now)
    from webapp.demo.applications import load_applications  # Fase 1: a review queue with every state

    created["adesioni"] = load_applications(session, engine, now)
    return created


# The doors into the network (Fase 2): an agreement with the specialist services and one of their operators, two
# signals from organizations, two citizens' requests from the public catalogue.
DEMO_AGREEMENT = {
    "title": "Accordo di rete per la presa in carico integrata",
    "counterpart": "Azienda USL Toscana Centro",
    "reference": "Accordo dimostrativo",
    "services": (("UFSMIA Zona Fiorentina Nord-Ovest", "ufsmia"), ("SerD Zona Fiorentina Nord-Ovest", "serd")),
}
DEMO_HEALTH_USER = {
    "email": "ufsmia@demo.tessere.it",
    "name": "Chiara Lombardi",
    "service": "UFSMIA Zona Fiorentina Nord-Ovest",
}
DEMO_SIGNALS = (
    {
        "first_name": "Giovanni",
        "last_name": "Esposito",
        "phone": "340 1112223",
        "contact_notes": "Passa al punto di ascolto il martedì mattina.",
        "listening_point": "Punto di ascolto dell'emporio",
        "target_group": "poverta",
        "needs": ["generi_alimentari"],
        "description": "Ha perso il lavoro da due mesi e chiede aiuto per la spesa e per l'affitto.",
        "urgent": "y",
        "consent": "y",
    },
    {
        "first_name": "Rosa",
        "last_name": "Martini",
        "contact_notes": "Tramite la vicina di casa, la signora Paola.",
        "target_group": "anziani",
        "needs": ["contrasto_solitudine"],
        "description": "Anziana che esce sempre meno di casa; la incontriamo alle attività del mercoledì.",
        "consent": "y",
        "question": "La signora vive da sola? Ci sono familiari che la seguono?",
    },
)
DEMO_CITIZEN_REQUESTS = (
    {
        "name": "Lucia Ferri",
        "email": "lucia.ferri@example.org",
        "message": "Sono libera il pomeriggio.",
        "consent": "y",
    },
    {
        "name": "Ahmed Benali",
        "email": "ahmed.benali@example.org",
        "phone": "328 5551234",
        "message": "Vorrei migliorare l'italiano per cercare lavoro.",
        "support_requested": "y",
        "consent": "y",
    },
)


def _open_the_doors(session: Session, engine: Engine, now: datetime) -> dict[str, int]:
    from webapp.agreements.models import NetworkAgreement, SpecialistService
    from webapp.citizen import services as citizen
    from webapp.citizen.models import CitizenRequest
    from webapp.signals import services as signals
    from webapp.signals.models import Signal

    created = {"agreements": 0, "signals": 0, "citizen_requests": 0}
    if session.scalar(select(NetworkAgreement).limit(1)) is None:
        year = now.year
        agreement = NetworkAgreement(
            title=DEMO_AGREEMENT["title"],
            counterpart=DEMO_AGREEMENT["counterpart"],
            reference=DEMO_AGREEMENT["reference"],
            signed_on=datetime(year, 1, 15).date(),
            valid_from=datetime(year, 1, 1).date(),
            valid_until=datetime(year + 2, 12, 31).date(),
            created_at=now,
            updated_at=now,
        )
        session.add(agreement)
        session.flush()
        for name, kind in DEMO_AGREEMENT["services"]:
            session.add(SpecialistService(agreement_id=agreement.id, name=name, kind=kind, active=True, created_at=now))
        session.flush()
        if _user(session, DEMO_HEALTH_USER["email"]) is None:
            create_user(
                session,
                DEMO_HEALTH_USER["email"],
                DEMO_HEALTH_USER["name"],
                "health_service",
                data.DEMO_PASSWORD,
                service=DEMO_HEALTH_USER["service"],
            )
        session.commit()
        created["agreements"] = 1
    if engine.latest_version(session, signals.PROCESS_KEY) is None:  # diagrams not deployed (run `tessere init`)
        return created
    if session.scalar(select(Signal).limit(1)) is None:
        social_worker = _user(session, data.STAFF_USERS[0]["email"])
        for index, entry in enumerate(DEMO_SIGNALS):
            operator = _user(session, data.ORGANIZATIONS[index]["operator"]["email"])
            fields = {k: v for k, v in entry.items() if k != "question"}
            signal = signals.start_signal(session, engine, operator, _formdata(fields))
            if entry.get("question"):
                complete_task(
                    session,
                    engine,
                    social_worker,
                    _open_task(engine, session, signal.instance_id, "valutazione_segnalazione").id,
                    _formdata({"decisione": "richiedi_informazioni", "domanda": entry["question"]}),
                )
            created["signals"] += 1
    if session.scalar(select(CitizenRequest).limit(1)) is None:
        first_org = session.scalar(
            select(Organization).where(Organization.codice_fiscale == data.ORGANIZATIONS[0]["codice_fiscale"])
        )
        offers = [
            next((o for o in first_org.offers if o.active and o.capacity_available > 0), None),
            session.scalar(select(Offer).where(Offer.active.is_(True), Offer.title.ilike("%italiano%")).limit(1)),
        ]
        for entry, offer in zip(DEMO_CITIZEN_REQUESTS, offers, strict=True):
            offer = offer or session.scalar(select(Offer).where(Offer.active.is_(True)).limit(1))
            submitted = citizen.submit_request(session, offer, _formdata(entry), "127.0.0.1", now)
            session.commit()
            citizen.confirm_request(session, engine, submitted.token, now)
            created["citizen_requests"] += 1
    return created


def _zones_and_verification(session: Session, now: datetime) -> None:
    """Zones served and the date of the last yearly check, where the offers do not have them yet."""
    operators = {entry["codice_fiscale"]: _user(session, entry["operator"]["email"]) for entry in data.ORGANIZATIONS}
    for offer in session.scalars(select(Offer).join(Organization)):
        cf = offer.organization.codice_fiscale
        if not offer.areas:
            offer.areas = data.OFFER_AREAS.get(offer.title) or data.ORGANIZATION_AREAS.get(cf) or []
        days = data.VERIFIED_DAYS_AGO.get(cf)
        if offer.verified_at is None and days is not None:
            offer.verified_at = now - timedelta(days=days)
            offer.verified_by_id = operators[cf].id if operators.get(cf) else None
    session.commit()


def _publish_and_sign_pact(session: Session, engine: Engine) -> int:
    """The manager publishes the pact through the real `fase2_patto` process; most members sign it."""
    from webapp.pact import services as pact_services
    from webapp.pact.models import PactVersion

    if session.scalar(select(PactVersion).limit(1)) is not None:
        return 0
    if engine.latest_version(session, "fase2_patto") is None:  # diagrams not deployed (run `tessere init` first)
        return 0
    manager = _user(session, "responsabile@demo.tessere.it")
    year = datetime.now(UTC).year
    instance = start_process(session, engine, manager, "fase2_patto", {})
    complete_task(
        session,
        engine,
        manager,
        _open_task(engine, session, instance.id, "pubblicazione_patto").id,
        _formdata(
            {
                "title": data.PACT_TITLE,
                "text": data.PACT_TEXT,
                "valid_from": f"{year}-01-01",
                "valid_until": f"{year + 2}-12-31",
            }
        ),
    )
    version = pact_services.latest_pact(session)
    for entry in data.ORGANIZATIONS:
        if entry["codice_fiscale"] in data.PACT_NOT_SIGNED:
            continue
        operator = _user(session, entry["operator"]["email"])
        pact_services.sign_pact(session, operator, version.id, data.PACT_SIGNER_ROLE, datetime.now(UTC))
    session.commit()
    return 1


def _user(session: Session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _open_task(engine: Engine, session: Session, instance_id: int, form_key: str):
    return next(t for t in engine.open_tasks(session, instance_id) if t.form_key == form_key)


def _walk_demo_cases(session: Session, engine: Engine) -> int:
    social_worker = _user(session, data.STAFF_USERS[0]["email"])
    operator = _user(session, data.ORGANIZATIONS[0]["operator"]["email"])
    first_org = session.scalar(
        select(Organization).where(Organization.codice_fiscale == data.ORGANIZATIONS[0]["codice_fiscale"])
    )
    for entry in DEMO_CASES:
        instance = start_process(session, engine, social_worker, "percorso_beneficiario", {})
        intake = {
            **entry["person"],
            "target_group": entry["target_group"],
            "needs": entry["needs"],
            "consent_share": "y",
            "notes": "Caso dimostrativo.",
        }
        complete_task(
            session,
            engine,
            social_worker,
            _open_task(engine, session, instance.id, "presa_in_carico").id,
            _formdata(intake),
        )
        offer = next(
            (o for o in first_org.offers if entry["target_group"] in o.target_groups and o.capacity_available > 0),
            None,
        ) or session.scalar(select(Offer).where(Offer.capacity_available > 0).limit(1))
        offer_owner = (
            _user(
                session,
                next(
                    e["operator"]["email"]
                    for e in data.ORGANIZATIONS
                    if e["codice_fiscale"] == offer.organization.codice_fiscale
                ),
            )
            if offer.organization_id != first_org.id
            else operator
        )
        complete_task(
            session,
            engine,
            social_worker,
            _open_task(engine, session, instance.id, "scelta_offerta").id,
            _formdata(
                {
                    "offer_id": offer.id,
                    "share_last_name": "y",
                    "share_phone": "y",
                    "message": "Persona seguita dal servizio sociale: contattarla per un primo incontro.",
                }
            ),
        )
        if "accept" in entry["steps"]:
            complete_task(
                session,
                engine,
                offer_owner,
                _open_task(engine, session, instance.id, "risposta_invio").id,
                _formdata({"answer": "accetta", "note": "Primo incontro fissato."}),
            )
        if "decline" in entry["steps"]:
            complete_task(
                session,
                engine,
                offer_owner,
                _open_task(engine, session, instance.id, "risposta_invio").id,
                _formdata({"answer": "rifiuta", "decline_reason": "posti_esauriti"}),
            )
    return len(DEMO_CASES)


DEMO_HEALTH_CASE = {
    "person": {"first_name": "Davide", "last_name": "Conti", "phone": "349 2223344"},
    "target_group": "disagio_psichico",
    "needs": ["sport_cultura_disagio"],
}


def _health_service_case(session: Session, engine: Engine) -> int:
    """One referral started by the specialist health service (UFSMIA) under the network agreement: a restricted
    case (mental health), sent to an offer of the network. Created once: skipped when that operator has a case."""
    health_user = _user(session, DEMO_HEALTH_USER["email"])
    if health_user is None or session.scalar(select(Case).where(Case.owner_id == health_user.id).limit(1)):
        return 0
    offer = next(
        (
            o
            for o in session.scalars(select(Offer).where(Offer.active.is_(True), Offer.capacity_available > 0))
            if DEMO_HEALTH_CASE["target_group"] in o.target_groups
        ),
        None,
    )
    if offer is None:
        return 0
    instance = start_process(session, engine, health_user, "percorso_beneficiario", {})
    intake = {
        **DEMO_HEALTH_CASE["person"],
        "target_group": DEMO_HEALTH_CASE["target_group"],
        "needs": DEMO_HEALTH_CASE["needs"],
        "consent_share": "y",
        "notes": "Caso dimostrativo del servizio specialistico.",
    }
    complete_task(
        session, engine, health_user, _open_task(engine, session, instance.id, "presa_in_carico").id, _formdata(intake)
    )
    complete_task(
        session,
        engine,
        health_user,
        _open_task(engine, session, instance.id, "scelta_offerta").id,
        _formdata(
            {
                "offer_id": offer.id,
                "share_last_name": "",
                "share_phone": "y",
                "message": "Ragazzo seguito dall'UFSMIA: cerca un'attività sportiva di gruppo il pomeriggio.",
            }
        ),
    )
    return 1


def _formdata(values: dict):
    from forms import formdata_from_json

    return formdata_from_json(values)
