"""URLs of one route for many ids, the router asked once: pages and API answers that link every row they list.

Why: `url_for` walks Werkzeug's rule builder on each call; a catalogue page links 20 offers and their organizations,
an HSDS page up to 200 services, and building each link through the router was a visible share of those requests
(issue #8, bench/catalogue.py). The URL is built once with a placeholder id and each id is put in its place.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for

# An id no route will ever see: the URL is built once with it, and each row's id is put in its place.
_PLACEHOLDER_ID = 2_147_483_646


def id_url_builder(endpoint: str, argument: str, **options) -> Callable[[int], str]:
    """`url_for(endpoint, **{argument: id}, **options)` for many ids (`options`: `_external=True` and the like).
    For routes whose only variable is that integer (`<int:...>`)."""
    pattern = url_for(endpoint, **{argument: _PLACEHOLDER_ID}, **options)
    head, found, tail = pattern.rpartition(str(_PLACEHOLDER_ID))
    if not found:  # a route that does not print the id as it is: ask the router every time
        return lambda key: url_for(endpoint, **{argument: key}, **options)
    return lambda key: f"{head}{int(key)}{tail}"
