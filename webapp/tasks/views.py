"""'Le mie attività' and the page of one task with its form."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import OperationRefused, TaskConflict, TaskNotFound
from engine.service import as_utc
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.referrals.services import (
    case_for_instance,
    display_name,
    latest_referral_for_organization,
    task_context,
)
from webapp.tasks.services import FormInvalid, build_form, complete_task, visible_task
from webapp.workflow import get_engine

bp = Blueprint("tasks", __name__)

PER_PAGE = 25


@bp.route("/")
def home():
    return redirect(url_for("tasks.worklist") if current_user.is_authenticated else url_for("catalog.offer_list"))


@bp.route("/attivita")
@login_required
def worklist():
    page = max(request.args.get("pagina", 1, type=int), 1)
    tasks, total = get_engine().worklist(
        db.session, actor_for(current_user), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    rows = []
    now = datetime.now(UTC)
    for task in tasks:
        case = case_for_instance(db.session, task.instance_id)
        due = as_utc(task.due_at)
        rows.append(
            {
                "task": task,
                "case": case,
                "person": _person_label(case) if case is not None else _subject(task),
                "due": due,
                "overdue": due is not None and due < now,
            }
        )
    return render_template(
        "tasks/worklist.html", rows=rows, total=total, page=page, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1)
    )


def _subject(task) -> str | None:
    """What a task without a case is about (a signal, a citizen's request), as its process names it."""
    from webapp.workflow import process_pages

    pages = process_pages(task.process_key)
    return pages.subject(db.session, current_user, task) if pages is not None else None


def _person_label(case) -> str | None:
    """How a worklist row names the person: organizations see the referral they received, never the case."""
    if case is None:
        return None
    if current_user.role == "association":
        referral = latest_referral_for_organization(db.session, case, current_user.organization_id)
        return f"{case.beneficiary.first_name} · invio n. {referral.id}" if referral else None
    return f"{display_name(case, current_user)} · caso n. {case.id}"


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
        flash("Questa attività è già stata completata.", "info")
        return redirect(url_for("tasks.worklist"))
    status = 200
    general_errors: list[str] = []
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
            flash(f"«{task.title}» completata.", "success")
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
        form = build_form(db.session, task, None, need=request.args.get("bisogno") or None)
    context = task_context(db.session, current_user, task)
    db.session.commit()  # the access log entry
    return render_template(
        "tasks/task.html",
        task=task,
        form=form,
        context=context,
        general_errors=general_errors,
        lock_version=task.instance.lock_version,
        need_filter=request.args.get("bisogno", ""),
    ), status
