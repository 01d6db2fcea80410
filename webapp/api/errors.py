"""API errors: always JSON `{"error": message, ...}` with the status API.md prescribes."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "Richiesta non valida.",
    401: "Autenticazione richiesta.",
    403: "Operazione non consentita.",
    404: "Risorsa non trovata.",
    405: "Metodo non consentito.",
    409: "Conflitto con lo stato attuale.",
    413: "Richiesta troppo grande.",
    415: "Tipo di contenuto non supportato.",
    422: "Dati non validi.",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.message = message or MESSAGES.get(status, "Errore.")
        self.extra = extra


def register_error_handlers(bp) -> None:
    @bp.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return jsonify({"error": exc.message, **exc.extra}), exc.status

    @bp.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        return jsonify({"error": MESSAGES.get(exc.code, exc.description)}), exc.code
