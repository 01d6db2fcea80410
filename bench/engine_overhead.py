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

Run from the repository root:

    .venv/bin/python -m bench.engine_overhead [--journeys 30] [--database-url URL] [--breakdown] [--profile FILE]

The last line printed is `RESULT engine_step_ms=... raw_step_ms=... ratio=... state_bytes=...
state_bytes_per_rereferral=... state_stored_bytes=...` (medians over all steps; state_bytes is the length of the
state JSON after a full journey, state_stored_bytes what the database column holds). `--breakdown` and `--profile`
add extra passes after the measured ones (they never touch the RESULT figures). See bench/README.md.
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
REREFERRAL_JOURNEY = (
    ("presa_in_carico", SW, INTAKE),
    ("scelta_offerta", SW, _choose("Pacchi alimentari")),
    ("risposta_invio", OP_A, {"answer": "rifiuta", "decline_reason": "non_idoneo", "note": "Fuori zona."}),
    ("dopo_rifiuto", SW, {"decisione": "reinvia", "note": "Proviamo la mensa."}),
    ("scelta_offerta", SW, _choose("Mensa solidale")),
    ("risposta_invio", OP_B, ACCEPT),
    ("esito_intervento", OP_B, OUTCOME),
    ("chiusura_caso", SW, CLOSING),
)
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


def build_setup(database_url: str | None) -> Setup:
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
        # Same options as production (pool_pre_ping), plus a private schema so nothing else is touched.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"},
            "pool_pre_ping": True,
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
    steps, sizes, stored, state_json = [], [], [], ""
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
            started = time.perf_counter()
            task_services.complete_task(target, engine, user, task_id, formdata)
            elapsed = time.perf_counter() - started
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
    return JourneyResult(start_s, steps, sizes, state_json, stored)


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
    timings, sizes = [], []
    for form_key, data in steps:
        task_id = ready[form_key]
        started = time.perf_counter()
        if specs is None:
            state_json, ready = raw_step(setup.spec_json, state_json, task_id, data, ids)
        else:
            state_json, ready = raw_step_spec_once(specs, state_json, task_id, data, ids)
        timings.append((form_key, time.perf_counter() - started))
        sizes.append(len(state_json.encode("utf-8")))
    return JourneyResult(start_s, timings, sizes, state_json)


def task_specs_of(state_json: str) -> Counter:
    """The multiset of (task spec, state) of a stored state, top level and subprocesses: the path it took."""
    state = json.loads(state_json)
    found = Counter(task["task_spec"] for task in state["tasks"].values())
    for sub in state.get("subprocesses", {}).values():
        found.update(task["task_spec"] for task in sub["tasks"].values())
    return found


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=30, help="measured referral journeys per side (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="journeys run first and not measured (default 2)")
    parser.add_argument("--rereferrals", type=int, default=3, help="journeys with a decline + re-referral (default 3)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh SQLite file in a temporary directory; "
        "postgresql+psycopg://... runs in a private schema dropped at the end",
    )
    parser.add_argument("--breakdown", action="store_true", help="extra pass: where an engine step's time goes")
    parser.add_argument("--profile", metavar="FILE", help="extra pass under cProfile (engine steps), stats to FILE")
    args = parser.parse_args(argv)
    if args.journeys < 1 or args.rereferrals < 1:
        parser.error("--journeys and --rereferrals must be at least 1")

    load_before = load_average()
    setup = build_setup(args.database_url)
    try:
        data_steps = raw_task_data(setup, JOURNEY)
        data_rereferral = raw_task_data(setup, REREFERRAL_JOURNEY)
        specs = RestoredSpecs.from_json(setup.spec_json)

        for _ in range(args.warmup):
            run_engine_journey(setup, JOURNEY)
            run_raw_journey(setup, data_steps, case_id=1)
            run_raw_journey(setup, data_steps, case_id=1, specs=specs)
        # Interleaved, so that whatever else the machine does weighs on both sides alike.
        engine_results, raw_results, once_results = [], [], []
        for i in range(args.journeys):
            gc.collect()
            engine_results.append(run_engine_journey(setup, JOURNEY))
            gc.collect()
            raw_results.append(run_raw_journey(setup, data_steps, case_id=i + 1))
            gc.collect()
            once_results.append(run_raw_journey(setup, data_steps, i + 1, specs=specs))
        engine_rr = [run_engine_journey(setup, REREFERRAL_JOURNEY) for _ in range(args.rereferrals)]
        raw_rr = [run_raw_journey(setup, data_rereferral, case_id=1) for _ in range(args.rereferrals)]

        same_path = task_specs_of(engine_results[-1].state_json) == task_specs_of(raw_results[-1].state_json)
        same_path = same_path and task_specs_of(engine_rr[-1].state_json) == task_specs_of(raw_rr[-1].state_json)

        rows, missing = None, set()
        if args.breakdown:
            rows, missing = breakdown(setup, args.journeys)
        if args.profile:
            profiler = cProfile.Profile()
            for _ in range(args.journeys):
                run_engine_journey(setup, JOURNEY, profiler=profiler)
            profiler.dump_stats(args.profile)
            raw_profiler = cProfile.Profile()
            raw_profiler.enable()
            for i in range(args.journeys):
                run_raw_journey(setup, data_steps, case_id=i + 1)
            raw_profiler.disable()
            raw_profiler.dump_stats(args.profile + ".raw")
    finally:
        run_cleanup(setup.cleanup)

    engine_by_step, raw_by_step = medians_by_step(engine_results), medians_by_step(raw_results)
    once_by_step = medians_by_step(once_results)
    engine_median = statistics.median(all_steps(engine_results))
    raw_median = statistics.median(all_steps(raw_results))
    once_median = statistics.median(all_steps(once_results))
    ratio = engine_median / raw_median
    full_bytes, raw_full_bytes = engine_results[-1].state_bytes[-1], raw_results[-1].state_bytes[-1]
    rr_bytes, raw_rr_bytes = engine_rr[-1].state_bytes[-1], raw_rr[-1].state_bytes[-1]

    out = [
        f"engine_overhead: {args.journeys} journeys x {len(JOURNEY)} steps per side (+{args.warmup} warm-up), "
        f"database {setup.label}",
        f"Python {platform.python_version()}, SpiffWorkflow {_spiff_version()}, {os.cpu_count()} CPUs, {cpu_model()}, "
        f"code {code_fingerprint()}",
        f"load average (1 min) before/after: {load_before} / {load_average()} "
        "(figures are only comparable on an otherwise idle machine)",
        "",
        "raw = SpiffWorkflow alone, spec + state from JSON at each step (the RESULT baseline);",
        "raw/spec once = the same with the spec objects restored once (information only).",
        "",
        f"{'step (median ms)':<22}{'engine':>10}{'raw':>10}{'ratio':>8}{'raw/spec once':>15}{'state bytes':>13}",
    ]
    for index, key in enumerate(STEP_KEYS):
        engine_ms, raw_ms = ms(engine_by_step[key]), ms(raw_by_step[key])
        out.append(
            f"{key:<22}{engine_ms:>10.3f}{raw_ms:>10.3f}{engine_ms / raw_ms:>8.2f}{ms(once_by_step[key]):>15.3f}"
            f"{engine_results[-1].state_bytes[index]:>13}"
        )
    out.append(
        f"{'all steps':<22}{ms(engine_median):>10.3f}{ms(raw_median):>10.3f}{ratio:>8.2f}{ms(once_median):>15.3f}"
    )
    if args.journeys > 1:
        p90 = [statistics.quantiles(all_steps(r), n=10)[-1] for r in (engine_results, raw_results, once_results)]
        out.append(f"{'all steps, p90':<22}{ms(p90[0]):>10.3f}{ms(p90[1]):>10.3f}{'':>8}{ms(p90[2]):>15.3f}")
    out.append(
        f"{'start (not in RESULT)':<22}{ms(statistics.median(r.start_s for r in engine_results)):>10.3f}"
        f"{ms(statistics.median(r.start_s for r in raw_results)):>10.3f}"
    )
    out.append("")
    out.append(f"journey with one decline + re-referral ({args.rereferrals} runs, median ms):")
    for index, (key, _, _) in enumerate(REREFERRAL_JOURNEY):
        engine_ms = ms(statistics.median(r.steps[index][1] for r in engine_rr))
        raw_ms = ms(statistics.median(r.steps[index][1] for r in raw_rr))
        out.append(
            f"  {key:<20}{engine_ms:>10.3f}{raw_ms:>10.3f}{engine_ms / raw_ms:>8.2f}{'':>15}"
            f"{engine_rr[-1].state_bytes[index]:>13}"
        )
    out.append("")
    out.append(
        f"state_json after a full journey: {full_bytes} bytes (raw SpiffWorkflow: {raw_full_bytes}); "
        f"largest during it: {max(engine_results[-1].state_bytes)}"
        + (f" (stored: {max(engine_results[-1].stored_bytes)})" if engine_results[-1].stored_bytes else "")
    )
    out.append(
        f"state_json after a journey with one re-referral: {rr_bytes} bytes (raw: {raw_rr_bytes}); "
        f"+{rr_bytes - full_bytes} bytes per re-referral"
    )
    stored_full, stored_rr = engine_results[-1].stored_bytes[-1], engine_rr[-1].stored_bytes[-1]
    if (stored_full, stored_rr) != (full_bytes, rr_bytes):
        out.append(
            f"stored in the database column(s): {stored_full} bytes after a full journey, {stored_rr} after one "
            f"re-referral (+{stored_rr - stored_full})"
        )
    out.append(
        "same path through the diagram, engine and raw (task specs of the stored states): "
        + ("yes" if same_path else "NO - the raw baseline diverged, its figures are not comparable")
    )
    if rows:
        out.append("")
        out.append(f"breakdown of an engine step (extra instrumented pass, {args.journeys} journeys, means):")
        for label, value, share in rows:
            if label.endswith("per step"):
                out.append(f"  {label:<52}{value:>9.1f}")
            else:
                out.append(f"  {label:<52}{value:>9.3f} ms {share:>6.1%}")
        if missing:
            out.append(f"  (absent in this engine, not measured: {', '.join(sorted(missing))})")
    if args.profile:
        out.append("")
        out.append(f"cProfile of the engine steps written to {args.profile} (raw steps: {args.profile}.raw);")
        out.append(f"  explore with: {sys.executable} -m pstats {args.profile}")
        stats = pstats.Stats(args.profile)
        total_tt = sum(v[2] for v in stats.stats.values()) or 1.0
        top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
        out.append("  top functions by own time (share of profiled time, calls):")
        for (filename, line, name), (_, ncalls, tottime, _cum, _) in top:
            where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            out.append(f"    {tottime / total_tt:>6.1%} {ncalls:>8}  {where}:{line}({name})")

    print("\n".join(out))
    print(
        f"RESULT engine_step_ms={ms(engine_median):.3f} raw_step_ms={ms(raw_median):.3f} ratio={ratio:.3f} "
        f"state_bytes={full_bytes} state_bytes_per_rereferral={rr_bytes - full_bytes} "
        f"state_stored_bytes={stored_full}"
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
