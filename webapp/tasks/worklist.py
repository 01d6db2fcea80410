"""The worklist as people use it: filters, sorting, search over cases, and rows loaded in a constant number of
queries, the same for the `/attivita` page and `GET /api/v1/tasks`.

Why here and not in the engine: the engine filters what it knows (process, deadline, claims); what a case is about
(its target group, the person's name, the organizations it was sent to) is domain knowledge, added as SQL
conditions on the task's instance. Every filter only narrows what the person may see anyway, so no filter can show an
organization another's tasks, and a restricted case is never found by a name unless its owner searches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, load_only

from engine import Engine
from engine.models import HumanTask, ProcessVersion
from engine.service import as_utc
from engine.worklist import DUE_SOON, WorklistQuery
from forms.vocabulary import TARGET_GROUPS, TARGET_GROUPS_BY_CODE
from webapp.auth.models import User
from webapp.auth.services import actor_for
from webapp.network.models import Organization
from webapp.referrals.models import Beneficiary, Case, Referral
from webapp.referrals.services import display_name

ROME = ZoneInfo("Europe/Rome")
NUMBER = re.compile(r"(?:n\.?\s*°?\s*|#)?(\d+)", re.IGNORECASE)  # "12", "n. 12", "n.12", "#12"
STAFF_ROLES = ("social_worker", "health_service", "manager", "admin")
CASE_ROLES = ("social_worker", "health_service", "manager")  # who works with cases and their target groups

STATE_LABELS = {
    "overdue": _l("Scadute"),
    "due_soon": _l("In scadenza nei prossimi 3 giorni"),
    "mine": _l("Mie: assegnate a me o prese in carico da me"),
    "unclaimed": _l("Di gruppo, non ancora prese in carico"),
}
SORT_LABELS = {"due": _l("Scadenza"), "created": _l("Data di creazione"), "process": _l("Processo")}


class WorklistArgsInvalid(ValueError):
    """A filter value that cannot be understood; the message says which, in Italian."""


@dataclass(frozen=True)
class WorklistFilters:
    """What a person asked the worklist for (already validated)."""

    process_key: str | None = None
    state: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    organization_id: int | None = None
    target_group: str | None = None
    search: str | None = None
    sort: str = "due"
    descending: bool = False
    instance_id: int | None = None

    @property
    def narrowed(self) -> bool:
        """True when something other than the order was asked: an empty list then means "no match"."""
        return any(
            v not in (None, "")
            for v in (
                self.process_key,
                self.state,
                self.due_from,
                self.due_to,
                self.organization_id,
                self.target_group,
                self.search,
                self.instance_id,
            )
        )


# The page speaks Italian in its URLs (bookmarkable), the API English; both mean the same filters.
PAGE_PARAMS = {
    "process_key": "processo",
    "state": "stato",
    "due_from": "scadenza_dal",
    "due_to": "scadenza_al",
    "organization_id": "organizzazione",
    "target_group": "gruppo",
    "search": "cerca",
    "sort": "ordina",
    "order": "verso",
}
API_PARAMS = {
    "process_key": "process_key",
    "state": "state",
    "due_from": "due_from",
    "due_to": "due_to",
    "organization_id": "organization_id",
    "target_group": "target_group",
    "search": "q",
    "sort": "sort",
    "order": "order",
}
PAGE_STATES = {"scadute": "overdue", "in-scadenza": "due_soon", "mie": "mine", "libere": "unclaimed"}
PAGE_SORTS = {"scadenza": "due", "creazione": "created", "processo": "process"}
PAGE_ORDERS = {"crescente": "asc", "decrescente": "desc"}
API_STATES = {v: v for v in PAGE_STATES.values()}
API_SORTS = {v: v for v in PAGE_SORTS.values()}
API_ORDERS = {"asc": "asc", "desc": "desc"}


def parse_filters(args: Mapping[str, str], user: User, for_api: bool = False) -> WorklistFilters:
    """Read the filters from query arguments; raise WorklistArgsInvalid naming the wrong one.

    Filters a role does not have are ignored (an association has no organization filter: it only ever sees its own
    tasks; target groups are for the people who work with cases).
    """
    names = API_PARAMS if for_api else PAGE_PARAMS
    states, sorts, orders = (API_STATES, API_SORTS, API_ORDERS) if for_api else (PAGE_STATES, PAGE_SORTS, PAGE_ORDERS)

    def arg(key: str) -> str | None:
        value = (args.get(names[key]) or "").strip()
        return value or None

    state = arg("state")
    if state is not None and state not in states:
        raise WorklistArgsInvalid(_("Stato non valido: usare uno tra %(values)s.", values=", ".join(states)))
    sort = arg("sort") or ("due" if for_api else "scadenza")
    if sort not in sorts:
        raise WorklistArgsInvalid(_("Ordinamento non valido: usare uno tra %(values)s.", values=", ".join(sorts)))
    order = arg("order") or ("asc" if for_api else "crescente")
    if order not in orders:
        raise WorklistArgsInvalid(_("Verso non valido: usare uno tra %(values)s.", values=", ".join(orders)))
    organization_id = None
    if user.role in STAFF_ROLES and arg("organization_id"):
        organization_id = _integer(arg("organization_id"), names["organization_id"])
    target_group = arg("target_group") if user.role in CASE_ROLES else None
    if target_group is not None and target_group not in TARGET_GROUPS_BY_CODE:
        raise WorklistArgsInvalid(_("Gruppo di destinatari sconosciuto: «%(value)s».", value=target_group))
    due_from, due_to = _date(arg("due_from"), names["due_from"]), _date(arg("due_to"), names["due_to"])
    if due_from and due_to and due_from > due_to:
        raise WorklistArgsInvalid(_("La data iniziale della scadenza è successiva a quella finale."))
    search = arg("search")
    if search is not None and len(search) > 100:
        raise WorklistArgsInvalid(_("La ricerca può contenere al massimo 100 caratteri."))
    process_key = arg("process_key")
    if process_key is not None and len(process_key) > 100:
        raise WorklistArgsInvalid(_("Processo sconosciuto."))
    return WorklistFilters(
        process_key=process_key,
        state=states[state] if state else None,
        due_from=due_from,
        due_to=due_to,
        organization_id=organization_id,
        target_group=target_group,
        search=search,
        sort=sorts[sort],
        descending=orders[order] == "desc",
    )


def _integer(value: str, name: str) -> int:
    if not value.isdigit() or int(value) >= 2**31:
        raise WorklistArgsInvalid(_("%(name)s deve essere un numero intero.", name=name))
    return int(value)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WorklistArgsInvalid(
            _("%(name)s deve essere una data nel formato AAAA-MM-GG (per esempio 2026-12-31).", name=name)
        ) from None


def _start_of_day(day: date) -> datetime:
    """Deadlines are read in Rome's calendar: "due by 31/12" means before midnight in Campi Bisenzio."""
    return datetime.combine(day, time.min, tzinfo=ROME).astimezone(UTC)


# ------------------------------------------------------------------------------------ domain conditions
def _task_case():
    """Correlated to the task row: the planner walks the (few) open tasks the actor sees and looks each case up by
    its instance, instead of listing every matching case of the history first (see bench/worklist.py)."""
    return select(Case.id).where(Case.instance_id == HumanTask.instance_id)


def domain_conditions(filters: WorklistFilters, user: User) -> list:
    """SQL conditions on HumanTask for the filters the engine does not know (cases, organizations, people)."""
    where = []
    if filters.target_group:
        where.append(_task_case().where(Case.target_group == filters.target_group).exists())
    if filters.organization_id is not None and user.role in STAFF_ROLES:
        sent_to = _task_case().join(Referral).where(Referral.organization_id == filters.organization_id).exists()
        where.append(or_(HumanTask.organization_id == filters.organization_id, sent_to))
    if filters.search:
        where.append(_search_cases(filters.search, user).exists())
    return where


def _search_cases(text: str, user: User):
    """The task's case, if a search finds it: by number (the case's, or for an organization its referral's) or by
    the person's name, where the searcher may see it: never a restricted case unless it is theirs, never an
    anonymized one, and for an organization only the first names of non-restricted cases sent to it."""
    numbered = NUMBER.fullmatch(text.strip())
    query = _task_case()
    if user.role == "association":
        query = query.join(Referral).where(Referral.organization_id == user.organization_id)
    if numbered:
        number = int(numbered.group(1)) if len(numbered.group(1)) < 10 else -1
        return query.where(Referral.id == number) if user.role == "association" else query.where(Case.id == number)
    words = [w.lower() for w in text.split() if w][:5]
    query = query.join(Beneficiary, Beneficiary.id == Case.beneficiary_id).where(Case.anonymized_at.is_(None))
    if user.role == "association":
        query = query.where(Case.restricted.is_(False))
        matches = [Beneficiary.first_name.icontains(w, autoescape=True) for w in words]
    else:
        query = query.where(or_(Case.restricted.is_(False), Case.owner_id == user.id))
        matches = [
            or_(
                Beneficiary.first_name.icontains(w, autoescape=True),
                Beneficiary.last_name.icontains(w, autoescape=True),
            )
            for w in words
        ]
    return query.where(and_(*matches))


def engine_query(filters: WorklistFilters, user: User, now: datetime | None = None) -> WorklistQuery:
    return WorklistQuery(
        process_key=filters.process_key,
        state=filters.state,
        due_from=_start_of_day(filters.due_from) if filters.due_from else None,
        due_to=_start_of_day(filters.due_to + timedelta(days=1)) if filters.due_to else None,
        instance_id=filters.instance_id,
        sort=filters.sort,
        descending=filters.descending,
        now=now,
        extra_where=tuple(domain_conditions(filters, user)),
    )


# ------------------------------------------------------------------------------------------------ rows
@dataclass
class WorklistRow:
    task: HumanTask
    subject: str | None
    case_id: int | None
    due: datetime | None
    overdue: bool
    due_soon: bool
    group_task: bool
    claimed_by_id: int | None
    claimed_by_name: str | None
    claimed_by_me: bool
    process_name: str


@dataclass
class WorklistPage:
    rows: list[WorklistRow]
    total: int
    filters: WorklistFilters
    page: int
    per_page: int
    process_names: dict[str, str] = field(default_factory=dict)
    # With filters that matched nothing: how many open tasks there are without them (the empty state says it).
    unfiltered_total: int | None = None

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


# The statements a page runs besides the engine's, built once with expanding parameters: on a slow CPU, building
# and coercing them at every request (`in_` over a list of ids) cost more than running them.
PROCESS_NAMES = select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.version)
# Only the columns a row's subject reads (`display_name`): not the person's contacts nor the case's notes.
CASES_OF_INSTANCES = (
    select(Case)
    .options(
        load_only(Case.instance_id, Case.owner_id, Case.restricted, Case.anonymized_at),
        joinedload(Case.beneficiary).load_only(Beneficiary.first_name, Beneficiary.last_name),
    )
    .where(Case.instance_id.in_(bindparam("instance_ids", expanding=True)))
)
ORGANIZATION_REFERRALS = (
    select(Referral.case_id, Referral.id)
    .where(
        Referral.case_id.in_(bindparam("case_ids", expanding=True)),
        Referral.organization_id == bindparam("organization_id"),
    )
    .order_by(Referral.id)
)
USER_NAMES = select(User.id, User.name).where(User.id.in_(bindparam("user_ids", expanding=True)))
APPROVED_ORGANIZATIONS = (
    select(Organization.id, Organization.name).where(Organization.status == "approved").order_by(Organization.name)
)


def process_names(session: Session) -> dict[str, str]:
    """Each deployed process's name, as its newest version says it (one small query)."""
    names: dict[str, str] = {}
    for key, name in session.execute(PROCESS_NAMES):
        names[key] = name or key
    return names


def load_worklist(
    session: Session,
    engine: Engine,
    user: User,
    filters: WorklistFilters,
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
    subjects: bool = True,
) -> WorklistPage:
    """One page of the worklist with what each row shows: the tasks (count + page), their cases with the person,
    an organization's referrals, claimants' names and the process names: a constant number of queries.
    `subjects=False` skips what only people read: the person's name and the process names (the API)."""
    now = now or datetime.now(UTC)
    tasks, total = engine.worklist(
        session, actor_for(user), limit=per_page, offset=(page - 1) * per_page, query=engine_query(filters, user, now)
    )
    names = process_names(session) if subjects else {}
    cases: dict[int, Case] = {}
    referrals: dict[int, int] = {}  # case -> number of the organization's newest referral
    if subjects and tasks:
        instance_ids = list({t.instance_id for t in tasks})
        cases = {c.instance_id: c for c in session.scalars(CASES_OF_INSTANCES, {"instance_ids": instance_ids})}
        if user.role == "association" and cases:
            for case_id, referral_id in session.execute(
                ORGANIZATION_REFERRALS,
                {"case_ids": [c.id for c in cases.values()], "organization_id": user.organization_id},
            ):
                referrals[case_id] = referral_id  # the newest wins
    without_case = [t for t in tasks if t.instance_id not in cases] if subjects else []
    other_subjects = _subjects_without_case(session, user, without_case)
    claimant_ids = {t.claimed_by_id for t in tasks if t.claimed_by_id is not None}
    claimants = (
        {uid: name for uid, name in session.execute(USER_NAMES, {"user_ids": list(claimant_ids)})}
        if claimant_ids
        else {}
    )
    subject_of = _case_subject(user, referrals) if cases else None
    rows = []
    for task in tasks:
        case = cases.get(task.instance_id)
        due = as_utc(task.due_at)
        rows.append(
            WorklistRow(
                task=task,
                subject=subject_of(case) if case is not None else other_subjects.get(task.id),
                case_id=case.id if case is not None and user.role != "association" else None,
                due=due,
                overdue=due is not None and due < now,
                due_soon=due is not None and now <= due < now + DUE_SOON,
                group_task=task.assignee_id is None,
                claimed_by_id=task.claimed_by_id,
                claimed_by_name=claimants.get(task.claimed_by_id),
                claimed_by_me=task.claimed_by_id is not None and task.claimed_by_id == user.id,
                process_name=names.get(task.process_key, task.process_key),
            )
        )
    result = WorklistPage(rows, total, filters, page, per_page, names)
    if total == 0 and filters.narrowed:
        result.unfiltered_total = engine.worklist(session, actor_for(user), limit=0)[1]
    return result


def _subjects_without_case(session: Session, user: User, tasks: list[HumanTask]) -> dict[int, str | None]:
    """Tasks without a case (signals, citizens' requests) are named by their process's pages: one query per
    process on the page, not one per row."""
    from webapp.workflow import process_pages

    by_process: dict[str, list[HumanTask]] = {}
    for task in tasks:
        by_process.setdefault(task.process_key, []).append(task)
    found: dict[int, str | None] = {}
    for process_key, group in by_process.items():
        pages = process_pages(process_key)
        if pages is None:
            continue
        if pages.subjects is not None:
            found.update(pages.subjects(session, user, group))
        else:
            found.update({task.id: pages.subject(session, user, task) for task in group})
    return found


def _case_subject(user: User, referrals: dict):
    """How a row names the person of a case (masked for restricted cases), or for an organization the referral
    it received; the label is translated once per page, not once per row."""
    if user.role == "association":
        label = _("%(name)s · invio n. %(number)s")

        def subject(case: Case) -> str | None:
            referral_id = referrals.get(case.id)
            if referral_id is None:
                return None
            return label % {"name": case.beneficiary.first_name, "number": referral_id}

        return subject
    label = _("%(name)s · caso n. %(number)s")
    return lambda case: label % {"name": display_name(case, user), "number": case.id}


# --------------------------------------------------------------------------------------- form options
def organization_options(session: Session, user: User) -> list[tuple[int, str]]:
    if user.role not in STAFF_ROLES:
        return []
    return list(session.execute(APPROVED_ORGANIZATIONS))


def target_group_options(user: User) -> list[tuple[str, str]]:
    if user.role not in CASE_ROLES:
        return []
    return [(group.code, str(group.label)) for group in TARGET_GROUPS]
