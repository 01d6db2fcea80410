"""The engine's service API: deploy, start, complete, worklist, timers.

Every call is one step of one instance inside the caller's database transaction: load the state, run the
workflow, save the state, the human-task rows and the journal (and whatever domain rows the operations wrote)
together. The caller commits; on any exception it rolls back and nothing of the step remains. Concurrent steps on
one instance are detected by the instance's lock version (see `models.ProcessInstance`): one commits, the other
gets `TaskConflict`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import and_, func, insert, not_, or_, select, update
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.exc import StaleDataError

from engine import spiff_runtime as rt
from engine.element_states import ElementStates, element_states
from engine.errors import DeployRefused, EngineError, OperationRefused, TaskConflict, TaskNotFound, ValidationIssue
from engine.migration import MigrationOutcome, migrate_workflow
from engine.models import (
    GENESIS_HASH,
    HumanTask,
    JournalEntry,
    ProcessInstance,
    ProcessVersion,
    details_digest,
    journal_hash,
)
from engine.operations import OperationContext, OperationRegistry
from engine.validation import DiagramRules, validate_diagram
from engine.worklist import WorklistQuery
from engine.worklist import filter_clauses as worklist_filters
from engine.worklist import ordering as worklist_ordering

STALE_MESSAGE = (
    "Un'altra persona ha appena aggiornato questo caso: la tua azione non è stata registrata. "
    "Ricarica la pagina per vedere lo stato attuale."
)


CLAIMED_MESSAGE = (
    "Questa attività è già stata presa in carico da un'altra persona: solo lei può completarla finché non la rilascia."
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything the engine compares is UTC-aware."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user (id, label, roles, organization) or the system (id None)."""

    id: int | None
    label: str
    roles: frozenset[str] = field(default_factory=frozenset)
    organization_id: int | None = None

    @classmethod
    def system(cls, label: str = "Sistema") -> Actor:
        return cls(None, label)


TaskScope = Callable[[str | None, Mapping[str, Any]], tuple[int | None, int | None]]


def default_task_scope(role: str | None, data: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(organization_id, assignee_id) of a new task: organization tasks go to the organization named in the data,
    social-service tasks to the person in charge of the case."""
    if role == "association":
        return data.get("organization_id"), None
    return None, data.get("owner_user_id")


class Engine:
    """Runs the deployed diagrams. One instance per application, shared by requests and workers."""

    def __init__(
        self,
        operations: OperationRegistry,
        form_keys: Collection[str],
        lane_roles: Mapping[str, str],
        organization_roles: Collection[str] = ("association",),
        task_scope: TaskScope = default_task_scope,
    ):
        self.operations = operations
        self.form_keys = frozenset(form_keys)
        self.lane_roles = {name.strip().lower(): role for name, role in lane_roles.items()}
        self.organization_roles = frozenset(organization_roles)
        self.task_scope = task_scope

    # ------------------------------------------------------------------ deploy
    def rules(self) -> DiagramRules:
        return DiagramRules(
            form_keys=self.form_keys,
            operations=frozenset(op.name for op in self.operations),
            lane_roles=self.lane_roles,
        )

    def validate(self, xml: bytes | str) -> list[ValidationIssue]:
        """Every reason the diagram would be refused (empty when it can be deployed)."""
        return validate_diagram(xml, self.rules()).issues

    def deploy(
        self, session: Session, xml: bytes | str, deployed_by: str | None = None, skip_known: bool = False
    ) -> list[ProcessVersion]:
        """Validate and store each executable process of the document as a new version (unchanged ones are reused).

        With `skip_known`, a process whose content was deployed at any time before is not deployed again: `init`
        uses it for the shipped diagrams, so that a diagram a manager has changed since is never put back.
        """
        result = validate_diagram(xml, self.rules())
        if result.issues:
            raise DeployRefused(result.issues)
        text = result.text if result.text is not None else (xml.decode("utf-8") if isinstance(xml, bytes) else xml)
        versions = []
        for process in result.processes:
            digest = hashlib.sha256(text.encode("utf-8") + process.key.encode()).hexdigest()
            latest = self.latest_version(session, process.key)
            if latest is not None and latest.content_hash == digest:
                versions.append(latest)
                continue
            known = (
                session.scalars(
                    select(ProcessVersion)
                    .where(ProcessVersion.process_key == process.key, ProcessVersion.content_hash == digest)
                    .order_by(ProcessVersion.version.desc())
                    .limit(1)
                ).first()
                if skip_known
                else None
            )
            if known is not None:
                versions.append(known)
                continue
            version = ProcessVersion(
                process_key=process.key,
                version=(latest.version + 1) if latest else 1,
                name=process.name,
                bpmn_xml=text,
                spec_json=json.dumps(process.spec_dict, separators=(",", ":")),
                content_hash=digest,
                deployed_at=utcnow(),
                deployed_by=deployed_by,
            )
            session.add(version)
            versions.append(version)
        session.flush()
        return versions

    def latest_version(self, session: Session, process_key: str) -> ProcessVersion | None:
        return session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == process_key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()

    # ------------------------------------------------------------------ steps
    def start(
        self, session: Session, process_key: str, data: Mapping[str, Any], actor: Actor, now: datetime | None = None
    ) -> ProcessInstance:
        version = self.latest_version(session, process_key)
        if version is None:
            raise TaskNotFound(f"Nessun processo pubblicato con chiave {process_key}.")
        now = now or utcnow()
        instance = ProcessInstance(
            process_version_id=version.id,
            process_key=process_key,
            status="running",
            state_json="{}",
            started_at=now,
            started_by_id=actor.id,
            updated_at=now,
        )
        instance.version = version
        session.add(instance)
        session.flush()
        script_engine = self._script_engine(session, instance, actor, now)
        workflow = rt.new_workflow(_spec_key(version), lambda: version.spec_json, script_engine)
        workflow.data.update(_json_safe(data))
        for task in workflow.get_tasks(state=rt.TaskState.READY):
            task.data.update(_json_safe(data))
        script_engine.journal_head = instance.journal_head or GENESIS_HASH  # written once, by _save
        self._journal(session, instance, actor, now, "start", details={"version": version.version}, step=script_engine)
        script_engine.open_task_ids = set()  # a new instance has no task rows yet
        self._run(workflow, lambda: rt.refresh(workflow))
        self._save(session, instance, workflow, actor, now)
        return instance

    def complete(
        self,
        session: Session,
        task_id: int,
        form_data: Mapping[str, Any],
        actor: Actor,
        expected_lock_version: int | None = None,
        now: datetime | None = None,
        journal_data: Mapping[str, Any] | None = None,
    ) -> ProcessInstance:
        """Complete a human task with validated form data; raise TaskNotFound / TaskConflict / OperationRefused.

        `journal_data` is what the journal records of the submission (by default the data itself); callers pass a
        redacted copy when the form holds personal data.
        """
        human_task = session.get(HumanTask, task_id)
        if human_task is None or not self.may_complete(human_task, actor):
            raise TaskNotFound("Attività non trovata.")
        if human_task.status != "open":
            raise TaskConflict("Questa attività non è più aperta: è già stata completata o annullata.")
        if human_task.claimed_by_id not in (None, actor.id):
            raise TaskConflict(CLAIMED_MESSAGE)
        instance = human_task.instance
        if expected_lock_version is not None and instance.lock_version != expected_lock_version:
            raise TaskConflict("Il caso è stato aggiornato da un'altra persona nel frattempo: ricarica la pagina.")
        now = now or utcnow()
        workflow = self._load(session, instance, actor, now)
        task = rt.task_by_id(workflow, human_task.spiff_task_id)
        if task is None or task.state != rt.TaskState.READY:
            raise TaskConflict("Questa attività non è più aperta nel processo.")
        # The open rows of the instance are its READY user tasks (every step keeps them so): the others still open.
        still_open = {str(t.id) for t in rt.ready_user_tasks(workflow)} - {human_task.spiff_task_id}
        submitted = _json_safe(form_data)
        task.data.update(submitted)
        human_task.status = "completed"
        human_task.completed_at = now
        human_task.completed_by_id = actor.id
        workflow.script_engine.journal_head = instance.journal_head or GENESIS_HASH  # written once, by _save
        self._journal(
            session,
            instance,
            actor,
            now,
            "task_completed",
            element_id=human_task.element_id,
            title=human_task.title,
            details={"data": _json_safe(journal_data) if journal_data is not None else submitted},
            step=workflow.script_engine,
        )

        def step():
            task.run()
            rt.refresh(workflow)

        workflow.script_engine.open_task_ids = still_open
        self._run(workflow, step)
        self._save(session, instance, workflow, actor, now)
        return instance

    def fire_due_timers(self, session: Session, now: datetime | None = None, limit: int = 100) -> int:
        """Fire the timers due at `now` for up to `limit` instances; returns how many instances were handled.

        Rows are taken with FOR UPDATE SKIP LOCKED, so several workers on PostgreSQL never take the same instance;
        SQLite ignores the clause (one worker is enough there). Each instance advances in its own savepoint: one that
        fails is marked `error` (with the reason, in its journal) and the others go on.
        """
        now = now or utcnow()
        instances = session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.next_timer_at.is_not(None), ProcessInstance.next_timer_at <= now)
            .order_by(ProcessInstance.next_timer_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=ProcessInstance)
        ).all()
        actor = Actor.system("Scadenza automatica")
        for instance in instances:
            try:
                with session.begin_nested():
                    self._fire_instance_timers(session, instance, actor, now)
            except TaskConflict:
                continue  # a person advanced this instance meanwhile: its timers are looked at again next pass
            except Exception as exc:  # noqa: BLE001 - any failure is recorded on the instance, never lost
                self._mark_error(session, instance, actor, now, exc)
        return len(instances)

    def _fire_instance_timers(self, session: Session, instance: ProcessInstance, actor: Actor, now: datetime) -> None:
        workflow = self._load(session, instance, actor, now)
        fired: list[str] = []
        self._run(workflow, partial(_fire_into, fired, workflow, now))
        for element_id in fired:
            self._journal(session, instance, actor, now, "timer", element_id=element_id)
        self._save(session, instance, workflow, actor, now)
        if not fired:
            raise EngineError("Un timer risulta scaduto ma il processo non riesce a farlo scattare.")

    def _mark_error(self, session: Session, instance: ProcessInstance, actor: Actor, now: datetime, exc) -> None:
        """Park an instance that could not advance: visible as `error`, its timers off until someone retries."""
        message = str(exc) or exc.__class__.__name__
        instance.status = "error"
        instance.error_message = "".join(traceback.format_exception(exc))[-8000:]
        instance.next_timer_at = None
        instance.updated_at = now
        self._journal(session, instance, actor, now, "error", details={"message": message[:1000]})
        session.flush()

    def retry(self, session: Session, instance_id: int, actor: Actor, now: datetime | None = None) -> ProcessInstance:
        """Put a parked (`error`) instance back to work once the cause is fixed.

        The saved state is the one from before the step that failed (that step was rolled back), so nothing is
        lost: the error is cleared, the timers are recomputed from the state (one that was due fires at the
        worker's next pass) and the journal records who retried. Raises TaskNotFound if there is no such instance,
        TaskConflict if it is not in error (or someone else retried it at the same moment).
        """
        now = now or utcnow()
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise TaskNotFound("Processo non trovato.")
        if instance.status != "error":
            raise TaskConflict("Il processo non è in errore: non c'è nulla da riprovare.")
        previous = (instance.error_message or "").strip().splitlines()[-1:]
        workflow = self._load(session, instance, actor, now)
        instance.error_message = None
        self._journal(session, instance, actor, now, "retry", details={"error": "".join(previous)[:1000]})
        self._save(session, instance, workflow, actor, now)
        return instance

    # ------------------------------------------------------------- migration
    def migration_precheck(
        self, session: Session, instance: ProcessInstance, target: ProcessVersion
    ) -> MigrationOutcome:
        """Whether the instance could move to `target`, and what would change for it; nothing is written."""
        return self._migrated_state(session, instance, target)[0]

    def migrate(
        self,
        session: Session,
        instance_id: int,
        target: ProcessVersion,
        actor: Actor,
        now: datetime | None = None,
    ) -> MigrationOutcome:
        """Move a running instance to another version of its diagram, recorded in its journal.

        When the move is not possible (see `engine.migration`) or fails while running, the outcome says why and the
        instance stays exactly as it was, on its version. Raises TaskNotFound for an unknown instance and TaskConflict
        when someone advanced the instance at the same moment.
        """
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise TaskNotFound("Processo non trovato.")
        outcome, state = self._migrated_state(session, instance, target)
        if state is None:
            return outcome
        now = now or utcnow()
        previous = instance.version
        try:
            with session.begin_nested():
                script_engine = self._script_engine(session, instance, actor, now)
                workflow = rt.load_workflow(_spec_key(target), lambda: target.spec_json, state, script_engine)
                instance.process_version_id = target.id
                instance.version = target
                self._journal(
                    session,
                    instance,
                    actor,
                    now,
                    "migration",
                    title=f"Versione {previous.version} → {target.version}",
                    details={"from_version": previous.version, "to_version": target.version, "notes": outcome.notes},
                )
                self._run(workflow, lambda: rt.refresh(workflow))
                self._refresh_open_task_rows(session, instance, workflow)
                self._save(session, instance, workflow, actor, now)
        except TaskConflict:
            raise
        except (EngineError, OperationRefused) as exc:
            outcome.blockers.append(f"la migrazione non è riuscita: {exc}")
        return outcome

    def _migrated_state(
        self, session: Session, instance: ProcessInstance, target: ProcessVersion
    ) -> tuple[MigrationOutcome, str | None]:
        """The outcome of moving the instance, and its state moved to `target` (None when it cannot move)."""
        current = instance.version
        if target.process_key != instance.process_key:
            return MigrationOutcome(blockers=["la versione indicata è di un altro processo"]), None
        if target.id == current.id:
            return MigrationOutcome(blockers=[f"il processo è già sulla versione {target.version}"]), None
        if instance.status not in ("running", "waiting"):
            reason = {
                "error": "il processo è fermo per un errore: va prima ripreso dagli amministratori",
                "completed": "il processo è concluso",
            }.get(instance.status, f"il processo non è in corso (stato: {instance.status})")
            return MigrationOutcome(blockers=[reason]), None
        try:
            workflow = self._load(session, instance, Actor.system(), utcnow())
            new = rt.new_workflow(_spec_key(target), lambda: target.spec_json, workflow.script_engine)
            outcome = migrate_workflow(workflow, new.spec, new.subprocess_specs)
            if not outcome.possible:
                return outcome, None
            state = rt.serialize_state(workflow)
            # The proof that the instance can live on the new version: its state reads back with the new spec.
            rt.load_workflow(_spec_key(target), lambda: target.spec_json, state, workflow.script_engine)
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot move", with the reason shown
            return MigrationOutcome(blockers=[f"il motore non riesce a spostare il processo ({exc})"]), None
        return outcome, state

    def _refresh_open_task_rows(self, session: Session, instance: ProcessInstance, workflow) -> None:
        """Open tasks that stay open after a migration take the new definition (title, form, lane, deadline)."""
        for row in self.open_tasks(session, instance.id):
            task = rt.task_by_id(workflow, row.spiff_task_id)
            if task is None or task.state != rt.TaskState.READY:
                continue  # no longer open: _sync_human_tasks cancels the row
            lane = rt.task_lane(task)
            role = self.lane_roles.get((lane or "").strip().lower())
            row.title = rt.task_title(task)
            row.form_key = rt.task_form_key(task)
            row.due_at = rt.timer_due_of_task(task)
            if (row.lane, row.role) != (lane, role):
                organization_id, assignee_id = self.task_scope(role, task.data)
                row.lane, row.role = lane, role
                row.organization_id, row.assignee_id = _as_int(organization_id), _as_int(assignee_id)

    def element_states(self, session: Session, instance: ProcessInstance) -> ElementStates:
        """Which elements of the instance's diagram are completed, active or waiting (for the diagram viewer)."""
        workflow = self._load(session, instance, Actor.system(), utcnow())
        return element_states(workflow)

    # --------------------------------------------------------------- queries
    def may_complete(self, task: HumanTask, actor: Actor) -> bool:
        if task.role not in actor.roles:
            return False
        if task.organization_id is not None and task.organization_id != actor.organization_id:
            return False
        if task.role in self.organization_roles and task.organization_id is None:
            return False
        return task.assignee_id is None or task.assignee_id == actor.id

    def _visible_clause(self, actor: Actor):
        return and_(
            HumanTask.role.in_(actor.roles or {"-"}),
            or_(HumanTask.organization_id.is_(None), HumanTask.organization_id == actor.organization_id),
            not_(and_(HumanTask.role.in_(self.organization_roles), HumanTask.organization_id.is_(None))),
            or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == actor.id),
        )

    def worklist(
        self,
        session: Session,
        actor: Actor,
        instance_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        query: WorklistQuery | None = None,
    ) -> tuple[list[HumanTask], int]:
        """The open tasks this actor may see (group tasks others claimed included), soonest due first unless
        `query` says otherwise; and their total count. Two queries, whatever the size of the history."""
        query = query or WorklistQuery()
        if instance_id is not None:
            query = replace(query, instance_id=instance_id)
        where = [HumanTask.status == "open", self._visible_clause(actor), *worklist_filters(query, actor.id)]
        total = session.scalar(select(func.count()).select_from(HumanTask).where(*where)) or 0
        rows = session.scalars(
            select(HumanTask)
            .options(lazyload(HumanTask.instance))  # a worklist never needs the instance (state, version)
            .where(*where)
            .order_by(*worklist_ordering(query))
            .limit(limit)
            .offset(offset)
        ).all()
        return list(rows), total

    # ------------------------------------------------------------ group tasks
    def may_take_over(self, task: HumanTask, actor: Actor) -> bool:
        """Who may take on a group task another person claimed: managers, for the tasks they may see."""
        return "manager" in actor.roles and self.may_complete(task, actor)

    def claim(
        self, session: Session, task_id: int, actor: Actor, take_over: bool = False, now: datetime | None = None
    ) -> HumanTask:
        """Take on a group task (a role's or an organization's, with no assignee): only the claimant completes it.

        Two people claiming at once: the conditional UPDATE (... WHERE claimed_by_id IS NULL) lets exactly one
        through; the other gets TaskConflict. `take_over` moves another person's claim (see may_take_over).
        """
        task = session.get(HumanTask, task_id)
        if task is None or not self.may_complete(task, actor):
            raise TaskNotFound("Attività non trovata.")
        if task.status != "open":
            raise TaskConflict("Questa attività non è più aperta: è già stata completata o annullata.")
        if task.assignee_id is not None:
            raise TaskConflict("Questa attività è assegnata a una persona: non serve prenderla in carico.")
        previous = task.claimed_by_id
        if previous == actor.id:
            return task
        if previous is not None and not (take_over and self.may_take_over(task, actor)):
            raise TaskConflict(CLAIMED_MESSAGE)
        now = now or utcnow()
        unclaimed = HumanTask.claimed_by_id.is_(None) if previous is None else HumanTask.claimed_by_id == previous
        taken = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.status == "open", HumanTask.assignee_id.is_(None), unclaimed)
            .values(claimed_by_id=actor.id, claimed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise TaskConflict(CLAIMED_MESSAGE)
        session.expire(task, ["claimed_by_id", "claimed_at"])
        kind = "task_claimed" if previous is None else "task_taken_over"
        details = {"previous_claimant_id": previous} if previous is not None else None
        self._journal_group_step(session, task, actor, now, kind, details)
        return task

    def release(self, session: Session, task_id: int, actor: Actor, now: datetime | None = None) -> HumanTask:
        """Give a claimed group task back to the group (the claimant, or whoever may take it over)."""
        task = session.get(HumanTask, task_id)
        if task is None or not self.may_complete(task, actor):
            raise TaskNotFound("Attività non trovata.")
        if task.status != "open":
            raise TaskConflict("Questa attività non è più aperta: è già stata completata o annullata.")
        previous = task.claimed_by_id
        if previous is None:
            raise TaskConflict("Questa attività non è presa in carico da nessuno.")
        if previous != actor.id and not self.may_take_over(task, actor):
            raise TaskConflict(CLAIMED_MESSAGE)
        now = now or utcnow()
        released = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.status == "open", HumanTask.claimed_by_id == previous)
            .values(claimed_by_id=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if released != 1:
            raise TaskConflict("La presa in carico è cambiata nel frattempo: ricarica la pagina.")
        session.expire(task, ["claimed_by_id", "claimed_at"])
        self._journal_group_step(session, task, actor, now, "task_released", {"previous_claimant_id": previous})
        return task

    def _journal_group_step(self, session: Session, task: HumanTask, actor: Actor, now, kind, details) -> None:
        """Claims go into the instance's journal; writing its head bumps the lock version, so a claim and a
        concurrent completion of the same instance cannot both commit."""
        self._journal(
            session, task.instance, actor, now, kind, element_id=task.element_id, title=task.title, details=details
        )
        try:
            session.flush()
        except StaleDataError:
            raise TaskConflict(STALE_MESSAGE) from None

    def open_tasks(self, session: Session, instance_id: int) -> list[HumanTask]:
        return list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
                .order_by(HumanTask.id)
            )
        )

    def journal(self, session: Session, instance_id: int) -> list[JournalEntry]:
        return list(
            session.scalars(
                select(JournalEntry).where(JournalEntry.instance_id == instance_id).order_by(JournalEntry.id)
            )
        )

    def task_data(self, session: Session, human_task: HumanTask) -> dict[str, Any]:
        """The data of an open task, as the process holds it (the caller decides what a person may see)."""
        workflow = self._load(session, human_task.instance, Actor.system(), utcnow())
        task = rt.task_by_id(workflow, human_task.spiff_task_id)
        return copy.deepcopy(dict(task.data)) if task is not None else {}

    def instance_data(self, session: Session, instance: ProcessInstance) -> dict[str, Any]:
        """The data of the instance's most advanced task (what the process currently knows)."""
        workflow = self._load(session, instance, Actor.system(), utcnow())
        last = workflow.last_task
        return copy.deepcopy(dict(last.data)) if last is not None else dict(workflow.data)

    # ------------------------------------------------------------- internals
    def _script_engine(self, session: Session, instance: ProcessInstance, actor: Actor, now: datetime):
        forgotten: set[str] = set()

        def call_operation(task, name: str, params: dict) -> dict | None:
            if name not in self.operations:
                raise EngineError(f"Operazione sconosciuta: {name}")
            context = OperationContext(
                session=session,
                instance_id=instance.id,
                process_key=instance.process_key,
                actor=actor,
                data=task.data,
                params=params,
                now=now,
                element_id=task.task_spec.bpmn_id,
            )
            result = self.operations.get(name).function(context)
            forgotten.update(context.forget)
            self._journal(
                session,
                instance,
                actor,
                now,
                "operation",
                element_id=task.task_spec.bpmn_id,
                title=rt.task_title(task),
                details={"operation": name, **({"notes": context.notes} if context.notes else {})},
                step=script_engine,
            )
            return result

        script_engine = rt.RestrictedScriptEngine(call_operation)
        script_engine.forgotten_keys = forgotten
        script_engine.session = session
        script_engine.open_task_ids = None
        script_engine.journal_head = None  # see _journal
        script_engine.journal_rows = []
        return script_engine

    def _load(self, session: Session, instance: ProcessInstance, actor: Actor, now: datetime):
        script_engine = self._script_engine(session, instance, actor, now)
        version = instance.version
        return rt.load_workflow(_spec_key(version), lambda: version.spec_json, instance.state_json, script_engine)

    def _run(self, workflow, step: Callable[[], None]) -> None:
        """Run a workflow step, turning engine failures into EngineError (OperationRefused passes through).

        Without autoflush: the step's rows (instance, task rows, journal) are written by one flush in `_save`
        instead of before every query an operation makes, which UPDATEd the instance row (and bumped its lock
        version) several times per step. Operations that need a new row's id flush explicitly.
        """
        try:
            with workflow.script_engine.session.no_autoflush:
                step()
        except OperationRefused:
            raise
        except StaleDataError:  # an autoflush inside an operation met a newer version of the instance
            raise TaskConflict(STALE_MESSAGE) from None
        except rt.SpiffWorkflowException as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, OperationRefused):
                raise cause from None
            if isinstance(cause, StaleDataError):
                raise TaskConflict(STALE_MESSAGE) from None
            raise EngineError(f"Il processo non può proseguire: {exc}") from exc

    def _save(self, session: Session, instance: ProcessInstance, workflow, actor: Actor, now: datetime) -> None:
        """Write the step: state, timers, task rows, status. Any flush of the instance row (including the
        autoflush before a query) may find that someone else advanced it first: that is a conflict."""
        try:
            with session.no_autoflush:
                self._write_step(session, instance, workflow, actor, now)
            session.flush()
        except StaleDataError:
            raise TaskConflict(STALE_MESSAGE) from None

    def _write_step(self, session: Session, instance: ProcessInstance, workflow, actor: Actor, now: datetime) -> None:
        rt.forget_keys(workflow, workflow.script_engine.forgotten_keys)
        rt.prune_finished_subprocesses(workflow)
        instance.state_json = rt.serialize_state(workflow)
        instance.updated_at = now
        timers = rt.pending_timers(workflow)
        instance.next_timer_at = min(timers) if timers else None
        known_open = workflow.script_engine.open_task_ids  # set by start/complete, None for the other steps
        open_after = self._sync_human_tasks(session, instance, workflow, now, known_open)
        if workflow.completed:
            instance.status = "completed"
            instance.completed_at = now
            instance.next_timer_at = None
            self._journal(session, instance, actor, now, "completed", step=workflow.script_engine)
        else:  # the open task rows are exactly the READY user tasks once synced: no need to count them again
            instance.status = "running" if open_after else "waiting"
        step = workflow.script_engine
        if step.journal_head is not None:
            # The step's journal entries, in chain order (ids ascending), as one executemany INSERT: nothing reads
            # them back during the step, so they need no ORM objects (nor their ids fetched one by one).
            if step.journal_rows:
                session.execute(insert(JournalEntry.__table__), step.journal_rows)
                step.journal_rows = []
            instance.journal_head = step.journal_head

    def _sync_human_tasks(
        self, session: Session, instance: ProcessInstance, workflow, now: datetime, known_open: set[str] | None = None
    ) -> int:
        """Make the open HumanTask rows match the workflow's READY user tasks; returns how many are open after.

        `known_open`: the spiff ids of the rows known to be open (the step started from them). When all of them
        are still READY there is nothing to cancel and the rows need not be read: only new tasks get a row.
        Otherwise the open rows are read (without autoflush: the row completed in this step is still "open" in
        the database, so rows are filtered on their status in the session too) and the missing ones cancelled.
        """
        ready = {str(task.id): task for task in rt.ready_user_tasks(workflow)}
        if known_open is not None and known_open <= ready.keys():
            open_ids = known_open
        else:
            open_rows = {
                row.spiff_task_id: row
                for row in self.open_tasks(session, instance.id)
                if row.id is not None and row.status == "open"
            }
            for spiff_id, row in open_rows.items():
                if spiff_id not in ready:
                    row.status = "cancelled"
                    row.completed_at = now
            open_ids = set(open_rows)
        new_rows = []
        for spiff_id, task in ready.items():
            if spiff_id in open_ids:
                continue
            lane = rt.task_lane(task)
            role = self.lane_roles.get((lane or "").strip().lower())
            organization_id, assignee_id = self.task_scope(role, task.data)
            new_rows.append(
                {
                    "instance_id": instance.id,
                    "process_key": instance.process_key,
                    "spiff_task_id": spiff_id,
                    "element_id": task.task_spec.bpmn_id,
                    "title": rt.task_title(task),
                    "lane": lane,
                    "role": role,
                    "organization_id": _as_int(organization_id),
                    "assignee_id": _as_int(assignee_id),
                    "form_key": rt.task_form_key(task),
                    "status": "open",
                    "due_at": rt.timer_due_of_task(task),
                    "created_at": now,
                }
            )
        if new_rows:  # one executemany INSERT; the rows are read back by query when needed, never in this step
            session.execute(insert(HumanTask.__table__), new_rows)
        return len(ready)

    def _journal(
        self, session, instance, actor: Actor, now, kind, element_id=None, title=None, details=None, step=None
    ):
        """Append to the instance's hash chain; the head lives on the instance row, written in the same step.

        Inside start/complete (`step`, the step's script engine, with a `journal_head`) the head is carried on the
        step and written to the instance once, by `_write_step`: setting it on the instance at every entry made the
        instance row dirty, so each flush an operation needs (for a new row's id) UPDATEd it once more.
        """
        details = json.loads(json.dumps(details, default=_encode_value)) if details is not None else None
        deferred = step is not None and step.journal_head is not None
        prev = step.journal_head if deferred else (instance.journal_head or GENESIS_HASH)
        details_hash = details_digest(details)
        digest = journal_hash(prev, instance.id, now, kind, actor.id, actor.label, element_id, title, details_hash)
        row = {
            "instance_id": instance.id,
            "at": now,
            "kind": kind,
            "actor_id": actor.id,
            "actor_label": actor.label,
            "element_id": element_id,
            "title": title,
            "details": details,
            "prev_hash": prev,
            "details_hash": details_hash,
            "hash": digest,
        }
        if deferred:  # written by _write_step, all in one INSERT
            step.journal_head = digest
            step.journal_rows.append(row)
        else:
            session.add(JournalEntry(**row))
            instance.journal_head = digest


def _spec_key(version: ProcessVersion) -> str:
    """Identifies a version's spec across databases in one process (ids alone could repeat between databases)."""
    return f"{version.id}:{version.content_hash}"


def _fire_into(fired: list[str], workflow, now: datetime) -> None:
    fired.extend(rt.fire_due_timers(workflow, now))


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of form data with only JSON values (dates become ISO strings, Decimals strings)."""
    return json.loads(json.dumps(dict(data), default=_encode_value))


def _encode_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
