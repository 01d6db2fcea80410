"""The OpenAPI 3.1 description of `/api/hsds/` (what `openapi_url` of the version endpoint points to).

The response bodies are the official HSDS 3.0 objects; the document names them with `externalDocs` links rather
than remote `$ref`s, so it stays self-contained (validators and code generators need no network to read it).
"""

from __future__ import annotations

SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled"


def _hsds(name: str, description: str) -> dict:
    return {"type": "object", "description": description, "externalDocs": {"url": f"{SCHEMAS}/{name}"}}


def _page_of(component: str) -> dict:
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"description": "Errore", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "search", "in": "query", "schema": {"type": "string"}, "description": "Ricerca per parole."},
    {"name": "full", "in": "query", "schema": {"type": "boolean"}, "description": "Oggetti completi."},
]


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tessere – catalogo della rete in formato Open Referral HSDS 3.0",
            "version": "3.0",
            "description": "Organizzazioni e offerte del catalogo pubblico della rete Tessere (Comune di Campi "
            "Bisenzio), in sola lettura e senza autenticazione. Nessun dato personale.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "schemas": {
                "Page": {
                    "type": "object",
                    "properties": {
                        "total_items": {"type": "integer"},
                        "total_pages": {"type": "integer"},
                        "page_number": {"type": "integer"},
                        "size": {"type": "integer"},
                        "first_page": {"type": "boolean"},
                        "last_page": {"type": "boolean"},
                        "empty": {"type": "boolean"},
                    },
                },
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "ServiceList": _hsds("service_list.json", "HSDS 3.0 service (campi uno-a-uno e organizzazione)"),
                "Service": _hsds("service.json", "HSDS 3.0 service completo"),
                "OrganizationList": _hsds("organization_list.json", "HSDS 3.0 organization (campi uno-a-uno)"),
                "Organization": _hsds("organization.json", "HSDS 3.0 organization completa, con i servizi"),
            }
        },
        "paths": {
            "/": {
                "get": {
                    "summary": "Versione HSDS e descrizione dell'API",
                    "responses": {
                        "200": _ok(
                            {
                                "type": "object",
                                "properties": {
                                    "version": {"type": "string"},
                                    "profile": {"type": "string", "format": "uri"},
                                    "openapi_url": {"type": "string", "format": "uri"},
                                },
                            }
                        )
                    },
                }
            },
            "/services": {
                "get": {
                    "summary": "Le offerte del catalogo, paginate",
                    "parameters": [
                        *PAGE_PARAMS,
                        {"name": "organization_id", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": _ok(_page_of("ServiceList")), "400": ERROR},
                }
            },
            "/services/{id}": {
                "get": {
                    "summary": "Un'offerta, completa",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _ok({"$ref": "#/components/schemas/Service"}), "404": ERROR},
                }
            },
            "/organizations": {
                "get": {
                    "summary": "Le organizzazioni della rete, paginate",
                    "parameters": PAGE_PARAMS,
                    "responses": {"200": _ok(_page_of("OrganizationList")), "400": ERROR},
                }
            },
            "/organizations/{id}": {
                "get": {
                    "summary": "Un'organizzazione, completa, con le sue offerte",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _ok({"$ref": "#/components/schemas/Organization"}), "404": ERROR},
                }
            },
        },
    }
