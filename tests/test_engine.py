"""The engine's service API: deploy and versions, steps and their transaction, worklists, timers, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Actor, DeployRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion
from tests import bpmn_samples as samples
from webapp.extensions import db
from webapp.workflow import get_engine

WORKER = Actor(id=1, label="Assistente", roles=frozenset({"social_worker"}))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield get_engine(), db.session


def _issues(engine, xml) -> list[str]:
    return [issue.message for issue in engine.validate(xml)]


def test_deploying_the_same_diagram_twice_keeps_one_version(ctx):
    engine, session = ctx
    first = engine.deploy(session, samples.linear())[0]
    again = engine.deploy(session, samples.linear())[0]
    assert (first.version, again.id) == (1, first.id)


def test_a_changed_diagram_is_a_new_version_and_running_instances_keep_theirs(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    old = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    engine.deploy(session, samples.linear(form_key="chiusura_caso"))
    new = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    session.commit()
    assert (old.version.version, new.version.version) == (1, 2)
    forms = {t.instance_id: t.form_key for t in session.scalars(select(HumanTask))}
    assert forms == {old.id: "dopo_rifiuto", new.id: "chiusura_caso"}
    versions = session.scalars(select(ProcessVersion.version).where(ProcessVersion.process_key == "prova")).all()
    assert sorted(versions) == [1, 2]


def test_instance_state_is_stored_without_the_spec(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    assert '"task_specs"' not in instance.state_json
    assert '"task_specs"' in instance.version.spec_json


def test_start_creates_the_first_task_for_the_starter_and_journals_it(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    tasks, total = engine.worklist(session, WORKER)
    assert total == 1 and tasks[0].instance_id == instance.id and tasks[0].role == "social_worker"
    assert engine.worklist(session, Actor(id=2, label="Altra", roles=frozenset({"social_worker"})))[1] == 0
    kinds = [e.kind for e in engine.journal(session, instance.id)]
    assert kinds == ["start"]


def test_completing_runs_gateway_conditions_through_the_restricted_evaluator(ctx):
    engine, session = ctx
    engine.deploy(session, samples.with_gateway('decisione == "chiudi"'))
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    task = engine.open_tasks(session, instance.id)[0]
    engine.complete(session, task.id, {"decisione": "chiudi"}, WORKER)
    assert instance.status == "completed"
    kinds = [e.kind for e in engine.journal(session, instance.id)]
    assert kinds == ["start", "task_completed", "completed"]


def test_completing_a_completed_task_is_a_conflict(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    task = engine.open_tasks(session, instance.id)[0]
    engine.complete(session, task.id, {"decisione": "chiudi"}, WORKER)
    with pytest.raises(TaskConflict):
        engine.complete(session, task.id, {"decisione": "chiudi"}, WORKER)


def test_a_stale_lock_version_is_a_conflict_and_changes_nothing(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    session.commit()
    task = engine.open_tasks(session, instance.id)[0]
    with pytest.raises(TaskConflict):
        engine.complete(
            session, task.id, {"decisione": "chiudi"}, WORKER, expected_lock_version=instance.lock_version - 1
        )
    session.rollback()
    assert session.get(HumanTask, task.id).status == "open"


def test_someone_else_cannot_complete_a_task_assigned_to_another_person(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    task = engine.open_tasks(session, instance.id)[0]
    with pytest.raises(TaskNotFound):
        engine.complete(session, task.id, {}, Actor(id=99, label="x", roles=frozenset({"social_worker"})))
    with pytest.raises(TaskNotFound):
        engine.complete(session, task.id, {}, Actor(id=1, label="x", roles=frozenset({"association"})))


def test_organization_lane_tasks_without_an_organization_are_visible_to_no_association(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear(lane_name="Organizzazione"))
    engine.start(session, "prova", {}, WORKER)
    operator = Actor(id=5, label="Op", roles=frozenset({"association"}), organization_id=None)
    assert engine.worklist(session, operator)[1] == 0
    engine.start(session, "prova", {"organization_id": 7}, WORKER)
    assert engine.worklist(session, Actor(5, "Op", frozenset({"association"}), 7))[1] == 1
    assert engine.worklist(session, Actor(6, "Op", frozenset({"association"}), 8))[1] == 0


def test_timer_fires_only_when_due_and_hands_the_task_over(ctx):
    engine, session = ctx
    engine.deploy(session, samples.timer_task("P2D"))
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    session.commit()
    first = engine.open_tasks(session, instance.id)[0]
    assert first.due_at is not None and instance.next_timer_at is not None

    assert engine.fire_due_timers(session, now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert engine.fire_due_timers(session, now=datetime.now(UTC) + timedelta(days=3)) == 1
    session.commit()
    assert session.get(HumanTask, first.id).status == "cancelled"
    assert [t.form_key for t in engine.open_tasks(session, instance.id)] == ["dopo_rifiuto"]
    assert session.get(ProcessInstance, instance.id).next_timer_at is None
    assert "timer" in [e.kind for e in engine.journal(session, instance.id)]


def test_a_diagram_with_a_script_task_is_refused_and_nothing_runs(ctx):
    engine, session = ctx
    with pytest.raises(DeployRefused) as refused:
        engine.deploy(session, samples.script_task())
    assert refused.value.issues[0].element_id == "sc"
    assert "script non sono consentite" in refused.value.issues[0].message
    assert (
        session.scalar(select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == "prova"))
        == 0
    )


@pytest.mark.parametrize(
    ("xml", "fragment"),
    [
        (samples.linear(form_key="modulo_inventato"), "modulo sconosciuto «modulo_inventato»"),
        (samples.linear(lane_name="Marziani"), "la corsia «Marziani» non corrisponde a un ruolo noto"),
        (samples.service_task("os.system"), "operazione sconosciuta «os.system»"),
        (samples.with_gateway("__import__('os').system('id')"), "Funzione non consentita"),
        (samples.with_gateway("().__class__.__bases__"), "Accesso ad attributi non consentito"),
        (samples.with_gateway("decisione =="), "sintassi"),
        (samples.back_edge_loop(), "Ciclo disegnato con un flusso all'indietro"),
        (samples.timer_task('"dopodomani"'), "scadenza del timer non valida «dopodomani»"),
        (samples.timer_task("P5X"), "scadenza del timer"),
    ],
)
def test_unrunnable_diagrams_are_refused_with_a_reason(ctx, xml, fragment):
    engine, _ = ctx
    messages = _issues(engine, xml)
    assert any(fragment in m for m in messages), messages


def test_a_user_task_outside_any_lane_is_refused(ctx):
    engine, _ = ctx
    xml = samples.document(
        f"""<bpmn:startEvent id="s" />{samples.user_task("t1")}<bpmn:endEvent id="e" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
        <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e" />""",
        lane_nodes=(),
    )
    assert any("non è in nessuna corsia" in m for m in _issues(engine, xml))


def test_an_unreachable_task_is_refused(ctx):
    engine, _ = ctx
    xml = samples.document(
        f"""<bpmn:startEvent id="s" />{samples.user_task("t1")}{samples.user_task("t2")}<bpmn:endEvent id="e" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
        <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e" />
        <bpmn:sequenceFlow id="f3" sourceRef="t2" targetRef="e" />""",
        lane_nodes=("t1", "t2"),
    )
    issues = get_engine().validate(xml)
    assert any(i.element_id == "t2" and "irraggiungibile" in i.message for i in issues)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>', "DOCTYPE"),
        (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>', "DOCTYPE"),
        (b"questo non e' XML", "non è XML valido"),
        (b'<?xml version="1.0"?><html><body/></html>', "non è un diagramma BPMN"),
        (b"", "vuoto"),
        (b"<a>" + b"x" * (3 * 1024 * 1024) + b"</a>", "troppo grande"),
    ],
)
def test_unsafe_or_non_bpmn_files_are_refused_before_parsing(ctx, payload, fragment):
    engine, _ = ctx
    messages = _issues(engine, payload)
    assert len(messages) == 1 and fragment in messages[0], messages


def test_a_standard_loop_without_maximum_is_refused(ctx):
    engine, _ = ctx
    shipped = (Path(__file__).parent.parent / "bpmn" / "percorso_beneficiario.bpmn").read_text(encoding="utf-8")
    unbounded = shipped.replace(' loopMaximum="10"', "")
    assert any("numero massimo di ripetizioni" in m for m in _issues(engine, unbounded))
    assert _issues(engine, shipped) == []


def test_the_journal_is_only_appended_to(ctx):
    engine, session = ctx
    engine.deploy(session, samples.linear())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    before = [(e.id, e.kind) for e in engine.journal(session, instance.id)]
    engine.complete(session, engine.open_tasks(session, instance.id)[0].id, {"decisione": "x"}, WORKER)
    after = [(e.id, e.kind) for e in engine.journal(session, instance.id)]
    assert after[: len(before)] == before and len(after) > len(before)
    assert session.scalar(select(func.count()).select_from(JournalEntry)) >= len(after)


def test_a_timer_step_that_fails_parks_its_instance_as_error_and_the_others_go_on(app):
    from engine import Engine, OperationRegistry
    from webapp.workflow import LANE_ROLES

    registry = OperationRegistry()

    @registry.register("test.fail", "Fallisce sempre")
    def fail(ctx):
        raise RuntimeError("servizio esterno non raggiungibile")

    engine = Engine(operations=registry, form_keys={"risposta_invio", "dopo_rifiuto"}, lane_roles=LANE_ROLES)
    failing = (
        samples.timer_task("P1D")
        .replace(
            samples.user_task("t2", "dopo_rifiuto", "Dopo la scadenza"),
            '<bpmn:serviceTask id="t2" name="Avvisa"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="test.fail" /></bpmn:extensionElements></bpmn:serviceTask>',
        )
        .replace('id="prova"', 'id="prova_guasta"')
    )
    with app.app_context():
        session = db.session
        engine.deploy(session, failing)
        engine.deploy(session, samples.timer_task("P1D"))
        broken = engine.start(session, "prova_guasta", {"owner_user_id": 1}, WORKER)
        healthy = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
        session.commit()

        assert engine.fire_due_timers(session, now=datetime.now(UTC) + timedelta(days=2)) == 2
        session.commit()
        broken, healthy = session.get(ProcessInstance, broken.id), session.get(ProcessInstance, healthy.id)
        assert broken.status == "error" and "servizio esterno non raggiungibile" in broken.error_message
        assert broken.next_timer_at is None
        assert [e.kind for e in engine.journal(session, broken.id)][-1] == "error"
        assert [t.form_key for t in engine.open_tasks(session, broken.id)] == ["risposta_invio"]  # nothing lost
        assert [t.form_key for t in engine.open_tasks(session, healthy.id)] == ["dopo_rifiuto"]
        assert engine.fire_due_timers(session, now=datetime.now(UTC) + timedelta(days=3)) == 0


def test_instance_state_is_stored_compressed_and_reads_back_whole(ctx):
    engine, session = ctx
    engine.deploy(session, samples.timer_task("P2D"))
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    session.commit()
    stored = session.get(ProcessInstance, instance.id)
    assert len(stored.state_blob) < len(stored.state_json.encode("utf-8")) / 2
    assert '"tasks"' in stored.state_json


def _retry_loop() -> str:
    """A subprocess under a standard loop (like the re-referral of percorso_beneficiario): each attempt is one
    user task; the loop ends when the person answers "chiudi"."""
    body = f"""<bpmn:startEvent id="s" />
    <bpmn:subProcess id="tentativo" name="Tentativo">
      <bpmn:standardLoopCharacteristics testBefore="false" loopMaximum="10">
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">decisione != "chiudi"</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
      <bpmn:startEvent id="ts" />
      {samples.user_task("t1")}
      <bpmn:endEvent id="te" />
      <bpmn:sequenceFlow id="tf1" sourceRef="ts" targetRef="t1" />
      <bpmn:sequenceFlow id="tf2" sourceRef="t1" targetRef="te" />
    </bpmn:subProcess>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tentativo" />
    <bpmn:sequenceFlow id="f2" sourceRef="tentativo" targetRef="e" />"""
    return samples.document(body, lane_nodes=("s", "tentativo", "t1", "e"))


def _attempt(engine, session, instance, decision: str):
    task = engine.open_tasks(session, instance.id)[0]
    engine.complete(session, task.id, {"decisione": decision}, WORKER)
    session.commit()
    return session.get(ProcessInstance, instance.id)


def test_finished_subprocesses_leave_the_state_and_their_marks_stay(ctx):
    """Each finished attempt is pruned from the stored state (it does not grow by a whole subprocess per loop),
    the next attempt still runs, and the diagram still shows every element as completed as many times as it ran."""
    engine, session = ctx
    engine.deploy(session, _retry_loop())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    session.commit()
    sizes = []
    for _ in range(4):
        instance = _attempt(engine, session, instance, "ancora")
        state = json.loads(instance.state_json)
        assert len(state["subprocesses"]) == 1  # only the running attempt
        sizes.append(len(instance.state_json))
    assert engine.open_tasks(session, instance.id)[0].element_id == "t1"
    assert max(b - a for a, b in zip(sizes, sizes[1:], strict=False)) < 1024
    marks = engine.element_states(session, instance)
    assert marks.completed_count["t1"] == 4 and marks.states["t1"] == "active"
    assert marks.completed_count["te"] == 4 and marks.completed_count["ts"] == 5  # the running attempt's start too
    assert marks.states["tentativo"] == "active"
    instance = _attempt(engine, session, instance, "chiudi")
    assert instance.status == "completed"
    marks = engine.element_states(session, instance)
    assert marks.completed_count["t1"] == 5 and marks.states["e"] == "completed"
    assert set(marks.states.values()) == {"completed"}


def test_the_compact_state_reads_back_as_spiffworkflow_wrote_it(ctx):
    """The stored task lists are compacted (ids once, defaults left out); reading them back gives SpiffWorkflow
    the same dictionary, and a state stored in SpiffWorkflow's own format (before compaction) still loads."""
    from engine import spiff_runtime as rt

    engine, session = ctx
    engine.deploy(session, _retry_loop())
    instance = engine.start(session, "prova", {"owner_user_id": 1}, WORKER)
    instance = _attempt(engine, session, instance, "ancora")
    workflow = engine._load(session, instance, WORKER, datetime.now(UTC))
    spiff_format = rt._SERIALIZER.to_dict(workflow)
    compact = json.loads(rt.serialize_state(workflow))
    assert isinstance(compact["tasks"], list) and compact["tasks"][0]["i"] == str(workflow.task_tree.id)
    expanded = json.loads(json.dumps(compact))
    rt._expand_workflow(expanded)
    for sub in expanded["subprocesses"].values():
        rt._expand_workflow(sub)
    assert expanded == json.loads(json.dumps(spiff_format))
    # The task of a pruned attempt is gone: looking it up says "not there" (a conflict for the caller), not a crash
    first_attempt = session.scalars(select(HumanTask).where(HumanTask.status == "completed")).first()
    assert rt.task_by_id(workflow, first_attempt.spiff_task_id) is None

    instance.state_json = json.dumps(spiff_format)  # the format instances stored before
    session.commit()
    instance = _attempt(engine, session, instance, "chiudi")
    assert instance.status == "completed" and isinstance(json.loads(instance.state_json)["tasks"], list)
