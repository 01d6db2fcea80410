"""Pages of the richiesta del cittadino: the public request from an offer's page and its confirmation link (no
login); the requests an organization received (and, when the citizen asked for it, the social service).

Thin: parse the request, call `services`, render. The citizen's link page is never cached and sends no Referer, so
the link does not leak. The organization answers on the generic task page (webapp.tasks), which shows the request
beside the form.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import TaskConflict
from webapp.access import roles_required
from webapp.auth.services import actor_for
from webapp.citizen import services
from webapp.citizen.models import ACCEPTED, STATUS_LABELS
from webapp.extensions import db
from webapp.workflow import get_engine

bp = Blueprint("citizen", __name__)

PER_PAGE = 50
PRIVATE_ENDPOINTS = ("citizen.request_by_link",)


@bp.after_request
def _private_links(response: Response) -> Response:
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _offer_or_404(offer_id: int):
    offer = services.public_offer(db.session, offer_id)
    if offer is None:
        abort(404)
    return offer


# ------------------------------------------------------------------ the citizen (no login)
@bp.route("/catalogo/offerte/<int:offer_id>/partecipa", methods=["GET", "POST"])
def request_form(offer_id: int):
    offer = _offer_or_404(offer_id)
    form = services.request_form(request.form if request.method == "POST" else None)
    message = None
    status = 200
    if request.method == "POST":
        try:
            services.submit_request(db.session, offer, request.form, request.remote_addr)
            db.session.commit()
        except services.RequestInvalid as exc:
            db.session.rollback()
            form, message = exc.form, exc.message
            status = 429 if message and not form.errors else 422
        else:
            return redirect(url_for("citizen.request_sent", offer_id=offer.id))
    return render_template("citizen/request_form.html", offer=offer, form=form, message=message), status


@bp.route("/catalogo/offerte/<int:offer_id>/partecipa/inviata")
def request_sent(offer_id: int):
    return render_template("citizen/request_sent.html", offer=_offer_or_404(offer_id))


def _invalid_link(message: str | None = None, status: int = 404):
    return render_template(
        "error.html",
        title=_("Link non valido"),
        message=message
        or _(
            "Il link non corrisponde a nessuna richiesta: controlla di averlo copiato per intero dall'e-mail ricevuta."
        ),
    ), status


@bp.route("/partecipa/<token>", methods=["GET", "POST"])
def request_by_link(token: str):
    citizen_request = services.request_for_token(db.session, token)
    if citizen_request is None:
        return _invalid_link()
    if request.method == "POST":
        was_unconfirmed = citizen_request.status == services.UNCONFIRMED
        try:
            citizen_request = services.confirm_request(db.session, get_engine(), token)
        except services.LinkProblem as exc:
            return _invalid_link(str(exc), 410)
        except TaskConflict:
            flash(_("La richiesta è stata confermata in un'altra finestra."), "info")
        else:
            if was_unconfirmed:
                flash(
                    _(
                        "Richiesta confermata: l'abbiamo inviata a %(organization)s, che ti risponderà per e-mail.",
                        organization=citizen_request.organization.name,
                    ),
                    "success",
                )
        return redirect(url_for("citizen.request_by_link", token=token))
    return render_template(
        "citizen/request_status.html",
        citizen_request=citizen_request,
        token=token,
        expired=services.link_expired(citizen_request),
        view=services.request_view(citizen_request),
    )


# ------------------------------------------------------------------ organizations and the social service
@bp.route("/richieste")
@roles_required("association", "social_worker", "manager")
def request_list():
    page = max(request.args.get("pagina", 1, type=int), 1)
    status = request.args.get("stato") or None
    status = status if status in STATUS_LABELS and status != services.UNCONFIRMED else None
    requests, total = services.list_requests(
        db.session, current_user, status=status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    return render_template(
        "citizen/list.html",
        requests=requests,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        status=status,
        status_labels={k: v for k, v in STATUS_LABELS.items() if k != services.UNCONFIRMED},
    )


@bp.route("/richieste/<int:request_id>")
@roles_required("association", "social_worker", "manager")
def request_detail(request_id: int):
    citizen_request = services.request_for_user(db.session, current_user, request_id)
    if citizen_request is None:
        abort(404)
    services.log_request_access(db.session, current_user, citizen_request, "citizen_request:view")
    db.session.commit()
    engine = get_engine()
    actor = actor_for(current_user)
    open_tasks = engine.open_tasks(db.session, citizen_request.instance_id) if citizen_request.instance_id else []
    return render_template(
        "citizen/detail.html",
        citizen_request=citizen_request,
        view=services.request_view(citizen_request, current_user),
        my_tasks=[t for t in open_tasks if engine.may_complete(t, actor)],
        may_conclude=current_user.role == "association"
        and citizen_request.status == ACCEPTED
        and citizen_request.capacity_reserved,
    )


@bp.route("/richieste/<int:request_id>/concludi", methods=["POST"])
@roles_required("association")
def conclude_request(request_id: int):
    try:
        services.conclude_participation(db.session, current_user, request_id)
        db.session.commit()
    except services.NotConcludable as exc:
        db.session.rollback()
        if services.request_for_user(db.session, current_user, request_id) is None:
            abort(404)
        flash(str(exc), "warning")
    else:
        flash(_("Partecipazione conclusa: il posto è di nuovo disponibile nell'offerta."), "success")
    return redirect(url_for("citizen.request_detail", request_id=request_id))
