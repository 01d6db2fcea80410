"""Tessere – Reti di comunità: the Flask application.

`create_app(config=None)` reads settings (defaults, `TESSERE_*` environment variables, instance/config.py, then
the mapping tests pass in), binds the extensions, registers one blueprint per capability and the CLI.

Flask, SQLAlchemy and the rest are imported inside `create_app`, not here, so that a server's whole start runs
with the garbage collector paused (webapp/startup_gc.py; cold start, issue #8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webapp import startup_gc

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    with startup_gc.paused_for_first_app():
        return _create_app(config)


def _create_app(config: dict | None) -> Flask:
    from flask import Flask

    from webapp import config as settings
    from webapp import database, i18n, lazy_routes, template_cache
    from webapp.extensions import csrf, db, login, migrate

    app = Flask(__name__, instance_path=None, instance_relative_config=True)
    lazy_routes.install(app)  # URL builders compiled at their first url_for, not here (cold start, issue #8)
    settings.load_settings(app, config)

    db.init_app(app)
    database.init_app(app)  # SQLite WAL pragmas; a dropped database connection answers "riprova" (503)
    migrate.init_app(app, db, directory=str(__import__("pathlib").Path(app.root_path).parent / "migrations"))
    login.init_app(app)
    i18n.init_app(app)  # first: every later hook already speaks the chosen language
    csrf.init_app(app)
    _configure_login()

    from webapp import (
        models,  # noqa: F401  (every model registered on the metadata)
        workflow,
    )

    workflow.init_app(app)

    from webapp.api.views import bp as api_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.catalog.views import bp as catalog_bp
    from webapp.notifications.views import bp as notifications_bp
    from webapp.referrals.views import bp as referrals_bp
    from webapp.tasks.views import bp as tasks_bp

    csrf.exempt(api_bp)  # token-authenticated; browser-session writes check X-CSRFToken in api.auth
    for blueprint in (auth_bp, tasks_bp, referrals_bp, catalog_bp, api_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(notifications_bp)
    from webapp.notifications import incidents

    incidents.init_app(app)  # a step that raises in a request is rolled back and recorded for administrators

    from webapp.hsds.views import bp as hsds_bp
    from webapp.membership.views import bp as membership_bp
    from webapp.network.views import bp as network_bp
    from webapp.pact.views import bp as pact_bp

    for blueprint in (pact_bp, network_bp, hsds_bp):  # hsds: public, outside the token-checked `api` blueprint
        app.register_blueprint(blueprint)
    app.register_blueprint(membership_bp)
    # tasks that have a page of their own: the generic task page sends people there
    app.extensions.setdefault("tessere_task_pages", {}).update(
        {"esame_domanda_adesione": "membership.review_by_task", "pubblicazione_patto": "pact.publish"}
    )

    from webapp.agreements.views import bp as agreements_bp
    from webapp.citizen.views import bp as citizen_bp
    from webapp.signals.views import bp as signals_bp

    for blueprint in (signals_bp, citizen_bp, agreements_bp):  # the doors into the network (Fase 2)
        app.register_blueprint(blueprint)

    from webapp.info.views import bp as info_bp

    app.register_blueprint(info_bp)  # the accessibility statement and its feedback form

    from webapp.modeler.views import bp as modeler_bp

    app.register_blueprint(modeler_bp)  # processes: modeler, versions, migration, instance diagrams

    from webapp.monitoring import views as monitoring_views

    monitoring_views.init_app(app)

    from webapp import audit, security

    security.init_app(app)  # route policy gate, headers, limits, second factor, account pages
    audit.init_app(app)

    from webapp import bench_endpoints

    bench_endpoints.init_app(app)  # only with TESSERE_BENCH_ENDPOINTS=1 (bench/http_load.py)

    from webapp.cli import tessere

    app.cli.add_command(tessere)
    _register_error_pages(app)
    _register_template_helpers(app)
    template_cache.init_app(app)  # last: compiled templates depend on every filter and extension set above
    return app


def _configure_login() -> None:
    from flask_babel import lazy_gettext as _l

    from webapp.auth.models import User
    from webapp.extensions import db, login

    login.login_view = "auth.login"
    login.login_message = _l("Accedi per continuare.")
    login.localize_callback = str  # flashed in the reader's language, as a plain string (the session holds it)
    login.login_message_category = "info"

    @login.user_loader
    def load_user(session_id: str):
        user_id, _, fingerprint = session_id.partition(".")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or fingerprint != user.session_fingerprint():
            return None  # the password changed since this session began (see User.get_id)
        return user


def _register_error_pages(app: Flask) -> None:
    """Errors as pages for people (in their language) and as JSON under /api/ (API.md: every API error is JSON)."""
    from flask import jsonify, render_template, request
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    from engine import EngineError
    from webapp.api.errors import MESSAGES
    from webapp.extensions import db

    pages = {
        404: (_l("Pagina non trovata"), _l("La pagina cercata non esiste o non è visibile con il tuo profilo.")),
        405: (_l("Operazione non consentita"), _l("Questa pagina non accetta questo tipo di richiesta.")),
        413: (_l("Richiesta troppo grande"), _l("I dati inviati superano la dimensione massima consentita.")),
        500: (
            _l("Si è verificato un errore"),
            _l(
                "La tua azione non è stata registrata: il caso è rimasto esattamente com'era prima. "
                "L'errore è stato segnalato agli amministratori; quando sarà risolto potrai ripetere l'operazione."
            ),
        ),
    }

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify({"error": MESSAGES.get(exc.code, exc.description)}), exc.code
        if exc.code in pages:
            title, message = pages[exc.code]
            return render_template("error.html", title=title, message=message), exc.code
        return exc

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        if request.path.startswith("/api/"):
            return jsonify({"error": "Manca il token CSRF."}), 400
        return render_template(
            "error.html",
            title=_("Sessione scaduta"),
            message=_("Il modulo è scaduto: torna indietro, ricarica la pagina e riprova."),
        ), 400

    @app.errorhandler(EngineError)
    def engine_error(exc):
        from webapp.notifications.incidents import record_request_failure

        app.logger.exception("engine error")
        if record_request_failure(db.session, exc) is None:  # rolls the step back and records the incident
            db.session.rollback()
        if request.path.startswith("/api/"):
            return jsonify(
                {
                    "error": "Il processo non può proseguire per un errore del diagramma: "
                    "nulla è stato registrato. Gli amministratori sono stati avvisati."
                }
            ), 500
        return render_template(
            "error.html",
            title=_("Il processo non può proseguire"),
            message=_(
                "Si è verificato un errore nel processo: la tua azione non è stata "
                "registrata e i dati inseriti non sono andati persi nel caso. "
                "Riprova più tardi o segnala il problema agli amministratori."
            ),
        ), 500


def _register_template_helpers(app: Flask) -> None:
    # dates and numbers: webapp.i18n.formatting (filters `datetime`, `date`, `time`, `number`, `percent`)
    from forms.vocabulary import need_choices, target_group_label

    app.add_template_filter(target_group_label, "target_group_label")

    def need_options(context: dict) -> list[tuple[str, str]]:
        case = context.get("case") or {}
        return need_choices(case.get("target_group")) if case else []

    @app.context_processor
    def inject_helpers():
        return {"need_options": need_options}
