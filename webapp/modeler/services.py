"""The modeler's domain operations: vocabulary for the side panel, drafts, publishing, versions, migration.

Plain functions taking the session and the acting user (no request objects): the modeler's pages and JSON
endpoints call them, and so could the CLI or the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Engine, TaskConflict
from engine.migration import MigrationOutcome
from engine.models import ProcessInstance, ProcessVersion
from engine.xml_safety import UnsafeXml, parse_bpmn
from webapp.auth.models import ROLE_LABELS, User
from webapp.auth.services import actor_for
from webapp.i18n.formatting import format_datetime
from webapp.modeler.models import DiagramDraft
from webapp.workflow import LANE_ROLES

BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
PROCESS_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")
RUNNING = ("running", "waiting")
MIGRATION_PAGE_SIZE = 200

# The labels managers read in the form choice; a form key missing here is shown as it is.
FORM_LABELS = {
    "presa_in_carico": _l("Presa in carico (dati della persona, bisogni, consenso)"),
    "scelta_offerta": _l("Scelta dell'offerta e invio"),
    "risposta_invio": _l("Risposta dell'organizzazione all'invio"),
    "dopo_rifiuto": _l("Decisione dopo un rifiuto o una scadenza"),
    "esito_intervento": _l("Esito dell'intervento"),
    "chiusura_caso": _l("Chiusura del caso"),
    "pubblicazione_patto": _l("Pubblicazione del patto di rete"),
    "esame_domanda_adesione": _l("Esame della domanda di adesione"),
    "integrazione_domanda": _l("Integrazione della domanda di adesione"),
}
# For each role, the lane name the modeler writes (any alias in LANE_ROLES is read as the same role).
LANE_NAMES = {
    "social_worker": "Servizio sociale",
    "association": "Organizzazione",
    "manager": "Ufficio di piano",
    "admin": "Amministrazione",
    "health_service": "Servizi specialistici",
    "applicant": "Organizzazione richiedente",
}
EXTRA_ROLE_LABELS = {"applicant": _l("Organizzazione richiedente (tramite il link della domanda)")}


class DraftRefused(ValueError):
    """A draft could not be saved; the message is for the manager."""


class DraftConflict(ValueError):
    """Someone saved the draft after this manager opened it."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _label(form_key: str) -> str:
    return str(FORM_LABELS.get(form_key) or form_key.replace("_", " ").capitalize())


def vocabulary(engine: Engine) -> dict:
    """What the side panel offers as choices: forms, operations, lane roles."""
    roles: dict[str, list[str]] = {}
    for name, role in LANE_ROLES.items():
        roles.setdefault(role, []).append(name)
    return {
        "forms": [{"value": key, "label": _label(key)} for key in sorted(engine.form_keys, key=_label)],
        "operations": [{"value": op.name, "label": str(op.label)} for op in engine.operations],
        "roles": [
            {
                "value": role,
                "label": str(ROLE_LABELS.get(role) or EXTRA_ROLE_LABELS.get(role, role)),
                "lane": LANE_NAMES.get(role, aliases[0]),
                "aliases": sorted(aliases),
            }
            for role, aliases in roles.items()
        ],
    }


# ----------------------------------------------------------------------------------------------------- drafts
def process_of(xml: str | bytes) -> tuple[str, str]:
    """(key, name) of the process a document is about: its first executable process (or first drawn one)."""
    try:
        root = parse_bpmn(xml)
    except UnsafeXml as exc:
        raise DraftRefused(str(exc)) from None
    processes = root.findall("bpmn:process", BPMN_NS)
    chosen = next((p for p in processes if p.get("isExecutable") == "true"), None)
    if chosen is None:
        chosen = next((p for p in processes if p.find("bpmn:startEvent", BPMN_NS) is not None), None)
    if chosen is None:
        raise DraftRefused(_("Il diagramma non contiene alcun processo."))
    key = chosen.get("id") or ""
    if not PROCESS_KEY.match(key):
        raise DraftRefused(
            _(
                "L'identificativo del processo «%(key)s» non è valido: usare lettere, cifre e _ (massimo 100).",
                key=key[:100],
            )
        )
    name = " ".join((chosen.get("name") or "").split()) or key
    return key, name[:200]


def get_draft(session: Session, process_key: str) -> DiagramDraft | None:
    return session.scalar(select(DiagramDraft).where(DiagramDraft.process_key == process_key))


def save_draft(
    session: Session,
    user: User,
    xml: str,
    expected_key: str | None,
    expected_revision: int | None,
    base_version: int | None = None,
    now: datetime | None = None,
) -> DiagramDraft:
    """Save (or replace) the draft of the document's process. `expected_revision` is the revision the manager
    loaded (None: there was no draft); anything else means someone saved in between (DraftConflict)."""
    key, name = process_of(xml)
    if expected_key and key != expected_key:
        raise DraftRefused(
            _(
                "L'identificativo del processo è cambiato («%(old)s» → «%(new)s»): "
                "per creare un processo nuovo usare «Nuovo processo».",
                old=expected_key,
                new=key,
            )
        )
    now = now or utcnow()
    draft = get_draft(session, key)
    if draft is None:
        if expected_revision is not None:
            raise DraftConflict(_("La bozza è stata pubblicata o scartata da un altro responsabile nel frattempo."))
        draft = DiagramDraft(process_key=key, revision=0, created_at=now, base_version=base_version)
        session.add(draft)
    elif expected_revision != draft.revision:
        raise DraftConflict(
            _(
                "%(name)s ha salvato questa bozza il %(when)s: "
                "ricaricare la pagina per vedere le sue modifiche prima di salvare.",
                name=draft.updated_by_label,
                when=format_datetime(draft.updated_at),
            )
        )
    draft.name = name
    draft.bpmn_xml = xml
    draft.revision += 1
    draft.updated_at = now
    draft.updated_by_id = user.id
    draft.updated_by_label = user.name
    session.flush()
    return draft


def discard_draft(session: Session, process_key: str) -> bool:
    draft = get_draft(session, process_key)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


def publish(session: Session, engine: Engine, user: User, xml: bytes | str) -> list[ProcessVersion]:
    """Deploy the document (DeployRefused with every reason otherwise); the drafts it published are done."""
    versions = engine.deploy(session, xml, deployed_by=user.email)
    for version in versions:
        discard_draft(session, version.process_key)
    return versions


# --------------------------------------------------------------------------------------------------- versions
@dataclass
class ProcessSummary:
    key: str
    name: str
    latest: ProcessVersion | None
    versions: int
    running: int
    running_on_older: int
    draft: DiagramDraft | None


def process_summaries(session: Session) -> list[ProcessSummary]:
    latest_ids = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_key).scalar_subquery()
    latest_versions = session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(latest_ids)))
    latest = {v.process_key: v for v in latest_versions}
    counts = dict(
        session.execute(select(ProcessVersion.process_key, func.count()).group_by(ProcessVersion.process_key)).all()
    )
    running: dict[str, int] = {}
    older: dict[str, int] = {}
    rows = session.execute(
        select(ProcessInstance.process_key, ProcessInstance.process_version_id, func.count())
        .where(ProcessInstance.status.in_(RUNNING))
        .group_by(ProcessInstance.process_key, ProcessInstance.process_version_id)
    ).all()
    for key, version_id, count in rows:
        running[key] = running.get(key, 0) + count
        if key in latest and version_id != latest[key].id:
            older[key] = older.get(key, 0) + count
    drafts = {d.process_key: d for d in session.scalars(select(DiagramDraft))}
    keys = sorted(set(latest) | set(drafts), key=lambda k: (latest[k].name if k in latest else drafts[k].name).lower())
    return [
        ProcessSummary(
            key=key,
            name=latest[key].name if key in latest else drafts[key].name,
            latest=latest.get(key),
            versions=counts.get(key, 0),
            running=running.get(key, 0),
            running_on_older=older.get(key, 0),
            draft=drafts.get(key),
        )
        for key in keys
    ]


def versions_of(session: Session, process_key: str) -> list[ProcessVersion]:
    return list(
        session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == process_key)
            .order_by(ProcessVersion.version.desc())
        )
    )


def version_of(session: Session, process_key: str, number: int) -> ProcessVersion | None:
    return session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key, ProcessVersion.version == number)
    )


def running_by_version(session: Session, process_key: str) -> dict[int, int]:
    """Running (or waiting) instances per version id."""
    return dict(
        session.execute(
            select(ProcessInstance.process_version_id, func.count())
            .where(ProcessInstance.process_key == process_key, ProcessInstance.status.in_(RUNNING))
            .group_by(ProcessInstance.process_version_id)
        ).all()
    )


# -------------------------------------------------------------------------------------------------- migration
@dataclass
class MigrationRow:
    instance: ProcessInstance
    outcome: MigrationOutcome
    case_id: int | None


def migration_candidates(
    session: Session,
    process_key: str,
    target: ProcessVersion,
    source: int | None = None,
    instance_id: int | None = None,
) -> tuple[list[ProcessInstance], int]:
    """Running instances of the process on another version than `target` (optionally one version, one instance);
    at most MIGRATION_PAGE_SIZE, oldest first, and how many there are in all."""
    where = [
        ProcessInstance.process_key == process_key,
        ProcessInstance.status.in_(RUNNING),
        ProcessInstance.process_version_id != target.id,
    ]
    if source is not None:
        source_version = version_of(session, process_key, source)
        where.append(ProcessInstance.process_version_id == (source_version.id if source_version else -1))
    if instance_id is not None:
        where.append(ProcessInstance.id == instance_id)
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*where)) or 0
    instances = session.scalars(
        select(ProcessInstance).where(*where).order_by(ProcessInstance.id).limit(MIGRATION_PAGE_SIZE)
    ).all()
    return list(instances), total


def precheck(session: Session, engine: Engine, instances: list[ProcessInstance], target: ProcessVersion):
    cases = _cases_by_instance(session, [i.id for i in instances])
    return [MigrationRow(i, engine.migration_precheck(session, i, target), cases.get(i.id)) for i in instances]


def migrate_instances(
    session: Session, engine: Engine, user: User, instance_ids: list[int], target: ProcessVersion
) -> list[MigrationRow]:
    """Move each instance to `target`, each in its own savepoint: one that cannot move stays as it was."""
    actor = actor_for(user)
    rows = []
    cases = _cases_by_instance(session, instance_ids)
    for instance_id in instance_ids:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or instance.process_key != target.process_key:
            continue
        try:
            outcome = engine.migrate(session, instance_id, target, actor)
        except TaskConflict:  # its savepoint was rolled back: the instance is as it was
            outcome = MigrationOutcome(blockers=[_("il processo è stato aggiornato in quel momento: riprovare")])
        rows.append(MigrationRow(session.get(ProcessInstance, instance_id), outcome, cases.get(instance_id)))
    return rows


def _cases_by_instance(session: Session, instance_ids: list[int]) -> dict[int, int]:
    from webapp.referrals.models import Case

    if not instance_ids:
        return {}
    return dict(session.execute(select(Case.instance_id, Case.id).where(Case.instance_id.in_(instance_ids))).all())


# -------------------------------------------------------------------------------------------------- instances
def may_see_instance(session: Session, engine: Engine, user: User, instance: ProcessInstance) -> bool:
    """Managers (and administrators, who handle the incidents) see every instance; others the instances of the cases
    they may see, those they started, and those where they have an open task (the same rule as the API)."""
    from webapp.referrals.services import case_for_instance, may_see_case

    if user.role in ("manager", "admin"):
        return True
    case = case_for_instance(session, instance.id)
    if case is not None and may_see_case(user, case):
        return True
    if instance.started_by_id is not None and instance.started_by_id == user.id:
        return True
    tasks, _ = engine.worklist(session, actor_for(user), instance_id=instance.id, limit=1)
    return bool(tasks)


def case_id_of(session: Session, instance_id: int) -> int | None:
    return _cases_by_instance(session, [instance_id]).get(instance_id)
