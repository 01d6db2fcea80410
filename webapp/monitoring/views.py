"""Pages of fase 3: the dashboards and their downloads, the periods and their reports, the questionnaire and review
tasks, the schedule, the good practices (managed here, published in the catalogue). Thin: see `figures`,
`services`, `report`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine import OperationRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask
from forms.monitoring import BuonaPraticaForm, ProgrammazioneForm
from forms.vocabulary import TARGET_GROUPS, TARGET_GROUPS_BY_CODE
from webapp.access import roles_required
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.i18n.formatting import format_date, format_datetime
from webapp.monitoring import exports, report, schedule, services
from webapp.monitoring.figures import GRANULARITIES, Filters, compute_dashboard, group_label, local_day
from webapp.monitoring.models import MonitoringPeriod
from webapp.monitoring.tables import chart_data
from webapp.network.models import Organization
from webapp.tasks.services import FormInvalid, build_form, complete_task, visible_task
from webapp.workflow import get_engine

bp = Blueprint("monitoring", __name__, url_prefix="/monitoraggio")

VIEWERS = ("manager", "association")
MAX_SPAN_DAYS = 366 * 5
TASK_FORM_KEYS = (services.QUESTIONNAIRE_FORM_KEY, services.REVIEW_FORM_KEY)


def _now() -> datetime:
    return datetime.now(UTC)


def _is_manager() -> bool:
    return current_user.role == "manager"


def _scope() -> int | None:
    """Operators of an organization see its figures only."""
    return None if _is_manager() else current_user.organization_id


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_from_request(today: date) -> tuple[Filters, list[str]]:
    """The dashboard's filters from the query string; unusable values fall back to the defaults, with a message."""
    default = Filters.default(today)
    problems = []
    start = _parse_day(request.args.get("dal")) or default.start
    end = _parse_day(request.args.get("al")) or default.end
    if end < start:
        problems.append(_("La data di fine precede quella di inizio: mostro il periodo predefinito."))
        start, end = default.start, default.end
    if (end - start).days > MAX_SPAN_DAYS:
        problems.append(_("Il periodo può coprire al massimo cinque anni: l'inizio è stato spostato."))
        start = end - timedelta(days=MAX_SPAN_DAYS)
    group = request.args.get("gruppo") or None
    group = group if group in TARGET_GROUPS_BY_CODE else None
    organization_id = request.args.get("organizzazione", type=int) if _is_manager() else None
    granularity = request.args.get("per") if request.args.get("per") in GRANULARITIES else "mese"
    return Filters(start, end, group, organization_id, granularity), problems


def _filter_args(filters: Filters) -> dict:
    args = {"dal": filters.start.isoformat(), "al": filters.end.isoformat(), "per": filters.granularity}
    if filters.target_group:
        args["gruppo"] = filters.target_group
    if filters.organization_id and _is_manager():
        args["organizzazione"] = filters.organization_id
    return args


def _context_lines(filters: Filters) -> list[str]:
    lines = [
        _("Tessere – Reti di comunità, Comune di Campi Bisenzio"),
        _("Periodo: dal %(start)s al %(end)s", start=format_date(filters.start), end=format_date(filters.end)),
        _("Gruppo di destinatari: %(group)s", group=group_label(filters.target_group)),
    ]
    if filters.organization_id:
        organization = db.session.get(Organization, filters.organization_id)
        lines.append(_("Organizzazione: %(name)s", name=organization.name if organization else filters.organization_id))
    lines.append(_("Estratto il %(when)s", when=format_datetime(datetime.now(UTC))))
    return lines


def _approved_organizations() -> list[Organization]:
    query = select(Organization).where(Organization.status == "approved").order_by(Organization.name)
    return list(db.session.scalars(query))


def _open_tasks(form_key: str) -> list[HumanTask]:
    engine = get_engine()
    actor = actor_for(current_user)
    rows = db.session.scalars(
        select(HumanTask).where(HumanTask.form_key == form_key, HumanTask.status == "open").order_by(HumanTask.id)
    )
    return [task for task in rows if engine.may_complete(task, actor)]


# ------------------------------------------------------------------------------------------------ dashboard
@bp.route("")
@roles_required(*VIEWERS)
def index():
    today = local_day(_now())
    filters, problems = filters_from_request(today)
    dashboard = compute_dashboard(db.session, filters, now=_now(), organization_scope=_scope())
    charts = {
        table["id"]: chart_data(table)
        for section in dashboard.sections
        for table in section.tables
        if table.get("chart") and table["rows"]
    }
    organizations = _approved_organizations() if _is_manager() else []
    own = db.session.get(Organization, current_user.organization_id) if not _is_manager() else None
    return render_template(
        "monitoring/dashboard.html",
        dashboard=dashboard,
        filters=filters,
        filter_args=_filter_args(filters),
        problems=problems,
        charts=charts,
        groups=TARGET_GROUPS,
        granularities=GRANULARITIES,
        organizations=organizations,
        own_organization=own,
        questionnaire_tasks=_open_tasks(services.QUESTIONNAIRE_FORM_KEY),
        review_tasks=_open_tasks(services.REVIEW_FORM_KEY) if _is_manager() else [],
        is_manager=_is_manager(),
    )


@bp.route("/esporta/<table_id>.<fmt>")
@roles_required(*VIEWERS)
def export_table(table_id: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters, _problems = filters_from_request(local_day(_now()))
    dashboard = compute_dashboard(db.session, filters, now=_now(), organization_scope=_scope())
    context = _context_lines(dashboard.filters)
    stamp = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    if table_id == "tutte":
        if fmt != "xlsx":
            abort(404)
        body = exports.workbook(dashboard.tables().values(), context)
        return _download(body, exports.XLSX_MIMETYPE, f"tessere-monitoraggio-{stamp}.xlsx")
    table = dashboard.tables().get(table_id)
    if table is None:
        abort(404)
    if fmt == "csv":
        body = exports.table_csv(table, context)
        return _download(body, "text/csv; charset=utf-8", f"tessere-{table_id}-{stamp}.csv")
    return _download(exports.workbook([table], context), exports.XLSX_MIMETYPE, f"tessere-{table_id}-{stamp}.xlsx")


def _download(body: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------------- periods
@bp.route("/periodi")
@roles_required(*VIEWERS)
def period_list():
    periods = services.periods(db.session, published_only=not _is_manager())
    mine = services.organization_questionnaires(db.session, current_user.organization_id) if not _is_manager() else []
    return render_template(
        "monitoring/periods.html",
        periods=periods,
        label=services.display_label,
        questionnaires=mine,
        schedule=services.schedule(db.session) if _is_manager() else None,
        is_manager=_is_manager(),
        questionnaire_tasks=_open_tasks(services.QUESTIONNAIRE_FORM_KEY),
        review_tasks=_open_tasks(services.REVIEW_FORM_KEY) if _is_manager() else [],
    )


def _visible_period(period_id: int) -> MonitoringPeriod:
    period = db.session.get(MonitoringPeriod, period_id)
    if period is None or (not _is_manager() and period.status != "pubblicato"):
        abort(404)
    return period


@bp.route("/periodi/<int:period_id>")
@roles_required(*VIEWERS)
def period_report(period_id: int):
    period = _visible_period(period_id)
    data, archived = report.report_of(db.session, period, _now())
    return render_template(
        "monitoring/report.html",
        period=period,
        archived=archived,
        questionnaires_detail=services.questionnaires(db.session, period) if _is_manager() and not archived else [],
        **report.template_context(data),
    )


@bp.route("/periodi/<int:period_id>/rapporto.pdf")
@roles_required(*VIEWERS)
def period_pdf(period_id: int):
    period = _visible_period(period_id)
    data, archived = report.report_of(db.session, period, _now())
    if archived:
        if period.report_pdf is None and report.store_pdf(period, _now()):
            db.session.commit()
        body = period.report_pdf
    else:
        body = None
    if body is None:
        try:
            body = report.render_pdf(data)
        except (ImportError, OSError):
            current_app.logger.exception("PDF del rapporto non disponibile")
            abort(503)
    filename = report.pdf_filename(data) if archived else report.pdf_filename(data).replace(".pdf", "-bozza.pdf")
    return _download(body, "application/pdf", filename)


# ----------------------------------------------------------------------------------------------------- tasks
@bp.route("/attivita/<int:task_id>", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def task_page(task_id: int):
    """The questionnaire (organizations) and the review (manager), with what each needs to see beside the form."""
    engine = get_engine()
    try:
        task = visible_task(db.session, engine, current_user, task_id)
    except TaskNotFound:
        abort(404)
    if task.form_key not in TASK_FORM_KEYS:
        return redirect(url_for("tasks.task_page", task_id=task_id))
    if task.status != "open":
        flash(_("Questa attività è già stata completata."), "info")
        return redirect(url_for("monitoring.period_list"))
    data = engine.task_data(db.session, task)
    period = db.session.get(MonitoringPeriod, data.get("period_id"))
    if period is None:
        abort(404)
    status, errors = 200, []
    form = build_form(db.session, task, request.form if request.method == "POST" else None)
    if request.method == "POST":
        try:
            complete_task(
                db.session, engine, current_user, task_id, request.form, request.form.get("lock_version", type=int)
            )
        except FormInvalid:
            form.validate()
            status = 422
        except OperationRefused as exc:
            form.validate()
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                errors.append(exc.message)
            status = 422
        except TaskConflict as exc:
            flash(str(exc), "warning")
            return redirect(url_for("monitoring.period_list"))
        else:
            if task.form_key == services.REVIEW_FORM_KEY:
                flash(
                    _(
                        "Rapporto del periodo %(period)s pubblicato e archiviato.",
                        period=services.display_label(period),
                    ),
                    "success",
                )
                return redirect(url_for("monitoring.period_report", period_id=period.id))
            flash(_("Questionario inviato: grazie! Le risposte entreranno nel rapporto del periodo."), "success")
            return redirect(url_for("monitoring.period_list"))
    context = {}
    if task.form_key == services.QUESTIONNAIRE_FORM_KEY:
        own = compute_dashboard(
            db.session, Filters(period.start, period.end), now=_now(), organization_scope=current_user.organization_id
        )
        context["indicators"] = own.indicators
    else:
        context["draft"], _archived = report.report_of(db.session, period, _now())
        context["questionnaires"] = services.questionnaires(db.session, period)
    return render_template(
        "monitoring/task.html",
        task=task,
        form=form,
        period=period,
        period_label=services.display_label(period),
        errors=errors,
        lock_version=task.instance.lock_version,
        **context,
    ), status


# -------------------------------------------------------------------------------------------------- schedule
@bp.route("/programmazione", methods=["GET", "POST"])
@roles_required("manager")
def schedule_page():
    current = services.schedule(db.session)
    if request.method == "POST":
        form = ProgrammazioneForm(request.form)
        if form.validate():
            if current is None:
                current = schedule.ensure_schedule(db.session, _now())
            current.interval_months = form.interval_months.data
            current.next_period_start = form.next_period_start.data
            current.questionnaire_days = form.questionnaire_days.data
            current.active = form.active.data
            current.updated_at = _now()
            current.updated_by_id = current_user.id
            db.session.commit()
            flash(_("Programmazione del monitoraggio aggiornata."), "success")
            return redirect(url_for("monitoring.period_list"))
        status = 422
    else:
        today = local_day(_now())
        form = ProgrammazioneForm(
            data={
                "interval_months": current.interval_months if current else schedule.DEFAULT_INTERVAL_MONTHS,
                "next_period_start": current.next_period_start if current else schedule.current_period_start(today),
                "questionnaire_days": current.questionnaire_days if current else 30,
                "active": current.active if current else True,
            }
        )
        status = 200
    return render_template("monitoring/schedule.html", form=form, schedule=current), status


# -------------------------------------------------------------------------------------------- good practices
def _practice_form(formdata=None, **data) -> BuonaPraticaForm:
    form = BuonaPraticaForm(formdata, **data)
    form.organization_ids.choices = [(o.id, o.name) for o in _approved_organizations()]
    form.period_id.choices = [("", _("Nessun periodo in particolare"))] + [
        (p.id, services.display_label(p)) for p in services.periods(db.session)
    ]
    return form


@bp.route("/buone-pratiche")
@roles_required("manager")
def practice_list():
    return render_template(
        "monitoring/practices.html",
        practices=services.good_practices(db.session, published_only=False),
        group_labels={g.code: g.label for g in TARGET_GROUPS},
    )


@bp.route("/buone-pratiche/nuova", methods=["GET", "POST"])
@roles_required("manager")
def practice_new():
    return _practice_page(None)


@bp.route("/buone-pratiche/<int:practice_id>/modifica", methods=["GET", "POST"])
@roles_required("manager")
def practice_edit(practice_id: int):
    return _practice_page(practice_id)


def _practice_page(practice_id: int | None):
    practice = None
    if practice_id is not None:
        practice = services.good_practice(db.session, practice_id, published_only=False)
        if practice is None:
            abort(404)
    status = 200
    if request.method == "POST":
        form = _practice_form(request.form)
        if form.validate():
            try:
                saved = services.save_good_practice(db.session, form.data, current_user, _now(), practice)
                db.session.commit()
            except services.MonitoringError as exc:
                db.session.rollback()
                if exc.field and exc.field in form:
                    form[exc.field].errors = [*form[exc.field].errors, exc.message]
                else:
                    form.form_errors.append(exc.message)
            else:
                flash(_("Buona pratica «%(title)s» salvata.", title=saved.title), "success")
                return redirect(url_for("monitoring.practice_list"))
        status = 422
    elif practice is not None:
        form = _practice_form(
            data={
                "title": practice.title,
                "organization_ids": [o.id for o in practice.organizations],
                "target_groups": practice.target_groups,
                "description": practice.description,
                "results": practice.results,
                "period_id": practice.period_id,
                "published": practice.published,
            }
        )
    else:
        form = _practice_form()
    return render_template("monitoring/practice_form.html", form=form, practice=practice), status


def init_app(app) -> None:
    """Register the blueprint, and the monitoring tasks' own page for the worklist's generic task links."""
    app.register_blueprint(bp)
    pages = app.extensions.setdefault("tessere_task_pages", {})
    for form_key in TASK_FORM_KEYS:
        pages[form_key] = "monitoring.task_page"
