"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema_ref: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGE = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
]
WORKLIST_FILTERS = [
    {
        "name": "process_key",
        "in": "query",
        "description": "Solo le attività di questo processo",
        "schema": {"type": "string"},
    },
    {
        "name": "state",
        "in": "query",
        "description": (
            "overdue: scadute; due_soon: in scadenza nei prossimi 3 giorni; mine: prese in carico da chi chiama o "
            "assegnate a lui; unclaimed: di gruppo e non ancora prese in carico"
        ),
        "schema": {"type": "string", "enum": ["overdue", "due_soon", "mine", "unclaimed"]},
    },
    {
        "name": "due_from",
        "in": "query",
        "description": "Scadenza da questo giorno (ora di Roma), incluso",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "due_to",
        "in": "query",
        "description": "Scadenza fino a questo giorno (ora di Roma), incluso",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "organization_id",
        "in": "query",
        "description": "Solo per il personale del Comune: attività dell'organizzazione o di casi inviati a lei; "
        "ignorato per le organizzazioni",
        "schema": {"type": "integer"},
    },
    {
        "name": "target_group",
        "in": "query",
        "description": "Solo per assistenti sociali, servizi specialistici e responsabili: il gruppo di destinatari "
        "del caso",
        "schema": {"type": "string"},
    },
    {
        "name": "q",
        "in": "query",
        "description": "Ricerca nei casi: numero del caso (per un'organizzazione, dell'invio) o nome della persona; "
        "i casi riservati si trovano per nome solo da chi li ha in carico",
        "schema": {"type": "string", "maxLength": 100},
    },
    {
        "name": "sort",
        "in": "query",
        "schema": {"type": "string", "enum": ["due", "created", "process"], "default": "due"},
    },
    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"], "default": "asc"}},
]
COMMON_ERRORS = {"401": _error("Token mancante o non valido"), "404": _error("Non trovato o non visibile")}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Tessere – Reti di comunità API",
        "version": "1.0.0",
        "description": "Attività, processi, organizzazioni e catalogo delle offerte della rete Tessere.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "errors": {}},
            },
            "Task": {
                "type": "object",
                "required": ["id", "title", "form_key", "process_key", "instance_id", "lane", "due_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "form_key": {"type": ["string", "null"]},
                    "process_key": {"type": "string"},
                    "instance_id": {"type": "integer"},
                    "lane": {"type": ["string", "null"]},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "organization_id": {"type": ["integer", "null"]},
                },
            },
            "WorklistTask": {
                "allOf": [
                    {"$ref": "#/components/schemas/Task"},
                    {
                        "type": "object",
                        "properties": {
                            "created_at": {"type": "string", "format": "date-time"},
                            "overdue": {"type": "boolean"},
                            "group_task": {"type": "boolean"},
                            "claimed_by_id": {"type": ["integer", "null"]},
                            "claimed_by": {"type": ["string", "null"]},
                            "claimed_at": {"type": ["string", "null"], "format": "date-time"},
                        },
                    },
                ]
            },
            "ClaimedTask": {
                "allOf": [
                    {"$ref": "#/components/schemas/Task"},
                    {
                        "type": "object",
                        "properties": {
                            "claimed_by_id": {"type": ["integer", "null"]},
                            "claimed_at": {"type": ["string", "null"], "format": "date-time"},
                        },
                    },
                ]
            },
            "TaskList": {
                "type": "object",
                "required": ["items", "total"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/WorklistTask"}},
                    "total": {"type": "integer"},
                },
            },
            "TaskDetail": {
                "allOf": [
                    {"$ref": "#/components/schemas/Task"},
                    {
                        "type": "object",
                        "required": ["form", "context"],
                        "properties": {
                            "form": {
                                "type": "object",
                                "properties": {
                                    "fields": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["name", "label", "type", "required"],
                                            "properties": {
                                                "name": {"type": "string"},
                                                "label": {"type": "string"},
                                                "type": {
                                                    "enum": [
                                                        "string",
                                                        "text",
                                                        "integer",
                                                        "decimal",
                                                        "boolean",
                                                        "date",
                                                        "email",
                                                        "choice",
                                                        "multichoice",
                                                    ]
                                                },
                                                "required": {"type": "boolean"},
                                                "choices": {"type": "array"},
                                            },
                                        },
                                    }
                                },
                            },
                            "context": {"type": "object"},
                        },
                    },
                ]
            },
            "Instance": {
                "type": "object",
                "required": ["id", "process_key", "version", "status", "open_tasks"],
                "properties": {
                    "id": {"type": "integer"},
                    "process_key": {"type": "string"},
                    "version": {"type": "integer"},
                    "status": {"enum": ["running", "waiting", "completed", "error", "suspended", "terminated"]},
                    "lock_version": {"type": "integer"},
                    "open_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
                    "history": {"type": "array", "items": {"type": "object"}},
                },
            },
            "CompleteBody": {
                "type": "object",
                "required": ["data"],
                "properties": {"data": {"type": "object"}, "lock_version": {"type": "integer"}},
            },
        },
    },
    "paths": {
        "/api/v1/tasks": {
            "get": {
                "summary": "Le attività aperte che chi chiama può completare",
                "description": (
                    "Le stesse attività della pagina «Le mie attività», con gli stessi filtri: ogni filtro restringe "
                    "soltanto ciò che chi chiama vede comunque (un'organizzazione vede solo le proprie attività). "
                    "Le attività di gruppo prese in carico da un collega restano nell'elenco con `claimed_by`. "
                    "Valori non validi: 400 con il motivo."
                ),
                "parameters": [
                    {"name": "instance_id", "in": "query", "schema": {"type": "integer"}},
                    *WORKLIST_FILTERS,
                    *PAGE,
                ],
                "responses": {
                    "200": _ok("#/components/schemas/TaskList"),
                    "400": _error("Parametri non validi"),
                    "401": COMMON_ERRORS["401"],
                },
            }
        },
        "/api/v1/tasks/{id}": {
            "get": {
                "summary": "Un'attività con il suo modulo e il contesto visibile",
                "parameters": [ID],
                "responses": {"200": _ok("#/components/schemas/TaskDetail"), **COMMON_ERRORS},
            }
        },
        "/api/v1/tasks/{id}/claim": {
            "post": {
                "summary": "Prende in carico un'attività di gruppo",
                "description": (
                    "Un'attività di un ruolo o di un'organizzazione senza una persona assegnata: dopo la presa in "
                    "carico solo chi l'ha presa può completarla. Se due persone la prendono insieme, una sola ci "
                    "riesce; l'altra riceve 409. Con `take_over: true` un responsabile rileva la presa di un collega."
                ),
                "parameters": [ID],
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"take_over": {"type": "boolean"}}}
                        }
                    },
                },
                "responses": {
                    "200": _ok("#/components/schemas/ClaimedTask", "Presa in carico"),
                    "409": _error("Già presa in carico da un'altra persona, assegnata a una persona o non più aperta"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/api/v1/tasks/{id}/release": {
            "post": {
                "summary": "Rilascia un'attività presa in carico, che torna a tutto il gruppo",
                "parameters": [ID],
                "responses": {
                    "200": _ok("#/components/schemas/ClaimedTask", "Rilasciata"),
                    "409": _error("Non presa in carico, o presa da un'altra persona"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/api/v1/tasks/{id}/complete": {
            "post": {
                "summary": "Completa un'attività",
                "parameters": [ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CompleteBody"}}},
                },
                "responses": {
                    "200": {
                        "description": "Completata",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"instance": {"$ref": "#/components/schemas/Instance"}},
                                }
                            }
                        },
                    },
                    "400": _error("Corpo non valido"),
                    "409": _error("Attività non più aperta"),
                    "422": _error("Dati non validi"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/api/v1/processes/{process_key}/instances": {
            "post": {
                "summary": "Avvia un processo",
                "parameters": [{"name": "process_key", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"data": {"type": "object"}}}}
                    }
                },
                "responses": {
                    "201": {
                        "description": "Avviato",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "required": ["id", "process_key", "version", "status"]}
                            }
                        },
                    },
                    "400": _error("Corpo non valido"),
                    "403": _error("Ruolo non abilitato"),
                    "422": _error("Dati non validi"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/api/v1/instances/{id}": {
            "get": {
                "summary": "Un'istanza di processo",
                "parameters": [ID],
                "responses": {"200": _ok("#/components/schemas/Instance"), **COMMON_ERRORS},
            }
        },
        "/api/v1/process-versions": {
            "get": {
                "summary": "Le versioni pubblicate",
                "responses": {"200": {"description": "OK"}, "401": COMMON_ERRORS["401"]},
            },
            "post": {
                "summary": "Pubblica un diagramma BPMN come nuova versione (solo responsabili)",
                "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
                "responses": {
                    "201": {"description": "Pubblicato"},
                    "403": _error("Solo responsabili"),
                    "413": _error("File troppo grande"),
                    "415": _error("Non XML"),
                    "422": _error("Diagramma rifiutato"),
                    "401": COMMON_ERRORS["401"],
                },
            },
        },
        "/api/v1/organizations": {
            "get": {
                "summary": "Le organizzazioni approvate",
                "responses": {"200": {"description": "OK"}, "401": COMMON_ERRORS["401"]},
            }
        },
        "/api/v1/offers": {
            "get": {
                "summary": "Le offerte del catalogo",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "target_group", "in": "query", "schema": {"type": "string"}},
                    {"name": "need", "in": "query", "schema": {"type": "string"}},
                    *PAGE,
                ],
                "responses": {
                    "200": {"description": "OK"},
                    "400": _error("Parametri non validi"),
                    "401": COMMON_ERRORS["401"],
                },
            }
        },
    },
}
