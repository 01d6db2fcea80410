"""A case's timeline, in words people read, from the instance's journal.

The journal keeps the diagram's names as written (Italian): they are translated here, for the reader
(`process_text`), like the timeline's own words."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from engine import Engine
from engine.service import as_utc
from webapp.i18n.process_text import process_text

KIND_LABELS = {
    "start": _l("Processo avviato"),
    "task_completed": _l("Attività completata"),
    "operation": _l("Operazione automatica"),
    "timer": _l("Scadenza raggiunta"),
    "completed": _l("Processo concluso"),
    "migration": _l("Passaggio a un'altra versione del diagramma"),
    "task_claimed": _l("Attività presa in carico"),
    "task_taken_over": _l("Attività rilevata da un'altra persona"),
    "task_released": _l("Attività rilasciata al gruppo"),
}


AUTOMATIC_KINDS = {"operation", "timer", "completed"}


def _migration(entry) -> str:
    """The engine writes "Versione 1 → 2" (Italian, it knows no language); its details say it for any reader."""
    details = entry.details or {}
    if "from_version" in details and "to_version" in details:
        title = _("Versione %(old)s → %(new)s", old=details["from_version"], new=details["to_version"])
        return _("Diagramma aggiornato: %(title)s", title=title)
    if entry.title:
        return _("Diagramma aggiornato: %(title)s", title=entry.title)
    return str(KIND_LABELS["migration"])


def timeline_for_instance(session: Session, engine: Engine, instance_id: int) -> list[dict]:
    entries = []
    for entry in engine.journal(session, instance_id):
        if entry.kind == "operation":
            what = process_text(entry.title) or entry.element_id
        elif entry.kind == "task_completed":
            what = process_text(entry.title)
        elif entry.kind == "migration":
            what = _migration(entry)
        elif entry.kind == "timer":
            what = _("Timer «%(name)s»", name=entry.element_id)
        elif entry.kind in ("task_claimed", "task_taken_over", "task_released"):
            what = f"{KIND_LABELS[entry.kind]}: {process_text(entry.title)}"
        else:
            what = KIND_LABELS.get(entry.kind, entry.kind)
        what = str(what) if what is not None else what
        kind_label = str(KIND_LABELS.get(entry.kind, entry.kind))
        entries.append(
            {
                "at": as_utc(entry.at),
                "kind": entry.kind,
                "kind_label": "" if kind_label == what else kind_label,
                "what": what,
                # automatic steps run on someone's action, but it is Tessere that performs them
                "actor": _("Tessere (automatico)") if entry.kind in AUTOMATIC_KINDS else entry.actor_label,
            }
        )
    return entries
