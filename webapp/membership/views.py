"""Pages of Fase 1: the public call and scheda (no login, guarded against bots by `antispam`), the applicant's
link and «ho perso il link», the invitation, the managers' list and review of applications, and the elenco's
open data (its page moved to the catalogue: see `elenco_page`).

Thin: parse the request, call `services`, render. Pages reached through a secret link are never cached and send
no Referer, so the link does not leak to other sites.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from engine import OperationRefused, TaskConflict, TaskNotFound
from engine.models import HumanTask
from forms.membership import ALBO_COOP_SECTIONS, AREA_SCOPES, MAX_SITES, RUNTS_SECTIONS, SECTORS, ImpostaPasswordForm
from forms.vocabulary import NEED_LABELS, ORGANIZATION_TYPES, TARGET_GROUPS
from webapp.access import roles_required
from webapp.extensions import db
from webapp.membership import antispam, elenco, services
from webapp.membership.forms import LinkPersoForm
from webapp.membership.models import STATUS_LABELS, MembershipApplication
from webapp.security import limits
from webapp.tasks.services import FormInvalid, build_form, complete_task
from webapp.workflow import get_engine

bp = Blueprint("membership", __name__)

PER_PAGE = 50


@bp.after_request
def _private_links(response: Response) -> Response:
    if request.endpoint in ("membership.application_by_link", "membership.receipt", "membership.accept_invitation"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ the public call
@bp.route("/aderisci")
def call_page():
    return render_template("membership/call.html")


@bp.route("/aderisci/scheda", methods=["GET", "POST"])
@limits.limiter.limit(antispam.SUBMISSION_LIMIT, methods=["POST"], exempt_when=antispam.is_not_a_new_submission)
def new_application():
    if request.method == "GET":
        return _render_scheda(services.scheda_form(), None)
    if request.form.get("azione", "salva") in ("salva", "invia") and antispam.looks_automated(request.form):
        return _render_scheda(services.scheda_form(request.form), None, status=422, refused=True)
    return _handle_scheda_post(None)


@bp.route("/aderisci/domanda/<token>", methods=["GET", "POST"])
@limits.limiter.limit(antispam.SUBMISSION_LIMIT, methods=["POST"], exempt_when=antispam.is_not_a_resubmission)
def application_by_link(token: str):
    application = services.application_for_token(db.session, token)
    if application is None:
        return _invalid_link()
    if application.status not in services.EDITABLE_STATUSES:
        if request.method == "POST":
            flash(_("La domanda è già stata inviata: ora non si può modificare."), "warning")
        return render_template("membership/status.html", application=application, token=token, **_scheda_labels())
    if request.method == "GET":
        return _render_scheda(services.scheda_form(services.formdata_of(application)), application, token)
    if antispam.looks_automated(request.form, check_time=False):  # the link itself shows the mailbox was read
        return _render_scheda(services.scheda_form(request.form), application, token, status=422, refused=True)
    return _handle_scheda_post(application, token)


@bp.route("/aderisci/link-perso", methods=["GET", "POST"])
@limits.limiter.limit(limits.ACCOUNT_LIMIT, key_func=limits.account_key, methods=["POST"])
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def lost_link():
    """Send again the link of a draft or of an application to amend; the answer never says whether one exists."""
    form = LinkPersoForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate():
            return render_template("membership/lost_link.html", form=form, sent_to=None), 422
        services.resend_links(db.session, form.email.data)
        db.session.commit()
        return render_template("membership/lost_link.html", form=LinkPersoForm(), sent_to=form.email.data.strip())
    return render_template("membership/lost_link.html", form=form, sent_to=None)


@bp.route("/aderisci/domanda/<token>/ricevuta")
def receipt(token: str):
    application = services.application_for_token(db.session, token)
    if application is None or application.protocol_number is None:
        return _invalid_link()
    return render_template("membership/receipt.html", application=application, token=token, **_scheda_labels())


def _invalid_link():
    return render_template(
        "error.html",
        title=_("Link non valido"),
        message=_(
            "Il link non corrisponde a nessuna domanda di adesione: controlla di averlo copiato per intero "
            "dall'e-mail ricevuta."
        ),
    ), 404


def _handle_scheda_post(application: MembershipApplication | None, token: str | None = None):
    action = request.form.get("azione", "salva")
    if action == "aggiungi_sede":
        form = services.scheda_form(request.form)
        if len(form.sites.entries) < MAX_SITES:
            form.sites.append_entry()
        return _render_scheda(form, application, token)
    if action.startswith("rimuovi_sede-"):
        index = action.removeprefix("rimuovi_sede-")
        formdata = services.without_site(request.form, int(index)) if index.isdigit() else request.form
        return _render_scheda(services.scheda_form(formdata), application, token)
    if action == "invia":
        try:
            submitted = services.submit_application(db.session, get_engine(), request.form, application)
        except services.SchedaInvalid as exc:
            return _render_scheda(exc.form, application, token, status=422)
        except (services.NotEditable, TaskConflict) as exc:
            flash(str(exc) or _("La domanda non si può più modificare."), "warning")
            return redirect(request.url)
        flash(_("Domanda inviata. Conserva la ricevuta con il numero di protocollo."), "success")
        return redirect(url_for("membership.receipt", token=services.access_token(submitted)))
    try:
        saved, created = services.save_draft(db.session, request.form, application)
        db.session.commit()
    except services.SchedaInvalid as exc:
        db.session.rollback()
        return _render_scheda(exc.form, application, token, status=422, message=exc.message)
    except services.NotEditable:
        db.session.rollback()
        flash(_("La domanda è già stata inviata: ora non si può modificare."), "warning")
        return redirect(request.url)
    if created:
        flash(
            _(
                "Bozza salvata. Ti abbiamo inviato per e-mail il link per riprendere la compilazione: "
                "puoi anche salvare questa pagina tra i preferiti."
            ),
            "success",
        )
    else:
        flash(_("Bozza salvata."), "success")
    return redirect(url_for("membership.application_by_link", token=services.access_token(saved)))


def _render_scheda(form, application, token=None, status=200, message=None, refused=False):
    due = None
    if application is not None and application.status == "changes_requested":
        task = services.applicant_task(db.session, application)
        due = task.due_at if task is not None else None
    return render_template(
        "membership/scheda.html",
        form=form,
        application=application,
        token=token,
        link=(
            url_for("membership.application_by_link", token=services.access_token(application), _external=True)
            if application is not None
            else None
        ),
        message=str(antispam.REFUSED_MESSAGE) if refused else message,
        due=due,
        honeypot_field=antispam.HONEYPOT_FIELD,
        started_field=antispam.STARTED_FIELD,
        started=antispam.started_token(request.form if request.method == "POST" else None),
        max_sites=MAX_SITES,
        need_groups=_need_groups(),
    ), status


def _need_groups() -> list[tuple[str, list[str]]]:
    """The needs' checkboxes grouped under their target group (for `render_grouped_choices`)."""
    return [(group.label, [code for code, _label in group.needs]) for group in TARGET_GROUPS]


def _scheda_labels() -> dict:
    return {
        "labels": {
            "type": dict(ORGANIZATION_TYPES),
            "sector": dict(SECTORS),
            "group": {g.code: g.label for g in TARGET_GROUPS},
            "need": NEED_LABELS,
            "area": dict(AREA_SCOPES),
            "runts": dict(RUNTS_SECTIONS),
            "albo": dict(ALBO_COOP_SECTIONS),
            "status": STATUS_LABELS,
            "event": services.EVENT_LABELS,
        }
    }


# ------------------------------------------------------------------ the first operator's invitation
@bp.route("/aderisci/invito/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.invitation_for_token(db.session, token)
    if invitation is None:
        return render_template(
            "error.html",
            title=_("Invito non valido"),
            message=_(
                "Il link di invito non è più valido: è già stato usato o è scaduto. Chiedi all'Ufficio di "
                "piano di inviarne uno nuovo."
            ),
        ), 404
    form = ImpostaPasswordForm(request.form if request.method == "POST" else None, name=invitation.name)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = services.accept_invitation(db.session, token, form)
            except services.InvitationProblem as exc:
                target = form[exc.field] if exc.field else None
                if target is not None:
                    target.errors = [*target.errors, str(exc)]
                else:
                    form.form_errors.append(str(exc))
                status = 422
            else:
                login_user(user)
                flash(
                    _(
                        "Benvenuta/o in Tessere, %(name)s: l'accesso per %(organization)s è pronto.",
                        name=user.name,
                        organization=invitation.organization.name,
                    ),
                    "success",
                )
                return redirect(url_for("tasks.worklist"))
        else:
            status = 422
    return render_template("membership/invitation.html", form=form, invitation=invitation), status


# ------------------------------------------------------------------ the Ufficio di piano
@bp.route("/adesioni")
@roles_required("manager")
def application_list():
    page = max(request.args.get("pagina", 1, type=int), 1)
    status = request.args.get("stato") or None
    if status not in STATUS_LABELS:
        status = None
    applications, total = services.list_applications(
        db.session, status=status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    return render_template(
        "membership/application_list.html",
        applications=applications,
        total=total,
        status=status,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        statuses={k: v for k, v in STATUS_LABELS.items() if k != "draft"},
    )


@bp.route("/adesioni/<int:application_id>", methods=["GET", "POST"])
@roles_required("manager")
def application_detail(application_id: int):
    application = db.session.get(MembershipApplication, application_id)
    if application is None or application.status == "draft":
        abort(404)
    engine = get_engine()
    task = services.review_task(db.session, engine, current_user, application)
    form = build_form(db.session, task, None) if task is not None else None
    status, general_errors = 200, []
    if request.method == "POST":
        if task is None or request.form.get("task_id", type=int) != task.id:
            flash(_("L'esame di questa domanda non è più aperto: la pagina è stata aggiornata."), "warning")
            return redirect(url_for("membership.application_detail", application_id=application_id))
        try:
            complete_task(
                db.session,
                engine,
                current_user,
                task.id,
                request.form,
                expected_lock_version=request.form.get("lock_version", type=int),
            )
        except FormInvalid:
            form = build_form(db.session, task, request.form)
            form.validate()
            status = 422
        except OperationRefused as exc:
            form = build_form(db.session, task, request.form)
            form.validate()
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                general_errors.append(exc.message)
            status = 422
        except (TaskConflict, TaskNotFound) as exc:
            flash(str(exc), "warning")
            return redirect(url_for("membership.application_detail", application_id=application_id))
        else:
            db.session.refresh(application)
            flash(_("Esame registrato: la domanda ora è «%(status)s».", status=application.status_label), "success")
            return redirect(url_for("membership.application_detail", application_id=application_id))
    asked = services.change_requests(application)
    invitation = services.latest_invitation(db.session, application)
    return render_template(
        "membership/application_detail.html",
        application=application,
        task=task,
        form=form,
        general_errors=general_errors,
        lock_version=task.instance.lock_version if task is not None else None,
        applicant_task=services.applicant_task(db.session, application),
        change_requests=asked,
        max_change_requests=services.MAX_CHANGE_REQUESTS,
        invitation=invitation,
        invitation_state=services.invitation_state(invitation) if invitation is not None else None,
        **_scheda_labels(),
    ), status


@bp.route("/adesioni/attivita/<int:task_id>")
@roles_required("manager")
def review_by_task(task_id: int):
    """From a review task of the worklist to the page of its application (where the whole scheda is shown)."""
    task = db.session.get(HumanTask, task_id)
    application = (
        db.session.scalar(select(MembershipApplication).where(MembershipApplication.instance_id == task.instance_id))
        if task is not None
        else None
    )
    if application is None:
        abort(404)
    return redirect(url_for("membership.application_detail", application_id=application.id))


@bp.route("/adesioni/<int:application_id>/invito", methods=["POST"])
@roles_required("manager")
def reissue_invitation(application_id: int):
    application = db.session.get(MembershipApplication, application_id)
    if application is None or application.status == "draft":
        abort(404)
    try:
        invitation = services.reissue_invitation(db.session, current_user, application)
        db.session.commit()
    except services.InvitationProblem as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        if invitation is None:
            flash(_("Invito non inviato: l'e-mail del referente ha già un account."), "warning")
        else:
            flash(
                _("Nuovo invito inviato a %(email)s; i link precedenti non valgono più.", email=invitation.email),
                "success",
            )
    return redirect(url_for("membership.application_detail", application_id=application_id))


# ------------------------------------------------------------------ the elenco and its open data
@bp.route("/elenco")
def elenco_page():
    """The old address of the elenco's page: moved for good (301) to the catalogue's list of organizations.

    There was one set of organizations (the approved ones) shown by two pages, this one and
    `catalog.organization_list`, with different fields and wording, which would drift apart. The catalogue's list
    is the one kept: it is where citizens and social workers already are, it links each organization to its page
    with its offers and its signature of the patto di rete, and it works on a phone. What only the elenco had, the
    open data, stays here at its stable addresses (`/elenco.csv`, `/elenco.json`, the fields of
    `membership.elenco`), and the catalogue's list links to it. A permanent redirect keeps old links and bookmarks
    working and tells search engines to index the catalogue's page only.
    """
    return redirect(url_for("catalog.organization_list"), code=301)


@bp.route("/elenco.json")
def elenco_json():
    return jsonify(elenco.elenco_json(elenco.elenco_entries(db.session), datetime.now(UTC)))


@bp.route("/elenco.csv")
def elenco_csv():
    return Response(
        elenco.elenco_csv(elenco.elenco_entries(db.session)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="elenco-rete-tessere.csv"'},
    )
