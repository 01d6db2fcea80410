"""Translations of Tessere: compile the English catalogue, and check that nothing is left untranslated.

Italian is the source language: the msgids are the Italian strings of the code and templates. English lives in
`translations/en/parts/<area>.po` (one part per area, so people translating different areas never edit the same
file); this script merges the parts into the catalogue Flask-Babel reads.

    python scripts/i18n.py compile          parts -> webapp/translations/en/LC_MESSAGES/messages.mo
    python scripts/i18n.py check [PATH...]  what is missing or wrong, for PATH (default: webapp forms)

`check` extracts the messages with the rules of `babel.cfg` and reports, one per line (`file:line: problem`),
exiting 1 if there is any: a msgid without English in the parts, the same msgid translated differently in two
parts, a translation whose %(placeholders)s do not match, and visible text or an aria-label/title/alt/placeholder
left outside `_()`/`{% trans %}` in a template. `tests/test_i18n.py` runs the same checks.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch

ROOT = Path(__file__).resolve().parent.parent
PARTS_DIR = ROOT / "translations" / "en" / "parts"
MO_PATH = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.mo"
MAPPING = ROOT / "babel.cfg"
DEFAULT_PATHS = ("webapp", "forms", "bpmn")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
# Attributes people read (or hear from a screen reader); their values must be translated like text.
READ_ATTRIBUTES = frozenset({"aria-label", "title", "alt", "placeholder"})
# Text with letters that is the same in every language (symbols are allowed anyway: only letters are looked at).
LANGUAGE_NEUTRAL = frozenset({"Tessere", "PDF", "CSV", "JSON", "XLSX", "BPMN", "HSDS", "API", "IBAN", "PEC", "TOTP"})

Key = tuple[str | None, str | tuple[str, ...]]  # (context, msgid); a plural msgid is (singular, plural)


@dataclass(frozen=True)
class Problem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class Translation:
    key: Key
    msgstr: str | tuple[str, ...]
    location: str


# ------------------------------------------------------------------ the parts
def read_parts(parts_dir: Path = PARTS_DIR) -> dict[Key, list[Translation]]:
    """Every translated entry of every part (fuzzy and empty ones are not translations), by msgid."""
    found: dict[Key, list[Translation]] = {}
    for part in sorted(parts_dir.glob("*.po")):
        with part.open("rb") as stream:
            catalog = read_po(stream, locale="en")
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                continue
            key = (message.context, message.id)
            location = f"{_relative(part)}:{message.lineno}"
            found.setdefault(key, []).append(Translation(key, message.string, location))
    return found


def conflicts(translations: dict[Key, list[Translation]]) -> list[Problem]:
    """The same msgid with different English in two places: which one the catalogue kept would be luck."""
    problems = []
    for key, entries in translations.items():
        if len({entry.msgstr for entry in entries}) > 1:
            where = ", ".join(f"{entry.location} {entry.msgstr!r}" for entry in entries)
            problems.append(Problem(entries[0].location, f"traduzioni diverse di {_show(key)}: {where}"))
    return problems


def merged_catalog(translations: dict[Key, list[Translation]]) -> Catalog:
    catalog = Catalog(locale="en", domain="messages", project="Tessere", fuzzy=False)
    for (context, msgid), entries in sorted(translations.items(), key=lambda item: repr(item[0])):
        catalog.add(msgid, entries[0].msgstr, context=context)
    return catalog


def format_problems(catalog: Catalog, translations: dict[Key, list[Translation]]) -> list[Problem]:
    """Placeholders that differ between Italian and English (a KeyError in English only, at run time)."""
    problems = []
    for message, errors in catalog.check():
        entry = translations[(message.context, message.id)][0]
        problems.extend(Problem(entry.location, f"{_show(entry.key)}: {error}") for error in errors)
    return problems


def compile_catalogue(parts_dir: Path = PARTS_DIR, target: Path = MO_PATH) -> list[Problem]:
    """Merge the parts into the .mo Flask-Babel reads; the problems that make the result unreliable are returned."""
    translations = read_parts(parts_dir)
    catalog = merged_catalog(translations)
    problems = conflicts(translations) + format_problems(catalog, translations)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a test session compiling at the same time never reads half a file.
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".messages-", suffix=".mo", delete=False) as stream:
        write_mo(stream, catalog, use_fuzzy=False)
    os.replace(stream.name, target)
    return problems


def is_stale(parts_dir: Path = PARTS_DIR, target: Path = MO_PATH) -> bool:
    """True when a part (or the set of parts: the directory's own time) changed after the catalogue was built."""
    if not target.exists():
        return True
    sources = [parts_dir, *parts_dir.glob("*.po")] if parts_dir.exists() else []
    return any(source.stat().st_mtime > target.stat().st_mtime for source in sources)


def compile_if_stale() -> None:
    if is_stale():
        compile_catalogue()


# ------------------------------------------------------------------ extraction
def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict]]:
    with MAPPING.open(encoding="utf-8") as stream:
        return parse_mapping_cfg(stream)


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in paths:
        path = (ROOT / path).resolve()
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def extract(paths: Iterable[str | Path] = DEFAULT_PATHS) -> dict[Key, list[str]]:
    """The msgids of the given files or folders, with where they occur, following babel.cfg."""
    method_map, options_map = _mapping()
    messages: dict[Key, list[str]] = {}
    for path in _files(paths):
        relative = _relative(path)
        for pattern, method in method_map:
            if not pathmatch(pattern, relative):
                continue
            options = {**options_map.get(pattern, {}), "silent": "false"}  # a template that does not parse: say so
            for lineno, msgid, _comments, context in extract_from_file(method, str(path), KEYWORDS, options=options):
                if isinstance(msgid, tuple) and len(msgid) == 1:
                    msgid = msgid[0]
                if msgid:
                    messages.setdefault((context, msgid), []).append(f"{relative}:{lineno}")
            break
    return messages


def missing(messages: dict[Key, list[str]], translations: dict[Key, list[Translation]]) -> list[Problem]:
    return [
        Problem(locations[0], f"manca la traduzione inglese di {_show(key)}")
        for key, locations in messages.items()
        if key not in translations
    ]


# ------------------------------------------------------------------ unwrapped text in templates
class _TextCollector(HTMLParser):
    """Text nodes and read attributes of a template whose Jinja parts were replaced by a placeholder."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str, str]] = []  # (line, text, how to show it)
        self._skip = 0  # inside <script>/<style>: code and data, not text

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (
                name in READ_ATTRIBUTES
                or (tag == "input" and name == "value" and dict(attrs).get("type") in ("submit", "button", "reset"))
            ):
                self.found.append((self.getpos()[0], value, f'{name}="{value}"'))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append((self.getpos()[0], data, data))


def _needs_translation(text: str) -> bool:
    text = html.unescape(text.replace("\x00", " "))
    words = re.findall(r"[^\W\d_]+", text)
    return any(word not in LANGUAGE_NEUTRAL for word in words)


GETTEXT_CALLS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext"})
NOT_TEXT_MARK = "i18n: data"  # a Jinja comment with these words exempts its line (strings compared with data)


def _looks_like_text(literal: str) -> bool:
    """A string literal in a Jinja expression that people will read (a label passed to a macro, a badge...).

    Codes, endpoints, CSS classes, file names and class names are not; lowercase single words ('caso') cannot be
    told from codes ('open') and are not reported: wrap them anyway.
    """
    if not re.search(r"[^\W\d_]", literal) or "%" in literal and " " not in literal:
        return False
    if re.fullmatch(r"\s*[\w.:/#?=&%-]*\s*", literal, re.ASCII) and not re.match(r"\s*[A-Z][a-z]", literal):
        return False  # codes, endpoints, paths, single lowercase words
    if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+", literal):
        return False  # a class name (HiddenField)
    if re.fullmatch(r"[\sa-z0-9_-]+", literal) and "-" in literal:
        return False  # CSS classes
    return re.search(r"[^\x00-\x7f]", literal) is not None or " " in literal.strip() or literal[:1].isupper()


def _without_jinja(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template as HTML (Jinja tags become a NUL, `{% trans %}` bodies too, lines kept in place), and the
    string literals of its expressions that look like text and are not inside `_()`."""
    from jinja2 import Environment

    environment = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    exempt = {n for n, line in enumerate(source.splitlines(), 1) if NOT_TEXT_MARK in line}
    pieces: list[str] = []
    literals: list[tuple[int, str]] = []
    line = 1
    in_trans = False
    previous: tuple[str, str] = ("", "")
    calls: list[str | None] = []  # the function each open parenthesis belongs to
    for lineno, kind, value in environment.lex(source):
        while line < lineno:
            pieces.append("\n")
            line += 1
        if kind == "whitespace":
            continue
        if kind == "name" and previous[0] == "block_begin":
            in_trans = {"trans": True, "endtrans": False}.get(value, in_trans)
        elif kind == "operator" and value in "([":
            calls.append(previous[1] if previous[0] == "name" else None)
        elif kind == "operator" and value in ")]" and calls:
            calls.pop()
        elif kind == "block_end" or kind == "variable_end":
            calls.clear()
        elif kind == "string" and not GETTEXT_CALLS.intersection(calls) and lineno not in exempt:
            text = value[1:-1]
            if _looks_like_text(text):
                literals.append((lineno, text))
        previous = (kind, value)
        if kind == "data" and not in_trans:
            pieces.append(value)
            line += value.count("\n")
        elif not pieces or pieces[-1] != " \x00 ":
            pieces.append(" \x00 ")  # spaced: `<details{% if x %} open{% endif %}>` stays a tag with attributes
    return "".join(pieces), literals


def unwrapped_text(template: Path) -> list[Problem]:
    source = template.read_text(encoding="utf-8")
    exempt = {n for n, line in enumerate(source.splitlines(), 1) if NOT_TEXT_MARK in line}
    markup, literals = _without_jinja(source)
    parser = _TextCollector()
    parser.feed(markup)
    parser.close()
    relative = _relative(template)
    problems = [
        Problem(f"{relative}:{line}", f"testo non tradotto: {' '.join(shown.replace(chr(0), '…').split())!r}")
        for line, text, shown in parser.found
        if _needs_translation(text) and line not in exempt
    ]
    problems += [Problem(f"{relative}:{line}", f"stringa non tradotta: {text!r}") for line, text in literals]
    return sorted(problems, key=lambda problem: int(problem.location.rsplit(":", 1)[1]))


def template_files(paths: Iterable[str | Path] = DEFAULT_PATHS) -> list[Path]:
    method_map, _options = _mapping()
    patterns = [pattern for pattern, method in method_map if method == "jinja2"]
    return [path for path in _files(paths) if any(pathmatch(p, _relative(path)) for p in patterns)]


# ------------------------------------------------------------------ the check
def check(paths: Iterable[str | Path] = DEFAULT_PATHS) -> list[Problem]:
    paths = list(paths)
    translations = read_parts()
    problems = missing(extract(paths), translations)
    problems += conflicts(translations)
    problems += format_problems(merged_catalog(translations), translations)
    for template in template_files(paths):
        problems += unwrapped_text(template)
    return problems


def _relative(path: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _show(key: Key) -> str:
    context, msgid = key
    shown = " / ".join(msgid) if isinstance(msgid, tuple) else msgid
    return repr(shown) + (f" (contesto {context!r})" if context else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("compile", help="parti .po -> webapp/translations/en/LC_MESSAGES/messages.mo")
    checker = commands.add_parser("check", help="traduzioni mancanti o in conflitto, testo non racchiuso in _()")
    checker.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS), help="file o cartelle (webapp forms)")
    arguments = parser.parse_args(argv)
    if arguments.command == "compile":
        problems = compile_catalogue()
        print(f"{_relative(MO_PATH)}: {len(read_parts())} messaggi da {len(list(PARTS_DIR.glob('*.po')))} parti")
    else:
        problems = check(arguments.paths)
    for problem in problems:
        print(problem, file=sys.stderr if arguments.command == "compile" else sys.stdout)
    if arguments.command == "check":
        print(f"{len(problems)} problemi" if problems else "nessun problema", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
