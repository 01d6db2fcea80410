"""Tessere – Reti di comunità: the Flask application.

`create_app(config=None)` reads settings (defaults, `TESSERE_*` environment variables, instance/config.py, then
the mapping tests pass in), binds the extensions, registers one blueprint per capability and the CLI.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request

from webapp import config as settings
from webapp.extensions import babel, csrf, db, login, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=None, instance_relative_config=True)
    settings.load_settings(app, config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(__import__("pathlib").Path(app.root_path).parent / "migrations"))
    login.init_app(app)
    babel.init_app(app, locale_selector=lambda: "it")
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

    from webapp.modeler.views import bp as modeler_bp

    app.register_blueprint(modeler_bp)  # processes: modeler, versions, migration, instance diagrams

    from webapp.monitoring import views as monitoring_views

    monitoring_views.init_app(app)

    from webapp import audit, security

    security.init_app(app)  # route policy gate, headers, limits, second factor, account pages
    audit.init_app(app)

    from webapp.cli import tessere

    app.cli.add_command(tessere)
    _register_error_pages(app)
    _register_template_helpers(app)
    return app


def _configure_login() -> None:
    from webapp.auth.models import User

    login.login_view = "auth.login"
    login.login_message = "Accedi per continuare."
    login.login_message_category = "info"

    @login.user_loader
    def load_user(session_id: str):
        user_id, _, fingerprint = session_id.partition(".")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or fingerprint != user.session_fingerprint():
            return None  # the password changed since this session began (see User.get_id)
        return user


def _register_error_pages(app: Flask) -> None:
    """Errors as Italian pages for people and as JSON under /api/ (API.md: every API error is JSON)."""
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    from engine import EngineError
    from webapp.api.errors import MESSAGES

    pages = {
        404: ("Pagina non trovata", "La pagina cercata non esiste o non è visibile con il tuo profilo."),
        405: ("Operazione non consentita", "Questa pagina non accetta questo tipo di richiesta."),
        413: ("Richiesta troppo grande", "I dati inviati superano la dimensione massima consentita."),
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
            title="Sessione scaduta",
            message="Il modulo è scaduto: torna indietro, ricarica la pagina e riprova.",
        ), 400

    @app.errorhandler(EngineError)
    def engine_error(exc):
        db.session.rollback()
        app.logger.exception("engine error")
        if request.path.startswith("/api/"):
            return jsonify(
                {
                    "error": "Il processo non può proseguire per un errore del diagramma: "
                    "nulla è stato registrato. Gli amministratori sono stati avvisati."
                }
            ), 500
        return render_template(
            "error.html",
            title="Il processo non può proseguire",
            message="Si è verificato un errore nel processo: la tua azione non è stata "
            "registrata e i dati inseriti non sono andati persi nel caso. "
            "Riprova più tardi o segnala il problema agli amministratori.",
        ), 500


def _register_template_helpers(app: Flask) -> None:
    from zoneinfo import ZoneInfo

    rome = ZoneInfo("Europe/Rome")

    @app.template_filter("datetime")
    def format_datetime(value, with_time: bool = True):
        if value is None:
            return "—"
        if getattr(value, "tzinfo", None) is None and hasattr(value, "hour"):
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        if hasattr(value, "astimezone"):
            value = value.astimezone(rome)
            return value.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
        return value.strftime("%d/%m/%Y")

    from forms.vocabulary import TARGET_GROUPS_BY_CODE, need_choices

    @app.template_filter("target_group_label")
    def target_group_label(code: str) -> str:
        group = TARGET_GROUPS_BY_CODE.get(code)
        return group.label if group else code

    def need_options(context: dict) -> list[tuple[str, str]]:
        case = context.get("case") or {}
        return need_choices(case.get("target_group")) if case else []

    @app.context_processor
    def inject_helpers():
        return {"current_locale": "it", "need_options": need_options}
