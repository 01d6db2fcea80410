"""Compiled templates kept on disk between launches (Jinja's bytecode cache).

Why: a new process compiles every template it renders from source, and the first page pays for it: the layout,
its macros and the page itself cost ≈ 0.15 s of CPU on the test machine, most of the first request's time after a
start (bench/cold_start.py, issue #8). With this cache only the first launch after a template changes compiles it;
the next launches read the compiled code back. Nothing changes in what the pages show: Jinja checks each entry
against the template's source (checksum) and compiles again when they differ.

Where: `TESSERE_TEMPLATE_CACHE_DIR` (instance/config.py or the test mapping), by default `template-cache/` in the
instance folder; an empty value turns the cache off. The directory is created private to the server's user
(0700) and refused if another user owns it or others may write into it: the cache holds code the server runs.
Entries are keyed also by the way the environment compiles (`compile_fingerprint`): two configurations never
share code.
A cache that cannot be written or read is skipped (logged), never an error page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys

import jinja2
from flask import Flask
from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache

log = logging.getLogger(__name__)

DEFAULT_DIRECTORY = "template-cache"  # inside the instance folder


def init_app(app: Flask) -> None:
    """Give the app's Jinja environment a bytecode cache; call it after every extension and filter is set up."""
    directory = app.config.get("TESSERE_TEMPLATE_CACHE_DIR")
    if directory is None:
        directory = os.path.join(app.instance_path, DEFAULT_DIRECTORY)
    if not directory:
        return
    try:
        _private_directory(directory)
    except OSError as exc:
        log.warning("template cache disabled: %s", exc)
        return
    app.jinja_env.bytecode_cache = FingerprintedBytecodeCache(directory)


class FingerprintedBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed also by how the environment compiles, and never failing a page.

    Jinja's own key is the template's name and file; the compiled code also depends on the environment (its
    extensions, i18n policies, which filters take the context...), so `compile_fingerprint` is part of the key.
    """

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        key = f"{compile_fingerprint(environment)}|{self.get_cache_key(name, filename)}"
        bucket = Bucket(environment, hashlib.sha1(key.encode()).hexdigest(), self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError as exc:
            log.warning("template cache not read: %s", exc)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:  # e.g. the directory was removed or the disk is full: the page is served anyway
            log.warning("template cache not written: %s", exc)


def compile_fingerprint(environment: Environment) -> str:
    """A short hash of everything besides the source that shapes a template's compiled code."""
    filters = sorted(
        (name, repr(getattr(function, "jinja_pass_arg", None))) for name, function in environment.filters.items()
    )
    tests = sorted(
        (name, repr(getattr(function, "jinja_pass_arg", None))) for name, function in environment.tests.items()
    )
    policies = sorted(
        (name, value) for name, value in environment.policies.items() if isinstance(value, str | bool | int)
    )
    lexer = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
    )
    described = repr(
        (
            jinja2.__version__,
            sys.version_info[:2],
            sorted(environment.extensions),
            policies,
            lexer,
            environment.optimized,
            environment.is_async,
            getattr(environment, "newstyle_gettext", None),
            _qualified_name(environment.autoescape),
            _qualified_name(environment.finalize),
            filters,
            tests,
        )
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def _qualified_name(value) -> str:
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"


def _private_directory(path: str) -> None:
    """Create `path` (and missing parents) readable by this user only, or check that an existing one is safe."""
    os.makedirs(path, mode=stat.S_IRWXU, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(f"{path} is not a directory private to this user")
