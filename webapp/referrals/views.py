"""Case pages: list, new presa in carico, one case with its timeline; referrals received by an organization."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import OperationRefused
from engine.models import ProcessInstance
from forms.referral import PresaInCaricoForm
from webapp.access import roles_required
from webapp.extensions import db
from webapp.referrals import services
from webapp.tasks.services import FormInvalid, start_with_first_task
from webapp.timeline import timeline_for_instance
from webapp.workflow import get_engine

bp = Blueprint("referrals", __name__)


@bp.route("/casi")
@login_required
def case_list():
    page = max(request.args.get("pagina", 1, type=int), 1)
    if current_user.role == "association":
        referrals, total = services.list_received_referrals(db.session, current_user, limit=50, offset=(page - 1) * 50)
        return render_template(
            "referrals/received.html", referrals=referrals, total=total, labels=services.REFERRAL_STATUS_LABELS
        )
    if current_user.role not in ("social_worker", "manager", "health_service"):
        abort(404)
    status = request.args.get("stato")
    cases, total = services.list_cases(db.session, current_user, status=status, limit=50, offset=(page - 1) * 50)
    rows = [(case, services.display_name(case, current_user)) for case in cases]
    return render_template(
        "referrals/case_list.html", rows=rows, total=total, status=status, labels=services.CASE_STATUS_LABELS
    )


@bp.route("/casi/nuovo", methods=["GET", "POST"])
@roles_required("social_worker", "health_service")
def new_case():
    """The intake form; the case and its process exist only once the form is valid (no empty cases)."""
    engine = get_engine()
    status = 200
    general_errors: list[str] = []
    if request.method == "POST":
        try:
            instance = start_with_first_task(db.session, engine, current_user, "percorso_beneficiario", request.form)
        except FormInvalid:
            status = 422
        except OperationRefused as exc:
            general_errors.append(exc.message)
            status = 422
        else:
            flash("Presa in carico registrata.", "success")
            actor = _actor()
            next_task = next(
                (t for t in engine.open_tasks(db.session, instance.id) if engine.may_complete(t, actor)), None
            )
            if next_task is not None:
                return redirect(url_for("tasks.task_page", task_id=next_task.id))
            return redirect(url_for("tasks.worklist"))
    form = PresaInCaricoForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        form.validate()
    intake = SimpleNamespace(title="Nuova presa in carico", form_key="presa_in_carico", due_at=None)
    return render_template(
        "tasks/task.html",
        task=intake,
        form=form,
        context={},
        general_errors=general_errors,
        lock_version="",
        need_filter="",
    ), status


@bp.route("/casi/<int:case_id>")
@login_required
def case_detail(case_id: int):
    case = services.case_for_user(db.session, current_user, case_id)
    if case is None:
        abort(404)
    services.log_access(db.session, current_user, case, "case:view")
    db.session.commit()
    instance = db.session.get(ProcessInstance, case.instance_id)
    engine = get_engine()
    open_tasks = engine.open_tasks(db.session, instance.id)
    return render_template(
        "referrals/case_detail.html",
        case=case,
        view=services.case_view(case),
        instance=instance,
        open_tasks=open_tasks,
        my_task_ids={t.id for t in open_tasks if engine.may_complete(t, _actor())},
        assignees=services.task_assignees(db.session, open_tasks),
        timeline=timeline_for_instance(db.session, engine, instance.id),
        labels=services.LABELS,
    )


@bp.route("/invii/<int:referral_id>")
@roles_required("association")
def referral_detail(referral_id: int):
    referral = services.referral_for_organization(db.session, current_user, referral_id)
    if referral is None:
        abort(404)
    services.log_access(db.session, current_user, referral.case, "referral:view")
    db.session.commit()
    engine = get_engine()
    my_tasks = [t for t in engine.open_tasks(db.session, referral.case.instance_id) if engine.may_complete(t, _actor())]
    return render_template(
        "referrals/referral_detail.html",
        referral=referral,
        view=services.referral_view(referral),
        my_tasks=my_tasks,
        labels=services.LABELS,
    )


def _actor():
    from webapp.auth.services import actor_for

    return actor_for(current_user)
