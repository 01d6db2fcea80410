"""Pages and JSON endpoints of the modeler (managers) and the diagram of a process instance (whoever may see it).

Thin: parse the request, call `webapp.modeler.services` or the engine, render. The modeler's JavaScript talks to
the JSON endpoints with the page's CSRF token in the X-CSRFToken header.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from engine import DeployRefused
from engine.expressions import check_expression
from engine.models import ProcessInstance
from webapp.access import roles_required
from webapp.extensions import db
from webapp.i18n.bpmn_extract import bpmn_names
from webapp.i18n.process_text import process_text
from webapp.modeler import services
from webapp.modeler.diff import diff_diagrams
from webapp.modeler.services import DraftConflict, DraftRefused
from webapp.modeler.texts import modeler_texts
from webapp.timeline import timeline_for_instance
from webapp.workflow import get_engine

bp = Blueprint("modeler", __name__, url_prefix="/processi")

STATUS_LABELS = {
    "running": _l("In corso"),
    "waiting": _l("In attesa di una scadenza"),
    "completed": _l("Concluso"),
    "error": _l("In errore"),
    "suspended": _l("Sospeso"),
    "terminated": _l("Terminato"),
}
MANAGER = "manager"
NEW_DIAGRAM = Path(__file__).with_name("nuovo_processo.bpmn")


def _json_error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def _xml_body() -> bytes:
    return request.get_data(cache=False)


def _version_or_404(process_key: str, number: int):
    version = services.version_of(db.session, process_key, number)
    if version is None:
        abort(404)
    return version


@bp.app_context_processor
def _labels():
    return {"instance_status_labels": STATUS_LABELS, "modeler_texts": modeler_texts}


# ------------------------------------------------------------------------------------------------ process list
@bp.route("")
@roles_required(MANAGER)
def process_list():
    return render_template("modeler/process_list.html", processes=services.process_summaries(db.session))


@bp.route("/<process_key>")
@roles_required(MANAGER)
def process_detail(process_key: str):
    versions = services.versions_of(db.session, process_key)
    draft = services.get_draft(db.session, process_key)
    if not versions and draft is None:
        abort(404)
    running = services.running_by_version(db.session, process_key)
    latest = versions[0] if versions else None
    older_running = sum(count for version_id, count in running.items() if latest and version_id != latest.id)
    return render_template(
        "modeler/process_detail.html",
        process_key=process_key,
        name=latest.name if latest else draft.name,
        versions=versions,
        latest=latest,
        draft=draft,
        running=running,
        older_running=older_running,
    )


@bp.route("/<process_key>/versioni/<int:number>")
@roles_required(MANAGER)
def version_detail(process_key: str, number: int):
    version = _version_or_404(process_key, number)
    running = services.running_by_version(db.session, process_key).get(version.id, 0)
    return render_template("modeler/version.html", version=version, running=running)


@bp.route("/<process_key>/versioni/<int:number>/diagramma.json")
@roles_required(MANAGER)
def version_json(process_key: str, number: int):
    version = _version_or_404(process_key, number)
    return jsonify({"process_key": version.process_key, "version": version.version, "xml": version.bpmn_xml})


@bp.route("/<process_key>/versioni/<int:number>.bpmn")
@roles_required(MANAGER)
def version_download(process_key: str, number: int):
    version = _version_or_404(process_key, number)
    return _attachment(version.bpmn_xml, f"{version.process_key}-v{version.version}.bpmn")


def _attachment(xml: str, filename: str) -> Response:
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------------------------------ modeler
@bp.route("/nuovo")
@roles_required(MANAGER)
def new_process():
    return render_template(
        "modeler/modeler.html",
        process_key=None,
        name=_("Nuovo processo"),
        source_url=url_for("modeler.new_diagram_json"),
        draft=None,
        latest=None,
        from_version=None,
    )


@bp.route("/modellatore/nuovo.json")
@roles_required(MANAGER)
def new_diagram_json():
    return jsonify({"xml": NEW_DIAGRAM.read_text(encoding="utf-8"), "revision": None, "base_version": None})


@bp.route("/<process_key>/modifica")
@roles_required(MANAGER)
def edit_process(process_key: str):
    versions = services.versions_of(db.session, process_key)
    draft = services.get_draft(db.session, process_key)
    if not versions and draft is None:
        abort(404)
    from_version = request.args.get("versione", type=int)
    if from_version is not None:
        _version_or_404(process_key, from_version)
    latest = versions[0] if versions else None
    return render_template(
        "modeler/modeler.html",
        process_key=process_key,
        name=(draft.name if draft else latest.name),
        source_url=url_for("modeler.source_json", process_key=process_key, versione=from_version),
        draft=draft,
        latest=latest,
        from_version=from_version,
    )


@bp.route("/<process_key>/modifica/diagramma.json")
@roles_required(MANAGER)
def source_json(process_key: str):
    """What the modeler opens: the draft, or a deployed version (the latest unless ?versione=N)."""
    draft = services.get_draft(db.session, process_key)
    number = request.args.get("versione", type=int)
    if draft is not None and number is None:
        return jsonify(
            {"xml": draft.bpmn_xml, "revision": draft.revision, "base_version": draft.base_version, "draft": True}
        )
    version = _version_or_404(process_key, number) if number else get_engine().latest_version(db.session, process_key)
    if version is None:
        abort(404)
    return jsonify(
        {
            "xml": version.bpmn_xml,
            "revision": draft.revision if draft else None,
            "base_version": version.version,
            "draft": False,
        }
    )


@bp.route("/modellatore/vocabolario.json")
@roles_required(MANAGER)
def vocabulary_json():
    return jsonify(services.vocabulary(get_engine()))


@bp.route("/modellatore/verifica-espressione", methods=["POST"])
@roles_required(MANAGER)
def check_expression_json():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("expression"), str):
        return _json_error(400, 'Inviare {"expression": "..."}.')
    expression = body["expression"].strip()
    if not expression:
        return jsonify({"problems": [_("L'espressione è vuota.")]})
    return jsonify({"problems": check_expression(expression)})


@bp.route("/modellatore/verifica", methods=["POST"])
@roles_required(MANAGER)
def validate_json():
    issues = get_engine().validate(_xml_body())
    return jsonify({"errors": [issue.as_dict() for issue in issues]})


@bp.route("/modellatore/bozza", methods=["POST"])
@roles_required(MANAGER)
def save_draft_json():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        return _json_error(400, 'Inviare {"xml": "..."}.')
    revision = body.get("revision")
    base_version = body.get("base_version")
    try:
        draft = services.save_draft(
            db.session,
            current_user,
            body["xml"],
            expected_key=body.get("process_key") or None,
            expected_revision=revision if isinstance(revision, int) else None,
            base_version=base_version if isinstance(base_version, int) else None,
        )
        db.session.commit()
    except DraftRefused as exc:
        db.session.rollback()
        return _json_error(422, str(exc))
    except DraftConflict as exc:
        db.session.rollback()
        return _json_error(409, str(exc))
    issues = get_engine().validate(draft.bpmn_xml)
    return jsonify(
        {
            "process_key": draft.process_key,
            "revision": draft.revision,
            "saved_at": draft.updated_at.isoformat(),
            "edit_url": url_for("modeler.edit_process", process_key=draft.process_key),
            "errors": [issue.as_dict() for issue in issues],
        }
    )


@bp.route("/<process_key>/bozza/scarta", methods=["POST"])
@roles_required(MANAGER)
def discard_draft(process_key: str):
    if services.discard_draft(db.session, process_key):
        db.session.commit()
        flash(_("Bozza scartata: il diagramma resta quello dell'ultima versione pubblicata."), "success")
    if not services.versions_of(db.session, process_key):
        return redirect(url_for("modeler.process_list"))
    return redirect(url_for("modeler.process_detail", process_key=process_key))


@bp.route("/modellatore/pubblica", methods=["POST"])
@roles_required(MANAGER)
def publish_json():
    engine = get_engine()
    try:
        versions = services.publish(db.session, engine, current_user, _xml_body())
        db.session.commit()
    except DeployRefused as exc:
        db.session.rollback()
        return _json_error(422, _("Diagramma rifiutato."), errors=[issue.as_dict() for issue in exc.issues])
    except IntegrityError:  # two managers published the same process at the same moment: one version each, in turn
        db.session.rollback()
        return _json_error(
            409, _("Un altro responsabile ha pubblicato questo processo nello stesso momento: riprovare.")
        )
    first = versions[0]
    running = services.running_by_version(db.session, first.process_key)
    older = sum(count for version_id, count in running.items() if version_id != first.id)
    return jsonify(
        {
            "process_key": first.process_key,
            "version": first.version,
            "processes": [{"process_key": v.process_key, "version": v.version} for v in versions],
            "process_url": url_for("modeler.process_detail", process_key=first.process_key),
            "running_on_older_versions": older,
            "migration_url": url_for("modeler.migration", process_key=first.process_key) if older else None,
        }
    ), 201


# ------------------------------------------------------------------------------------------------- comparison
def _compare_versions(process_key: str):
    versions = services.versions_of(db.session, process_key)
    if not versions:
        abort(404)
    numbers = [v.version for v in versions]
    new_number = request.args.get("a", type=int) or numbers[0]
    old_number = request.args.get("da", type=int) or (new_number - 1 if new_number - 1 in numbers else numbers[-1])
    return _version_or_404(process_key, old_number), _version_or_404(process_key, new_number), versions


@bp.route("/<process_key>/confronto")
@roles_required(MANAGER)
def compare(process_key: str):
    old, new, versions = _compare_versions(process_key)
    changes = diff_diagrams(old.bpmn_xml, new.bpmn_xml) if old.id != new.id else []
    return render_template("modeler/compare.html", old=old, new=new, versions=versions, changes=changes)


@bp.route("/<process_key>/confronto.json")
@roles_required(MANAGER)
def compare_json(process_key: str):
    old, new, _versions = _compare_versions(process_key)
    changes = diff_diagrams(old.bpmn_xml, new.bpmn_xml) if old.id != new.id else []
    return jsonify(
        {
            "old": {"version": old.version, "xml": old.bpmn_xml},
            "new": {"version": new.version, "xml": new.bpmn_xml},
            "changes": [change.as_dict() for change in changes],
        }
    )


# -------------------------------------------------------------------------------------------------- migration
def _migration_target(process_key: str):
    versions = services.versions_of(db.session, process_key)
    if not versions:
        abort(404)
    number = request.values.get("a", type=int) or versions[0].version
    return _version_or_404(process_key, number), versions


@bp.route("/<process_key>/migrazione")
@roles_required(MANAGER)
def migration(process_key: str):
    target, versions = _migration_target(process_key)
    source = request.args.get("da", type=int)
    instance_id = request.args.get("istanza", type=int)
    instances, total = services.migration_candidates(db.session, process_key, target, source, instance_id)
    rows = services.precheck(db.session, get_engine(), instances, target)
    db.session.rollback()  # the pre-check writes nothing; make sure of it
    return render_template(
        "modeler/migration.html",
        process_key=process_key,
        target=target,
        versions=versions,
        source=source,
        instance_id=instance_id,
        rows=rows,
        total=total,
        page_size=services.MIGRATION_PAGE_SIZE,
    )


@bp.route("/<process_key>/migrazione", methods=["POST"])
@roles_required(MANAGER)
def migrate(process_key: str):
    target, _versions = _migration_target(process_key)
    ids = [int(value) for value in request.form.getlist("istanze") if value.isdigit()]
    if not ids:
        flash(_("Nessuna istanza selezionata."), "warning")
        return redirect(url_for("modeler.migration", process_key=process_key, a=target.version))
    rows = services.migrate_instances(db.session, get_engine(), current_user, ids, target)
    db.session.commit()
    moved = [row for row in rows if row.outcome.possible]
    if moved:
        flash(
            ngettext(
                "%(num)d istanza spostata alla versione %(number)s.",
                "%(num)d istanze spostate alla versione %(number)s.",
                len(moved),
                number=target.version,
            ),
            "success",
        )
    if len(moved) < len(rows):
        flash(
            ngettext(
                "%(num)d istanza è rimasta sulla versione precedente: vedere i motivi nella tabella.",
                "%(num)d istanze sono rimaste sulla versione precedente: vedere i motivi nella tabella.",
                len(rows) - len(moved),
            ),
            "warning",
        )
    return render_template("modeler/migration_result.html", process_key=process_key, target=target, rows=rows)


# -------------------------------------------------------------------------------------------------- instances
@bp.route("/istanze/<int:instance_id>")
@roles_required(MANAGER)
def instance_detail(instance_id: int):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    engine = get_engine()
    latest = engine.latest_version(db.session, instance.process_key)
    return render_template(
        "modeler/instance.html",
        instance=instance,
        latest=latest,
        case_id=services.case_id_of(db.session, instance.id),
        open_tasks=engine.open_tasks(db.session, instance.id),
        timeline=timeline_for_instance(db.session, engine, instance.id),
    )


@bp.route("/istanze/<int:instance_id>/diagramma.json")
@login_required
def instance_diagram_json(instance_id: int):
    """The instance's diagram (its own version) and the state of each element, for the viewer."""
    engine = get_engine()
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or not services.may_see_instance(db.session, engine, current_user, instance):
        return _json_error(404, _("Processo non trovato."))
    try:
        states = engine.element_states(db.session, instance).as_dict()
    except Exception:  # noqa: BLE001 - an unreadable state still shows the diagram, without colours
        current_app.logger.exception("element states of instance %s", instance_id)
        states = {"states": {}, "completed_count": {}}
    return jsonify(
        {
            "instance_id": instance.id,
            "process_key": instance.process_key,
            "version": instance.version.version,
            "status": instance.status,
            "xml": instance.version.bpmn_xml,
            "names": _translated_names(instance.version.bpmn_xml),
            **states,
        }
    )


def _translated_names(xml: str) -> dict[str, str]:
    """The diagram's names (as written, Italian) with their translation for the reader, for the viewer's summary:
    the drawing keeps the diagram's own words, the list of steps under it follows the page's language."""
    try:
        names = {name for _, name in bpmn_names(xml.encode("utf-8"))}
    except Exception:  # noqa: BLE001 - the summary then shows the names as written
        return {}
    return {name: shown for name in names if (shown := process_text(name)) != name}
