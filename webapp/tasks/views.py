"""'Le mie attività' and the page of one task with its form."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import OperationRefused, TaskConflict, TaskNotFound
from webapp.auth.services import actor_for
from webapp.drafts import web as drafts
from webapp.extensions import db
from webapp.i18n.process_text import process_text
from webapp.referrals.services import case_for_instance, task_context
from webapp.tasks.page_rows import page_rows, process_options, process_translator
from webapp.tasks.services import (
    FormInvalid,
    build_form,
    claim_state,
    claim_task,
    complete_task,
    release_task,
    visible_task,
)
from webapp.tasks.worklist import (
    PAGE_PARAMS,
    PAGE_SORTS,
    PAGE_STATES,
    STATE_LABELS,
    WorklistArgsInvalid,
    WorklistFilters,
    load_worklist,
    organization_options,
    parse_filters,
    target_group_options,
)
from webapp.workflow import get_engine

bp = Blueprint("tasks", __name__)

PER_PAGE = 25


@bp.route("/")
def home():
    return redirect(url_for("tasks.worklist") if current_user.is_authenticated else url_for("catalog.offer_list"))


@bp.route("/attivita")
@login_required
def worklist():
    page = min(max(request.args.get("pagina", 1, type=int) or 1, 1), 1_000_000)
    user = current_user._get_current_object()  # the object, not the proxy: read once per row below
    try:
        filters = parse_filters(request.args, user)
        filter_error = None
    except WorklistArgsInvalid as exc:
        filters, filter_error = WorklistFilters(), str(exc)
    result = load_worklist(db.session, get_engine(), user, filters, page=page, per_page=PER_PAGE)
    text = process_translator()
    return render_template(
        "tasks/worklist.html",
        result=result,
        rows=page_rows(result.rows, text),
        process_options=process_options(result.process_names, text),
        total=result.total,
        page=page,
        pages=result.pages,
        filters=filters,
        filter_error=filter_error,
        args=_kept_args(request.args),
        organizations=organization_options(db.session, user),
        target_groups=target_group_options(user),
        states=STATE_LABELS,
        page_states={v: k for k, v in PAGE_STATES.items()},
        page_sorts={v: k for k, v in PAGE_SORTS.items()},
    ), (400 if filter_error else 200)


def _kept_args(args) -> dict[str, str]:
    """The filters in the URL, kept by the pagination and the sortable headers (never the page number)."""
    return {name: args[name] for name in PAGE_PARAMS.values() if args.get(name)}


@bp.post("/attivita/<int:task_id>/prendi-in-carico")
@login_required
def claim(task_id: int):
    try:
        task = claim_task(db.session, get_engine(), current_user, task_id, take_over=request.form.get("rileva") == "1")
    except TaskNotFound:
        abort(404)
    except TaskConflict as exc:
        flash(str(exc), "warning")
    else:
        flash(
            _("Hai preso in carico «%(title)s»: ora solo tu puoi completarla.", title=process_text(task.title)),
            "success",
        )
    return redirect(_back_to(task_id))


@bp.post("/attivita/<int:task_id>/rilascia")
@login_required
def release(task_id: int):
    try:
        task = release_task(db.session, get_engine(), current_user, task_id)
    except TaskNotFound:
        abort(404)
    except TaskConflict as exc:
        flash(str(exc), "warning")
    else:
        flash(
            _("Hai rilasciato «%(title)s»: torna disponibile per tutto il gruppo.", title=process_text(task.title)),
            "success",
        )
    return redirect(_back_to(task_id))


def _back_to(task_id: int) -> str:
    """Back where the button was: the worklist (with its filters) or the task's page."""
    target = request.form.get("torna", "")
    if target.startswith("/attivita") and not target.startswith("//"):
        return target
    return url_for("tasks.task_page", task_id=task_id)


@bp.route("/attivita/<int:task_id>", methods=["GET", "POST"])
@login_required
def task_page(task_id: int):
    engine = get_engine()
    try:
        task = visible_task(db.session, engine, current_user, task_id)
    except TaskNotFound:
        abort(404)
    dedicated = current_app.extensions.get("tessere_task_pages", {}).get(task.form_key or "")
    if dedicated and request.method == "GET":  # a capability shows this task on its own page (monitoring)
        return redirect(url_for(dedicated, task_id=task_id))
    if task.status != "open":
        flash(_("Questa attività è già stata completata."), "info")
        return redirect(url_for("tasks.worklist"))
    status = 200
    general_errors: list[str] = []
    draft_key, draft = f"task:{task_id}", None
    if request.method == "POST" and (saved := drafts.draft_response(draft_key)) is not None:
        return saved
    if request.method == "POST":
        try:
            instance = complete_task(
                db.session,
                engine,
                current_user,
                task_id,
                request.form,
                expected_lock_version=request.form.get("lock_version", type=int),
            )
        except FormInvalid:
            form = build_form(db.session, task, request.form)
            form.validate()
            status = 422
        except OperationRefused as exc:
            task = visible_task(db.session, engine, current_user, task_id)
            form = build_form(db.session, task, request.form)
            form.validate()
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                general_errors.append(exc.message)
            status = 422
        except TaskConflict as exc:
            flash(str(exc), "warning")
            return redirect(url_for("tasks.worklist"))
        else:
            drafts.forget(draft_key)
            flash(_("«%(title)s» completata.", title=process_text(task.title)), "success")
            actor = actor_for(current_user)
            next_task = next(
                (t for t in engine.open_tasks(db.session, instance.id) if engine.may_complete(t, actor)), None
            )
            if next_task is None:  # e.g. a signal taken in charge: straight on to the new case's intake
                from webapp.workflow import process_pages

                pages = process_pages(instance.process_key)
                follow_up = pages.follow_up(db.session, instance) if pages is not None else None
                if follow_up is not None:
                    next_task = next(
                        (t for t in engine.open_tasks(db.session, follow_up) if engine.may_complete(t, actor)), None
                    )
            if next_task is not None:  # the same person goes on with the next step of the case
                return redirect(url_for("tasks.task_page", task_id=next_task.id))
            case = case_for_instance(db.session, instance.id)
            if case is not None and current_user.role != "association":
                return redirect(url_for("referrals.case_detail", case_id=case.id))
            return redirect(url_for("tasks.worklist"))
    else:
        formdata, draft = drafts.restored(draft_key)
        form = build_form(db.session, task, formdata, need=request.args.get("bisogno") or None)
    context = task_context(db.session, current_user, task)
    claim_info = claim_state(db.session, engine, current_user, task)
    db.session.commit()  # the access log entry
    return render_template(
        "tasks/task.html",
        task=task,
        claim=claim_info,
        form=form,
        context=context,
        general_errors=general_errors,
        lock_version=task.instance.lock_version,
        need_filter=request.args.get("bisogno", ""),
        draft=draft,
        drafts_enabled=True,
    ), status
