"""The system benchmarks stay runnable: each script's `--quick` mode finishes and ends with its `RESULT` line.

Only that the scripts work is checked here, never a time (figures depend on the machine; see bench/README.md).
The scripts that need PostgreSQL run only when TESSERE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("TESSERE_TEST_DATABASE_URL")

# script -> the figures its RESULT line must carry
SQLITE_BENCHES = {
    "catalogue": ("sqlite_words_p95_ms", "sqlite_filters_p95_ms", "sqlite_growth"),
    "cold_start": ("cold_start_s",),
}
POSTGRES_BENCHES = {
    "worker_timers": ("one_worker_per_s", "two_workers_per_s", "speedup", "fired_once"),
    "http_load": ("bare_rps", "complete_rps", "ratio", "errors", "lost", "duplicated"),
}


def _run_quick(script: str, *extra: str) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", "--quick", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), result.stdout[-3000:]
    return dict(part.split("=", 1) for part in last.split()[1:])


@pytest.mark.parametrize("script", sorted(SQLITE_BENCHES))
def test_quick_benchmark_ends_with_its_result_line(script):
    figures = _run_quick(script)
    for name in SQLITE_BENCHES[script]:
        assert re.fullmatch(r"[0-9.]+", figures[name]), (name, figures)


@pytest.mark.postgres
@pytest.mark.parametrize("script", sorted(POSTGRES_BENCHES))
def test_quick_postgresql_benchmark_checks_the_database_and_ends_with_its_result_line(script):
    if not POSTGRES_URL:
        pytest.skip("needs TESSERE_TEST_DATABASE_URL (PostgreSQL)")
    figures = _run_quick(script, "--pg-url", POSTGRES_URL)
    for name in POSTGRES_BENCHES[script]:
        assert name in figures, (name, figures)
    if script == "worker_timers":
        assert figures["fired_once"] == "yes"
    else:
        assert figures["errors"] == figures["lost"] == figures["duplicated"] == "0"
