"""Read-only checks that an instance's saved state, its human-task rows and its journal agree.

Used by `flask tessere check` after a crash, a restore or a fault-injection test: a step is one transaction, so
whatever happened, each instance must still be exactly as some committed step left it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import spiff_runtime as rt
from engine.models import (
    GENESIS_HASH,
    REDACTED_KEY,
    HumanTask,
    JournalEntry,
    ProcessInstance,
    details_digest,
    journal_hash,
)
from engine.service import Actor, Engine, as_utc, utcnow


def instance_problems(engine: Engine, session: Session, instance: ProcessInstance) -> list[str]:
    """Every disagreement found for one instance (empty when consistent); nothing is written."""
    problems: list[str] = []
    try:
        workflow = engine._load(session, instance, Actor.system("Verifica"), utcnow())
    except Exception as exc:  # noqa: BLE001 - an unreadable state is exactly what we report
        return [f"lo stato salvato non si riesce a leggere: {exc.__class__.__name__}: {exc}"]

    ready = {str(task.id) for task in rt.ready_user_tasks(workflow)}
    open_rows = {row.spiff_task_id for row in engine.open_tasks(session, instance.id)}
    if instance.status in ("running", "waiting", "error") and ready != open_rows:
        problems.append(
            f"attività aperte nel registro {sorted(open_rows)} diverse da quelle pronte nel processo {sorted(ready)}"
        )
    if instance.status == "completed":
        if not workflow.completed:
            problems.append("risulta concluso ma il processo salvato non lo è")
        if open_rows:
            problems.append("risulta concluso ma ha ancora attività aperte")
    elif workflow.completed:
        problems.append(f"il processo salvato è concluso ma lo stato è «{instance.status}»")
    if instance.status == "running" and not open_rows:
        problems.append("risulta in corso senza attività aperte")
    if instance.status == "waiting" and open_rows:
        problems.append("risulta in attesa ma ha attività aperte")
    if instance.status in ("running", "waiting"):
        timers = rt.pending_timers(workflow)
        expected = min(timers) if timers else None
        if as_utc(expected) != as_utc(instance.next_timer_at):
            problems.append(f"prossima scadenza registrata {instance.next_timer_at} invece di {expected}")

    journal = list(
        session.scalars(select(JournalEntry).where(JournalEntry.instance_id == instance.id).order_by(JournalEntry.id))
    )
    if not journal or journal[0].kind != "start":
        problems.append("il giornale non comincia con l'avvio del processo")
    completed_rows = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.status == "completed")
    )
    completions = sum(1 for entry in journal if entry.kind == "task_completed")
    if completed_rows != completions:
        problems.append(f"{completed_rows} attività completate ma {completions} completamenti nel giornale")
    problems.extend(chain_problems(instance, journal))
    return problems


def chain_problems(instance: ProcessInstance, journal: list[JournalEntry]) -> list[str]:
    """The hash chain of one instance's journal: every link, every entry's content, and the head."""
    problems: list[str] = []
    previous: str | None = None
    sealed = False
    for position, entry in enumerate(journal):
        if entry.hash is None:
            if sealed:
                problems.append(f"voce {entry.id} del giornale senza sigillo dopo voci sigillate")
            continue  # entries written before the chain existed
        if not sealed:
            # the first sealed entry links to the genesis, unless older unsealed entries precede it
            if position == 0 and entry.prev_hash != GENESIS_HASH:
                problems.append(f"voce {entry.id} del giornale: collegamento iniziale alterato")
        elif entry.prev_hash != previous:
            problems.append(f"voce {entry.id} del giornale: collegamento alla voce precedente alterato")
        sealed = True
        redacted = isinstance(entry.details, dict) and set(entry.details) == {REDACTED_KEY}
        if not redacted and details_digest(entry.details) != entry.details_hash:
            problems.append(f"voce {entry.id} del giornale: dettagli alterati")
        recomputed = journal_hash(
            entry.prev_hash or "",
            entry.instance_id,
            entry.at,
            entry.kind,
            entry.actor_id,
            entry.actor_label,
            entry.element_id,
            entry.title,
            entry.details_hash or "",
        )
        if recomputed != entry.hash:
            problems.append(f"voce {entry.id} del giornale: contenuto alterato")
        previous = entry.hash
    if sealed and instance.journal_head != previous:
        problems.append("il giornale non finisce con l'ultima voce registrata (voci rimosse o aggiunte)")
    if not sealed and instance.journal_head is not None:
        problems.append("il giornale non contiene le voci sigillate attese")
    return problems
