"""Pages of the patto di rete: read it, sign it or withdraw the signature (organizations), publish a new version
and follow the signatures (managers). Thin: the rules are in `services`, the publication is a task of `fase2_patto`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import OperationRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask
from forms.pact import FirmaPattoForm, PubblicazionePattoForm, RitiroFirmaForm, earliest_end
from webapp.access import roles_required
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.pact import services
from webapp.tasks.services import FormInvalid, complete_task, start_process, visible_task
from webapp.workflow import get_engine

bp = Blueprint("pact", __name__, url_prefix="/patto")

PROCESS_KEY = "fase2_patto"
FORM_KEY = "pubblicazione_patto"


def _now() -> datetime:
    return datetime.now(UTC)


def paragraphs(text: str) -> list[list[str]]:
    """The pact's text as paragraphs of lines (blank lines separate paragraphs), for plain HTML rendering."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [block.splitlines() for block in blocks if block]


@bp.route("")
@login_required
def index():
    return _render_index()


def sign_form(number: int, formdata=None) -> FirmaPattoForm:
    """One signature form per version on the page: the prefix keeps their fields apart."""
    return FirmaPattoForm(formdata, prefix=f"firma{number}")


def withdraw_form(number: int, formdata=None) -> RitiroFirmaForm:
    return RitiroFirmaForm(formdata, prefix=f"ritiro{number}")


def _render_index(bound=None, status: int = 200, errors: list[str] | None = None):
    """The pact page; `bound` is a form just submitted with errors, shown in place of the empty one."""
    now = _now()
    day = services.local_day(now)
    in_force = services.pact_in_force(db.session, day)
    upcoming = services.upcoming_pact(db.session, day)
    shown = in_force or upcoming or services.latest_pact(db.session)
    organization_id = current_user.organization_id if current_user.role == "association" else None
    my_status = services.status_for_organization(db.session, organization_id, now) if organization_id else []
    forms = {}
    for item in my_status:
        number = item.version.version
        forms[number] = {"sign": sign_form(number), "withdraw": withdraw_form(number)}
    if bound is not None:
        kind, number, form = bound
        forms.setdefault(number, {})[kind] = form
    context = {
        "in_force": in_force,
        "upcoming": upcoming,
        "shown": shown,
        "paragraphs": paragraphs(shown.text) if shown else [],
        "signatures": services.active_signatures(db.session, shown) if shown else [],
        "my_status": my_status,
        "my_history": services.organization_signatures(db.session, organization_id) if organization_id else [],
        "forms": forms,
        "general_errors": errors or [],
        "is_manager": current_user.role == "manager",
        "today": day,
    }
    if current_user.role == "manager":
        context.update(
            versions=services.all_versions(db.session),
            history=services.signature_history(db.session, shown) if shown else [],
            missing=services.members_without_signature(db.session, shown) if shown else [],
            draft=_open_publication_task(),
        )
    return render_template("pact/index.html", **context), status


@bp.route("/versioni/<int:number>")
@login_required
def version_detail(number: int):
    version = services.version_by_number(db.session, number)
    if version is None:
        abort(404)
    return render_template(
        "pact/version.html",
        version=version,
        paragraphs=paragraphs(version.text),
        signatures=services.active_signatures(db.session, version),
        history=services.signature_history(db.session, version) if current_user.role == "manager" else [],
        is_manager=current_user.role == "manager",
    )


@bp.route("/firma/<int:number>", methods=["POST"])
@roles_required("association")
def sign(number: int):
    form = sign_form(number, request.form)
    version = services.version_by_number(db.session, number)
    if version is None:
        abort(404)
    if not form.validate():
        return _render_index(("sign", number, form), status=422)
    try:
        services.sign_pact(db.session, current_user, version.id, form.signer_role.data, _now())
        db.session.commit()
    except services.PactError as exc:
        db.session.rollback()
        return _render_index(("sign", number, form), status=409, errors=[exc.message])
    flash(
        _(
            "Firma registrata: la vostra organizzazione ha sottoscritto il patto di rete (versione %(number)s).",
            number=number,
        ),
        "success",
    )
    return redirect(url_for("pact.index"))


@bp.route("/ritiro/<int:number>", methods=["POST"])
@roles_required("association")
def withdraw(number: int):
    form = withdraw_form(number, request.form)
    version = services.version_by_number(db.session, number)
    if version is None:
        abort(404)
    if not form.validate():
        return _render_index(("withdraw", number, form), status=422)
    try:
        _signature, deactivated = services.withdraw_signature(
            db.session, current_user, version.id, form.reason.data, _now()
        )
        db.session.commit()
    except services.PactError as exc:
        db.session.rollback()
        return _render_index(("withdraw", number, form), status=409, errors=[exc.message])
    message = _("La firma del patto (versione %(number)s) è stata ritirata.", number=number)
    if deactivated:
        message += " " + ngettext(
            "%(num)d offerta è uscita dal catalogo.", "%(num)d offerte sono uscite dal catalogo.", deactivated
        )
    flash(message, "info")
    return redirect(url_for("pact.index"))


# ----------------------------------------------------------------------------------------------- managers
def _open_publication_task() -> HumanTask | None:
    """A publication the manager started and has not finished (it is resumed instead of starting another)."""
    engine = get_engine()
    actor = actor_for(current_user)
    for task in db.session.scalars(
        select(HumanTask)
        .where(HumanTask.form_key == FORM_KEY, HumanTask.status == "open")
        .order_by(HumanTask.id.desc())
    ):
        if engine.may_complete(task, actor):
            return task
    return None


@bp.route("/nuova-versione", methods=["POST"])
@roles_required("manager")
def new_version():
    task = _open_publication_task()
    if task is None:
        engine = get_engine()
        instance = start_process(db.session, engine, current_user, PROCESS_KEY, {})
        task = next((t for t in engine.open_tasks(db.session, instance.id) if t.form_key == FORM_KEY), None)
        if task is None:
            abort(404)
        flash(_("Nuova versione del patto avviata: scrivi il testo e le date di validità, poi pubblicala."), "success")
    return redirect(url_for("pact.publish", task_id=task.id))


def _defaults() -> dict:
    """Start from the last version: same title and text, in force right after it (or from today)."""
    today = services.local_day(_now())
    latest = services.latest_pact(db.session)
    if latest is None:
        return {"valid_from": today, "valid_until": earliest_end(today)}
    start = max(latest.valid_until + timedelta(days=1), today)
    return {"title": latest.title, "text": latest.text, "valid_from": start, "valid_until": earliest_end(start)}


@bp.route("/pubblicazione/<int:task_id>", methods=["GET", "POST"])
@roles_required("manager")
def publish(task_id: int):
    engine = get_engine()
    try:
        task = visible_task(db.session, engine, current_user, task_id)
    except TaskNotFound:
        abort(404)
    if task.form_key != FORM_KEY:
        abort(404)
    if task.status != "open":
        flash(_("Questa pubblicazione è già stata completata."), "info")
        return redirect(url_for("pact.index"))
    status = 200
    if request.method == "POST":
        form = PubblicazionePattoForm(request.form)
        try:
            complete_task(db.session, engine, current_user, task_id, request.form)
        except FormInvalid:
            form.validate()
            status = 422
        except OperationRefused as exc:
            form.validate()
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                form.form_errors.append(exc.message)
            status = 422
        except TaskConflict as exc:
            flash(str(exc), "warning")
            return redirect(url_for("pact.index"))
        else:
            version = services.latest_pact(db.session)
            flash(
                _(
                    "Patto di rete pubblicato (versione %(number)s): le organizzazioni sono state avvisate.",
                    number=version.version,
                ),
                "success",
            )
            return redirect(url_for("pact.index"))
    else:
        form = PubblicazionePattoForm(data=_defaults())
    return render_template("pact/publish.html", form=form, task=task, latest=services.latest_pact(db.session)), status
