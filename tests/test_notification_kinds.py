"""Every kind of in-app notification that the code emits has an Italian label in `NOTIFICATION_KIND_LABELS`.

The bell's list shows a notification by its label; a kind without one falls back to a vague «Avviso». The kinds are
found in the source itself (every call that hands a `kind` to a function building a `Notification`, and every
`Notification(kind=...)`), so a new kind added anywhere without its label makes this test fail and name it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from webapp.notifications.services import NOTIFICATION_KIND_LABELS

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

# Kinds built with an f-string, and every value they can take (checked against the source below).
FORMATTED_KINDS = {"referral_{outcome}": {"referral_accettato", "referral_rifiutato"}}


def _builds_notification(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Notification"
        for node in ast.walk(function)
    )


def _kind_argument(call: ast.Call, parameters: list[str]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "kind":
            return keyword.value
    if "kind" in parameters:
        position = parameters.index("kind")
        if position < len(call.args):
            return call.args[position]
    return None


def _expression_kinds(node: ast.expr, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
            for part in node.values
        )
        assert pattern in FORMATTED_KINDS, f"{where}: notification kind {pattern!r} is not listed in FORMATTED_KINDS"
        return FORMATTED_KINDS[pattern]
    raise AssertionError(f"{where}: notification kind {ast.unparse(node)!r} is neither a string nor an f-string")


def emitted_kinds() -> dict[str, str]:
    """kind -> where it is emitted (module:line), for every notification the application creates."""
    found: dict[str, str] = {}
    for path in sorted(WEBAPP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        notifiers = {
            node.name: [a.arg for a in node.args.args]
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            and "kind" in [a.arg for a in node.args.args]
            and _builds_notification(node)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "Notification":
                argument = _kind_argument(node, [])
                if argument is None or (isinstance(argument, ast.Name) and argument.id == "kind"):
                    continue  # inside a notifier: its callers are what counts
            elif node.func.id in notifiers:
                argument = _kind_argument(node, notifiers[node.func.id])
                assert argument is not None, f"{path.name}:{node.lineno}: a call to {node.func.id} without a kind"
            else:
                continue
            where = f"{path.relative_to(WEBAPP.parent)}:{node.lineno}"
            for kind in _expression_kinds(argument, where):
                found.setdefault(kind, where)
    return found


def test_the_source_scan_finds_the_kinds_of_every_area():
    kinds = emitted_kinds()
    for expected in ("referral_received", "referral_accettato", "pact_published", "signal_taken", "citizen_request"):
        assert expected in kinds, sorted(kinds)


def test_every_emitted_notification_kind_has_an_italian_label():
    missing = {kind: where for kind, where in emitted_kinds().items() if kind not in NOTIFICATION_KIND_LABELS}
    assert missing == {}, f"notification kinds without a label in NOTIFICATION_KIND_LABELS: {missing}"
    assert all(str(NOTIFICATION_KIND_LABELS[kind]).strip() for kind in emitted_kinds())
