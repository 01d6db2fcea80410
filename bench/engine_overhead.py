"""What one step of the engine costs, compared with raw SpiffWorkflow doing the same step in memory.

Engine side: a fresh database (SQLite in a temporary directory, or a private schema on PostgreSQL), the shipped
diagrams deployed and a small network seeded; then N referral journeys, each completing its five user tasks
(intake, choice of offer, answer "accept", outcome, closing) through `webapp.tasks.services.complete_task`, the
function the web page and the JSON API call: form validation, `Engine.complete` (load the state, run, save the
state, the human-task rows and the journal, the domain operations' rows) and the commit. Each completion runs in
its own request context with a fresh session, as a request would, and is timed with `perf_counter` around the call.

Raw side: the same diagram (the deployed spec_json), the same task data and the same sequence of completions with
SpiffWorkflow alone: for each step `json.loads` the spec and the state, `from_dict` (as
`engine.spiff_runtime.load_workflow` does), set the data, `task.run()`, `do_engine_steps()`, `refresh_timers()`,
then `to_dict` + `json.dumps` without the specs (as `serialize_state` does). Its script engine answers the service
tasks with the same result keys the real operations set (case_id, referral_id, organization_id, esito_invio, ...)
and forgets the same keys, so the path through the diagram and the stored state are the same (checked).

Both databases in one run: SQLite (a file in a temporary directory) and PostgreSQL (a private schema, dropped at
the end; skipped with a clear line when unreachable). Engine SQLite, raw, engine PostgreSQL and raw-with-the-spec-
once journeys are interleaved, so both ratios divide by the same raw steps. The state size is measured on full
journeys of the referral diagram with 0..5 declines and re-referrals.

Run from the repository root:

    .venv/bin/python -m bench.engine_overhead [--journeys 30] [--no-pg] [--pg-url URL] [--breakdown] [--profile F]

The last line printed is `RESULT engine_step_ms_sqlite=... raw_step_ms=... ratio_sqlite=... engine_step_ms_pg=...
ratio_pg=... state_bytes=... state_json_bytes=... growth_per_rereferral_bytes=...` (medians over all steps; the
state figures are the largest state of a journey without re-referral, as stored in the database column and as
JSON, and the growth of the JSON per re-referral). `--breakdown` and `--profile` add extra passes after the
measured ones (they never touch the RESULT figures). See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.orm import Session as OrmSession  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from engine import Engine  # noqa: E402
from engine import spiff_runtime as rt  # noqa: E402
from engine.models import HumanTask, ProcessInstance  # noqa: E402
from forms import FORM_CLASSES, form_to_task_data  # noqa: E402
from forms.choices import choices  # noqa: E402
from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.cli import deploy_shipped_diagrams  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.network.models import Offer  # noqa: E402
from webapp.referrals.operations import ANSWER_FIELDS, PERSON_FIELDS, SHARING_FIELDS  # noqa: E402
from webapp.tasks import services as task_services  # noqa: E402

PROCESS_KEY = "percorso_beneficiario"
SW, OP_A, OP_B = factories.SOCIAL_WORKER, factories.OPERATOR_A, factories.OPERATOR_B

INTAKE = {
    "first_name": "Mario",
    "last_name": "Rossi",
    "codice_fiscale": "RSSMRA80A01D612Y",
    "birth_date": "1980-01-01",
    "phone": "333 1234567",
    "email": "mario.rossi@example.org",
    "address": "Via Roma 1, Campi Bisenzio",
    "target_group": "poverta",
    "needs": ["generi_alimentari"],
    "notes": "Segue il servizio da marzo.",
    "consent_share": "y",
}


def _choose(offer: str, message: str = "Contattare al mattino, preferibilmente dopo le 10.") -> dict:
    return {"offer": offer, "message": message, "share_last_name": "y", "share_phone": "y"}


ACCEPT = {"answer": "accetta", "first_appointment": "2026-06-15", "note": "Ci vediamo lunedì alle 10."}
OUTCOME = {"outcome": "concluso_positivo", "outcome_note": "Ha ricevuto tre pacchi alimentari nel mese."}
CLOSING = {"closing_outcome": "obiettivi_raggiunti", "closing_note": "Chiuso dopo il colloquio di verifica."}

# (form key, who completes it, what they type); "offer" is replaced by the offer's id.
JOURNEY = (
    ("presa_in_carico", SW, INTAKE),
    ("scelta_offerta", SW, _choose("Pacchi alimentari")),
    ("risposta_invio", OP_A, ACCEPT),
    ("esito_intervento", OP_A, OUTCOME),
    ("chiusura_caso", SW, CLOSING),
)
DECLINE = {"answer": "rifiuta", "decline_reason": "non_idoneo", "note": "Fuori zona."}
# Offers a re-referral alternates between, with the operator who answers for each.
REFERRAL_TARGETS = (("Pacchi alimentari", OP_A), ("Mensa solidale", OP_B))


def rereferral_journey(declines: int) -> tuple[tuple[str, str, dict], ...]:
    """A full journey in which the organization declines `declines` times and the social worker re-refers each
    time (to the other offer), before an accept, the outcome and the closing."""
    steps = [("presa_in_carico", SW, INTAKE)]
    for attempt in range(declines + 1):
        offer, operator = REFERRAL_TARGETS[attempt % 2]
        steps.append(("scelta_offerta", SW, _choose(offer)))
        if attempt < declines:
            steps.append(("risposta_invio", operator, DECLINE))
            steps.append(("dopo_rifiuto", SW, {"decisione": "reinvia", "note": "Proviamo un'altra offerta."}))
        else:
            steps.append(("risposta_invio", operator, ACCEPT))
            steps.append(("esito_intervento", operator, OUTCOME))
    steps.append(("chiusura_caso", SW, CLOSING))
    return tuple(steps)


REREFERRAL_JOURNEY = rereferral_journey(1)
MAX_REREFERRALS = 5
STEP_KEYS = [key for key, _, _ in JOURNEY]


# --------------------------------------------------------------------------------------------- set-up
@dataclass
class Setup:
    app: Any
    engine: Engine
    spec_json: str
    users: dict[str, int]
    offers: dict[str, int]  # title -> id
    organization_of_offer: dict[int, int]
    label: str
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def formdata(self, data: dict) -> MultiDict:
        pairs = []
        for name, value in data.items():
            if name == "offer":
                pairs.append(("offer_id", str(self.offers[value])))
            elif isinstance(value, list):
                pairs.extend((name, item) for item in value)
            else:
                pairs.append((name, value))
        return MultiDict(pairs)


def build_setup(database_url: str | None, sqlite_journal_mode: str | None = None) -> Setup:
    cleanup: list[Callable[[], None]] = []
    config = {"SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False}
    if database_url and not database_url.startswith("sqlite"):
        schema = f"tessere_bench_{os.getpid()}"
        admin = create_engine(database_url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))

        def drop_schema() -> None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()

        cleanup.append(drop_schema)
        config["SQLALCHEMY_DATABASE_URI"] = database_url
        # Same options as production (pool_recycle, no pre-ping), plus a private schema so nothing else is touched.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"},
            "pool_recycle": 1800,
        }
        label = f"postgresql (schema {schema})"
    else:
        if database_url:
            path = database_url.split(":///", 1)[-1]
            if path and path != ":memory:" and Path(path).exists():
                raise SystemExit(f"{path} exists: the benchmark builds its own data, give it a new SQLite file")
            config["SQLALCHEMY_DATABASE_URI"] = database_url
            label = database_url
        else:
            directory = tempfile.mkdtemp(prefix="tessere-bench-")
            cleanup.append(lambda: shutil.rmtree(directory, ignore_errors=True))
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{directory}/bench.sqlite"
            label = "sqlite (file in a temporary directory)"
    try:
        app = create_app(config)
        if sqlite_journal_mode:  # what-if only (--sqlite-journal-mode); the product uses WAL (webapp/database.py)
            with app.app_context():

                def set_journal_mode(dbapi_connection, _record) -> None:
                    dbapi_connection.execute(f"PRAGMA journal_mode={sqlite_journal_mode}")

                event.listen(db.engine, "connect", set_journal_mode)
                label += f", journal_mode={sqlite_journal_mode} (what-if)"

        def dispose() -> None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

        cleanup.insert(0, dispose)
        with app.app_context():
            db.create_all()
            deploy_shipped_diagrams()
            factories.seed_network(db.session)
            db.session.commit()
            engine = app.extensions["tessere_engine"]
            version = engine.latest_version(db.session, PROCESS_KEY)
            if version is None:
                raise RuntimeError(f"{PROCESS_KEY} was not deployed")
            spec_json = version.spec_json
            users = {u.email: u.id for u in db.session.scalars(select(User))}
            offers = {o.title: o.id for o in db.session.scalars(select(Offer))}
            organization_of_offer = {o.id: o.organization_id for o in db.session.scalars(select(Offer))}
    except BaseException:
        run_cleanup(cleanup)  # a failed set-up leaves no schema or temporary directory behind
        raise
    return Setup(app, engine, spec_json, users, offers, organization_of_offer, label, cleanup)


def run_cleanup(actions: list[Callable[[], None]]) -> None:
    for action in actions:
        try:
            action()
        except Exception as exc:  # report, and go on with the other clean-ups
            print(f"clean-up failed: {exc}", file=sys.stderr)


# ---------------------------------------------------------------------------------------- engine side
@dataclass
class JourneyResult:
    start_s: float
    steps: list[tuple[str, float]]  # (form key, seconds)
    state_bytes: list[int]  # len of the state JSON after each step
    state_json: str
    stored_bytes: list[int] | None = None  # what the database column holds (it may be compressed)
    cpu_steps: list[float] = field(default_factory=list)  # CPU seconds of this process per step (information)


def run_engine_journey(
    setup: Setup,
    journey: Iterable[tuple[str, str, dict]],
    watch: Stopwatch | None = None,
    profiler: cProfile.Profile | None = None,
) -> JourneyResult:
    app, engine = setup.app, setup.engine
    with app.test_request_context():
        user = db.session.get(User, setup.users[SW])
        started = time.perf_counter()
        instance = task_services.start_process(db.session, engine, user, PROCESS_KEY, {})
        start_s = time.perf_counter() - started
        instance_id = instance.id
    steps, sizes, stored, cpu, state_json = [], [], [], [], ""
    for form_key, who, data in journey:
        # One request: a fresh session, the user loaded, the task found (as the view does before calling).
        with app.test_request_context():
            session = db.session
            user = session.get(User, setup.users[who])
            task_id = session.scalar(
                select(HumanTask.id).where(
                    HumanTask.instance_id == instance_id,
                    HumanTask.form_key == form_key,
                    HumanTask.status == "open",
                )
            )
            if task_id is None:
                raise RuntimeError(f"no open {form_key} task on instance {instance_id}")
            formdata = setup.formdata(data)
            target = TimedSession(session, watch) if watch else session
            if watch:
                watch.current = defaultdict(float)
            if profiler:
                profiler.enable()
            cpu_started, started = time.process_time(), time.perf_counter()
            task_services.complete_task(target, engine, user, task_id, formdata)
            elapsed = time.perf_counter() - started
            cpu.append(time.process_time() - cpu_started)
            if profiler:
                profiler.disable()
            if watch:
                watch.close_step(elapsed)
            steps.append((form_key, elapsed))
            session.expire_all()
            instance = session.get(ProcessInstance, instance_id)
            state_json = instance.state_json
            sizes.append(len(state_json.encode("utf-8")))
            stored.append(stored_state_bytes(instance))
    return JourneyResult(start_s, steps, sizes, state_json, stored, cpu)


def stored_state_bytes(instance: ProcessInstance) -> int:
    """Bytes the state takes in its column(s) (state_json text, or a compressed blob: whatever the model maps)."""
    total = 0
    for column in ProcessInstance.__table__.columns:
        if column.name.startswith("state"):
            value = getattr(instance, column.key, None)
            if isinstance(value, str):
                value = value.encode("utf-8")
            total += len(value or b"")
    return total


# ------------------------------------------------------------------------------------------- raw side
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


@dataclass
class RawIds:
    """The ids the real operations would create (one case per journey, one referral per send)."""

    case_id: int
    organization_of_offer: dict[int, int]
    referral_id: int = 0


def _register(data: dict, ids: RawIds):
    return {"case_id": ids.case_id, "consent_share": bool(data.get("consent_share"))}, PERSON_FIELDS


def _send(data: dict, ids: RawIds):
    ids.referral_id += 1
    result = {
        "referral_id": ids.referral_id,
        "organization_id": ids.organization_of_offer[data["offer_id"]],
        "esito_invio": "in_attesa",
        "decisione": "",
    }
    return result, (*SHARING_FIELDS, *ANSWER_FIELDS, "outcome", "outcome_note")


def _answer(data: dict, ids: RawIds):
    return {"esito_invio": "accettato" if data.get("answer") == "accetta" else "rifiutato"}, ()


RAW_OPERATIONS: dict[str, Callable[[dict, RawIds], tuple[dict, Iterable[str]]]] = {
    "case.register": _register,
    "referral.send": _send,
    "referral.record_answer": _answer,
    "referral.expire": lambda data, ids: ({"esito_invio": "scaduto"}, ()),
    "referral.remind": lambda data, ids: ({}, ()),
    "referral.record_outcome": lambda data, ids: ({}, ("outcome_note",)),
    "case.close": lambda data, ids: ({}, ("closing_note", "note")),
}


class RawScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's stock Python evaluator; service tasks answer like the real operations, without a database."""

    def __init__(self, ids: RawIds):
        super().__init__()
        self.ids = ids
        self.forgotten: set[str] = set()

    def evaluate(self, task, expression, external_context=None):
        text_ = (expression or "").strip()
        if rt.ISO_DURATION.match(text_):  # timers written as P3D (the stock evaluator would eval them)
            return text_
        return super().evaluate(task, expression, external_context)

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        result, forget = RAW_OPERATIONS[operation_name](task.data, self.ids)
        task.data.update(result)
        self.forgotten.update(forget)
        return "null"


def _raw_forget(workflow: BpmnWorkflow, keys: set[str]) -> None:
    for wf in (workflow, *workflow.subprocesses.values()):
        for key in keys:
            wf.data.pop(key, None)
        for task in wf.tasks.values():
            for key in keys:
                task.data.pop(key, None)


def _raw_dump(workflow: BpmnWorkflow) -> str:
    state = _SERIALIZER.to_dict(workflow)
    state.pop("spec", None)
    state.pop("subprocess_specs", None)
    return json.dumps(state, separators=(",", ":"))


def _raw_ready(workflow: BpmnWorkflow) -> dict[str, str]:
    return {t.task_spec.bpmn_id: str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def raw_start(spec_json: str, data: dict, ids: RawIds) -> tuple[str, dict[str, str]]:
    spec = json.loads(spec_json)
    workflow = BpmnWorkflow(
        _SERIALIZER.from_dict(spec["spec"]),
        {name: _SERIALIZER.from_dict(sub) for name, sub in spec["subprocess_specs"].items()},
        script_engine=RawScriptEngine(ids),
    )
    workflow.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    workflow.refresh_timers()
    return _raw_dump(workflow), _raw_ready(workflow)


def raw_step(spec_json: str, state_json: str, task_id: str, data: dict, ids: RawIds) -> tuple[str, dict[str, str]]:
    """Load (spec + state from JSON), run one user task and what follows it, save to JSON."""
    spec = json.loads(spec_json)
    state = json.loads(state_json)
    state["spec"] = spec["spec"]
    state["subprocess_specs"] = spec["subprocess_specs"]
    workflow = _SERIALIZER.from_dict(state)
    script_engine = RawScriptEngine(ids)
    workflow.script_engine = script_engine
    task = workflow.get_task_from_id(UUID(task_id))
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    workflow.refresh_timers()
    _raw_forget(workflow, script_engine.forgotten)
    return _raw_dump(workflow), _raw_ready(workflow)


@dataclass
class RestoredSpecs:
    """The spec objects of the diagram restored once (what an engine with a spec cache would reuse)."""

    spec: Any
    subprocess_specs: dict[str, Any]

    @classmethod
    def from_json(cls, spec_json: str) -> RestoredSpecs:
        spec = json.loads(spec_json)
        subs = {name: _SERIALIZER.from_dict(sub) for name, sub in spec["subprocess_specs"].items()}
        return cls(_SERIALIZER.from_dict(spec["spec"]), subs)


def raw_step_spec_once(
    specs: RestoredSpecs, state_json: str, task_id: str, data: dict, ids: RawIds
) -> tuple[str, dict[str, str]]:
    """As `raw_step`, but with the spec objects restored once: only the state is deserialized at each step."""
    state = json.loads(state_json)
    state["spec"] = specs.spec  # the registry passes objects it does not know through unchanged
    state["subprocess_specs"] = dict(specs.subprocess_specs)
    workflow = _SERIALIZER.from_dict(state)
    script_engine = RawScriptEngine(ids)
    workflow.script_engine = script_engine
    task = workflow.get_task_from_id(UUID(task_id))
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    workflow.refresh_timers()
    _raw_forget(workflow, script_engine.forgotten)
    return _raw_dump(workflow), _raw_ready(workflow)


def raw_task_data(setup: Setup, journey) -> list[tuple[str, dict]]:
    """The task data each step submits, exactly as the forms turn the typed values into data."""
    steps = []
    with setup.app.test_request_context():
        for form_key, _, data in journey:
            formdata = setup.formdata(data)
            form = FORM_CLASSES[form_key](formdata)
            if form_key == "scelta_offerta":
                offer_id = int(formdata["offer_id"])
                form.offer_id.choices = choices([(offer_id, "offerta")])
            if not form.validate():
                raise RuntimeError(f"bench data does not validate for {form_key}: {form.errors}")
            steps.append((form_key, json.loads(json.dumps(form_to_task_data(form)))))
    return steps


def run_raw_journey(
    setup: Setup, steps: list[tuple[str, dict]], case_id: int, specs: RestoredSpecs | None = None
) -> JourneyResult:
    """The journey with SpiffWorkflow alone; with `specs`, the spec objects are reused instead of restored."""
    ids = RawIds(case_id=case_id, organization_of_offer=setup.organization_of_offer)
    started = time.perf_counter()
    state_json, ready = raw_start(setup.spec_json, {"owner_user_id": setup.users[SW]}, ids)
    start_s = time.perf_counter() - started
    timings, sizes, cpu = [], [], []
    for form_key, data in steps:
        task_id = ready[form_key]
        cpu_started, started = time.process_time(), time.perf_counter()
        if specs is None:
            state_json, ready = raw_step(setup.spec_json, state_json, task_id, data, ids)
        else:
            state_json, ready = raw_step_spec_once(specs, state_json, task_id, data, ids)
        timings.append((form_key, time.perf_counter() - started))
        cpu.append(time.process_time() - cpu_started)
        sizes.append(len(state_json.encode("utf-8")))
    return JourneyResult(start_s, timings, sizes, state_json, cpu_steps=cpu)


def task_specs_of(state_json: str) -> Counter:
    """The multiset of (task spec, state) of the top-level tasks of a stored state: the path it took. (Top level
    only: the engine prunes finished subprocesses from its state, raw SpiffWorkflow keeps them; each of them is
    one call activity task at the top level.)"""
    state = json.loads(state_json)
    tasks = state["tasks"].values() if isinstance(state["tasks"], dict) else state["tasks"]
    return Counter((task.get("task_spec", task.get("s")), task.get("state", task.get("t"))) for task in tasks)


# ------------------------------------------------------------------------------------------ breakdown
class Stopwatch:
    """Inclusive time per label for the current step."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.steps: list[dict[str, float]] = []
        self.missing: set[str] = set()

    def wrap(self, label: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.current[label] += time.perf_counter() - started
                self.counts[label] += 1

        return timed

    def close_step(self, total: float) -> None:
        self.current["total"] = total
        self.steps.append(dict(self.current))
        self.current = defaultdict(float)


class TimedSession:
    """Delegates to the request's session; times commit."""

    def __init__(self, session, watch: Stopwatch):
        self._session = session
        self._watch = watch

    def commit(self):
        started = time.perf_counter()
        try:
            return self._session.commit()
        finally:
            self._watch.current["commit"] += time.perf_counter() - started

    def __getattr__(self, name):
        return getattr(self._session, name)


@contextmanager
def instrumented(setup: Setup, watch: Stopwatch):
    """Temporarily wrap the pieces of a step with stopwatches (restored afterwards; the code is not changed)."""
    registry = rt._SERIALIZER.registry
    saved = []

    def patch(owner, name, label, container=False):
        # The engine's internals change: wrap what exists, and say what could not be wrapped.
        present = (name in owner) if container else hasattr(owner, name)
        if not present:
            watch.missing.add(label)
            return
        original = owner[name] if container else getattr(owner, name)
        saved.append((owner, name, original, container))
        wrapped = watch.wrap(label, original)
        if container:
            owner[name] = wrapped
        else:
            setattr(owner, name, wrapped)

    original_build_form = task_services.build_form

    def build_form(*args, **kwargs):
        form = original_build_form(*args, **kwargs)
        form.validate = watch.wrap("form", form.validate)
        return form

    saved.append((task_services, "build_form", original_build_form, False))
    task_services.build_form = watch.wrap("form", build_form)
    patch(Engine, "_spec", "spec_json_loads")
    patch(rt, "load_workflow", "load_workflow")
    patch(registry.convert_from_dict, "BpmnProcessSpec", "spec_from_dict", container=True)
    patch(registry.convert_to_dict, "BpmnProcessSpec", "spec_to_dict", container=True)
    patch(Engine, "_run", "run")
    patch(rt.RestrictedScriptEngine, "call_service", "operations")
    patch(rt, "serialize_state", "serialize_state")
    patch(Engine, "_sync_human_tasks", "sync_human_tasks")
    patch(Engine, "_save", "save")

    with setup.app.app_context():
        sql_engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        watch.current["sql"] += time.perf_counter() - conn.info["bench_started"].pop()
        watch.current["sql_statements"] += 1

    def flushed(session, flush_context):
        watch.current["flushes"] += 1

    event.listen(sql_engine, "before_cursor_execute", before)
    event.listen(sql_engine, "after_cursor_execute", after)
    event.listen(OrmSession, "after_flush", flushed)
    try:
        yield
    finally:
        event.remove(sql_engine, "before_cursor_execute", before)
        event.remove(sql_engine, "after_cursor_execute", after)
        event.remove(OrmSession, "after_flush", flushed)
        for owner, name, original, container in reversed(saved):
            if container:
                owner[name] = original
            else:
                setattr(owner, name, original)


def sql_trace(setup: Setup) -> list[tuple[str, list[str]]]:
    """The statements each step of one journey sends (first 110 characters), counted by before_cursor_execute."""
    with setup.app.app_context():
        sql_engine = db.engine
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:110])

    traced: list[tuple[str, list[str]]] = []
    original_complete = task_services.complete_task

    def complete_task(*args, **kwargs):
        seen.clear()
        event.listen(sql_engine, "before_cursor_execute", before)
        try:
            return original_complete(*args, **kwargs)
        finally:
            event.remove(sql_engine, "before_cursor_execute", before)
            statements = [s for s in seen if s not in ("COMMIT", "BEGIN")]
            traced.append(("?", statements))

    task_services.complete_task = complete_task
    try:
        result = run_engine_journey(setup, JOURNEY)
    finally:
        task_services.complete_task = original_complete
    return [(form_key, statements) for (form_key, _), (_, statements) in zip(result.steps, traced, strict=True)]


def breakdown(setup: Setup, journeys: int) -> tuple[list[tuple[str, float, float]], set[str]]:
    """Mean ms per step of each part of a step, and its share of the step."""
    watch = Stopwatch()
    with instrumented(setup, watch):
        for _ in range(journeys):
            run_engine_journey(setup, JOURNEY, watch=watch)
    steps = watch.steps

    def mean(label: str) -> float:
        return statistics.fmean(s.get(label, 0.0) for s in steps) * 1000

    total = mean("total")
    parts = {
        "form build + validate (incl. offer query)": mean("form"),
        "spec: json.loads(spec_json)": mean("spec_json_loads"),
        "spec: from_dict (BpmnProcessSpec restore)": mean("spec_from_dict"),
        "state: json.loads + from_dict of tasks": mean("load_workflow") - mean("spec_from_dict"),
        "run: task.run + engine steps (w/o operations)": mean("run") - mean("operations"),
        "domain operations (incl. their SQL)": mean("operations"),
        "save: to_dict of the spec (then discarded)": mean("spec_to_dict"),
        "save: to_dict of the state + json.dumps": mean("serialize_state") - mean("spec_to_dict"),
        "save: sync human tasks (incl. SQL)": mean("sync_human_tasks"),
        "save: forget keys, timers, count, flush": mean("save") - mean("serialize_state") - mean("sync_human_tasks"),
        "commit": mean("commit"),
    }
    accounted = sum(parts.values())
    parts["rest (get task, journal, _json_safe, actor...)"] = total - accounted
    if "spec_json_loads" in watch.missing:  # the engine no longer parses spec_json at each step
        del parts["spec: json.loads(spec_json)"]
    rows = [(label, value, value / total if total else 0.0) for label, value in parts.items()]
    rows.append(("= step total", total, 1.0))
    rows.append(("(cross-cut) SQL execute time, all statements", mean("sql"), mean("sql") / total))
    rows.append(("(cross-cut) SQL statements per step", statistics.fmean(s.get("sql_statements", 0) for s in steps), 0))
    rows.append(("(cross-cut) ORM flushes per step", statistics.fmean(s.get("flushes", 0) for s in steps), 0))
    return rows, watch.missing


# --------------------------------------------------------------------------------------------- report
def ms(seconds: float) -> float:
    return seconds * 1000.0


def medians_by_step(results: list[JourneyResult]) -> dict[str, float]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for key, elapsed in result.steps:
            grouped[key].append(elapsed)
    return {key: statistics.median(values) for key, values in grouped.items()}


def all_steps(results: list[JourneyResult]) -> list[float]:
    return [elapsed for result in results for _, elapsed in result.steps]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def code_fingerprint() -> str:
    """Short hash of the code on the measured path (engine, forms, webapp, diagrams, templates): figures are tied
    to the code they measured, and that code changes often."""
    digest = hashlib.sha256()
    for folder, pattern in (("engine", "*.py"), ("forms", "*.py"), ("webapp", "*.py"), ("bpmn", "*.bpmn")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            digest.update(path.read_bytes())
    for path in sorted((ROOT / "webapp" / "templates").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_unreachable(url: str) -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any reason is reported on one line and the run goes on
        return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    finally:
        probe.dispose()
    return None


@dataclass
class SizeGrowth:
    """State sizes of full journeys with 0..N declines and re-referrals (final and largest during the journey)."""

    final_json: list[int]
    peak_json: list[int]
    final_stored: list[int]
    peak_stored: list[int]

    @staticmethod
    def per_step(values: list[int]) -> list[int]:
        return [later - earlier for earlier, later in zip(values, values[1:], strict=False)]

    def growth(self, values: list[int]) -> float:
        return (values[-1] - values[0]) / (len(values) - 1)


def measure_growth(setup: Setup, max_rereferrals: int) -> tuple[SizeGrowth, list[JourneyResult]]:
    results = [run_engine_journey(setup, rereferral_journey(k)) for k in range(max_rereferrals + 1)]
    growth = SizeGrowth(
        final_json=[r.state_bytes[-1] for r in results],
        peak_json=[max(r.state_bytes) for r in results],
        final_stored=[r.stored_bytes[-1] for r in results],
        peak_stored=[max(r.stored_bytes) for r in results],
    )
    return growth, results


def step_table(label: str, engine_results, raw_results, once_results) -> list[str]:
    engine_by_step, raw_by_step = medians_by_step(engine_results), medians_by_step(raw_results)
    once_by_step = medians_by_step(once_results)
    engine_median, raw_median = statistics.median(all_steps(engine_results)), statistics.median(all_steps(raw_results))
    out = [f"{label}: {'step (median ms)':<22}{'engine':>10}{'raw':>10}{'ratio':>8}{'raw/spec once':>15}{'state':>8}"]
    for index, key in enumerate(STEP_KEYS):
        engine_ms, raw_ms = ms(engine_by_step[key]), ms(raw_by_step[key])
        out.append(
            f"  {key:<{len(label) + 22}}{engine_ms:>10.3f}{raw_ms:>10.3f}{engine_ms / raw_ms:>8.2f}"
            f"{ms(once_by_step[key]):>15.3f}{engine_results[-1].state_bytes[index]:>8}"
        )
    out.append(
        f"  {'all steps':<{len(label) + 22}}{ms(engine_median):>10.3f}{ms(raw_median):>10.3f}"
        f"{engine_median / raw_median:>8.2f}{ms(statistics.median(all_steps(once_results))):>15.3f}"
    )
    if len(engine_results) > 1:
        p90 = [statistics.quantiles(all_steps(r), n=10)[-1] for r in (engine_results, raw_results, once_results)]
        out.append(
            f"  {'all steps, p90':<{len(label) + 22}}{ms(p90[0]):>10.3f}{ms(p90[1]):>10.3f}{'':>8}{ms(p90[2]):>15.3f}"
        )
    start_engine = ms(statistics.median(r.start_s for r in engine_results))
    start_raw = ms(statistics.median(r.start_s for r in raw_results))
    out.append(f"  {'start (not in RESULT)':<{len(label) + 22}}{start_engine:>10.3f}{start_raw:>10.3f}")
    return out


def extra_passes(setup: Setup, name: str, args, out: list[str]) -> None:
    """--breakdown / --profile for one database (after the measured passes; never part of RESULT)."""
    if args.breakdown:
        rows, missing = breakdown(setup, args.journeys)
        out.append("")
        out.append(f"{name}: breakdown of an engine step (extra instrumented pass, {args.journeys} journeys, means):")
        for label, value, share in rows:
            if label.endswith("per step"):
                out.append(f"  {label:<52}{value:>9.1f}")
            else:
                out.append(f"  {label:<52}{value:>9.3f} ms {share:>6.1%}")
        if missing:
            out.append(f"  (absent in this engine, not measured: {', '.join(sorted(missing))})")
    if args.sql_trace:
        out.append("")
        out.append(f"{name}: SQL statements of one journey, by step (inside complete_task; the commit not counted):")
        for form_key, statements in sql_trace(setup):
            out.append(f"  {form_key}: {len(statements)} statements")
            out.extend(f"    {statement}" for statement in statements)
    if args.profile:
        path = f"{args.profile}.{name}"
        profiler = cProfile.Profile()
        for _ in range(args.journeys):
            run_engine_journey(setup, JOURNEY, profiler=profiler)
        profiler.dump_stats(path)
        out.append("")
        out.append(
            f"{name}: cProfile of the engine steps written to {path}; explore with {sys.executable} -m pstats {path}"
        )
        stats = pstats.Stats(path)
        total_tt = sum(v[2] for v in stats.stats.values()) or 1.0
        top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
        out.append("  top functions by own time (share of profiled time, calls):")
        for (filename, line, fname), (_, ncalls, tottime, _cum, _) in top:
            where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            out.append(f"    {tottime / total_tt:>6.1%} {ncalls:>8}  {where}:{line}({fname})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=30, help="measured referral journeys per side (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="journeys run first and not measured (default 2)")
    parser.add_argument(
        "--sqlite-url", default=None, help="default: a fresh SQLite file in a temporary directory (must not exist)"
    )
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help=f"PostgreSQL, run in a private schema dropped at the end ({DEFAULT_PG_URL})",
    )
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--sqlite-journal-mode",
        choices=("DELETE", "WAL"),
        help="what-if: run the SQLite side with this journal mode (the product uses WAL; DELETE was the old default)",
    )
    parser.add_argument("--breakdown", action="store_true", help="extra pass: where an engine step's time goes")
    parser.add_argument(
        "--sql-trace", action="store_true", help="extra pass: list the SQL statements of each step of one journey"
    )
    parser.add_argument("--profile", metavar="FILE", help="extra pass under cProfile, stats to FILE.<database>")
    args = parser.parse_args(argv)
    if args.journeys < 1:
        parser.error("--journeys must be at least 1")

    load_before = load_average()
    pg_skipped = "--no-pg" if args.no_pg else postgres_unreachable(args.pg_url)
    setups: dict[str, Setup] = {}
    out: list[str] = []
    try:
        setups["sqlite"] = build_setup(args.sqlite_url, args.sqlite_journal_mode)
        if pg_skipped is None:
            setups["pg"] = build_setup(args.pg_url)
        sqlite = setups["sqlite"]
        data_steps = raw_task_data(sqlite, JOURNEY)
        data_rereferral = raw_task_data(sqlite, REREFERRAL_JOURNEY)
        specs = RestoredSpecs.from_json(sqlite.spec_json)

        for _ in range(args.warmup):
            for setup in setups.values():
                run_engine_journey(setup, JOURNEY)
            run_raw_journey(sqlite, data_steps, case_id=1)
            run_raw_journey(sqlite, data_steps, case_id=1, specs=specs)
        # Interleaved (engine SQLite, raw, engine PostgreSQL, raw with the spec once), so that whatever else the
        # machine does weighs on every side alike; both ratios use the same raw steps.
        engine_results: dict[str, list[JourneyResult]] = {name: [] for name in setups}
        raw_results, once_results = [], []
        for i in range(args.journeys):
            gc.collect()
            engine_results["sqlite"].append(run_engine_journey(sqlite, JOURNEY))
            gc.collect()
            raw_results.append(run_raw_journey(sqlite, data_steps, case_id=i + 1))
            if "pg" in setups:
                gc.collect()
                engine_results["pg"].append(run_engine_journey(setups["pg"], JOURNEY))
            gc.collect()
            once_results.append(run_raw_journey(sqlite, data_steps, i + 1, specs=specs))

        growth, growth_results = measure_growth(sqlite, MAX_REREFERRALS)
        raw_rr = run_raw_journey(sqlite, data_rereferral, case_id=1)
        raw_full = raw_results[-1]
        same_path = task_specs_of(engine_results["sqlite"][-1].state_json) == task_specs_of(raw_full.state_json)
        if not growth_results[1].state_json.startswith("{}"):
            same_path = same_path and task_specs_of(growth_results[1].state_json) == task_specs_of(raw_rr.state_json)
        for name, setup in setups.items():
            extra_passes(setup, name, args, out)
    finally:
        for setup in setups.values():
            run_cleanup(setup.cleanup)

    raw_median = statistics.median(all_steps(raw_results))
    medians = {name: statistics.median(all_steps(results)) for name, results in engine_results.items()}
    head = [
        f"engine_overhead: {args.journeys} journeys x {len(JOURNEY)} steps per side (+{args.warmup} warm-up); "
        + "; ".join(f"{name}: {setup.label}" for name, setup in setups.items()),
        f"Python {platform.python_version()}, SpiffWorkflow {_spiff_version()}, {os.cpu_count()} CPUs, {cpu_model()}, "
        f"code {code_fingerprint()}",
        f"load average (1 min) before/after: {load_before} / {load_average()} "
        "(figures are only comparable on an otherwise idle machine)",
    ]
    if pg_skipped is not None:
        head.append(f"PostgreSQL SKIPPED ({args.pg_url}): {pg_skipped}")
    head += [
        "",
        "raw = SpiffWorkflow alone, spec + state from JSON at each step (the RESULT baseline, shared by both ratios);",
        "raw/spec once = the same with the spec objects restored once (information only).",
        "",
    ]
    for name, results in engine_results.items():
        head += step_table(name, results, raw_results, once_results)
        head.append("")

    def cpu_median(results: list[JourneyResult]) -> float:
        return ms(statistics.median(c for r in results for c in r.cpu_steps))

    head.append(
        "CPU time of this process per step, median ms (information: less sensitive to the machine's load than wall "
        "time, but blind to the database server's work and to waits): "
        + ", ".join(f"engine {name} {cpu_median(results):.3f}" for name, results in engine_results.items())
        + f", raw {cpu_median(raw_results):.3f}"
    )
    head.append("")
    head.append(f"state of full journeys with 0..{MAX_REREFERRALS} declines + re-referrals (bytes; SQLite):")
    head.append(
        f"  {'re-referrals':<28}" + "".join(f"{k:>8}" for k in range(MAX_REREFERRALS + 1)) + f"{'growth/rr':>11}"
    )
    for label, values in (
        ("JSON after closing", growth.final_json),
        ("JSON, largest in journey", growth.peak_json),
        ("stored after closing", growth.final_stored),
        ("stored, largest in journey", growth.peak_stored),
    ):
        head.append(f"  {label:<28}" + "".join(f"{v:>8}" for v in values) + f"{growth.growth(values):>11.0f}")
    head.append(
        f"  largest single re-referral increment, JSON: {max(SizeGrowth.per_step(growth.final_json))} after closing, "
        f"{max(SizeGrowth.per_step(growth.peak_json))} largest in journey"
    )
    head.append(
        f"  raw SpiffWorkflow state after a full journey: {raw_full.state_bytes[-1]} JSON bytes, largest "
        f"{max(raw_full.state_bytes)}; with one re-referral {raw_rr.state_bytes[-1]}"
    )
    head.append(
        "same path through the diagram, engine and raw (task specs of the stored states): "
        + ("yes" if same_path else "NO - the raw baseline diverged, its figures are not comparable")
    )
    print("\n".join(head + out))

    state_bytes = max(growth.peak_stored[0], growth.final_stored[0])
    state_json_bytes = max(growth.peak_json[0], growth.final_json[0])
    growth_bytes = max(growth.growth(growth.final_json), growth.growth(growth.peak_json))
    pg_part = (
        f"engine_step_ms_pg={ms(medians['pg']):.3f} ratio_pg={medians['pg'] / raw_median:.3f} "
        if "pg" in medians
        else "engine_step_ms_pg=skipped ratio_pg=skipped "
    )
    print(
        f"RESULT engine_step_ms_sqlite={ms(medians['sqlite']):.3f} raw_step_ms={ms(raw_median):.3f} "
        f"ratio_sqlite={medians['sqlite'] / raw_median:.3f} {pg_part}"
        f"state_bytes={state_bytes} state_json_bytes={state_json_bytes} "
        f"growth_per_rereferral_bytes={growth_bytes:.0f}"
    )
    return 0


def _spiff_version() -> str:
    try:
        from importlib.metadata import version

        return version("SpiffWorkflow")
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
