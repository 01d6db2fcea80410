"""Restricted evaluator for the expressions written inside BPMN diagrams.

Managers edit BPMN diagrams in the browser, so every gateway condition, timer
expression and service-task parameter found in a diagram is untrusted input.
Python's ``eval``/``exec`` would hand such text the whole interpreter (``__import__``,
``().__class__.__bases__`` tricks, ``9**9**9`` denial of service, ...), so this module
never uses them.  Instead the text is parsed with ``ast.parse(expr, mode="eval")``
and the resulting tree is walked by a tiny interpreter that only understands a
whitelist of node types:

* constants (str, int, float, bool, None) and variables read from the task data;
* comparisons, ``and``/``or``/``not``, ``a if c else b``;
* arithmetic ``+ - * / // % **`` with size limits (small exponents, bounded
  repetition and concatenation of strings and lists, no ``%`` string formatting);
* list, tuple, set and dict literals, subscripts and slices;
* calls to a few plain-named functions (``len``, ``min``, ``lower``, ...) and to a
  few methods on str values (``lower``, ``upper``, ``strip``, ``startswith``,
  ``endswith``) and dict values (``get``).

Everything else is refused with an Italian message that a manager can act on.
``check_expression`` performs the check without data (for the diagram editor);
``evaluate`` checks, then computes the value against the task data.

The static check also computes every sub-expression that does not depend on any
variable (it is cheap: the interpreter is bounded), so ``9**9**9``, ``"a" * 10**9``
or ``1 / 0`` are reported while the diagram is being saved, not when a case
reaches the gateway.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

__all__ = ["ExpressionError", "check_expression", "evaluate"]

MAX_EXPRESSION_LENGTH = 2000
MAX_NODES = 500
MAX_DEPTH = 100
MAX_EXPONENT = 100
MAX_INTEGER_BITS = 10_000
MAX_SEQUENCE_LENGTH = 100_000
MAX_ROUND_DIGITS = 100
MAX_TOTAL_ALLOCATION = 1_000_000

_MESSAGE_EXCERPT = 80


class ExpressionError(ValueError):
    """Raised for a disallowed or failing expression; str(exc) is an Italian message a manager understands.

    ``reason`` holds the bare message, ``expression`` the text that caused it (when known).
    """

    def __init__(self, reason: str, expression: str | None = None) -> None:
        self.reason = reason
        self.expression = expression
        if expression is None:
            super().__init__(reason)
        else:
            super().__init__(f"{reason} (nell'espressione «{_excerpt(expression)}»)")


def _excerpt(text: str, limit: int = _MESSAGE_EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- whitelists

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.Call,
    ast.keyword,
)

_REFUSED_OPERATORS: dict[type[ast.AST], str] = {
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
}

_CONSTANT_TYPES = (str, int, float, bool, type(None))

_SEQUENCE_TYPES = (str, list, tuple)
_NUMBER_TYPES = (int, float)


# --------------------------------------------------------------------------- size guards


def _weight(value: Any, budget: int = MAX_SEQUENCE_LENGTH) -> int:
    """Approximate size of ``value`` once fully written out; stops counting past ``budget``.

    Strings count their length, containers the weight of their items (at least 1),
    anything else 1.  Shared references count once per reference, which is exactly
    what makes ``[["a" * 100000]] * 100000`` expensive to print.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += max(len(item), 1)
        elif isinstance(item, (list, tuple, set, frozenset, Mapping)):
            if len(item) > budget:
                return budget + 1
            if not item:
                total += 1
            elif isinstance(item, Mapping):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            total += 1
        if total > budget:
            return total
    return total


def _check_sequence_size(size: int) -> None:
    if size > MAX_SEQUENCE_LENGTH:
        raise ExpressionError(f"Risultato troppo grande: più di {MAX_SEQUENCE_LENGTH} elementi o caratteri")


def _check_integer_size(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise ExpressionError("Numero troppo grande")
    return value


def _is_integer(value: Any) -> bool:
    return isinstance(value, int)


def _repeat(left: Any, right: Any) -> Any:
    """``*`` with a cap on the size of repeated strings, lists and tuples."""
    if isinstance(left, _SEQUENCE_TYPES) and _is_integer(right):
        _check_sequence_size(_weight(left) * max(right, 0))
    elif _is_integer(left) and isinstance(right, _SEQUENCE_TYPES):
        _check_sequence_size(_weight(right) * max(left, 0))
    return _check_integer_size(left * right)


def _concatenate(left: Any, right: Any) -> Any:
    """``+`` with a cap on the size of concatenated strings, lists and tuples."""
    if isinstance(left, _SEQUENCE_TYPES) and isinstance(right, _SEQUENCE_TYPES):
        _check_sequence_size(_weight(left) + _weight(right))
    return left + right


def _power(base: Any, exponent: Any) -> Any:
    """``**`` refused for big exponents, so ``9**9**9`` fails at once instead of hanging."""
    if isinstance(base, _NUMBER_TYPES) and isinstance(exponent, _NUMBER_TYPES):
        if abs(exponent) > MAX_EXPONENT:
            raise ExpressionError(f"Potenza non consentita: l'esponente supera {MAX_EXPONENT}")
        if _is_integer(base) and _is_integer(exponent) and base.bit_length() * exponent > MAX_INTEGER_BITS:
            raise ExpressionError("Numero troppo grande")
    return base**exponent


def _modulo(left: Any, right: Any) -> Any:
    """``%`` only as arithmetic: ``"%*d" % (10**8, 1)`` would build a 100 MB string."""
    if isinstance(left, str):
        raise ExpressionError("Formattazione di testi con % non consentita")
    return left % right


_BINARY_OPERATIONS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _concatenate,
    ast.Sub: lambda left, right: left - right,
    ast.Mult: _repeat,
    ast.Div: lambda left, right: left / right,
    ast.FloorDiv: lambda left, right: left // right,
    ast.Mod: _modulo,
    ast.Pow: _power,
}

_UNARY_OPERATIONS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.Not: lambda operand: not operand,
    ast.USub: lambda operand: -operand,
    ast.UAdd: lambda operand: +operand,
}

_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda left, right: left == right,
    ast.NotEq: lambda left, right: left != right,
    ast.Lt: lambda left, right: left < right,
    ast.LtE: lambda left, right: left <= right,
    ast.Gt: lambda left, right: left > right,
    ast.GtE: lambda left, right: left >= right,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
    ast.Is: lambda left, right: left is right,
    ast.IsNot: lambda left, right: left is not right,
}


# --------------------------------------------------------------------------- functions and methods


def _require_text(value: Any, function: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"La funzione {function} accetta solo testi")
    return value


def _lower(value: Any) -> str:
    return _require_text(value, "lower").lower()


def _upper(value: Any) -> str:
    return _require_text(value, "upper").upper()


def _strip(value: Any, characters: str | None = None) -> str:
    return _require_text(value, "strip").strip(characters)


def _to_text(*args: Any) -> str:
    if args:
        _check_sequence_size(_weight(args[0]))
    return str(*args)


def _round(number: Any, ndigits: Any = None) -> Any:
    """``round`` with a bounded ``ndigits``: ``round(1, -10**9)`` would compute 10**(10**9)."""
    if ndigits is not None and _is_integer(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ExpressionError(f"Numero di cifre non consentito in round: massimo {MAX_ROUND_DIGITS}")
    return round(number, ndigits)


def _require_numbers(values: Iterable[Any], function: str) -> list[Any]:
    items = list(values)
    if not all(isinstance(item, _NUMBER_TYPES) for item in items):
        raise ExpressionError(f"La funzione {function} accetta solo numeri")
    return items


def _sum(values: Iterable[Any], start: Any = 0) -> Any:
    """``sum`` of numbers only: summing lists (``sum(big, [])``) is quadratic in memory."""
    items = _require_numbers(values, "sum")
    _require_numbers([start], "sum")
    return sum(items, start)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": _to_text,
    "int": int,
    "float": float,
    "bool": bool,
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,
    "sum": _sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "lower": _lower,
    "upper": _upper,
    "strip": _strip,
}

_FUNCTION_KEYWORDS: dict[str, frozenset[str]] = {
    "int": frozenset({"base"}),
    "min": frozenset({"default"}),
    "max": frozenset({"default"}),
    "round": frozenset({"ndigits"}),
    "sum": frozenset({"start"}),
    "sorted": frozenset({"reverse"}),
}

_STRING_METHODS: dict[str, Callable[..., Any]] = {
    "lower": str.lower,
    "upper": str.upper,
    "strip": str.strip,
    "startswith": str.startswith,
    "endswith": str.endswith,
}

_MAPPING_METHODS = frozenset({"get"})

_METHODS = frozenset(_STRING_METHODS) | _MAPPING_METHODS


def _call_method(receiver: Any, name: str, args: list[Any]) -> Any:
    if name in _STRING_METHODS and isinstance(receiver, str):
        return _STRING_METHODS[name](receiver, *args)
    if name in _MAPPING_METHODS and isinstance(receiver, Mapping):
        return receiver.get(*args)
    raise ExpressionError(f"Metodo non consentito: .{name}() su un valore di tipo {_type_name(receiver)}")


_TYPE_NAMES = {
    str: "testo",
    int: "numero intero",
    float: "numero decimale",
    bool: "booleano",
    type(None): "None",
    list: "lista",
    tuple: "tupla",
    set: "insieme",
    dict: "dizionario",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- static check


def _parse(text: str) -> ast.Expression:
    """Parse ``text`` in eval mode, turning every parser failure into an ExpressionError."""
    stripped = text.strip()
    prefix = text[: len(text) - len(text.lstrip())]
    leading = 0 if "\n" in prefix else len(prefix)
    try:
        return ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(_describe_syntax_error(exc, leading)) from exc
    except (RecursionError, MemoryError) as exc:
        raise ExpressionError("Espressione troppo annidata o complessa") from exc
    except ValueError as exc:  # null bytes on some Python versions
        raise ExpressionError("Espressione non valida: contiene caratteri non ammessi") from exc


def _describe_syntax_error(exc: SyntaxError, leading: int) -> str:
    if "null bytes" in (exc.msg or ""):
        return "Espressione non valida: contiene caratteri non ammessi"
    if "too many nested" in (exc.msg or ""):
        return "Espressione troppo annidata: troppe parentesi"
    if not exc.offset:
        return "Espressione non valida: sintassi errata alla fine dell'espressione"
    if exc.lineno and exc.lineno > 1:
        return f"Espressione non valida: sintassi errata alla riga {exc.lineno}, colonna {exc.offset}"
    return f"Espressione non valida: sintassi errata alla colonna {exc.offset + leading}"


def _size_errors(tree: ast.AST) -> list[str]:
    """Node count and nesting depth, measured without recursion."""
    count = 0
    depth = 0
    stack = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        count += 1
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    errors = []
    if count > MAX_NODES:
        errors.append(f"Espressione troppo complessa: {count} elementi (massimo {MAX_NODES})")
    if depth > MAX_DEPTH:
        errors.append(f"Espressione troppo annidata: {depth} livelli (massimo {MAX_DEPTH})")
    return errors


def _constant_exponent(node: ast.expr) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _constant_exponent(node.operand)
    if isinstance(node, ast.Constant) and isinstance(node.value, _NUMBER_TYPES):
        return node.value
    return None


def _inspect_call(node: ast.Call) -> tuple[list[str], list[ast.AST]]:
    """Only ``name(...)`` for whitelisted names and ``value.method(...)`` for whitelisted methods."""
    errors: list[str] = []
    children: list[ast.AST] = [*node.args]
    allowed_keywords: frozenset[str] = frozenset()
    if isinstance(node.func, ast.Name):
        if node.func.id in _FUNCTIONS:
            allowed_keywords = _FUNCTION_KEYWORDS.get(node.func.id, frozenset())
        else:
            errors.append(f"Funzione non consentita: {node.func.id}")
        callee = node.func.id
    elif isinstance(node.func, ast.Attribute):
        if node.func.attr not in _METHODS:
            errors.append(f"Accesso ad attributi non consentito: {node.func.attr}")
        children.insert(0, node.func.value)
        callee = node.func.attr
    else:
        errors.append("Chiamata non consentita: si possono chiamare solo le funzioni ammesse, per nome")
        children.insert(0, node.func)
        callee = ""
    for keyword in node.keywords:
        if keyword.arg is None:
            errors.append("Espansione di argomenti con ** non consentita")
        elif keyword.arg not in allowed_keywords:
            errors.append(f"Argomento non consentito per {callee}: {keyword.arg}")
        children.append(keyword.value)
    return errors, children


def _inspect(node: ast.AST) -> tuple[list[str], list[ast.AST]]:
    """Errors found on ``node`` itself, and the children that still need checking."""
    if isinstance(node, ast.Call):
        return _inspect_call(node)
    if isinstance(node, ast.Attribute):
        return [f"Accesso ad attributi non consentito: {node.attr}"], [node.value]
    if type(node) in _REFUSED_OPERATORS:
        return [f"Operatore non consentito: {_REFUSED_OPERATORS[type(node)]}"], []
    if not isinstance(node, _ALLOWED_NODES):
        return [f"Elemento non consentito nell'espressione: {type(node).__name__}"], []
    children = list(ast.iter_child_nodes(node))
    if isinstance(node, ast.Constant) and not isinstance(node.value, _CONSTANT_TYPES):
        return [f"Valore non consentito: {type(node.value).__name__}"], []
    if isinstance(node, ast.Dict) and any(key is None for key in node.keys):
        return ["Espansione di dizionari con ** non consentita"], children
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = _constant_exponent(node.right)
        if exponent is not None and abs(exponent) > MAX_EXPONENT:
            return [f"Potenza non consentita: l'esponente supera {MAX_EXPONENT}"], children
    return [], children


def _whitelist_errors(tree: ast.AST) -> list[str]:
    errors: list[str] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        found, children = _inspect(node)
        errors.extend(found)
        stack.extend(reversed(children))
    return errors


def _operands(node: ast.AST) -> list[ast.AST]:
    """Children of ``node``, leaving out the name of a called function (it is not a variable)."""
    children = list(ast.iter_child_nodes(node))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        children.remove(node.func)
    return children


def _mark_variable_nodes(node: ast.AST, marked: set[int]) -> bool:
    """Record in ``marked`` the ids of nodes whose value depends on a variable."""
    uses_variable = isinstance(node, ast.Name)
    for child in _operands(node):
        if _mark_variable_nodes(child, marked):
            uses_variable = True
    if uses_variable:
        marked.add(id(node))
    return uses_variable


def _constant_errors(tree: ast.Expression) -> list[str]:
    """Compute every maximal sub-expression that uses no variable and report its failure.

    Such a part gives the same result for every case, so if it fails (``9**9**9``,
    ``"a" * 10**9``, ``1 / 0``) the diagram is wrong whatever the data.
    """
    variable_nodes: set[int] = set()
    _mark_variable_nodes(tree, variable_nodes)
    errors: list[str] = []
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.expr) and id(node) not in variable_nodes:
            try:
                _compute(node, {})
            except ExpressionError as exc:
                errors.append(exc.reason)
            continue
        stack.extend(reversed(_operands(node)))
    return errors


def _unique(messages: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def _compile(expression: str) -> tuple[ast.Expression | None, tuple[str, ...]]:
    """Parse and check ``expression``; returns the tree (or None) and the error messages."""
    if not expression.strip():
        return None, ("Espressione vuota",)
    if len(expression) > MAX_EXPRESSION_LENGTH:
        return None, (f"Espressione troppo lunga: {len(expression)} caratteri (massimo {MAX_EXPRESSION_LENGTH})",)
    return _compile_bounded(expression)


@functools.lru_cache(maxsize=512)
def _compile_bounded(expression: str) -> tuple[ast.Expression | None, tuple[str, ...]]:
    """The cached part of ``_compile``, only ever called with short texts (the cache keeps them)."""
    try:
        tree = _parse(expression)
    except ExpressionError as exc:
        return None, (exc.reason,)
    errors = _size_errors(tree) or _whitelist_errors(tree)
    if not errors:
        errors = _constant_errors(tree)
    return (None, tuple(_unique(errors))) if errors else (tree, ())


def check_expression(expression: str) -> list[str]:
    """Static check without data: returns a list of Italian error messages (empty list = allowed)."""
    if not isinstance(expression, str):
        return ["L'espressione deve essere un testo"]
    return list(_compile(expression)[1])


# --------------------------------------------------------------------------- evaluation


_FAILURE_MESSAGES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (ZeroDivisionError, "Divisione per zero"),
    (OverflowError, "Numero troppo grande"),
    (IndexError, "Indice fuori dall'intervallo"),
    ((RecursionError, MemoryError), "Espressione troppo complessa da calcolare"),
    (TypeError, "Operazione non valida per i tipi di dato coinvolti"),
    (ValueError, "Valore non valido per l'operazione richiesta"),
)


def _describe_failure(exc: BaseException) -> str:
    """Italian explanation of an exception raised while computing an expression."""
    if isinstance(exc, ExpressionError):
        return exc.reason
    if isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else ""
        return f"Chiave non trovata: {_excerpt(repr(key), 40)}"
    for kinds, message in _FAILURE_MESSAGES:
        if isinstance(exc, kinds):
            return message
    return "Errore imprevisto durante il calcolo"


class _Evaluator:
    """Walks an already checked tree; every method handles one whitelisted node type."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self._context = context
        self._allocated = 0

    def _charge(self, result: Any) -> Any:
        """Count the size of a newly built text or collection against the budget of one evaluation.

        Each result is already capped, but an expression may build many of them
        (``[[0] * 99999, [0] * 99999, ...]``); the total is capped too.
        """
        if isinstance(result, (str, list, tuple, set, dict)):
            self._allocated += len(result)
            if self._allocated > MAX_TOTAL_ALLOCATION:
                raise ExpressionError("Espressione troppo onerosa da calcolare: produce troppi dati")
        return result

    def visit(self, node: ast.AST) -> Any:
        handler = self._handlers.get(type(node))
        if handler is None:
            raise ExpressionError(f"Elemento non consentito nell'espressione: {type(node).__name__}")
        return handler(self, node)

    def _expression(self, node: ast.Expression) -> Any:
        return self.visit(node.body)

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        if node.id not in self._context:
            raise ExpressionError(f"Variabile sconosciuta: {node.id} (dato non presente in questo punto del processo)")
        return self._context[node.id]

    def _bool_op(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _unary_op(self, node: ast.UnaryOp) -> Any:
        return _UNARY_OPERATIONS[type(node.op)](self.visit(node.operand))

    def _bin_op(self, node: ast.BinOp) -> Any:
        left = self.visit(node.left)
        right = self.visit(node.right)
        return self._charge(_BINARY_OPERATIONS[type(node.op)](left, right))

    def _compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if not _COMPARISONS[type(operator)](left, right):
                return False
            left = right
        return True

    def _if_exp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def _list(self, node: ast.List) -> list[Any]:
        return [self.visit(element) for element in node.elts]

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.visit(element) for element in node.elts)

    def _set(self, node: ast.Set) -> set[Any]:
        return {self.visit(element) for element in node.elts}

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        keys = [self.visit(key) for key in node.keys if key is not None]
        if len(keys) != len(node.keys):
            raise ExpressionError("Espansione di dizionari con ** non consentita")
        return {key: self.visit(value) for key, value in zip(keys, node.values, strict=True)}

    def _subscript(self, node: ast.Subscript) -> Any:
        container = self.visit(node.value)
        index = self.visit(node.slice)
        if isinstance(index, slice):
            if not isinstance(container, _SEQUENCE_TYPES):
                raise ExpressionError(f"Intervallo [a:b] non consentito su un valore di tipo {_type_name(container)}")
            return self._charge(container[index])
        if not isinstance(container, (*_SEQUENCE_TYPES, Mapping)):
            raise ExpressionError(f"Indicizzazione non consentita su un valore di tipo {_type_name(container)}")
        return container[index]

    def _slice(self, node: ast.Slice) -> slice:
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if part is None else self.visit(part) for part in parts))

    def _call(self, node: ast.Call) -> Any:
        args = [self.visit(argument) for argument in node.args]
        keywords = {keyword.arg: self.visit(keyword.value) for keyword in node.keywords}
        if isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS and not keywords:
            result = _call_method(self.visit(node.func.value), node.func.attr, args)
            return self._charge(result) if isinstance(result, str) else result
        if isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            allowed = _FUNCTION_KEYWORDS.get(node.func.id, frozenset())
            if all(name in allowed for name in keywords):
                return self._charge(_FUNCTIONS[node.func.id](*args, **keywords))
        raise ExpressionError("Chiamata non consentita")

    _handlers: ClassVar[dict[type[ast.AST], Callable[[_Evaluator, Any], Any]]] = {
        ast.Expression: _expression,
        ast.Constant: _constant,
        ast.Name: _name,
        ast.BoolOp: _bool_op,
        ast.UnaryOp: _unary_op,
        ast.BinOp: _bin_op,
        ast.Compare: _compare,
        ast.IfExp: _if_exp,
        ast.List: _list,
        ast.Tuple: _tuple,
        ast.Set: _set,
        ast.Dict: _dict,
        ast.Subscript: _subscript,
        ast.Slice: _slice,
        ast.Call: _call,
    }


def _compute(node: ast.AST, context: Mapping[str, Any], expression: str | None = None) -> Any:
    """Run the evaluator on a checked tree; any exception becomes an ExpressionError."""
    try:
        return _Evaluator(context).visit(node)
    except Exception as exc:
        raise ExpressionError(_describe_failure(exc), expression) from exc


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """Evaluate against the variables in context (task data). Raises ExpressionError.

    The expression is first checked like ``check_expression`` does; any failure
    while computing (missing variable, division by zero, wrong types, ...) is
    reported as an ExpressionError whose message names the expression.
    """
    if not isinstance(expression, str):
        raise ExpressionError("L'espressione deve essere un testo")
    tree, errors = _compile(expression)
    if tree is None:
        raise ExpressionError("; ".join(errors), expression)
    return _compute(tree, context, expression)
