"""Accountability: the access log review for managers, the journal's hash-chain verification, the consistency
check of every process instance, data retention (anonymization of old closed cases) and a person's data export
(right of access)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.audit.views import bp

    app.config.setdefault("TESSERE_RETENTION_YEARS", 10)
    app.register_blueprint(bp)
