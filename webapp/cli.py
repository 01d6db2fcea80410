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
        # skip_known: a shipped diagram a manager has since changed in the modeler is never put back
        versions = engine.deploy(db.session, path.read_bytes(), deployed_by="tessere init", skip_known=True)
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
    from sqlalchemy import inspect

    from webapp.monitoring.schedule import ensure_schedule

    if inspect(db.engine).has_table("monitoring_schedule"):  # the worker starts the monitoring periods from here
        schedule = ensure_schedule(db.session, datetime.now(UTC))
        db.session.commit()
        click.echo(f"Monitoraggio periodico: un periodo ogni {schedule.interval_months} mesi.")
    else:
        click.echo("Monitoraggio periodico non programmato: manca la tabella monitoring_schedule (migrazioni).")
    _build_catalogue_index_if_empty()
    click.echo("Database pronto.")


@tessere.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data set (idempotent)."""
    from webapp.demo.loader import load_demo

    created = load_demo(db.session, get_engine())
    click.echo("Dati dimostrativi: " + ", ".join(f"{k} creati {v}" for k, v in created.items()))
    _build_catalogue_index_if_empty()


def _build_catalogue_index_if_empty() -> None:
    """A database from before the catalogue's word index gets it built once (webapp/network/search_index.py)."""
    from sqlalchemy import inspect

    from webapp.network.search_index import build_index_if_empty

    if not inspect(db.engine).has_table("offer_search_term"):
        return
    written = build_index_if_empty(db.session.connection())
    db.session.commit()
    if written is not None:
        click.echo(f"Indice di ricerca del catalogo costruito: {written} parole.")


@tessere.group("catalog")
def catalog_group() -> None:
    """Il catalogo pubblico delle offerte."""


@catalog_group.command("reindex")
@with_appcontext
def catalog_reindex() -> None:
    """Rebuild the catalogue's word index from the offers' text (idempotent)."""
    from webapp.network.search_index import rebuild_index

    written = rebuild_index(db.session.connection())
    db.session.commit()
    click.echo(f"Indice di ricerca del catalogo ricostruito: {written} parole.")


@tessere.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--organization", "organization_cf", default=None, help="Codice fiscale dell'organizzazione")
@click.option("--service", default=None, help="Servizio specialistico (numero o nome) per il ruolo health_service")
@click.option("--password", required=True)
@with_appcontext
def user_create(email, name, role, organization_cf, service, password) -> None:
    from webapp.auth.services import AccountError, create_user

    try:
        user = create_user(db.session, email, name, role, password, organization_cf, service=service)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Utente creato: {user.email} ({user.role})")
    if user.role == "health_service" and user.specialist_service_id is None:
        click.echo(
            "Attenzione: l'utente non è collegato a nessun servizio specialistico e non potrà avviare prese in "
            "carico finché il responsabile non lo collega (Accordi di rete) o non lo si ricrea con --service."
        )


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
    """Start the periodic processes due, fire due timers and send queued e-mail (webapp/notifications/worker.py)."""
    from webapp.notifications.worker import run_worker

    run_worker(db.session, get_engine(), current_app.config, once, _parse_now(now_text), interval, click.echo)


# ------------------------------------------------------------------------------------------- trust and audit
@tessere.group("audit")
def audit_group() -> None:
    """Verify the journal's hash chain."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every instance's journal chain; exit 1 if anything was altered, removed or inserted."""
    from webapp.audit.services import verify_journal

    report = verify_journal(db.session)
    db.session.rollback()
    for instance_id, problems in report.problems.items():
        for problem in problems:
            click.echo(f"Processo {instance_id}: {problem}", err=True)
    click.echo(f"Giornale: {report.entries} voci in {report.instances} processi verificate.")
    click.echo(f"Sigillo (annotalo per confronti futuri): {report.seal}")
    if not report.ok:
        click.echo(f"ATTENZIONE: giornale alterato in {len(report.problems)} processi.", err=True)
        sys.exit(1)
    click.echo("Catena integra.")


@tessere.command("check")
@with_appcontext
def check_command() -> None:
    """Check every instance's state against its task rows and its journal; exit 1 on any disagreement."""
    from webapp.audit.services import check_instances

    report = check_instances(db.session, get_engine())
    db.session.rollback()
    for instance_id, problems in report.problems.items():
        for problem in problems:
            click.echo(f"Processo {instance_id}: {problem}", err=True)
    click.echo(f"Processi controllati: {report.instances}; con problemi: {len(report.problems)}.")
    if not report.ok:
        sys.exit(1)


@tessere.command("retention")
@click.option("--years", type=int, default=None, help="Anni dopo la chiusura (default: TESSERE_RETENTION_YEARS, 10).")
@click.option("--dry-run", is_flag=True, help="Mostra i casi che sarebbero anonimizzati, senza modificare nulla.")
@click.option("--now", "now_text", default=None, help="Considera questo momento come «adesso» (ISO 8601).")
@with_appcontext
def retention_command(years: int | None, dry_run: bool, now_text: str | None) -> None:
    """Anonymize closed cases older than the retention period (aggregate figures are kept); delete sent e-mails
    older than TESSERE_MAIL_RETENTION_DAYS (and their .eml copies) and citizens' requests never confirmed."""
    from webapp.audit.retention import (
        DEFAULT_MAIL_RETENTION_DAYS,
        apply_retention,
        purge_sent_mail,
        purge_unconfirmed_requests,
    )

    years = years if years is not None else int(current_app.config.get("TESSERE_RETENTION_YEARS", 10))
    if years < 1:
        raise click.BadParameter("il periodo di conservazione deve essere di almeno un anno", param_hint="--years")
    mail_days = int(current_app.config.get("TESSERE_MAIL_RETENTION_DAYS") or DEFAULT_MAIL_RETENTION_DAYS)
    now = _parse_now(now_text)
    result = apply_retention(db.session, years, now=now, dry_run=dry_run)
    mail = purge_sent_mail(db.session, mail_days, current_app.config.get("TESSERE_MAIL_DIR"), now, dry_run=dry_run)
    requests = purge_unconfirmed_requests(db.session, now, dry_run=dry_run)
    from webapp.drafts.services import RETENTION_DAYS, purge_old_drafts

    form_drafts = purge_old_drafts(db.session, now, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "da anonimizzare" if dry_run else "anonimizzati"
    click.echo(f"Casi chiusi prima del {result.cutoff.date().isoformat()} {verb}: {len(result.cases)}")
    for case_id in result.cases:
        click.echo(f"  caso n. {case_id}")
    verb = "da eliminare" if dry_run else "eliminate"
    click.echo(
        f"E-mail inviate prima del {mail.cutoff.date().isoformat()} {verb}: {mail.messages} "
        f"(copie .eml: {len(mail.files)})"
    )
    verb = "da eliminare" if dry_run else "eliminate"
    click.echo(f"Richieste dei cittadini mai confermate {verb}: {requests}")
    click.echo(f"Bozze di moduli salvate da più di {RETENTION_DAYS} giorni {verb}: {form_drafts}")


@tessere.command("export-person")
@click.argument("case_id", type=int)
@with_appcontext
def export_person_command(case_id: int) -> None:
    """Print as JSON everything held about the person of a case (right of access)."""
    import json

    from webapp.audit.subject_access import person_export
    from webapp.referrals.models import Case

    case = db.session.get(Case, case_id)
    if case is None:
        raise click.ClickException(f"Nessun caso n. {case_id}.")
    click.echo(json.dumps(person_export(db.session, case), ensure_ascii=False, indent=2))


@token_group.command("list")
@click.argument("email")
@with_appcontext
def token_list(email) -> None:
    """List a user's API tokens (never the tokens themselves: only their numbers and state)."""
    from webapp.auth.services import tokens_of

    user = _user_by_email(email)
    for token in tokens_of(db.session, user):
        state = f"revocato {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "attivo"
        click.echo(f"{token.id}\t{token.label or '-'}\tcreato {token.created_at:%Y-%m-%d %H:%M}\t{state}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    from webapp.auth.services import revoke_token

    if revoke_token(db.session, None, token_id) is None:
        raise click.ClickException(f"Nessun token n. {token_id}.")
    db.session.commit()
    click.echo(f"Token n. {token_id} revocato.")


@user_group.command("invite")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--organization", "organization_cf", default=None, help="Codice fiscale dell'organizzazione")
@with_appcontext
def user_invite(email, name, role, organization_cf) -> None:
    """Create a user without a password and e-mail them a single-use link (7 days) to choose it."""
    import secrets

    from webapp.auth.services import AccountError, create_user
    from webapp.security.links import send_invitation

    try:
        user = create_user(db.session, email, name, role, secrets.token_urlsafe(32), organization_cf)
        send_invitation(db.session, user)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Utente creato: {user.email} ({user.role}); invito inviato per e-mail (valido 7 giorni).")


@user_group.command("seal-totp")
@with_appcontext
def user_seal_totp() -> None:
    """Encrypt the second-factor secrets still stored in plaintext (from before encryption at rest)."""
    from webapp.security.totp import seal_plaintext_secrets

    count = seal_plaintext_secrets(db.session)
    db.session.commit()
    click.echo(f"Segreti della verifica in due passaggi cifrati: {count}.")


@user_group.command("reset-totp")
@click.argument("email")
@with_appcontext
def user_reset_totp(email) -> None:
    """Remove a user's second factor (lost phone): they set it up again at the next login."""
    user = _user_by_email(email)
    user.totp_secret = None
    user.totp_last_step = None
    db.session.commit()
    click.echo(f"Verifica in due passaggi azzerata per {user.email}.")


def _user_by_email(email: str):
    from sqlalchemy import func, select

    from webapp.auth.models import User

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Nessun utente con e-mail {email}.")
    return user
