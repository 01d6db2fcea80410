"""Does the worklist stay instant as the history grows? `GET /api/v1/tasks` and the `/attivita` page, p95 at
10,000, 100,000 and 1,000,000 human-task rows (issue #8: growth at most 1.5x, p95 under 30 ms API / 60 ms page).

A fresh database (a private schema `tessere_bench_worklist_<pid>` on PostgreSQL, dropped at the end, or a temporary
SQLite file), the shipped diagrams, a network of 40 organizations with one offer each, 60 social workers, 3 operators
per organization and 5 managers. Rows are bulk-inserted (COPY on PostgreSQL, executemany on SQLite) as a municipality
would accumulate them: the open work stays about the same (`--open`, default 3,000 open tasks: the social workers'
own tasks, a few group tasks of the social service, the organizations' answers, some claimed, the managers' group
tasks; three quarters with a deadline between 10 days ago and 30 days ahead), while the history grows: journeys of
five tasks, completed (90 %) or cancelled, with their instance, case, person and referral. The database grows in
place from one size to the next; after each step `VACUUM ANALYZE` (PostgreSQL) or `ANALYZE` (SQLite).

At each size, through the Flask test client (the whole request: routing, login session or Bearer token, queries,
template): the API with a token and the page with a logged-in session, for a social worker and an association
operator, `--requests` times each after a warm-up, interleaved. p95 per persona; the RESULT line takes the worse
persona. The EXPLAIN (ANALYZE, BUFFERS) of every statement one request of each kind runs against the task tables is
summarised (plan nodes, indexes used, execution time).

    .venv/bin/python -m bench.worklist --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.worklist                      # SQLite, 10,000 and 100,000 rows
    .venv/bin/python -m bench.worklist --quick              # smoke test: small sizes, few requests

The last line is `RESULT api_p95_ms_10k=... api_p95_ms_1m=... api_growth=... page_p95_ms_10k=... page_p95_ms_1m=...
page_growth=... smallest_rows=... largest_rows=...`: `_10k` is the smallest size measured and `_1m` the largest
(named for the default PostgreSQL run; `smallest_rows` / `largest_rows` say which sizes they were).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402

from engine.models import HumanTask, ProcessVersion  # noqa: E402
from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.auth.services import create_token  # noqa: E402
from webapp.cli import deploy_shipped_diagrams  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.network.models import Offer, Organization  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SOCIAL_WORKERS, ORGANIZATIONS, OPERATORS_PER_ORG, MANAGERS = 60, 40, 3, 5
GROUPS = ["poverta", "infanzia_famiglie", "anziani", "disabilita", "violenza_genere", "disagio_psichico"]
GROUP_WEIGHTS = [40, 20, 20, 8, 6, 6]
RESTRICTED = {"disabilita", "violenza_genere", "disagio_psichico"}
FIRST = ["Mario", "Giulia", "Anna", "Paolo", "Luca", "Sara", "Marco", "Elena", "Ahmed", "Fatima", "Ion", "Mei"]
LAST = ["Rossi", "Bianchi", "Verdi", "Neri", "Russo", "Ferrari", "Esposito", "Romano", "Gallo", "Conti", "Costa"]
JOURNEY = [  # (element, title, role, form key) of a percorso_beneficiario, in order
    ("presa_in_carico", "Presa in carico", "social_worker", "presa_in_carico"),
    ("scelta_offerta", "Scelta dell'offerta", "social_worker", "scelta_offerta"),
    ("risposta_invio", "Risposta all'invio", "association", "risposta_invio"),
    ("esito_intervento", "Esito dell'intervento", "association", "esito_intervento"),
    ("chiusura_caso", "Chiusura del caso", "social_worker", "chiusura_caso"),
]
STATE_BLOB = zlib.compress(b'{"bench": true}')


# ------------------------------------------------------------------------------------------------ set-up
@contextmanager
def bench_app(database_url: str | None) -> Iterator:
    """A fresh app on its own database; removed afterwards, also on failure."""
    tmp = Path(tempfile.mkdtemp(prefix="tessere-bench-worklist-"))
    schema = f"tessere_bench_worklist_{os.getpid()}"
    postgres = bool(database_url and database_url.startswith("postgresql"))
    config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "TESSERE_MAIL_DIR": str(tmp / "mail"),
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp / 'bench.sqlite'}",
    }
    if postgres:
        admin = create_engine(database_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    try:
        app = create_app(config)
        with app.app_context():
            db.create_all()
            deploy_shipped_diagrams()
            db.session.commit()
        yield app, postgres
    finally:
        if postgres:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Network:
    social_workers: list[int]
    organizations: list[int]
    offers: dict[int, int]  # organization -> its offer
    operators: dict[int, list[int]]  # organization -> its operators
    managers: list[int]
    versions: dict[str, int]
    persona_sw: str = factories.SOCIAL_WORKER
    persona_op: str = factories.OPERATOR_A


def seed(session) -> Network:
    """The people and organizations of the bench; the two measured personas are the factories' ones."""
    factories.seed_network(session)  # 2 organizations with offers, one user per role (as.., op.a.., ...)
    for n in range(ORGANIZATIONS - 2):
        org = factories.make_organization(session, f"Organizzazione di prova {n:02d}", f"9{n:010d}")
        factories.make_offer(session, org, f"Offerta {n:02d}", ["poverta"], ["generi_alimentari"])
    for n in range(SOCIAL_WORKERS - 2):
        factories.make_user(session, f"as{n:02d}@bench.it", "social_worker")
    for n in range(MANAGERS - 1):
        factories.make_user(session, f"resp{n}@bench.it", "manager")
    organizations = list(session.scalars(select(Organization.id).order_by(Organization.id)))
    for org in organizations:
        have = session.scalar(select(func.count()).select_from(User).where(User.organization_id == org)) or 0
        for n in range(OPERATORS_PER_ORG - have):
            factories.make_user(session, f"op{org}-{n}@bench.it", "association", session.get(Organization, org))
    session.commit()
    users = session.execute(select(User.id, User.role, User.organization_id)).all()
    operators: dict[int, list[int]] = {}
    for uid, role, org in users:
        if role == "association":
            operators.setdefault(org, []).append(uid)
    offers = {}
    for offer_id, org in session.execute(select(Offer.id, Offer.organization_id).order_by(Offer.id)):
        offers.setdefault(org, offer_id)
    versions = {k: v for k, v in session.execute(select(ProcessVersion.process_key, ProcessVersion.id))}
    return Network(
        social_workers=[u for u, r, _ in users if r == "social_worker"],
        organizations=organizations,
        offers=offers,
        operators=operators,
        managers=[u for u, r, _ in users if r == "manager"],
        versions=versions,
    )


# ---------------------------------------------------------------------------------------------- data
@dataclass
class Rows:
    instances: list[dict] = field(default_factory=list)
    beneficiaries: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)


class Generator:
    """Makes rows with explicit ids (continuing from the database's), so related rows link without round trips."""

    def __init__(self, network: Network, rng: random.Random, start_ids: dict[str, int]):
        self.net, self.rng = network, rng
        self.next = dict(start_ids)

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def _instance(self, rows: Rows, key: str, started: datetime, open_: bool, owner: int | None) -> int:
        iid = self._id("process_instance")
        rows.instances.append(
            {
                "id": iid,
                "process_version_id": self.net.versions[key],
                "process_key": key,
                "status": "waiting" if open_ else "completed",
                "state_blob": STATE_BLOB,
                "lock_version": 1,
                "started_at": started,
                "started_by_id": owner,
                "updated_at": started,
                "completed_at": None if open_ else started + timedelta(days=30),
            }
        )
        return iid

    def _case(self, rows: Rows, iid: int, owner: int, opened: datetime, open_: bool) -> tuple[int, int | None]:
        """A case (with its person) for a journey; referred to an organization in most cases."""
        bid, cid = self._id("beneficiary"), self._id("case_file")
        group = self.rng.choices(GROUPS, GROUP_WEIGHTS)[0]
        rows.beneficiaries.append(
            {
                "id": bid,
                "first_name": self.rng.choice(FIRST),
                "last_name": f"{self.rng.choice(LAST)}{bid % 97}",
                "created_at": opened,
            }
        )
        rows.cases.append(
            {
                "id": cid,
                "beneficiary_id": bid,
                "owner_id": owner,
                "instance_id": iid,
                "target_group": group,
                "needs": ["generi_alimentari"],
                "restricted": group in RESTRICTED,
                "consent_share": True,
                "status": "open" if open_ else "closed",
                "opened_at": opened,
                "closed_at": None if open_ else opened + timedelta(days=30),
            }
        )
        org = None
        if self.rng.random() < 0.8:
            org = self.rng.choice(self.net.organizations)
            rows.referrals.append(
                {
                    "id": self._id("referral"),
                    "case_id": cid,
                    "offer_id": self.net.offers[org],
                    "organization_id": org,
                    "message": "Contattare al mattino.",
                    "share_last_name": True,
                    "share_phone": True,
                    "share_email": False,
                    "status": "inviato" if open_ else "concluso",
                    "sent_at": opened + timedelta(days=1),
                    "capacity_reserved": False,
                }
            )
        return cid, org

    def _task(self, rows: Rows, iid: int, key: str, step: tuple, created: datetime, **values) -> None:
        element, title, role, form_key = step
        row = {
            "id": self._id("human_task"),
            "instance_id": iid,
            "process_key": key,
            "spiff_task_id": f"{iid:08d}-{element}",
            "element_id": element,
            "title": title,
            "lane": role,
            "role": role,
            "organization_id": None,
            "assignee_id": None,
            "form_key": form_key,
            "status": "open",
            "due_at": None,
            "created_at": created,
            "completed_at": None,
            "completed_by_id": None,
            "claimed_by_id": None,
            "claimed_at": None,
        }
        row.update(values)
        rows.tasks.append(row)

    def open_work(self, count: int) -> Rows:
        """The open tasks of today, each on an instance still running."""
        rows, rng = Rows(), self.rng
        for _ in range(count):
            created = NOW - timedelta(days=rng.uniform(0, 40))
            due = NOW + timedelta(days=rng.uniform(-10, 30)) if rng.random() < 0.75 else None
            kind = rng.random()
            if kind < 0.55:  # a social worker's own step of a case
                owner = rng.choice(self.net.social_workers)
                iid = self._instance(rows, "percorso_beneficiario", created, True, owner)
                self._case(rows, iid, owner, created, True)
                step = JOURNEY[rng.choice((0, 1, 4))]
                self._task(rows, iid, "percorso_beneficiario", step, created, assignee_id=owner, due_at=due)
            elif kind < 0.58:  # a signal for the whole social service (group task)
                iid = self._instance(rows, "segnalazione", created, True, None)
                step = ("valuta_segnalazione", "Valuta la segnalazione", "social_worker", "valuta_segnalazione")
                claimed = rng.choice(self.net.social_workers) if rng.random() < 0.3 else None
                self._task(
                    rows,
                    iid,
                    "segnalazione",
                    step,
                    created,
                    due_at=due,
                    claimed_by_id=claimed,
                    claimed_at=created if claimed else None,
                )
            elif kind < 0.90:  # an organization's answer or outcome
                owner = rng.choice(self.net.social_workers)
                iid = self._instance(rows, "percorso_beneficiario", created, True, owner)
                _, org = self._case(rows, iid, owner, created, True)
                org = org or rng.choice(self.net.organizations)
                claimed = rng.choice(self.net.operators[org]) if rng.random() < 0.2 else None
                self._task(
                    rows,
                    iid,
                    "percorso_beneficiario",
                    JOURNEY[rng.choice((2, 3))],
                    created,
                    organization_id=org,
                    due_at=due,
                    claimed_by_id=claimed,
                    claimed_at=created if claimed else None,
                )
            else:  # a manager's review (group task)
                iid = self._instance(rows, "fase1_adesione", created, True, None)
                step = ("valuta_domanda", "Valuta la domanda di adesione", "manager", "valutazione_adesione")
                claimed = rng.choice(self.net.managers) if rng.random() < 0.3 else None
                self._task(
                    rows,
                    iid,
                    "fase1_adesione",
                    step,
                    created,
                    due_at=due,
                    claimed_by_id=claimed,
                    claimed_at=created if claimed else None,
                )
        return rows

    def history(self, tasks: int) -> Rows:
        """Finished journeys of five tasks each, spread over five years."""
        rows, rng = Rows(), self.rng
        while len(rows.tasks) < tasks:
            started = NOW - timedelta(days=rng.uniform(45, 5 * 365))
            owner = rng.choice(self.net.social_workers)
            iid = self._instance(rows, "percorso_beneficiario", started, False, owner)
            _, org = self._case(rows, iid, owner, started, False)
            org = org or rng.choice(self.net.organizations)
            for n, step in enumerate(JOURNEY[: tasks - len(rows.tasks)]):
                created = started + timedelta(days=2 * n)
                association = step[2] == "association"
                cancelled = rng.random() < 0.1
                self._task(
                    rows,
                    iid,
                    "percorso_beneficiario",
                    step,
                    created,
                    status="cancelled" if cancelled else "completed",
                    organization_id=org if association else None,
                    assignee_id=None if association else owner,
                    due_at=created + timedelta(days=5) if association else None,
                    completed_at=created + timedelta(days=1),
                    completed_by_id=None
                    if cancelled
                    else (rng.choice(self.net.operators[org]) if association else owner),
                )
        return rows


TABLE_ORDER = [
    ("process_instance", "instances"),
    ("beneficiary", "beneficiaries"),
    ("case_file", "cases"),
    ("referral", "referrals"),
    ("human_task", "tasks"),
]


def write(rows: Rows, postgres: bool) -> None:
    """COPY (PostgreSQL) or executemany (SQLite), in one transaction."""
    with db.engine.begin() as connection:
        for table, attribute in TABLE_ORDER:
            data = getattr(rows, attribute)
            if not data:
                continue
            if postgres:
                columns = list(data[0])
                cursor = connection.connection.driver_connection.cursor()
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row([json.dumps(v) if isinstance(v, list | dict) else v for v in row.values()])
            else:
                target = db.metadata.tables[table]
                for start in range(0, len(data), 20_000):
                    connection.execute(insert(target), data[start : start + 20_000])
        if postgres:
            for table, _ in TABLE_ORDER:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )


def analyze(postgres: bool) -> None:
    if postgres:
        with db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            for table, _ in TABLE_ORDER:
                connection.execute(text(f"VACUUM ANALYZE {table}"))
            try:  # write the load's dirty pages now, not during the measure (needs a superuser; skipped otherwise)
                connection.execute(text("CHECKPOINT"))
            except Exception:  # noqa: BLE001 - only an optimization of the measuring conditions
                pass
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def max_ids() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar() for t, _ in TABLE_ORDER}


# ------------------------------------------------------------------------------------------ measuring
@dataclass
class Persona:
    label: str
    page_client: object
    api_headers: dict
    api_client: object


def personas(app) -> list[Persona]:
    result = []
    for label, email in (("assistente sociale", factories.SOCIAL_WORKER), ("operatore", factories.OPERATOR_A)):
        page_client = app.test_client()
        response = page_client.post("/accesso", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302, f"login failed for {email}"
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            token = create_token(db.session, user, "bench")
            db.session.commit()
        result.append(Persona(label, page_client, {"Authorization": f"Bearer {token}"}, app.test_client()))
    return result


API_URL, PAGE_URL = "/api/v1/tasks", "/attivita"
FILTERED_PAGES = ("?cerca=Rossi", "?cerca=12", "?gruppo=anziani&stato=scadute", "?organizzazione=3&ordina=creazione")


CPU_MS: dict[tuple[str, str], list[float]] = {}  # CPU time of this process per request: robust to a busy machine


def timed(persona: Persona, kind: str, query: str = "") -> float:
    cpu, start = time.thread_time(), time.perf_counter()
    if kind == "api":
        response = persona.api_client.get(API_URL + query, headers=persona.api_headers)
    else:
        response = persona.page_client.get(PAGE_URL + query)
    elapsed = (time.perf_counter() - start) * 1000
    CPU_MS.setdefault((persona.label, kind), []).append((time.thread_time() - cpu) * 1000)
    assert response.status_code == 200, (kind, persona.label, response.status_code)
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def measure(people: list[Persona], requests: int, warmup: int) -> dict[tuple[str, str], list[float]]:
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(warmup):
        for persona in people:
            for kind in ("api", "page"):
                timed(persona, kind)
    CPU_MS.clear()
    for _ in range(requests):
        for persona in people:
            for kind in ("api", "page"):
                samples.setdefault((persona.label, kind), []).append(timed(persona, kind))
    return samples


def visible_counts(people: list[Persona]) -> dict[str, int]:
    counts = {}
    for persona in people:
        body = persona.api_client.get(API_URL + "?per_page=1", headers=persona.api_headers).get_json()
        counts[persona.label] = body["total"]
    return counts


# ------------------------------------------------------------------------------------------------ EXPLAIN
TASK_TABLES = re.compile(r"\b(human_task|case_file|referral)\b")


def explain(app, persona: Persona, kind: str, postgres: bool, query: str = "") -> list[str]:
    """EXPLAIN every statement one request runs against the task tables (same SQL, same parameters)."""
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if TASK_TABLES.search(statement) and not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        timed(persona, kind, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    lines = []
    with engine.connect() as connection:
        for statement, parameters in captured:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            plan = [str(r[-1]) for r in connection.exec_driver_sql(prefix + statement, parameters)]
            head = " ".join(statement.split())[:90]
            if postgres:
                nodes = [p.strip().lstrip("-> ").split("  (")[0] for p in plan if "(cost=" in p]
                exec_time = next((p for p in plan if p.startswith("Execution Time")), "")
                lines.append(f"    {head}…")
                lines.append(f"      {' | '.join(nodes[:6])}{' | …' if len(nodes) > 6 else ''}  [{exec_time}]")
            else:
                lines.append(f"    {head}…")
                lines.append(f"      {' | '.join(plan[:6])}")
    return lines


# ------------------------------------------------------------------------------------------------ main
def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql+psycopg://... (a private schema is used); default SQLite")
    parser.add_argument("--sizes", help="comma-separated task-row counts (default 10k,100k,1m; SQLite 10k,100k)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per persona and kind (200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--open", type=int, default=3000, help="open tasks, the same at every size (3000)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1,000 and 5,000 rows, 20 requests")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    postgres = bool(args.database_url and args.database_url.startswith("postgresql"))
    if args.quick:
        args.sizes = args.sizes or "1000,5000"
        args.requests, args.warmup, args.open = min(args.requests, 20), min(args.warmup, 3), min(args.open, 300)
    default = "10000,100000,1000000" if postgres else "10000,100000"
    args.size_list = sorted({int(s) for s in (args.sizes or default).split(",")})
    if args.open >= args.size_list[0]:
        parser.error("--open must be smaller than the smallest size")
    return args


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    results: dict[int, dict[str, float]] = {}
    with bench_app(args.database_url) as (app, postgres):
        print(
            f"database: {'PostgreSQL' if postgres else 'SQLite'} · sizes {args.size_list} · open tasks {args.open}"
            f" · {args.requests} requests per persona and kind · load average {os.getloadavg()[0]:.1f}"
        )
        with app.app_context():
            network = seed(db.session)
        people = personas(app)
        total = 0
        for size in args.size_list:
            started = time.perf_counter()
            with app.app_context():
                generator = Generator(network, rng, max_ids())
                rows = generator.open_work(args.open) if total == 0 else Rows()
                rows_history = generator.history(size - total - len(rows.tasks))
                for attribute in ("instances", "beneficiaries", "cases", "referrals", "tasks"):
                    getattr(rows, attribute).extend(getattr(rows_history, attribute))
                write(rows, postgres)
                del rows, rows_history  # millions of dicts alive would make every GC pass of the measure slow
                gc.collect()
                analyze(postgres)
                total = db.session.scalar(select(func.count()).select_from(HumanTask))
            built = time.perf_counter() - started
            counts = visible_counts(people)
            samples = measure(people, args.requests, args.warmup)
            figures = {}
            print(f"\n== {total:,} task rows (built in {built:.1f} s; load average {os.getloadavg()[0]:.1f}) ==")
            for (label, kind), values in samples.items():
                figures[f"{kind}:{label}"] = p95(values)
                print(
                    f"  {kind:4} {label:18} visible {counts[label]:5}  median {statistics.median(values):6.2f} ms"
                    f"  p95 {p95(values):6.2f} ms  max {max(values):6.2f} ms"
                    f"  (CPU in the app: median {statistics.median(CPU_MS[(label, kind)]):5.2f} ms)"
                )
            results[size] = {
                "api": max(v for k, v in figures.items() if k.startswith("api:")),
                "page": max(v for k, v in figures.items() if k.startswith("page:")),
            }
            print("  EXPLAIN of the statements on the task tables (one request each):")
            for persona in people:
                for kind in ("api", "page"):
                    print(f"   {kind} · {persona.label}:")
                    for line in explain(app, persona, kind, postgres):
                        print(line)
            # Filters and search (information only, not in RESULT): the same plans must not reach the history.
            worker = people[0]
            for query in FILTERED_PAGES:
                values = [timed(worker, "page", query) for _ in range(max(args.requests // 10, 5))]
                print(f"   page · {worker.label} · {query}: median {statistics.median(values):.2f} ms")
                for line in explain(app, worker, "page", postgres, query):
                    print(line)
    small, large = args.size_list[0], args.size_list[-1]
    api_growth = results[large]["api"] / results[small]["api"]
    page_growth = results[large]["page"] / results[small]["page"]
    print(
        f"\nRESULT api_p95_ms_10k={results[small]['api']:.2f} api_p95_ms_1m={results[large]['api']:.2f}"
        f" api_growth={api_growth:.2f} page_p95_ms_10k={results[small]['page']:.2f}"
        f" page_p95_ms_1m={results[large]['page']:.2f} page_growth={page_growth:.2f}"
        f" smallest_rows={small} largest_rows={large}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
