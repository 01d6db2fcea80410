"""Fase 1 in the demo: applications to join the network in every state, so the manager's review queue is real.

Each application goes through the same services and the same `fase1_adesione` process as a real one (a draft is
saved, a scheda submitted and protocolled, the manager's review completed as a task), so what the demo shows is
what the application does. One of each state: a draft the applicant has not sent yet, one submitted and waiting
for review, one the manager sent back for changes, one rejected with its reason, one approved (its organization is
in the elenco and its referent has an invitation waiting). An application is recognised by its referent's e-mail:
running the demo again creates nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from engine import Engine
from webapp.auth.models import User
from webapp.membership import services
from webapp.membership.models import MembershipApplication
from webapp.tasks.services import complete_task

_BASE = {
    "founding_deed": "Atto costitutivo registrato all'Agenzia delle Entrate di Firenze",
    "legal_municipality": "Campi Bisenzio",
    "legal_postcode": "50013",
    "legal_province": "FI",
    "sites-0-municipality": "Campi Bisenzio",
    "sites-0-postcode": "50013",
    "area_scope": "comunale",
    "partita_iva": "",
    "website": "",
    "affiliation_provincial": "",
    "affiliation_regional": "",
    "affiliation_national": "",
    "runts_section": "",
    "runts_number": "",
    "runts_date": "",
    "albo_coop_section": "",
    "albo_coop_number": "",
    "other_registry": "",
    "declaration_truthful": "y",
    "declaration_privacy": "y",
    "declaration_publication": "y",
}

# state: draft | submitted | changes_requested | rejected | approved; `review` is the manager's note.
DEMO_APPLICATIONS: tuple[dict, ...] = (
    {
        "state": "draft",
        "days_ago": 2,
        "scheda": {
            "name": "Circolo ARCI Il Rondinino",
            "org_type": "circolo",
            "codice_fiscale": "9420",  # the applicant is still typing it: a draft keeps what was typed
            "description": "Circolo ricreativo del quartiere: tombola, corsi di ballo, gite.",
            "contact_name": "Marco Fantechi",
            "contact_email": "circolo.rondinino@demo-adesioni.it",
        },
    },
    {
        "state": "submitted",
        "days_ago": 3,
        "scheda": {
            "name": "Il Melograno APS",
            "org_type": "aps",
            "codice_fiscale": "94200110487",
            "founded_on": "2004-03-12",
            "legal_address": "Via Santo Stefano 40",
            "sites-0-name": "Sede di Capalle",
            "sites-0-address": "Via di Capalle 12",
            "sites-0-opening_hours": "lunedì e giovedì 15-18",
            "phone": "055 8951234",
            "email": "info@melograno-aps.demo-adesioni.it",
            "pec": "",
            "description": "Doposcuola e attività educative per bambini e ragazzi del quartiere di Capalle.",
            "sectors": ["educazione", "servizi_sociali"],
            "target_groups": ["infanzia_famiglie"],
            "needs": ["dopo_scuola", "attivita_educative"],
            "area_detail": "Capalle, San Donnino",
            "representative_name": "Anna Bacci",
            "representative_role": "Presidente",
            "affiliation_national": "ARCI",
            "runts_section": "aps",
            "runts_number": "2751",
            "runts_date": "2022-05-10",
            "contact_name": "Luca Paoli",
            "contact_email": "melograno@demo-adesioni.it",
            "contact_phone": "333 7654321",
        },
    },
    {
        "state": "changes_requested",
        "days_ago": 12,
        "review": "Nella scheda manca l'orario della sede di San Piero a Ponti: indicate i giorni e gli orari di "
        "apertura. Aggiungete anche il numero di iscrizione al RUNTS, che nella domanda non compare per intero.",
        "scheda": {
            "name": "Auser Volontariato Campi Bisenzio ODV",
            "org_type": "odv",
            "codice_fiscale": "94200220484",
            "founded_on": "1998-10-01",
            "legal_address": "Via Buozzi 18",
            "sites-0-name": "Sede di San Piero a Ponti",
            "sites-0-address": "Piazza Garibaldi 5, San Piero a Ponti",
            "sites-0-opening_hours": "su appuntamento",
            "phone": "055 8967788",
            "email": "auser.campi@demo-adesioni.it",
            "pec": "",
            "description": "Accompagnamento di anziani a visite mediche, consegna a domicilio di spesa e farmaci.",
            "sectors": ["servizi_sociali", "socio_sanitario"],
            "target_groups": ["anziani"],
            "needs": ["spesa_farmaci", "accompagnamento", "contrasto_solitudine"],
            "area_detail": "Tutto il territorio comunale",
            "representative_name": "Giuliana Nesi",
            "representative_role": "Presidente",
            "affiliation_provincial": "Auser Territoriale Firenze",
            "affiliation_national": "Auser",
            "runts_section": "odv",
            "runts_number": "31",
            "runts_date": "2022-11-07",
            "contact_name": "Giuliana Nesi",
            "contact_email": "auser@demo-adesioni.it",
            "contact_phone": "340 2223344",
        },
    },
    {
        "state": "rejected",
        "days_ago": 25,
        "review": "L'attività descritta è commerciale (vendita di corsi a pagamento) e non rientra nelle finalità "
        "solidaristiche previste dall'avviso pubblico. L'organizzazione può ripresentare la domanda per "
        "attività gratuite o a prezzo sociale.",
        "scheda": {
            "name": "Palestra Forma e Benessere",
            "org_type": "associazione_sportiva",
            "codice_fiscale": "94200330481",
            "founded_on": "2015-01-20",
            "legal_address": "Via Barberinese 112",
            "sites-0-name": "",
            "sites-0-address": "Via Barberinese 112",
            "sites-0-opening_hours": "dal lunedì al sabato 8-21",
            "phone": "055 8991122",
            "email": "info@formaebenessere.demo-adesioni.it",
            "pec": "",
            "description": "Corsi di fitness e personal training a pagamento.",
            "sectors": ["sport"],
            "target_groups": ["disabilita"],
            "needs": ["sport_cultura_disabilita"],
            "area_detail": "",
            "representative_name": "Sandro Lippi",
            "representative_role": "Legale rappresentante",
            "contact_name": "Sandro Lippi",
            "contact_email": "formaebenessere@demo-adesioni.it",
            "contact_phone": "338 5556677",
        },
    },
    {
        "state": "approved",
        "days_ago": 40,
        "scheda": {
            "name": "Parrocchia di Santa Maria a Campi",
            "org_type": "parrocchia",
            "codice_fiscale": "94200440488",
            "founded_on": "1950-01-01",
            "legal_address": "Piazza Matteotti 2",
            "sites-0-name": "Centro d'ascolto parrocchiale",
            "sites-0-address": "Piazza Matteotti 2",
            "sites-0-opening_hours": "martedì e venerdì 9.30-12",
            "phone": "055 8951010",
            "email": "parrocchia.santamaria@demo-adesioni.it",
            "pec": "",
            "description": "Centro d'ascolto, distribuzione di vestiario e doposcuola per i ragazzi delle medie.",
            "sectors": ["beneficenza", "educazione"],
            "target_groups": ["poverta", "infanzia_famiglie"],
            "needs": ["sostegno_solidale", "riuso", "dopo_scuola"],
            "area_detail": "Campi centro",
            "representative_name": "don Paolo Cecchi",
            "representative_role": "Parroco",
            "contact_name": "Elena Mariotti",
            "contact_email": "santamaria@demo-adesioni.it",
            "contact_phone": "339 1110000",
        },
    },
)

REVIEW_OUTCOME = {"changes_requested": "modifiche", "rejected": "rifiuta", "approved": "approva"}


def _formdata(scheda: dict) -> MultiDict:
    values = {**_BASE, **scheda} if "legal_address" in scheda else dict(scheda)
    return MultiDict([(k, item) for k, v in values.items() for item in (v if isinstance(v, list) else [v])])


def load_applications(session: Session, engine: Engine, now: datetime) -> int:
    """Create the demo applications that are missing; returns how many were created."""
    known = set(
        session.scalars(
            select(func.lower(MembershipApplication.contact_email)).where(
                MembershipApplication.contact_email.is_not(None)
            )
        )
    )
    manager = session.scalar(select(User).where(User.role == "manager", User.active.is_(True)).order_by(User.id))
    created = 0
    for entry in sorted(DEMO_APPLICATIONS, key=lambda a: -a["days_ago"]):  # protocol numbers follow the dates
        email = entry["scheda"]["contact_email"]
        if email in known:
            continue
        when = now - timedelta(days=entry["days_ago"])
        formdata = _formdata(entry["scheda"])
        if entry["state"] == "draft":
            services.save_draft(session, formdata, now=when)
            session.commit()
            created += 1
            continue
        application = services.submit_application(session, engine, formdata, now=when)
        created += 1
        outcome = REVIEW_OUTCOME.get(entry["state"])
        if outcome is None or manager is None:
            continue
        task = services.review_task(session, engine, manager, application)
        complete_task(
            session,
            engine,
            manager,
            task.id,
            MultiDict({"esito_esame": outcome, "motivazione_esame": entry.get("review", "")}),
        )
    return created
