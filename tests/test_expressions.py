"""Tests for the restricted evaluator of BPMN expressions (engine/expressions.py)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from engine.expressions import ExpressionError, check_expression, evaluate

# --------------------------------------------------------------------------- allowed expressions

ALLOWED_CASES: list[tuple[str, dict[str, Any], Any]] = [
    ('answer == "accept"', {"answer": "accept"}, True),
    ('answer == "accept"', {"answer": "reject"}, False),
    ('decision in ("reinvia", "chiudi")', {"decision": "chiudi"}, True),
    ('decision in ("reinvia", "chiudi")', {"decision": "approva"}, False),
    ('decision not in ["reinvia"]', {"decision": "approva"}, True),
    ("count > 3 and not closed", {"count": 4, "closed": False}, True),
    ("count > 3 and not closed", {"count": 4, "closed": True}, False),
    ("count > 3 and not closed", {"count": 3, "closed": False}, False),
    ('data.get("x", 1)', {"data": {}}, 1),
    ('data.get("x", 1)', {"data": {"x": 7}}, 7),
    ('data.get("x")', {"data": {}}, None),
    ("len(needs) >= 1", {"needs": ["casa"]}, True),
    ("len(needs) >= 1", {"needs": []}, False),
    ('"P5D"', {}, "P5D"),
    ("  'P1D'  ", {}, "P1D"),
    ('data["key"]', {"data": {"key": "v"}}, "v"),
    ("items[0]", {"items": [10, 20]}, 10),
    ("items[-1]", {"items": (10, 20)}, 20),
    ("name[1:3]", {"name": "Mario"}, "ar"),
    ("items[::2]", {"items": [1, 2, 3, 4]}, [1, 3]),
    ("1 < x <= 5", {"x": 5}, True),
    ("1 < x <= 5", {"x": 6}, False),
    ("x is None or x > 2", {"x": None}, True),
    ("x is not None and x > 2", {"x": None}, False),
    ('"alto" if score >= 10 else "basso"', {"score": 12}, "alto"),
    ('"alto" if score >= 10 else "basso"', {"score": 2}, "basso"),
    ("(a + b) * 2 - c / 4", {"a": 1, "b": 2, "c": 8}, 4.0),
    ("a // b", {"a": 7, "b": 2}, 3),
    ("a % b", {"a": 7, "b": 2}, 1),
    ("-a + +b", {"a": 1, "b": 3}, 2),
    ("2 ** 10", {}, 1024),
    ("x ** 2", {"x": 1.5}, 2.25),
    ("2 ** -1", {}, 0.5),
    ('"ab" * 3', {}, "ababab"),
    ("[0] * 3", {}, [0, 0, 0]),
    ("first + ' ' + last", {"first": "Anna", "last": "Rossi"}, "Anna Rossi"),
    ("[1, 2] + [3]", {}, [1, 2, 3]),
    ('{"a": 1, "b": x}', {"x": 2}, {"a": 1, "b": 2}),
    ("{1, 2, 2}", {}, {1, 2}),
    ("(1, 'a')", {}, (1, "a")),
    ("str(n) + 'x'", {"n": 1}, "1x"),
    ("int('4') + float('2.5')", {}, 6.5),
    ("bool(0) or abs(-3)", {}, 3),
    ("min(a, b) + max([a, b])", {"a": 2, "b": 9}, 11),
    ("max([], default=0)", {}, 0),
    ("round(x, 2)", {"x": 3.14159}, 3.14),
    ("round(x)", {"x": 2.7}, 3),
    ("sum(values)", {"values": [1, 2, 3.5]}, 6.5),
    ("sum(values, start=10)", {"values": [1, 2]}, 13),
    ("any(flags) and not all(flags)", {"flags": [True, False]}, True),
    ("sorted(names, reverse=True)", {"names": ["b", "c", "a"]}, ["c", "b", "a"]),
    ("lower(s) + upper(s) + strip('  x ')", {"s": "Ab"}, "abABx"),
    ("strip('--x--', '-')", {}, "x"),
    ('s.lower().strip() == "si"', {"s": "  SI "}, True),
    ('code.upper().startswith("PR") and code.endswith(("1", "2"))', {"code": "pr-2"}, True),
    ("int('ff', base=16)", {}, 255),
    ("True and None is None", {}, True),
]


@pytest.mark.parametrize(("expression", "context", "expected"), ALLOWED_CASES)
def test_allowed_expressions_evaluate(expression: str, context: dict[str, Any], expected: Any) -> None:
    result = evaluate(expression, context)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(("expression", "context", "expected"), ALLOWED_CASES)
def test_allowed_expressions_pass_static_check(expression: str, context: dict[str, Any], expected: Any) -> None:
    assert check_expression(expression) == []


def test_boolean_operators_short_circuit_like_python() -> None:
    # The right-hand side would fail (unknown variable) if it were evaluated.
    assert evaluate("ready or missing", {"ready": "si"}) == "si"
    assert evaluate("ready and missing", {"ready": 0}) == 0
    assert evaluate("ok if flag else missing", {"flag": True, "ok": 1}) == 1


def test_context_can_be_any_mapping() -> None:
    assert evaluate("x + 1", MappingProxyType({"x": 1})) == 2
    assert evaluate('d.get("k")', {"d": MappingProxyType({"k": "v"})}) == "v"


def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


# --------------------------------------------------------------------------- statically refused expressions

DEEP_PARENS = "(" * 10000 + "1" + ")" * 10000

REFUSED_CASES: list[tuple[str, str]] = [
    ("__import__('os')", "Funzione non consentita: __import__"),
    ("().__class__.__bases__", "Accesso ad attributi non consentito: __class__"),
    ("().__class__.__bases__", "Accesso ad attributi non consentito: __bases__"),
    ('"{0.__class__}".format(1)', "Accesso ad attributi non consentito: format"),
    ("format(x, '>10')", "Funzione non consentita: format"),
    ("9**9**9", "Potenza non consentita"),
    ("x ** 1000", "Potenza non consentita"),
    ("(10**100) ** 100", "Numero troppo grande"),
    ('"a"*10**9', "Risultato troppo grande"),
    ("10**9 * 'a'", "Risultato troppo grande"),
    ('["a" * 100000] * 2', "Risultato troppo grande"),
    ("[[0] * 100000] * 100000", "Risultato troppo grande"),
    ('"a" * 60000 + "b" * 60000', "Risultato troppo grande"),
    ('str(["a" * 60000, "b" * 60000])', "Risultato troppo grande"),
    ('"%*d" % (10**8, 1)', "Formattazione di testi con % non consentita"),
    ("sum([[1]] * 3, [])", "La funzione sum accetta solo numeri"),
    ("round(1, -10**9)", "Numero di cifre non consentito in round"),
    ("1 / 0", "Divisione per zero"),
    ('open("/etc/passwd")', "Funzione non consentita: open"),
    ("eval('1')", "Funzione non consentita: eval"),
    ("getattr(x, '__class__')", "Funzione non consentita: getattr"),
    ("lambda: 1", "Elemento non consentito nell'espressione: Lambda"),
    ("(lambda: 1)()", "Chiamata non consentita"),
    ("[x for x in range(10**9)]", "Elemento non consentito nell'espressione: ListComp"),
    ("(x for x in y)", "Elemento non consentito nell'espressione: GeneratorExp"),
    ("{k: 1 for k in y}", "Elemento non consentito nell'espressione: DictComp"),
    ('f"{x}"', "Elemento non consentito nell'espressione: JoinedStr"),
    ("(y := 1)", "Elemento non consentito nell'espressione: NamedExpr"),
    ("len(*x)", "Elemento non consentito nell'espressione: Starred"),
    ("[*x]", "Elemento non consentito nell'espressione: Starred"),
    ("{**d}", "Espansione di dizionari con ** non consentita"),
    ("max(**d)", "Espansione di argomenti con ** non consentita"),
    ("await x", "Elemento non consentito nell'espressione: Await"),
    ("(yield)", "Elemento non consentito nell'espressione: Yield"),
    ("sorted(x, key=len)", "Argomento non consentito per sorted: key"),
    ('s.startswith(prefix="a")', "Argomento non consentito per startswith: prefix"),
    ("1 << 10**9", "Operatore non consentito: <<"),
    ("~x", "Operatore non consentito: ~"),
    ("x.upper", "Accesso ad attributi non consentito: upper"),
    ("x.real", "Accesso ad attributi non consentito: real"),
    ("s.replace('a', 'b')", "Accesso ad attributi non consentito: replace"),
    ("f()", "Funzione non consentita: f"),
    ("x[0]()", "Chiamata non consentita"),
    ("b'bytes'", "Valore non consentito: bytes"),
    ("1j", "Valore non consentito: complex"),
    ("...", "Valore non consentito: ellipsis"),
    ("answer ==", "Espressione non valida: sintassi errata"),
    ("answer == = 1", "Espressione non valida: sintassi errata alla colonna 11"),
    ("x = 1", "Espressione non valida: sintassi errata"),
    ("import os", "Espressione non valida: sintassi errata"),
    ("", "Espressione vuota"),
    ("   ", "Espressione vuota"),
    ("a\x00b", "caratteri non ammessi"),
    ("x == 1 or " * 300 + "x", "Espressione troppo lunga"),
    (DEEP_PARENS, "Espressione troppo lunga"),
    ("(" * 900 + "1" + ")" * 900, "Espressione troppo annidata"),
    ("-" * 1999 + "1", "Espressione troppo annidata"),
    ("not " * 450 + "x", "Espressione troppo annidata"),
    ("+".join(["1"] * 150), "Espressione troppo annidata"),
    ("[" + ", ".join(["1"] * 600) + "]", "Espressione troppo complessa"),
]


def _assert_refused(expression: str, fragment: str, context: dict[str, Any] | None = None) -> None:
    messages = check_expression(expression)
    assert messages, f"check_expression accepted {expression!r}"
    assert any(fragment in message for message in messages), messages
    with pytest.raises(ExpressionError) as excinfo:
        evaluate(expression, context if context is not None else {"x": 1, "y": [], "d": {}, "s": "abc"})
    assert fragment in str(excinfo.value)


@pytest.mark.parametrize(("expression", "fragment"), REFUSED_CASES)
def test_refused_expressions(expression: str, fragment: str) -> None:
    _assert_refused(expression, fragment)


@pytest.mark.parametrize(
    "expression",
    ["9**9**9", '"a"*10**9', "[[0] * 100000] * 100000", "round(1, -10**9)", "1 << 10**9", DEEP_PARENS],
)
def test_dangerous_expressions_are_refused_before_computing(expression: str) -> None:
    # Were they computed, these would exhaust memory or run for hours: being refused proves they were not.
    assert check_expression(expression)
    with pytest.raises(ExpressionError):
        evaluate(expression, {})


def test_refusals_are_reported_even_when_variables_are_defined() -> None:
    # Whitelisted names only: a callable in the task data still cannot be called.
    _assert_refused("f()", "Funzione non consentita: f", {"f": lambda: 1})
    _assert_refused("x.__class__", "Accesso ad attributi non consentito: __class__", {"x": 1})


def test_check_expression_lists_every_problem_once() -> None:
    messages = check_expression("open(a) + open(b) + __import__('os')")
    assert messages == ["Funzione non consentita: open", "Funzione non consentita: __import__"]


def test_syntax_error_column_accounts_for_leading_spaces() -> None:
    assert check_expression("   a ==") == ["Espressione non valida: sintassi errata alla fine dell'espressione"]
    assert check_expression("  a == = 1") == ["Espressione non valida: sintassi errata alla colonna 8"]


def test_non_string_expression_is_refused() -> None:
    assert check_expression(42) == ["L'espressione deve essere un testo"]  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="deve essere un testo"):
        evaluate(None, {})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- failures known only at runtime

RUNTIME_FAILURES: list[tuple[str, dict[str, Any], str]] = [
    ("count > 3", {}, "Variabile sconosciuta: count"),
    ("len", {}, "Variabile sconosciuta: len"),
    ("__builtins__", {}, "Variabile sconosciuta: __builtins__"),
    ("total / n", {"total": 10, "n": 0}, "Divisione per zero"),
    ('data["manca"]', {"data": {}}, "Chiave non trovata: 'manca'"),
    ("items[5]", {"items": [1]}, "Indice fuori dall'intervallo"),
    ("age > limit", {"age": "dieci", "limit": 3}, "Operazione non valida per i tipi di dato coinvolti"),
    ("int(code)", {"code": "abc"}, "Valore non valido"),
    ("n.lower()", {"n": 5}, "Metodo non consentito: .lower() su un valore di tipo numero intero"),
    ("items.get(0)", {"items": [1]}, "Metodo non consentito: .get() su un valore di tipo lista"),
    ("lower(n)", {"n": 5}, "La funzione lower accetta solo testi"),
    ("n[0]", {"n": 5}, "Indicizzazione non consentita su un valore di tipo numero intero"),
    ("d[0:1]", {"d": {"a": 1}}, "Intervallo [a:b] non consentito"),
    ("fmt % n", {"fmt": "%*d", "n": (10**8, 1)}, "Formattazione di testi con % non consentita"),
    ("s * n", {"s": "ab", "n": 10**9}, "Risultato troppo grande"),
    ("x ** n", {"x": 9, "n": 9**9}, "Potenza non consentita"),
    ("big * big", {"big": 10**2000}, "Numero troppo grande"),
    ("x ** 2", {"x": 1e300}, "Numero troppo grande"),
    ("sum(v)", {"v": ["a", "b"]}, "La funzione sum accetta solo numeri"),
    ("str(v)", {"v": ["a" * 60000] * 2}, "Risultato troppo grande"),
    ("{v}", {"v": [1]}, "Operazione non valida"),
]


@pytest.mark.parametrize(("expression", "context", "fragment"), RUNTIME_FAILURES)
def test_runtime_failures_become_expression_errors(expression: str, context: dict[str, Any], fragment: str) -> None:
    assert check_expression(expression) == []
    with pytest.raises(ExpressionError) as excinfo:
        evaluate(expression, context)
    message = str(excinfo.value)
    assert fragment in message
    assert f"«{expression}»" in message, "the message must name the expression"
    assert excinfo.value.expression == expression


def test_long_expression_is_shortened_in_messages() -> None:
    expression = "missing and " + " and ".join(f"v{i}" for i in range(40))
    with pytest.raises(ExpressionError) as excinfo:
        evaluate(expression, {})
    assert "Variabile sconosciuta: missing" in str(excinfo.value)
    assert "…»" in str(excinfo.value)
    assert len(str(excinfo.value)) < 250


def test_total_size_of_intermediate_results_is_bounded() -> None:
    # Each part is under the per-result cap, but together they would allocate a lot of memory.
    expression = "[" + ", ".join(["[0] * 99999"] * 20) + "]"
    _assert_refused(expression, "Espressione troppo onerosa da calcolare")
    with pytest.raises(ExpressionError, match="troppo onerosa"):
        evaluate("[" + ", ".join(["s * 99999"] * 20) + "]", {"s": "a"})


def test_reading_task_data_does_not_count_as_building_data() -> None:
    context = {"data": {"items": list(range(90_000))}, "items": list(range(90_000))}
    expression = " and ".join(['len(data.get("items")) > 0', "len(items) > 0", "items[0] == 0"] * 5)
    assert evaluate(expression, context) is True
