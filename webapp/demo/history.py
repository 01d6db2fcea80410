"""Twenty months of invented history for the demo, so that the monitoring dashboards show trends.

The demo loader walks three cases through the real engine; this module adds the past around them, written
directly into the domain tables (historical cases have no process instance: `Case.instance_id` is empty and their
notes say they are historical). Everything is fictional and reproducible (a seeded random generator):

- the organizations joined the network between two years and four months ago, and signed the pact in its first
  weeks;
- about 650 people were referred over twenty months, more as the network grew, with the plan's target groups in
  realistic proportions; organizations answered faster as time went by; accepted referrals were concluded with an
  outcome, declined or lapsed ones were sometimes sent elsewhere, most cases were closed;
- the monitoring periods that ended before the last one are published with their questionnaires, conclusions and
  archived report (its PDF is made at the first download); the last ended period runs through the real
  `fase3_monitoraggio` process (most organizations have answered; the Emporio Il Granaio, the demo operator's,
  has not yet); the current one waits for its end. Three good practices are in the public catalogue.

Running the loader again changes nothing: the history is added once (marked by the historical cases' notes).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from forms.vocabulary import (
    DECLINE_REASONS,
    SPECIAL_CATEGORY_GROUPS,
    TARGET_GROUPS_BY_CODE,
)
from webapp.auth.models import User
from webapp.monitoring import report, schedule, services
from webapp.monitoring.figures import ROME, add_months, day_start_utc, local_day
from webapp.monitoring.models import GoodPractice, MonitoringPeriod, MonitoringQuestionnaire
from webapp.network.models import Offer, Organization
from webapp.pact.models import PactSignature
from webapp.referrals.models import Beneficiary, Case, Referral

HISTORY_NOTE = "Storico dimostrativo: caso inserito per mostrare l'andamento del monitoraggio."
MONTHS_OF_HISTORY = 20
GROUP_WEIGHTS = {
    "poverta": 38,
    "anziani": 20,
    "infanzia_famiglie": 16,
    "disabilita": 10,
    "disagio_psichico": 9,
    "violenza_genere": 7,
}
OUTCOME_WEIGHTS = {
    "concluso_positivo": 46,
    "concluso_parziale": 22,
    "in_corso": 0,
    "interrotto_persona": 12,
    "interrotto_organizzazione": 4,
    "mai_iniziato": 8,
}
CLOSING_WEIGHTS = {
    "obiettivi_raggiunti": 45,
    "obiettivi_parziali": 27,
    "obiettivi_non_raggiunti": 8,
    "nessuna_offerta_adatta": 5,
    "rinuncia": 9,
    "trasferimento": 6,
}
FIRST_NAMES = (
    "Giovanni Maria Lucia Paolo Fatima Ahmed Elena Marco Sara Luca Chiara Andrea Giulia Francesco Valentina Ion "
    "Mihaela Wei Li Omar Aisha Roberto Teresa Antonio Rosa Giuseppe Anna Carla Stefano Silvia Kevin Amina"
).split()
LAST_NAMES = (
    "Rossi Bianchi Ferri Innocenti Bartolini Cecchi Mugnai Pieri Landi Gori Popescu Chen Hassan Benali Sarr "
    "Nardi Fantoni Bellini Vannucci Baldi Marini Conti Lotti Bruni Pratesi"
).split()
ACTIVITIES = (
    "Aperture settimanali dello sportello e accompagnamento delle persone inviate dal Servizio sociale.",
    "Attività di gruppo il pomeriggio, con un laboratorio in più durante le vacanze scolastiche.",
    "Turni di distribuzione e consegne a domicilio, con un nuovo punto di raccolta nella frazione.",
    "Incontri individuali e di gruppo, un evento pubblico con le altre associazioni del territorio.",
    "Servizio continuativo con i volontari storici e due nuovi volontari del servizio civile.",
)
DIFFICULTIES = (
    "Pochi volontari nei mesi estivi.",
    "Alcune persone inviate non erano raggiungibili ai numeri indicati.",
    "Spazi insufficienti per le attività di gruppo.",
    "Aumento delle richieste superiore ai posti disponibili.",
    "",
)
PROPOSALS = (
    "Un incontro di rete ogni trimestre tra le organizzazioni che seguono le stesse famiglie.",
    "Formazione comune dei volontari sull'accoglienza.",
    "Un calendario condiviso delle attività estive.",
    "Più informazioni nell'invio sui bisogni della persona.",
    "",
)


def load_history(session: Session, engine: Engine, now: datetime | None = None) -> int:
    """Add the history once; returns how many historical referrals were created (0 when already there)."""
    now = now or datetime.now(UTC)
    if session.scalar(select(Case.id).where(Case.notes == HISTORY_NOTE).limit(1)) is not None:
        return 0
    rng = random.Random(2026)
    organizations = list(session.scalars(select(Organization).where(Organization.status == "approved")))
    if not organizations:
        return 0
    _backdate_network(session, organizations, now, rng)
    created = _referrals(session, now, rng)
    session.commit()
    _periods(session, engine, now, rng)
    return created


# ---------------------------------------------------------------------------------------------------- network
def _backdate_network(session: Session, organizations: list[Organization], now: datetime, rng: random.Random) -> None:
    """The organizations joined over time (two of them recently) and signed the pact in its first weeks."""
    organizations = sorted(organizations, key=lambda o: o.codice_fiscale)
    for index, organization in enumerate(organizations):
        if len(organizations) > 6 and index >= len(organizations) - 2:
            days = 120 + 90 * (len(organizations) - 1 - index)  # joined four and seven months ago
        else:
            days = rng.randint(430, 720)
        organization.created_at = now - timedelta(days=days)
    for signature in session.scalars(select(PactSignature)):
        start = datetime.combine(signature.pact_version.valid_from, time(10), ROME)
        joined = signature.organization.created_at
        first = max(start, joined.replace(tzinfo=UTC) if joined.tzinfo is None else joined)
        signature.signed_at = min(first + timedelta(days=rng.randint(2, 50), hours=rng.randint(0, 8)), now)
    session.flush()


# -------------------------------------------------------------------------------------------------- referrals
def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _referrals(session: Session, now: datetime, rng: random.Random) -> int:
    workers = list(session.scalars(select(User).where(User.role == "social_worker").order_by(User.id)))
    offers = list(session.scalars(select(Offer).join(Organization).where(Offer.active.is_(True))))
    start = add_months(local_day(now).replace(day=1), -(MONTHS_OF_HISTORY - 1))
    created = 0
    month = start
    index = 0
    while month <= local_day(now):
        growth = 0.55 + 0.45 * index / max(MONTHS_OF_HISTORY - 1, 1)  # the network grows
        seasonal = 0.75 if month.month == 8 else 1.0
        count = int(rng.gauss(34, 4) * growth * seasonal)
        days_in_month = (add_months(month, 1) - month).days
        for _ in range(max(count, 5)):
            day = month + timedelta(days=rng.randrange(days_in_month))
            sent = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), ROME).astimezone(UTC)
            if sent >= now - timedelta(hours=2):
                continue
            created += _one_person(session, rng, now, sent, workers, offers, index)
        month = add_months(month, 1)
        index += 1
    return created


def _one_person(session, rng, now, sent, workers, offers, month_index) -> int:
    group = _pick(rng, GROUP_WEIGHTS)
    available = [
        o
        for o in offers
        if group in (o.target_groups or []) and _aware(o.organization.created_at) < sent - timedelta(days=7)
    ]
    if not available:
        return 0
    offer = rng.choice(available)
    codes = [code for code, _ in TARGET_GROUPS_BY_CODE[group].needs]
    needs = sorted({rng.choice([n for n in offer.needs if n in codes] or codes), rng.choice(codes)})[
        : rng.randint(1, 2)
    ]
    person = Beneficiary(
        first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES), created_at=sent - timedelta(days=2)
    )
    session.add(person)
    session.flush()
    case = Case(
        beneficiary_id=person.id,
        owner_id=rng.choice(workers).id,
        target_group=group,
        needs=needs,
        notes=HISTORY_NOTE,
        restricted=group in SPECIAL_CATEGORY_GROUPS,
        consent_share=True,
        consent_recorded_at=sent - timedelta(days=1),
        status="open",
        opened_at=sent - timedelta(days=rng.randint(0, 4), hours=2),
    )
    session.add(case)
    session.flush()
    made: list[Referral] = []
    moment = sent
    for attempt in range(3):
        referral, final = _referral(session, rng, now, case, offer, moment, month_index)
        made.append(referral)
        if final or attempt == 2:
            break
        others = [o for o in available if o.id != offer.id]
        if not others or rng.random() < 0.35:
            break
        offer = rng.choice(others)
        moment = (referral.answered_at or referral.sent_at + timedelta(days=5)) + timedelta(days=rng.randint(1, 6))
        if moment >= now - timedelta(hours=1):
            break
    _close_case(session, rng, now, case, made[-1])
    return len(made)


def _referral(session, rng, now, case, offer, sent, month_index) -> tuple[Referral, bool]:
    """One referral and whether the person's path ends with it (accepted, or still waiting)."""
    age = now - sent
    referral = Referral(
        case_id=case.id,
        offer_id=offer.id,
        organization_id=offer.organization_id,
        message="Persona seguita dal Servizio sociale (storico dimostrativo).",
        status="inviato",
        sent_at=sent,
        sent_by_id=case.owner_id,
    )
    session.add(referral)
    faster = 1.0 - 0.45 * month_index / max(MONTHS_OF_HISTORY - 1, 1)  # answers get quicker
    delay = timedelta(hours=min(rng.lognormvariate(3.1, 0.7) * faster, 110))
    roll = rng.random()
    if age < timedelta(days=5) and roll < 0.5:
        return referral, True  # still waiting for the answer
    if roll < 0.1 and age > timedelta(days=5):
        referral.status = "scaduto"
        return referral, False
    referral.answered_at = min(sent + delay, now - timedelta(minutes=5))
    if roll < 0.32:
        referral.status = "rifiutato"
        referral.decline_reason = rng.choice([code for code, _ in DECLINE_REASONS])
        return referral, False
    referral.status = "accettato"
    referral.first_appointment = (sent + delay + timedelta(days=rng.randint(1, 10))).date()
    if age > timedelta(days=40):
        referral.outcome = _pick(rng, OUTCOME_WEIGHTS)
        referral.outcome_at = min(referral.answered_at + timedelta(days=rng.randint(20, 120)), now)
    else:
        referral.outcome = None
    return referral, True


def _close_case(session, rng, now, case, last: Referral) -> None:
    """Most paths end with the case closed; an accepted referral still under way keeps its place reserved."""
    if last.status == "accettato":
        ends = last.outcome_at
        if ends is not None and ends < now - timedelta(days=3) and rng.random() < 0.85:
            case.status = "closed"
            case.closed_at = ends + timedelta(days=rng.randint(1, 20))
            case.closed_at = min(case.closed_at, now - timedelta(hours=1))
            case.closing_outcome = _pick(rng, CLOSING_WEIGHTS)
            last.status = "concluso"
            return
        offer = session.get(Offer, last.offer_id)
        if offer.capacity_available > 0:
            offer.capacity_available -= 1
            last.capacity_reserved = True
        else:
            last.status = "concluso"
            last.outcome = last.outcome or "concluso_parziale"
    elif last.status in ("rifiutato", "scaduto") and rng.random() < 0.7:
        moment = (last.answered_at or last.sent_at + timedelta(days=5)) + timedelta(days=rng.randint(3, 30))
        if moment < now:
            case.status = "closed"
            case.closed_at = moment
            case.closing_outcome = rng.choice(["nessuna_offerta_adatta", "rinuncia", "trasferimento"])


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# ---------------------------------------------------------------------------------------------------- periods
def _periods(session: Session, engine: Engine, now: datetime, rng: random.Random) -> None:
    today = local_day(now)
    current = schedule.current_period_start(today)
    last_ended = add_months(current, -6)
    history_start = add_months(today.replace(day=1), -(MONTHS_OF_HISTORY - 1))
    manager = session.scalar(select(User).where(User.role == "manager").order_by(User.id))
    start = schedule.current_period_start(history_start)
    published: list[MonitoringPeriod] = []
    while start < last_ended:
        published.append(_published_period(session, start, manager, rng))
        start = add_months(start, 6)
    session.commit()
    _good_practices(session, published, manager, now)
    session.commit()
    for period in published:  # frozen once the good practices of each period exist; the PDF is made at first download
        period.snapshot = report.build_snapshot(session, period, _aware(period.published_at))
    session.commit()
    if engine.latest_version(session, services.PROCESS_KEY) is None:
        return
    # The last ended period through the real process: questionnaires opened now, most of them answered.
    plan = schedule.ensure_schedule(session, now)
    plan.next_period_start = last_ended
    session.commit()
    schedule.start_due_periods(session, engine, now)
    _answer_open_questionnaires(session, engine, last_ended, rng)


def _published_period(session: Session, start: date, manager: User, rng: random.Random) -> MonitoringPeriod:
    end = schedule.period_end(start, 6)
    opened = day_start_utc(end + timedelta(days=1)) + timedelta(hours=9)
    period = MonitoringPeriod(
        start=start,
        end=end,
        status="pubblicato",
        created_at=day_start_utc(start),
        collection_opened_at=opened,
        collection_deadline=opened + timedelta(days=30),
        summary=(
            "Gli invii sono cresciuti rispetto al periodo precedente, soprattutto per povertà e anziani soli; "
            "i tempi di risposta delle organizzazioni si sono accorciati."
        ),
        issues=(
            "Posti esauriti in alcune offerte per le famiglie nei mesi estivi; poche offerte per la disabilità e "
            "nessuna per alcuni bisogni del piano (pet therapy, comunicazione sensoriale, affido)."
        ),
        sustainability=(
            "Presentare con le organizzazioni della rete una proposta a un bando regionale in partenariato; "
            "formazione comune dei volontari; un incontro di rete ogni trimestre."
        ),
        published_at=opened + timedelta(days=45),
        published_by_id=manager.id if manager else None,
    )
    session.add(period)
    session.flush()
    for organization in services.members_at(session, end):
        answered = rng.random() < 0.85
        session.add(
            MonitoringQuestionnaire(
                period_id=period.id,
                organization_id=organization.id,
                status="inviato" if answered else "non_pervenuto",
                activities=rng.choice(ACTIVITIES) if answered else None,
                activities_count=rng.randint(6, 60) if answered else None,
                people_reached=rng.randint(15, 260) if answered else None,
                volunteers=rng.randint(3, 40) if answered else None,
                difficulties=(rng.choice(DIFFICULTIES) or None) if answered else None,
                proposals=(rng.choice(PROPOSALS) or None) if answered else None,
                submitted_at=opened + timedelta(days=rng.randint(2, 28)) if answered else None,
            )
        )
    session.flush()
    return period


def _answer_open_questionnaires(session: Session, engine: Engine, period_start: date, rng: random.Random) -> None:
    from forms import formdata_from_json
    from webapp.demo import data
    from webapp.tasks.services import complete_task

    keep_open = data.ORGANIZATIONS[0]["codice_fiscale"]  # the demo operator's: theirs to fill in
    period = session.scalar(select(MonitoringPeriod).where(MonitoringPeriod.start == period_start))
    if period is None:
        return
    from engine.models import HumanTask

    tasks = list(
        session.scalars(
            select(HumanTask).where(HumanTask.form_key == services.QUESTIONNAIRE_FORM_KEY, HumanTask.status == "open")
        )
    )
    for task in tasks:
        organization = session.get(Organization, task.organization_id)
        if organization is None or organization.codice_fiscale == keep_open or rng.random() < 0.25:
            continue
        operator = session.scalar(
            select(User).where(User.organization_id == organization.id, User.role == "association").limit(1)
        )
        if operator is None:
            continue
        answers = {
            "activities": rng.choice(ACTIVITIES),
            "activities_count": rng.randint(6, 60),
            "people_reached": rng.randint(15, 260),
            "volunteers": rng.randint(3, 40),
            "difficulties": rng.choice(DIFFICULTIES),
            "proposals": rng.choice(PROPOSALS),
        }
        complete_task(session, engine, operator, task.id, formdata_from_json(answers))


def _good_practices(session: Session, periods: list[MonitoringPeriod], manager: User, now: datetime) -> None:
    from webapp.demo import data

    by_cf = {o.codice_fiscale: o for o in session.scalars(select(Organization))}
    practices = [
        (
            "La spesa che arriva a casa",
            [data.ORGANIZATIONS[0]["codice_fiscale"], data.ORGANIZATIONS[3]["codice_fiscale"]],
            ["poverta", "anziani"],
            "L'emporio solidale e la parrocchia hanno unito i turni: i volontari della parrocchia portano a casa "
            "la spesa dell'emporio agli anziani soli che non possono uscire, una volta alla settimana.\n\n"
            "Le persone sono segnalate dal Servizio sociale attraverso Tessere; la consegna è anche l'occasione "
            "per una telefonata di compagnia nei giorni successivi.",
            "Più di quaranta anziani raggiunti in un semestre; nessuno ha dovuto rinunciare alla spesa nei mesi "
            "estivi. Due nuovi volontari si sono aggiunti ai turni.",
        ),
        (
            "Un'ora d'italiano, un'ora di gioco",
            [data.ORGANIZATIONS[8]["codice_fiscale"]],
            ["poverta", "infanzia_famiglie"],
            "Il corso di italiano per le mamme si svolge con uno spazio bimbi accanto, curato da volontarie: le "
            "donne con figli piccoli possono frequentare senza cercare chi li tenga.",
            "La frequenza al corso è raddoppiata; tre mamme hanno poi chiesto il colloquio al centro per l'impiego.",
        ),
        (
            "Sollievo nel fine settimana",
            [data.ORGANIZATIONS[5]["codice_fiscale"], data.ORGANIZATIONS[12]["codice_fiscale"]],
            ["disabilita"],
            "Weekend di sollievo per le famiglie di persone con disabilità, con attività all'aperto negli orti "
            "sociali e nella palestra della polisportiva, preparati insieme dalle due organizzazioni.",
            "Le famiglie hanno avuto due fine settimana al mese di sollievo; le attività sportive sono diventate "
            "un'offerta stabile del catalogo.",
        ),
    ]
    for number, (title, cfs, groups, description, results) in enumerate(practices):
        organizations = [by_cf[cf] for cf in cfs if cf in by_cf]
        if not organizations:
            continue
        period = periods[min(number, len(periods) - 1)] if periods else None
        session.add(
            GoodPractice(
                title=title,
                description=description,
                results=results,
                target_groups=groups,
                period_id=period.id if period else None,
                published=True,
                created_at=_aware(period.published_at) - timedelta(days=2) if period else now,
                created_by_id=manager.id if manager else None,
                organizations=organizations,
            )
        )
    session.flush()
