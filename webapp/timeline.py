"""A case's timeline, in words people read, from the instance's journal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import Engine
from engine.service import as_utc

KIND_LABELS = {
    "start": "Processo avviato",
    "task_completed": "Attività completata",
    "operation": "Operazione automatica",
    "timer": "Scadenza raggiunta",
    "completed": "Processo concluso",
    "migration": "Passaggio a un'altra versione del diagramma",
}


AUTOMATIC_KINDS = {"operation", "timer", "completed"}


def timeline_for_instance(session: Session, engine: Engine, instance_id: int) -> list[dict]:
    entries = []
    for entry in engine.journal(session, instance_id):
        if entry.kind == "operation":
            what = entry.title or entry.element_id
        elif entry.kind == "task_completed":
            what = entry.title
        elif entry.kind == "migration":
            what = f"Diagramma aggiornato: {entry.title}" if entry.title else KIND_LABELS["migration"]
        elif entry.kind == "timer":
            what = f"Timer «{entry.element_id}»"
        else:
            what = KIND_LABELS.get(entry.kind, entry.kind)
        kind_label = KIND_LABELS.get(entry.kind, entry.kind)
        entries.append(
            {
                "at": as_utc(entry.at),
                "kind": entry.kind,
                "kind_label": "" if kind_label == what else kind_label,
                "what": what,
                # automatic steps run on someone's action, but it is Tessere that performs them
                "actor": "Tessere (automatico)" if entry.kind in AUTOMATIC_KINDS else entry.actor_label,
            }
        )
    return entries
