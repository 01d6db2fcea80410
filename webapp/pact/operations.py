"""The operations the `fase2_patto` diagram composes: publish a version, remind before expiry, expire, remind the
yearly check of the catalogue data. Each runs inside the step's transaction (see engine.operations)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from engine import OperationContext, OperationRefused, OperationRegistry
from webapp.pact import services
from webapp.pact.models import PactVersion


def register_pact_operations(registry: OperationRegistry) -> None:
    """Add the patto di rete's operations to the application's registry."""
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


def _version(ctx: OperationContext) -> PactVersion:
    version = ctx.session.get(PactVersion, ctx.data.get("pact_version_id"))
    if version is None:
        raise OperationRefused("La versione del patto collegata a questo processo non esiste più.")
    return version


def _reminder_days(ctx: OperationContext) -> int:
    value = ctx.params.get("giorni_preavviso", services.DEFAULT_REMINDER_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = services.DEFAULT_REMINDER_DAYS
    return min(max(days, 1), 365)


def publish(ctx: OperationContext) -> dict:
    """Store the text typed by the manager as a new version; compute the moments of the process's timers."""
    data = ctx.data
    try:
        version = services.publish_pact(
            ctx.session,
            title=data.get("title") or "",
            text=data.get("text") or "",
            valid_from=date.fromisoformat(data["valid_from"]),
            valid_until=date.fromisoformat(data["valid_until"]),
            change_note=data.get("change_note"),
            published_by_id=ctx.actor.id,
            instance_id=ctx.instance_id,
            now=ctx.now,
        )
    except services.PactError as exc:
        raise OperationRefused(exc.message, field=exc.field) from None
    except (KeyError, TypeError, ValueError):
        raise OperationRefused("Le date di validità del patto mancano o non sono valide.", field="valid_from") from None
    ctx.forget_keys("text", "change_note")  # the text lives in pact_version; the process state keeps the id
    reminder = services.reminder_moment(version, _reminder_days(ctx))
    return {
        "pact_version_id": version.id,
        "versione_patto": version.version,
        "promemoria_scadenza": max(reminder, ctx.now).isoformat(),
        "scadenza_patto": services.expiry_moment(version).isoformat(),
        "continua_verifiche": True,
        "prossima_verifica": services.next_verification_moment(version, ctx.now).isoformat(),
    }


def remind_expiry(ctx: OperationContext) -> dict:
    if not services.remind_expiry(ctx.session, _version(ctx), ctx.now):
        ctx.notes.append("Nessun promemoria: è già stata pubblicata una versione successiva.")
    return {}


def expire(ctx: OperationContext) -> dict:
    services.expire(ctx.session, _version(ctx), ctx.now)
    return {}


def remind_verification(ctx: OperationContext) -> dict:
    version = _version(ctx)
    go_on = services.remind_verification(ctx.session, version, ctx.now)
    if not go_on:
        ctx.notes.append("Verifiche annuali concluse: il patto è scaduto o sostituito da una nuova versione.")
    return {
        "continua_verifiche": go_on,
        "prossima_verifica": services.next_verification_moment(version, ctx.now).isoformat(),
    }


OPERATIONS = (
    ("pact.publish", _l("Pubblica il patto di rete e avvisa le organizzazioni"), publish),
    ("pact.remind_expiry", _l("Promemoria della scadenza del patto"), remind_expiry),
    ("pact.expire", _l("Registra la scadenza del patto"), expire),
    ("network.remind_verification", _l("Promemoria della verifica annuale dei dati"), remind_verification),
)
