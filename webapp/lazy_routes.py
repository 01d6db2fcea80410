"""URL rules whose URL builders are compiled the first time `url_for` needs them, not when the app starts.

Why: Werkzeug compiles two Python functions per rule as the rule is added (building its URL with and without
extra query arguments: an AST, `compile`, `exec`). With ~135 routes that is ≈ 0.1 s of CPU in every `create_app`,
a good part of a cold start (bench/cold_start.py, issue #8), although a page builds the URLs of a few dozen
endpoints and a process most of them only later, if ever. `LazyBuilderRule` defers each builder to its first use;
URL matching, and the URLs built, are the same (the real builder is Werkzeug's own, compiled on demand).

`Rule._compile_builder` is Werkzeug's internal API (3.x): if a Werkzeug release drops it the app keeps Werkzeug's
own `Rule` (see `install`), only slower to start.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        compile_now = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, *args, **kwargs):
            # Replace this stand-in with the compiled builder, then build; two threads may both compile it, the
            # same function, harmlessly.
            builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(*args, **kwargs)

        return build_on_first_use


def install(app: Flask) -> None:
    """Make the app create its URL rules as `LazyBuilderRule`; before any blueprint is registered."""
    if hasattr(Rule, "_compile_builder"):
        app.url_rule_class = LazyBuilderRule
