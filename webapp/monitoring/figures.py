"""The monitoring figures, computed from the domain tables (referrals, cases, offers, organizations, the pact).

How things are counted (the dashboards and the reports say the same in Italian):

- Referrals are counted in the period they were *sent* (`Referral.sent_at`, calendar days in Europe/Rome), with
  their state today: accepted (`accettato`, or `concluso` once the case closed), declined, lapsed without an answer
  (`scaduto`) or still waiting. Accepted + declined + lapsed + waiting = sent, row by row.
- The acceptance rate is accepted / (accepted + declined + lapsed); the time to answer is the median of
  `answered_at - sent_at`, in days, over the referrals that were answered.
- Overdue answers: the referrals that lapsed, and those still waiting after the deadline (five days, the diagram's
  timer) at the moment of the query.
- A referral concerns the needs of its case that its offer addresses (all the case's needs when none matches), so
  a referral can count for several needs and the needs table has no total.
- Places: offered is an offer's capacity, occupied is capacity minus what is still available (a snapshot of today).
- Outcomes: the organizations' outcome of the referrals sent in the period, and the social workers' closing outcome
  of the cases closed in the period.

Queries select the rows of the period with SQL (portable across SQLite and PostgreSQL: no date functions in SQL)
and group them in Python, by local calendar day. Every table then goes through `privacy.suppress`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.vocabulary import (
    CLOSING_OUTCOMES,
    INTERVENTION_OUTCOMES,
    NEED_GROUP,
    NEED_LABELS,
    SPECIAL_CATEGORY_GROUPS,
    TARGET_GROUPS,
    TARGET_GROUPS_BY_CODE,
)
from webapp.monitoring import privacy
from webapp.monitoring.tables import (
    COUNT,
    DAYS,
    NUMBER,
    PERCENT,
    Cell,
    Chart,
    Column,
    FigureTable,
    Row,
    format_number,
)
from webapp.network.models import Offer, Organization
from webapp.pact.models import PactSignature, PactVersion
from webapp.referrals.models import Case, Referral

ROME = ZoneInfo("Europe/Rome")
ANSWER_DAYS = 5  # the organization's time to answer (bpmn/percorso_beneficiario.bpmn, timer "Dopo 5 giorni")
GRANULARITIES = {"mese": _l("Mese"), "trimestre": _l("Trimestre"), "semestre": _l("Semestre")}

ACCEPTED = ("accettato", "concluso")


# --------------------------------------------------------------------------------------------------- time
def local_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite gives naive UTC datetimes back
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ROME).date()


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), ROME).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month (`day` is expected to be a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _locale_name() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "it"


def month_name(month: int, width: str = "wide", locale: str | None = None) -> str:
    """ "gennaio"/"gen" in Italian, "January"/"Jan" in English (CLDR names, through Babel)."""
    return get_month_names(width, locale=locale or _locale_name())[month]


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    first: date
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def buckets(start: date, end: date, granularity: str = "mese") -> list[Bucket]:
    """Calendar months, quarters or semesters that overlap [start, end], cut to it."""
    step = {"mese": 1, "trimestre": 3, "semestre": 6}.get(granularity, 1)
    first = month_start(start)
    first = first.replace(month=(first.month - 1) // step * step + 1)
    result = []
    while first <= end:
        nxt = add_months(first, step)
        if step == 1:
            label = f"{month_name(first.month, 'abbreviated')} {first.year}"
        elif step == 3:
            label = _("%(n)s° trim. %(year)s", n=(first.month - 1) // 3 + 1, year=first.year)
        else:
            label = _("%(n)s° sem. %(year)s", n=(first.month - 1) // 6 + 1, year=first.year)
        result.append(Bucket(first.isoformat(), label, max(first, start), min(nxt - timedelta(days=1), end)))
        first = nxt
    return result


def period_label(start: date, end: date, locale: str = "it") -> str:
    """ "1° semestre 2026", "ottobre – dicembre 2026", "1 marzo 2025 – 31 marzo 2026".

    Italian unless asked: the label also goes into process data, notifications and the archived report; pages
    pass the reader's language (`services.display_label`).
    """
    with force_locale(locale):
        return _period_label(start, end, locale)


def _period_label(start: date, end: date, locale: str) -> str:
    def name(day: date) -> str:
        return month_name(day.month, locale=locale)

    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_months:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 6 and start.month in (1, 7):
            return _("%(n)s° semestre %(year)s", n=1 if start.month == 1 else 2, year=start.year)
        if months == 12 and start.month == 1:
            return _("anno %(year)s", year=start.year)
        if months == 1:
            return f"{name(start)} {start.year}"
        if start.year == end.year:
            return f"{name(start)} – {name(end)} {start.year}"
        return f"{name(start)} {start.year} – {name(end)} {end.year}"
    return f"{start.day} {name(start)} {start.year} – {end.day} {name(end)} {end.year}"


# ------------------------------------------------------------------------------------------------ filters
@dataclass(frozen=True)
class Filters:
    """What the figures are about: a period (days included, Europe/Rome), optionally one group, one organization."""

    start: date
    end: date
    target_group: str | None = None
    organization_id: int | None = None
    granularity: str = "mese"

    @classmethod
    def default(cls, today: date, months: int = 18) -> Filters:
        return cls(start=add_months(month_start(today), -(months - 1)), end=today)


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class ReferralRecord:
    id: int
    case_id: int
    sent_day: date
    sent_at: datetime
    status: str
    answered_at: datetime | None
    outcome: str | None
    organization_id: int
    organization: str
    offer_id: int
    offer: str
    target_group: str
    needs: tuple[str, ...]

    @property
    def special(self) -> bool:
        return self.target_group in SPECIAL_CATEGORY_GROUPS

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    @property
    def answered(self) -> bool:
        return self.status in (*ACCEPTED, "rifiutato", "scaduto")

    def overdue(self, now: datetime) -> bool:
        if self.status == "scaduto":
            return True
        return self.status == "inviato" and _aware(self.sent_at) + timedelta(days=ANSWER_DAYS) < now

    @property
    def answer_days(self) -> float | None:
        if self.answered_at is None or self.status == "scaduto":
            return None
        return max((_aware(self.answered_at) - _aware(self.sent_at)).total_seconds(), 0) / 86400


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def referral_records(session: Session, filters: Filters) -> list[ReferralRecord]:
    query = (
        select(
            Referral.id,
            Referral.case_id,
            Referral.sent_at,
            Referral.status,
            Referral.answered_at,
            Referral.outcome,
            Referral.organization_id,
            Organization.name,
            Referral.offer_id,
            Offer.title,
            Offer.needs,
            Case.target_group,
            Case.needs,
        )
        .join(Case, Case.id == Referral.case_id)
        .join(Offer, Offer.id == Referral.offer_id)
        .join(Organization, Organization.id == Referral.organization_id)
        .where(
            Referral.sent_at >= day_start_utc(filters.start),
            Referral.sent_at < day_start_utc(filters.end + timedelta(days=1)),
        )
        .order_by(Referral.sent_at, Referral.id)
    )
    if filters.target_group:
        query = query.where(Case.target_group == filters.target_group)
    if filters.organization_id:
        query = query.where(Referral.organization_id == filters.organization_id)
    records = []
    for row in session.execute(query):
        case_needs = tuple(row[12] or ())
        matched = tuple(n for n in case_needs if n in set(row[10] or ()))
        records.append(
            ReferralRecord(
                id=row[0],
                case_id=row[1],
                sent_day=local_day(row[2]),
                sent_at=row[2],
                status=row[3],
                answered_at=row[4],
                outcome=row[5],
                organization_id=row[6],
                organization=row[7],
                offer_id=row[8],
                offer=row[9],
                target_group=row[11],
                needs=matched or case_needs,
            )
        )
    return records


# ------------------------------------------------------------------------------------------------ cells
def count_cell(records: Iterable[ReferralRecord]) -> Cell:
    records = list(records)
    return Cell(
        value=len(records),
        people=len({r.case_id for r in records}),
        special=any(r.special for r in records),
    )


def acceptance_cell(records: list[ReferralRecord]) -> Cell:
    answered = [r for r in records if r.answered]
    value = round(100 * sum(r.accepted for r in answered) / len(answered), 1) if answered else None
    return Cell(value=value, people=len({r.case_id for r in answered}), special=any(r.special for r in answered))


def median_days_cell(records: list[ReferralRecord]) -> Cell:
    timed = [r for r in records if r.answer_days is not None]
    value = round(statistics.median(r.answer_days for r in timed), 1) if timed else None
    return Cell(value=value, people=len({r.case_id for r in timed}), special=any(r.special for r in timed))


STATUS_COLUMNS = (
    Column("inviati", _l("Inviati"), COUNT, total=True),
    Column("accettati", _l("Accettati"), COUNT, part=True),
    Column("rifiutati", _l("Rifiutati"), COUNT, part=True),
    Column("scaduti", _l("Scaduti senza risposta"), COUNT, part=True),
    Column("in_attesa", _l("In attesa"), COUNT, part=True),
)
RATE_COLUMNS = (
    Column("tasso", _l("Tasso di accettazione"), PERCENT, depends_on=("accettati", "rifiutati", "scaduti")),
    Column("mediana_giorni", _l("Giorni per rispondere (mediana)"), DAYS, depends_on=("inviati",)),
)


def status_cells(records: list[ReferralRecord], with_rates: bool = True) -> dict[str, Cell]:
    cells = {
        "inviati": count_cell(records),
        "accettati": count_cell(r for r in records if r.accepted),
        "rifiutati": count_cell(r for r in records if r.status == "rifiutato"),
        "scaduti": count_cell(r for r in records if r.status == "scaduto"),
        "in_attesa": count_cell(r for r in records if r.status == "inviato"),
    }
    if with_rates:
        cells["tasso"] = acceptance_cell(records)
        cells["mediana_giorni"] = median_days_cell(records)
    return cells


def _grouped_table(
    table_id: str,
    title: str,
    row_header: str,
    records: list[ReferralRecord],
    keys: list[tuple[str, str]],
    key_of: Callable[[ReferralRecord], str],
    chart: Chart | None,
    note: str = "",
    with_total: bool = True,
    keep_empty: bool = True,
) -> FigureTable:
    groups: dict[str, list[ReferralRecord]] = defaultdict(list)
    for record in records:
        groups[key_of(record)].append(record)
    table = FigureTable(
        table_id, title, [*STATUS_COLUMNS, *RATE_COLUMNS], chart=chart, note=note, row_header=row_header
    )
    for key, label in keys:
        if not keep_empty and not groups.get(key):
            continue
        table.rows.append(Row(key, label, status_cells(groups.get(key, []))))
    if with_total:
        table.total = Row("totale", _("Totale"), status_cells(records))
    return privacy.suppress(table)


# ----------------------------------------------------------------------------------------------- tables
def trend_table(records: list[ReferralRecord], filters: Filters) -> FigureTable:
    periods = buckets(filters.start, filters.end, filters.granularity)
    columns = [*STATUS_COLUMNS, Column("conclusi", _("Conclusi"), COUNT)]
    table = FigureTable(
        "andamento",
        _("Invii per periodo"),
        columns,
        chart=Chart("bar", ("inviati", "accettati", "rifiutati", "scaduti")),
        note=_("Invii contati nel periodo in cui sono stati inviati, con il loro stato di oggi."),
        row_header=str(GRANULARITIES.get(filters.granularity, _("Periodo"))),
    )
    for bucket in periods:
        chosen = [r for r in records if r.sent_day in bucket]
        cells = status_cells(chosen, with_rates=False)
        cells["conclusi"] = count_cell(r for r in chosen if r.status == "concluso")
        table.rows.append(Row(bucket.key, bucket.label, cells))
    total = status_cells(records, with_rates=False)
    total["conclusi"] = count_cell(r for r in records if r.status == "concluso")
    table.total = Row("totale", _("Totale"), total)
    return privacy.suppress(table)


def target_group_table(records: list[ReferralRecord], filters: Filters) -> FigureTable:
    groups = [(g.code, g.label) for g in TARGET_GROUPS if not filters.target_group or g.code == filters.target_group]
    return _grouped_table(
        "gruppi",
        _("Invii per gruppo di destinatari"),
        _("Gruppo di destinatari"),
        records,
        groups,
        lambda r: r.target_group,
        Chart("hbar", ("accettati", "rifiutati", "scaduti", "in_attesa"), stacked=True),
    )


def need_table(records: list[ReferralRecord], filters: Filters) -> FigureTable:
    by_need: dict[str, list[ReferralRecord]] = defaultdict(list)
    for record in records:
        for need in record.needs:
            by_need[need].append(record)
    columns = [
        Column("inviati", _("Inviati"), COUNT),
        Column("accettati", _("Accettati"), COUNT),
        Column("tasso", _("Tasso di accettazione"), PERCENT, depends_on=("accettati",)),
    ]
    table = FigureTable(
        "bisogni",
        _("Invii per bisogno"),
        columns,
        chart=Chart("hbar", ("inviati", "accettati")),
        note=_(
            "Un invio conta per ogni bisogno del caso a cui l'offerta risponde: la somma supera il numero di invii."
        ),
        row_header=_("Bisogno"),
    )
    order = {code: i for i, code in enumerate(NEED_LABELS)}
    for need in sorted(by_need, key=lambda n: (-len(by_need[n]), order.get(n, 999))):
        chosen = by_need[need]
        table.rows.append(
            Row(
                need,
                NEED_LABELS.get(need, need),
                {
                    "inviati": count_cell(chosen),
                    "accettati": count_cell(r for r in chosen if r.accepted),
                    "tasso": acceptance_cell(chosen),
                },
            )
        )
    for row in table.rows:  # a need of a special-category group is special even for the people of other groups
        if NEED_GROUP.get(row.key) in SPECIAL_CATEGORY_GROUPS:
            for cell in row.cells.values():
                cell.special = True
    return privacy.suppress(table)


def organization_table(records: list[ReferralRecord]) -> FigureTable:
    names = sorted({(r.organization_id, r.organization) for r in records}, key=lambda item: item[1].lower())
    return _grouped_table(
        "organizzazioni",
        _("Invii per organizzazione"),
        _("Organizzazione"),
        records,
        [(str(org_id), name) for org_id, name in names],
        lambda r: str(r.organization_id),
        Chart("hbar", ("accettati", "rifiutati", "scaduti", "in_attesa"), stacked=True),
    )


def offer_table(records: list[ReferralRecord]) -> FigureTable:
    offers = sorted({(r.offer_id, r.offer, r.organization) for r in records}, key=lambda i: (i[2].lower(), i[1]))
    return _grouped_table(
        "offerte",
        _("Invii per offerta"),
        _("Offerta"),
        records,
        [(str(offer_id), f"{title} ({organization})") for offer_id, title, organization in offers],
        lambda r: str(r.offer_id),
        None,
    )


def overdue_table(records: list[ReferralRecord], now: datetime) -> FigureTable:
    late = [r for r in records if r.overdue(now)]
    names = sorted({(r.organization_id, r.organization) for r in late}, key=lambda item: item[1].lower())
    columns = [
        Column("in_ritardo", _("Risposte in ritardo"), COUNT, total=True),
        Column("scaduti", _("Scaduti senza risposta"), COUNT, part=True),
        Column("in_attesa_oltre", _("In attesa da più di %(days)s giorni", days=ANSWER_DAYS), COUNT, part=True),
    ]
    table = FigureTable(
        "ritardi",
        _("Risposte in ritardo per organizzazione"),
        columns,
        note=_(
            "Invii senza risposta entro %(days)s giorni: scaduti, o ancora in attesa oltre il termine.",
            days=ANSWER_DAYS,
        ),
        row_header=_("Organizzazione"),
    )
    for org_id, name in names:
        mine = [r for r in late if r.organization_id == org_id]
        table.rows.append(
            Row(
                str(org_id),
                name,
                {
                    "in_ritardo": count_cell(mine),
                    "scaduti": count_cell(r for r in mine if r.status == "scaduto"),
                    "in_attesa_oltre": count_cell(r for r in mine if r.status == "inviato"),
                },
            )
        )
    table.total = Row(
        "totale",
        _("Totale"),
        {
            "in_ritardo": count_cell(late),
            "scaduti": count_cell(r for r in late if r.status == "scaduto"),
            "in_attesa_oltre": count_cell(r for r in late if r.status == "inviato"),
        },
    )
    return privacy.suppress(table)


def outcome_table(records: list[ReferralRecord]) -> FigureTable:
    with_outcome = [r for r in records if r.outcome]
    table = FigureTable(
        "esiti_interventi",
        _("Esiti degli interventi restituiti dalle organizzazioni"),
        [Column("n", _("Invii"), COUNT), Column("quota", _("Quota"), PERCENT, depends_on=("n",))],
        chart=Chart("doughnut", ("n",)),
        note=_("Esiti restituiti per gli invii del periodo."),
        row_header=_("Esito"),
    )
    for code, label in INTERVENTION_OUTCOMES:
        chosen = [r for r in with_outcome if r.outcome == code]
        cell = count_cell(chosen)
        share = round(100 * len(chosen) / len(with_outcome), 1) if with_outcome else None
        table.rows.append(Row(code, label, {"n": cell, "quota": Cell(share, people=cell.people, special=cell.special)}))
    total = count_cell(with_outcome)
    table.total = Row(
        "totale", _("Totale"), {"n": total, "quota": Cell(100.0 if with_outcome else None, total.people, total.special)}
    )
    return privacy.suppress(table)


def closing_table(session: Session, filters: Filters) -> FigureTable:
    query = select(Case.id, Case.target_group, Case.closing_outcome).where(
        Case.status == "closed",
        Case.closed_at >= day_start_utc(filters.start),
        Case.closed_at < day_start_utc(filters.end + timedelta(days=1)),
    )
    if filters.target_group:
        query = query.where(Case.target_group == filters.target_group)
    if filters.organization_id:
        query = query.where(
            Case.id.in_(select(Referral.case_id).where(Referral.organization_id == filters.organization_id))
        )
    cases = list(session.execute(query))
    table = FigureTable(
        "esiti_chiusura",
        _("Esiti alla chiusura dei casi"),
        [Column("n", _("Casi chiusi"), COUNT), Column("quota", _("Quota"), PERCENT, depends_on=("n",))],
        chart=Chart("doughnut", ("n",)),
        note=_("Casi chiusi nel periodo, con l'esito indicato dal Servizio sociale."),
        row_header=_("Esito"),
    )

    def cell(rows) -> Cell:
        rows = list(rows)
        return Cell(len(rows), people=len(rows), special=any(r[1] in SPECIAL_CATEGORY_GROUPS for r in rows))

    for code, label in CLOSING_OUTCOMES:
        chosen = [c for c in cases if c[2] == code]
        count = cell(chosen)
        share = round(100 * len(chosen) / len(cases), 1) if cases else None
        table.rows.append(Row(code, label, {"n": count, "quota": Cell(share, count.people, count.special)}))
    total = cell(cases)
    table.total = Row(
        "totale", _("Totale"), {"n": total, "quota": Cell(100.0 if cases else None, total.people, total.special)}
    )
    return privacy.suppress(table)


def capacity_table(session: Session, filters: Filters) -> FigureTable:
    query = (
        select(Offer)
        .join(Organization)
        .where(Offer.active.is_(True), Organization.status == "approved")
        .order_by(Organization.name, Offer.title)
    )
    if filters.organization_id:
        query = query.where(Offer.organization_id == filters.organization_id)
    offers = [o for o in session.scalars(query) if not filters.target_group or filters.target_group in o.target_groups]
    columns = [
        Column("offerti", _("Posti offerti"), COUNT, total=True),
        Column("occupati", _("Occupati"), COUNT, part=True),
        Column("liberi", _("Liberi"), COUNT, part=True),
        Column("occupazione", _("Occupazione"), PERCENT, depends_on=("occupati", "offerti")),
    ]
    table = FigureTable(
        "capacita",
        _("Capacità usata e offerta"),
        columns,
        chart=Chart("hbar", ("occupati", "liberi"), stacked=True),
        note=_("Situazione di oggi delle offerte attive nel catalogo."),
        row_header=_("Offerta"),
    )
    for offer in offers:
        special = any(g in SPECIAL_CATEGORY_GROUPS for g in offer.target_groups or [])
        offered = max(offer.capacity_total, 0)
        used = max(offer.capacity_total - offer.capacity_available, 0)
        table.rows.append(
            Row(
                str(offer.id),
                f"{offer.title} ({offer.organization.name})",
                {
                    "offerti": Cell(offered),
                    "occupati": Cell(used, people=used, special=special),
                    "liberi": Cell(max(offered - used, 0)),
                    "occupazione": Cell(round(100 * used / offered, 1) if offered else None),
                },
            )
        )
    offered = sum(r.cells["offerti"].value for r in table.rows)
    used = sum(r.cells["occupati"].value for r in table.rows)
    table.total = Row(
        "totale",
        _("Totale"),
        {
            "offerti": Cell(offered),
            "occupati": Cell(used, people=used, special=any(r.cells["occupati"].special for r in table.rows)),
            "liberi": Cell(offered - used),
            "occupazione": Cell(round(100 * used / offered, 1) if offered else None),
        },
    )
    return privacy.suppress(table)


def network_table(session: Session, records_all: list[ReferralRecord], filters: Filters) -> FigureTable:
    """Organizations joining, active (receiving referrals) and signing the pact, per period. Not about people."""
    periods = buckets(filters.start, filters.end, filters.granularity)
    joined = [
        local_day(m) for m in session.scalars(select(Organization.created_at).where(Organization.status == "approved"))
    ]
    signatures = [local_day(m) for m in session.scalars(select(PactSignature.signed_at))]
    columns = [
        Column("nella_rete", _("Organizzazioni nella rete"), NUMBER),
        Column("nuove", _("Nuove organizzazioni"), NUMBER),
        Column("attive", _("Organizzazioni che hanno ricevuto invii"), NUMBER),
        Column("firme", _("Firme del patto"), NUMBER),
    ]
    table = FigureTable(
        "rete",
        _("La rete: organizzazioni e firme del patto"),
        columns,
        chart=Chart("line", ("nella_rete", "attive", "firme")),
        note=_("Organizzazioni ammesse alla rete a fine periodo; firme del patto di rete raccolte nel periodo."),
        row_header=str(GRANULARITIES.get(filters.granularity, _("Periodo"))),
    )
    for bucket in periods:
        table.rows.append(
            Row(
                bucket.key,
                bucket.label,
                {
                    "nella_rete": Cell(sum(1 for d in joined if d <= bucket.last)),
                    "nuove": Cell(sum(1 for d in joined if d in bucket)),
                    "attive": Cell(len({r.organization_id for r in records_all if r.sent_day in bucket})),
                    "firme": Cell(sum(1 for d in signatures if d in bucket)),
                },
            )
        )
    return table


def coverage_tables(session: Session, filters: Filters) -> tuple[FigureTable, FigureTable]:
    """Needs of the plan with and without an active offer in the catalogue (today)."""
    offers = session.scalars(
        select(Offer).join(Organization).where(Offer.active.is_(True), Organization.status == "approved")
    )
    covered_needs = {need for offer in offers for need in (offer.needs or [])}
    groups = [g for g in TARGET_GROUPS if not filters.target_group or g.code == filters.target_group]
    columns = [
        Column("bisogni", _("Bisogni del piano"), NUMBER),
        Column("coperti", _("Con almeno un'offerta"), NUMBER),
        Column("scoperti", _("Senza offerta"), NUMBER),
        Column("copertura", _("Copertura"), PERCENT),
    ]
    table = FigureTable(
        "copertura",
        _("Copertura del catalogo rispetto ai bisogni del piano"),
        columns,
        chart=Chart("hbar", ("coperti", "scoperti"), stacked=True),
        note=_("Bisogni rilevati dalle linee operative e offerte attive oggi nel catalogo."),
        row_header=_("Gruppo di destinatari"),
    )
    uncovered = FigureTable(
        "bisogni_scoperti",
        _("Bisogni del piano senza alcuna offerta"),
        [Column("gruppo", _("Gruppo di destinatari"), "text")],
        row_header=_("Bisogno"),
    )
    totals = [0, 0]
    for group in groups:
        codes = [code for code, _label in group.needs]
        covered = sum(1 for code in codes if code in covered_needs)
        totals[0] += len(codes)
        totals[1] += covered
        table.rows.append(
            Row(
                group.code,
                group.label,
                {
                    "bisogni": Cell(len(codes)),
                    "coperti": Cell(covered),
                    "scoperti": Cell(len(codes) - covered),
                    "copertura": Cell(round(100 * covered / len(codes), 1) if codes else None),
                },
            )
        )
        for code, label in group.needs:
            if code not in covered_needs:
                uncovered.rows.append(Row(code, label, {"gruppo": Cell(group.label)}))
    table.total = Row(
        "totale",
        _("Totale"),
        {
            "bisogni": Cell(totals[0]),
            "coperti": Cell(totals[1]),
            "scoperti": Cell(totals[0] - totals[1]),
            "copertura": Cell(round(100 * totals[1] / totals[0], 1) if totals[0] else None),
        },
    )
    return table, uncovered


# ------------------------------------------------------------------------------------------- the dashboard
@dataclass
class Indicator:
    key: str
    label: str
    text: str
    help: str = ""


@dataclass
class Section:
    id: str
    title: str
    tables: list[dict] = field(default_factory=list)


@dataclass
class Dashboard:
    filters: Filters
    indicators: list[Indicator]
    sections: list[Section]
    organization_scope: int | None = None

    def tables(self) -> dict[str, dict]:
        return {t["id"]: t for section in self.sections for t in section.tables}


def _indicator(key: str, label: str, cell: Cell, kind: str, help_text: str = "") -> Indicator:
    return Indicator(key, label, cell.display(kind), help_text)


def pact_signatories_at(session: Session, day: date) -> tuple[PactVersion | None, int]:
    """The pact in force on `day` and how many organizations had a standing signature of it at the end of `day`."""
    version = session.scalars(
        select(PactVersion)
        .where(PactVersion.valid_from <= day, PactVersion.valid_until >= day)
        .order_by(PactVersion.version.desc())
        .limit(1)
    ).first()
    if version is None:
        return None, 0
    limit = day_start_utc(day + timedelta(days=1))
    signed = session.scalars(
        select(PactSignature).where(PactSignature.pact_version_id == version.id, PactSignature.signed_at < limit)
    )
    standing = {s.organization_id for s in signed if s.withdrawn_at is None or _aware(s.withdrawn_at) >= limit}
    return version, len(standing)


def compute_dashboard(
    session: Session, filters: Filters, now: datetime | None = None, organization_scope: int | None = None
) -> Dashboard:
    """Every figure of the monitoring page for these filters, already privacy-suppressed.

    `organization_scope` is set for an organization's operators: their figures only, and nothing about the
    network as a whole.
    """
    now = now or datetime.now(UTC)
    if organization_scope is not None:
        filters = Filters(filters.start, filters.end, filters.target_group, organization_scope, filters.granularity)
    records = referral_records(session, filters)

    totals = status_cells(records)
    overdue = count_cell(r for r in records if r.overdue(now))
    summary = FigureTable("kpi", "", [*STATUS_COLUMNS, *RATE_COLUMNS, Column("ritardo", _("In ritardo"), COUNT)])
    summary.rows.append(Row("kpi", "", {**totals, "ritardo": overdue}))
    privacy.suppress(summary)
    cells = summary.rows[0].cells
    indicators = [
        _indicator("inviati", _("Invii"), cells["inviati"], COUNT),
        _indicator("accettati", _("Accettati"), cells["accettati"], COUNT),
        _indicator("tasso", _("Tasso di accettazione"), cells["tasso"], PERCENT, _("accettati su invii con risposta")),
        _indicator("mediana", _("Giorni per rispondere"), cells["mediana_giorni"], DAYS, _("mediana")),
        _indicator(
            "ritardo", _("Risposte in ritardo"), cells["ritardo"], COUNT, _("oltre %(days)s giorni", days=ANSWER_DAYS)
        ),
    ]

    activity = Section("invii", _("Invii e risposte"))
    activity.tables += [trend_table(records, filters).to_dict(), target_group_table(records, filters).to_dict()]
    activity.tables.append(need_table(records, filters).to_dict())
    organizations = Section("organizzazioni", _("Organizzazioni e offerte"))
    if organization_scope is None:
        organizations.tables.append(organization_table(records).to_dict())
    organizations.tables += [
        offer_table(records).to_dict(),
        overdue_table(records, now).to_dict(),
        capacity_table(session, filters).to_dict(),
    ]
    outcomes = Section("esiti", _("Esiti"))
    outcomes.tables += [outcome_table(records).to_dict(), closing_table(session, filters).to_dict()]
    sections = [activity, organizations, outcomes]

    if organization_scope is None:
        network_filters = Filters(filters.start, filters.end, None, None, filters.granularity)
        all_records = records if not filters.target_group else referral_records(session, network_filters)
        members = session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(
                Organization.status == "approved", Organization.created_at < day_start_utc(filters.end + timedelta(1))
            )
        )
        version, signed = pact_signatories_at(session, min(filters.end, local_day(now)))
        active = len({r.organization_id for r in all_records})
        indicators += [
            Indicator("rete", _("Organizzazioni nella rete"), format_number(members or 0)),
            Indicator(
                "attive", _("Organizzazioni attive"), format_number(active), _("hanno ricevuto invii nel periodo")
            ),
            Indicator(
                "firme",
                _("Firmatarie del patto"),
                format_number(signed),
                _("versione %(number)s in vigore", number=version.version) if version else _("nessun patto in vigore"),
            ),
        ]
        coverage, uncovered = coverage_tables(session, filters)
        network = Section("rete", _("La rete e il catalogo"))
        network.tables += [
            network_table(session, all_records, network_filters).to_dict(),
            coverage.to_dict(),
            uncovered.to_dict(),
        ]
        sections.append(network)
    return Dashboard(filters, indicators, sections, organization_scope)


def group_label(code: str | None) -> str:
    group = TARGET_GROUPS_BY_CODE.get(code or "")
    return str(group.label) if group else _("Tutti i gruppi")
