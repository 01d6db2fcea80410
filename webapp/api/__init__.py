"""The JSON API of ../shared/API.md: token (or browser session) authentication, JSON errors, OpenAPI."""
