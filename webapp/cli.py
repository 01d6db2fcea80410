"""`flask --app webapp tessere ...`: init, demo, user, token, deploy, worker (see ../shared/API.md)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine import DeployRefused
from engine.service import as_utc
from webapp.extensions import db
from webapp.workflow import get_engine


@click.group("tessere", help="Comandi di Tessere.")
def tessere() -> None:
    pass


def deploy_shipped_diagrams() -> list[str]:
    """Deploy every diagram of bpmn/ whose content is not deployed yet; returns what was deployed."""
    engine = get_engine()
    deployed = []
    for path in sorted(Path(current_app.config["TESSERE_BPMN_DIR"]).glob("*.bpmn")):
        started = datetime.now(UTC)
        versions = engine.deploy(db.session, path.read_bytes(), deployed_by="tessere init")
        new = [v for v in versions if as_utc(v.deployed_at) >= started]  # the others were deployed before
        db.session.commit()
        deployed.extend(f"{v.process_key} v{v.version}" for v in new)
    return deployed


@tessere.command("init")
@with_appcontext
def init_command() -> None:
    """Create or migrate the database and deploy the diagrams of bpmn/."""
    from flask_migrate import upgrade

    upgrade()
    for name in deploy_shipped_diagrams():
        click.echo(f"Diagramma pubblicato: {name}")
    click.echo("Database pronto.")


@tessere.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data set (idempotent)."""
    from webapp.demo.loader import load_demo

    created = load_demo(db.session, get_engine())
    click.echo("Dati dimostrativi: " + ", ".join(f"{k} creati {v}" for k, v in created.items()))


@tessere.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--organization", "organization_cf", default=None, help="Codice fiscale dell'organizzazione")
@click.option("--password", required=True)
@with_appcontext
def user_create(email, name, role, organization_cf, password) -> None:
    from webapp.auth.services import AccountError, create_user

    try:
        user = create_user(db.session, email, name, role, password, organization_cf)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Utente creato: {user.email} ({user.role})")


@tessere.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("email")
@with_appcontext
def token_create(email) -> None:
    from sqlalchemy import func, select

    from webapp.auth.models import User
    from webapp.auth.services import create_token

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Nessun utente con e-mail {email}.")
    token = create_token(db.session, user)
    db.session.commit()
    click.echo(token)


@tessere.command("deploy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def deploy_command(file) -> None:
    """Validate and deploy a diagram as a new version."""
    try:
        versions = get_engine().deploy(db.session, Path(file).read_bytes(), deployed_by="riga di comando")
        db.session.commit()
    except DeployRefused as exc:
        db.session.rollback()
        click.echo("Diagramma rifiutato:", err=True)
        for issue in exc.issues:
            click.echo(f"  - [{issue.element_id or 'file'}] {issue.message}", err=True)
        sys.exit(1)
    for version in versions:
        click.echo(f"Pubblicato: {version.process_key} versione {version.version}")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("usare una data ISO, es. 2026-12-01T09:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@tessere.command("worker")
@click.option("--once", is_flag=True, help="Una sola passata, poi esce.")
@click.option("--now", "now_text", default=None, help="Considera questo momento come «adesso» (ISO 8601).")
@click.option("--interval", default=30, show_default=True, help="Secondi tra una passata e l'altra.")
@with_appcontext
def worker_command(once: bool, now_text: str | None, interval: int) -> None:
    """Fire due timers and send queued e-mail (see webapp/notifications/worker.py)."""
    from webapp.notifications.worker import run_worker

    run_worker(db.session, get_engine(), current_app.config, once, _parse_now(now_text), interval, click.echo)
