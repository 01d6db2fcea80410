"""Endpoints of /api/v1 (see ../shared/API.md). Thin: parse, call the services, shape JSON."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, jsonify, request

from engine import DeployRefused, OperationRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask, ProcessInstance, ProcessVersion
from engine.service import as_utc
from forms import describe_form, formdata_from_json
from webapp.api.auth import api_user, resolve_api_user
from webapp.api.errors import ApiError, register_error_handlers
from webapp.api.openapi import OPENAPI
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.network.services import approved_organizations, search_offers
from webapp.referrals.services import case_for_instance, may_see_case, task_context
from webapp.tasks.services import (
    FormInvalid,
    build_form,
    claim_task,
    complete_task,
    release_task,
    start_process,
    visible_task,
)
from webapp.tasks.worklist import WorklistArgsInvalid, load_worklist, parse_filters
from webapp.workflow import get_engine

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(resolve_api_user)
register_error_handlers(bp)


# Processes whose first step is not a task of the starter: their own pages start them with the data they need.
STARTED_ELSEWHERE = {
    "segnalazione",
    "richiesta_cittadino",
    "fase1_adesione",
    "fase3_monitoraggio",
    "fase3_questionario",
}


def _iso(moment) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


def _task_json(task: HumanTask, with_org: bool = False) -> dict:
    data = {
        "id": task.id,
        "title": task.title,
        "form_key": task.form_key,
        "process_key": task.process_key,
        "instance_id": task.instance_id,
        "lane": task.lane,
        "due_at": _iso(task.due_at),
    }
    if with_org:
        data["organization_id"] = task.organization_id
    return data


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "Il corpo della richiesta deve essere JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "Il corpo della richiesta deve essere un oggetto JSON.")
    return body


def _page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        raise ApiError(400, "page e per_page devono essere numeri interi.") from None
    if not 1 <= page <= 1_000_000 or not 1 <= per_page <= 200:
        raise ApiError(400, "page deve essere tra 1 e 1000000 e per_page tra 1 e 200.")
    return page, per_page


def _instance_visible(instance: ProcessInstance) -> bool:
    """Managers see every instance; others see instances they started, own, or have an open task in."""
    user = api_user()
    if user.role == "manager":
        return True
    case = case_for_instance(db.session, instance.id)
    if case is not None and may_see_case(user, case):
        return True
    if instance.started_by_id == user.id:
        return True
    tasks, _ = get_engine().worklist(db.session, actor_for(user), instance_id=instance.id, limit=1)
    return bool(tasks)


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.get("/v1/tasks")
def list_tasks():
    """The caller's worklist, with the same filters, sorting and search as the /attivita page (see OpenAPI)."""
    page, per_page = _page_args()
    instance_id = request.args.get("instance_id")
    if instance_id is not None and (not instance_id.isdigit() or int(instance_id) >= 2**31):
        raise ApiError(400, "instance_id deve essere un numero intero.")
    user = api_user()
    try:
        filters = parse_filters(request.args, user, for_api=True)
    except WorklistArgsInvalid as exc:
        raise ApiError(400, str(exc)) from None
    if instance_id:
        filters = replace(filters, instance_id=int(instance_id))
    result = load_worklist(db.session, get_engine(), user, filters, page=page, per_page=per_page, subjects=False)
    items = [_worklist_item_json(row) for row in result.rows]
    return jsonify({"items": items, "total": result.total})


def _worklist_item_json(row) -> dict:
    data = _task_json(row.task)
    data.update(
        {
            "created_at": _iso(row.task.created_at),
            "overdue": row.overdue,
            "group_task": row.group_task,
            "claimed_by_id": row.claimed_by_id,
            "claimed_by": row.claimed_by_name,
            "claimed_at": _iso(row.task.claimed_at),
        }
    )
    return data


@bp.post("/v1/tasks/<int:task_id>/claim")
def claim(task_id: int):
    """Take on a group task; `{"take_over": true}` moves a colleague's claim where the caller may (managers)."""
    body = request.get_json(silent=True)
    take_over = isinstance(body, dict) and body.get("take_over") is True
    try:
        task = claim_task(db.session, get_engine(), api_user(), task_id, take_over=take_over)
    except TaskNotFound:
        raise ApiError(404, "Attività non trovata.") from None
    except TaskConflict as exc:
        raise ApiError(409, str(exc)) from None
    return jsonify(_claim_json(task))


@bp.post("/v1/tasks/<int:task_id>/release")
def release(task_id: int):
    try:
        task = release_task(db.session, get_engine(), api_user(), task_id)
    except TaskNotFound:
        raise ApiError(404, "Attività non trovata.") from None
    except TaskConflict as exc:
        raise ApiError(409, str(exc)) from None
    return jsonify(_claim_json(task))


def _claim_json(task: HumanTask) -> dict:
    data = _task_json(task)
    data.update({"claimed_by_id": task.claimed_by_id, "claimed_at": _iso(task.claimed_at)})
    return data


@bp.get("/v1/tasks/<int:task_id>")
def get_task(task_id: int):
    try:
        task = visible_task(db.session, get_engine(), api_user(), task_id)
    except TaskNotFound:
        raise ApiError(404, "Attività non trovata.") from None
    form = build_form(db.session, task, None)
    body = _task_json(task)
    body["status"] = task.status
    body["form"] = {"fields": describe_form(form)}
    body["context"] = task_context(db.session, api_user(), task, channel="api")
    db.session.commit()
    return jsonify(body)


@bp.post("/v1/tasks/<int:task_id>/complete")
def complete(task_id: int):
    body = _json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ApiError(400, "«data» deve essere un oggetto JSON.")
    expected = body.get("lock_version")
    answer = {}
    try:
        complete_task(
            db.session,
            get_engine(),
            api_user(),
            task_id,
            formdata_from_json(data),
            expected_lock_version=expected if isinstance(expected, int) else None,
            # The answer is read inside the step's transaction (the new task rows are already there): no
            # second transaction to read the instance back after the commit.
            before_commit=lambda instance: answer.update(instance=_instance_json(instance)),
        )
    except TaskNotFound:
        raise ApiError(404, "Attività non trovata.") from None
    except TaskConflict as exc:
        raise ApiError(409, str(exc)) from None
    except FormInvalid as exc:
        raise ApiError(422, "Dati non validi.", errors=exc.errors) from None
    except OperationRefused as exc:
        raise ApiError(422, exc.message, errors={exc.field or "__all__": [exc.message]}) from None
    return jsonify(answer)


@bp.post("/v1/processes/<process_key>/instances")
def start_instance(process_key: str):
    body = _json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ApiError(400, "«data» deve essere un oggetto JSON.")
    user = api_user()
    if user.role not in ("social_worker", "health_service", "manager"):
        raise ApiError(403, "Il tuo ruolo non può avviare processi.")
    if process_key in STARTED_ELSEWHERE:
        raise ApiError(
            422, f"Il processo «{process_key}» si avvia solo dalla sua pagina (segnalazione o conferma del cittadino)."
        )
    if get_engine().latest_version(db.session, process_key) is None:
        raise ApiError(404, f"Nessun processo pubblicato con chiave «{process_key}».")
    reserved = {"owner_user_id", "case_id", "organization_id", "referral_id"}
    if reserved & set(data):
        raise ApiError(
            422, "Dati non validi.", errors={k: ["Campo riservato al sistema."] for k in reserved & set(data)}
        )
    instance = start_process(db.session, get_engine(), user, process_key, data)
    return jsonify(
        {
            "id": instance.id,
            "process_key": instance.process_key,
            "version": instance.version.version,
            "status": instance.status,
        }
    ), 201


def _instance_json(instance: ProcessInstance) -> dict:
    engine = get_engine()
    return {
        "id": instance.id,
        "process_key": instance.process_key,
        "version": instance.version.version,
        "status": instance.status,
        "lock_version": instance.lock_version,
        "open_tasks": [_task_json(t, with_org=True) for t in engine.open_tasks(db.session, instance.id)],
    }


@bp.get("/v1/instances/<int:instance_id>")
def get_instance(instance_id: int):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or not _instance_visible(instance):
        raise ApiError(404, "Istanza non trovata.")
    body = _instance_json(instance)
    body["history"] = [
        {"task": e.title, "element_id": e.element_id, "kind": e.kind, "actor": e.actor_label, "at": _iso(e.at)}
        for e in get_engine().journal(db.session, instance.id)
        if e.kind in ("start", "task_completed", "timer", "completed")
    ]
    return jsonify(body)


@bp.post("/v1/process-versions")
def deploy_version():
    user = api_user()
    if user.role != "manager":
        raise ApiError(403, "Solo i responsabili possono pubblicare diagrammi.")
    if request.mimetype not in ("application/xml", "text/xml"):
        raise ApiError(415, "Inviare il diagramma BPMN come application/xml.")
    try:
        versions = get_engine().deploy(db.session, request.get_data(), deployed_by=user.email)
        db.session.commit()
    except DeployRefused as exc:
        db.session.rollback()
        raise ApiError(422, "Diagramma rifiutato.", errors=[i.as_dict() for i in exc.issues]) from None
    first = versions[0]
    return jsonify(
        {
            "process_key": first.process_key,
            "version": first.version,
            "processes": [{"process_key": v.process_key, "version": v.version} for v in versions],
        }
    ), 201


@bp.get("/v1/process-versions")
def list_versions():
    versions = db.session.query(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version).all()
    return jsonify(
        {
            "items": [
                {
                    "process_key": v.process_key,
                    "version": v.version,
                    "deployed_at": _iso(v.deployed_at),
                    "deployed_by": v.deployed_by,
                }
                for v in versions
            ]
        }
    )


@bp.get("/v1/organizations")
def list_organizations():
    organizations = approved_organizations(db.session)
    return jsonify(
        {
            "items": [{"id": o.id, "name": o.name, "codice_fiscale": o.codice_fiscale} for o in organizations],
            "total": len(organizations),
        }
    )


@bp.get("/v1/offers")
def list_offers():
    page, per_page = _page_args()
    offers, total = search_offers(
        db.session,
        words=request.args.get("q") or None,
        target_group=request.args.get("target_group") or None,
        need=request.args.get("need") or None,
        available_only=request.args.get("available") in ("1", "true"),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return jsonify(
        {
            "items": [
                {
                    "id": o.id,
                    "title": o.title,
                    "organization_id": o.organization_id,
                    "target_groups": o.target_groups,
                    "needs": o.needs,
                    "capacity_total": o.capacity_total,
                    "capacity_available": o.capacity_available,
                }
                for o in offers
            ],
            "total": total,
        }
    )
