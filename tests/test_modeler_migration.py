"""Versions and migration: running instances keep their version, new ones use the latest; a manager pre-checks
instance by instance whether each can move to a new version, moves those that can (audited in each journal), and an
instance that cannot move stays exactly as it was."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from engine import Actor
from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion
from engine.service import as_utc
from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case, submit
from webapp.extensions import db
from webapp.referrals.models import Case
from webapp.workflow import get_engine

SHIPPED = Path(__file__).resolve().parent.parent / "bpmn" / "percorso_beneficiario.bpmn"
KEY = "percorso_beneficiario"
MANAGER = Actor(None, "Responsabile di prova", frozenset({"manager"}))


def shipped() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def version_2_xml() -> str:
    """The deadline of the organization's answer goes from 5 to 7 days; the closing task gets a new name."""
    xml = shipped().replace(
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>',
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P7D</bpmn:timeDuration>',
    )
    xml = xml.replace('name="Dopo 5 giorni"', 'name="Dopo 7 giorni"')
    return xml.replace(
        '<bpmn:userTask id="chiusura_caso" name="Chiusura del caso">',
        '<bpmn:userTask id="chiusura_caso" name="Chiusura e archiviazione del caso">',
    )


def without(xml: str, *ids: str) -> str:
    """The diagram without these elements (and their flows, lane references and shapes)."""
    root = etree.fromstring(xml.encode("utf-8"))
    doomed = set(ids)
    for flow in root.iter("{*}sequenceFlow"):
        if flow.get("sourceRef") in doomed or flow.get("targetRef") in doomed:
            doomed.add(flow.get("id"))
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        text = (element.text or "").strip()
        if element.get("id") in doomed or element.get("bpmnElement") in doomed or text in doomed:
            element.getparent().remove(element)
    return etree.tostring(root, encoding="unicode")


def deploy(app, xml: str) -> int:
    with app.app_context():
        (version,) = get_engine().deploy(db.session, xml, deployed_by=f.MANAGER)
        db.session.commit()
        return version.version


def case_waiting_for_the_answer(app, login) -> int:
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    return instance_id


def snapshot(app, instance_id: int) -> tuple:
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        tasks = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
        return (
            instance.process_version_id,
            instance.state_json,
            instance.lock_version,
            instance.next_timer_at,
            sorted((t.id, t.status, t.title, t.form_key, t.due_at) for t in tasks),
            len(db.session.scalars(select(JournalEntry).where(JournalEntry.instance_id == instance_id)).all()),
        )


def target(app, number: int) -> ProcessVersion:
    version = db.session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == KEY, ProcessVersion.version == number)
    )
    assert version is not None
    return version


# ------------------------------------------------------------------------------------------ versions coexist
def test_running_instances_keep_their_version_and_new_ones_use_the_latest(app, login):
    old = case_waiting_for_the_answer(app, login)
    assert deploy(app, version_2_xml()) == 2
    new = case_waiting_for_the_answer(app, login)
    with app.app_context():
        assert db.session.get(ProcessInstance, old).version.version == 1
        assert db.session.get(ProcessInstance, new).version.version == 2
        old_due = as_utc(
            db.session.scalar(select(HumanTask.due_at).where(HumanTask.instance_id == old, HumanTask.status == "open"))
        )
        new_due = as_utc(
            db.session.scalar(select(HumanTask.due_at).where(HumanTask.instance_id == new, HumanTask.status == "open"))
        )
        assert timedelta(days=1, hours=23) < new_due - old_due < timedelta(days=2, hours=1)  # 7 days, not 5


# ------------------------------------------------------------------------------------------------- the engine
def test_precheck_says_an_instance_can_move_and_what_changes_without_writing(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    deploy(app, version_2_xml())
    before = snapshot(app, instance_id)
    with app.app_context():
        outcome = get_engine().migration_precheck(
            db.session, db.session.get(ProcessInstance, instance_id), target(app, 2)
        )
        db.session.commit()
    assert outcome.possible, outcome.blockers
    assert any("Dopo 7 giorni" in note and "ricomincia" in note for note in outcome.notes), outcome.notes
    assert snapshot(app, instance_id) == before


def test_migration_moves_the_instance_keeps_its_tasks_and_is_journaled(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    deploy(app, version_2_xml())
    answer_before = open_task(app, instance_id, "risposta_invio")
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        reminder_before = as_utc(instance.next_timer_at)  # the 3-day reminder, unchanged by version 2
        outcome = get_engine().migrate(db.session, instance_id, target(app, 2), MANAGER)
        db.session.commit()
        assert outcome.possible, outcome.blockers
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.version.version == 2
        assert as_utc(instance.next_timer_at) == reminder_before  # an unchanged timer keeps its due moment
        entry = db.session.scalars(
            select(JournalEntry).where(JournalEntry.instance_id == instance_id, JournalEntry.kind == "migration")
        ).one()
        assert entry.actor_label == MANAGER.label
        assert entry.details["from_version"] == 1 and entry.details["to_version"] == 2
    answer_after = open_task(app, instance_id, "risposta_invio")
    assert answer_after.id == answer_before.id  # the organization's open task (and its links) survive
    assert as_utc(answer_after.due_at) > as_utc(answer_before.due_at)  # the new 7-day deadline

    # The case goes on, on version 2, to the end.
    operator, worker = login(f.OPERATOR_A), login(f.SOCIAL_WORKER)
    submit(operator, answer_after.id, {"answer": "accetta", "note": "Va bene."})
    submit(
        operator,
        open_task(app, instance_id, "esito_intervento").id,
        {"outcome": "concluso_positivo", "outcome_note": "Tre pacchi."},
    )
    closing = open_task(app, instance_id, "chiusura_caso")
    assert closing.title == "Chiusura e archiviazione del caso"
    submit(worker, closing.id, {"closing_outcome": "obiettivi_raggiunti", "closing_note": "Chiuso."})
    with app.app_context():
        assert db.session.get(ProcessInstance, instance_id).status == "completed"


def test_a_path_not_taken_yet_may_be_removed_by_the_new_version(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    deploy(app, without(shipped(), "sollecito_esito", "invia_sollecito_esito", "fine_sollecito"))
    with app.app_context():
        outcome = get_engine().migrate(db.session, instance_id, target(app, 2), MANAGER)
        db.session.commit()
        assert outcome.possible, outcome.blockers
    operator = login(f.OPERATOR_A)
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta", "note": "Sì."})
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        states = get_engine().element_states(db.session, instance).states
        assert states["esito_intervento"] == "active" and "sollecito_esito" not in states
        assert instance.next_timer_at is None  # no follow-up timer in version 2


def test_an_instance_that_cannot_move_stays_untouched_on_its_version(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    # Version 2 no longer has the intake the case already went through.
    xml = (
        without(shipped(), "presa_in_carico")
        .replace("<bpmn:outgoing>f_inizio_presa</bpmn:outgoing>", "<bpmn:outgoing>f_inizio_registra</bpmn:outgoing>")
        .replace(
            '<bpmn:sequenceFlow id="f_registra_invio"',
            '<bpmn:sequenceFlow id="f_inizio_registra" sourceRef="inizio" targetRef="registra_caso" />'
            '<bpmn:sequenceFlow id="f_registra_invio"',
        )
    )
    deploy(app, xml)
    before = snapshot(app, instance_id)
    with app.app_context():
        outcome = get_engine().migrate(db.session, instance_id, target(app, 2), MANAGER)
        db.session.commit()
    assert not outcome.possible
    assert any("Presa in carico" in reason and "già svolta" in reason for reason in outcome.blockers)
    assert snapshot(app, instance_id) == before


def test_instances_that_are_not_running_cannot_move(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    deploy(app, version_2_xml())
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        instance.status = "error"
        db.session.commit()
        outcome = get_engine().migration_precheck(db.session, instance, target(app, 2))
        assert not outcome.possible and "errore" in outcome.blockers[0]
        same = get_engine().migration_precheck(db.session, instance, target(app, 1))
        assert "già sulla versione 1" in same.blockers[0]


# -------------------------------------------------------------------------------------------------- the pages
def test_manager_prechecks_and_migrates_through_the_pages_and_the_case_timeline_tells(app, login):
    movable = case_waiting_for_the_answer(app, login)
    stuck = case_waiting_for_the_answer(app, login)
    # the second case already got an answer and is waiting for the outcome, a task version 2 removes
    submit(login(f.OPERATOR_A), open_task(app, stuck, "risposta_invio").id, {"answer": "accetta", "note": "Sì."})
    xml = version_2_xml()
    for attribute in ("id", "attachedToRef", "sourceRef", "targetRef", "bpmnElement"):
        xml = xml.replace(f'{attribute}="esito_intervento"', f'{attribute}="esito_intervento_nuovo"')
    xml = xml.replace(">esito_intervento<", ">esito_intervento_nuovo<")
    deploy(app, xml)
    stuck_before = snapshot(app, stuck)

    manager = login(f.MANAGER)
    page = manager.get(f"/processi/{KEY}/migrazione")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-instance-id="{movable}" data-possible="true"' in html
    assert f'data-instance-id="{stuck}" data-possible="false"' in html
    assert "Resta sulla sua versione" in html and "non esiste più nella nuova versione" in html

    result = manager.post(f"/processi/{KEY}/migrazione", data={"a": "2", "istanze": [str(movable), str(stuck)]})
    assert result.status_code == 200
    html = result.get_data(as_text=True)
    assert f'data-instance-id="{movable}" data-migrated="true"' in html
    assert f'data-instance-id="{stuck}" data-migrated="false"' in html
    assert snapshot(app, stuck) == stuck_before

    with app.app_context():
        assert db.session.get(ProcessInstance, movable).version.version == 2
        case_id = db.session.scalar(select(Case.id).where(Case.instance_id == movable))
        entry = db.session.scalars(
            select(JournalEntry).where(JournalEntry.instance_id == movable, JournalEntry.kind == "migration")
        ).one()
        assert entry.actor_label  # the manager who migrated
    case_page = login(f.SOCIAL_WORKER).get(f"/casi/{case_id}").get_data(as_text=True)
    assert "Diagramma aggiornato: Versione 1 → 2" in case_page
    instance_page = manager.get(f"/processi/istanze/{movable}").get_data(as_text=True)
    assert "Diagramma aggiornato" in instance_page and "Versione del diagramma" in instance_page


def test_the_migration_page_of_one_instance_and_of_a_version_without_running_instances(app, login):
    instance_id = case_waiting_for_the_answer(app, login)
    deploy(app, version_2_xml())
    manager = login(f.MANAGER)
    html = manager.get(f"/processi/{KEY}/migrazione?istanza={instance_id}").get_data(as_text=True)
    assert f'data-instance-id="{instance_id}"' in html
    html = manager.get(f"/processi/{KEY}/migrazione?da=2").get_data(as_text=True)
    assert "Nessun processo in corso da migrare" in html
    nothing = manager.post(f"/processi/{KEY}/migrazione", data={"a": "2"})
    assert nothing.status_code == 302
