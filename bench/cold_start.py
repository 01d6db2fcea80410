"""Cold start: from launching the app process to the first page it serves.

A temporary SQLite database is prepared first (tables, shipped diagrams, a small network), so that the page is a
real one: `/catalogo`, which queries the catalogue and renders the full layout. Then, N times: launch
`gunicorn --workers 1 'webapp:create_app()'` (or `flask run`, `--server flask`) on a free loopback port, poll the
page every 5 ms with a plain HTTP client and take the time from the launch to the first 200 answer; stop the
process (SIGTERM) and wait for it. One launch before the measured ones warms the file cache and writes the `.pyc`
files, as a deployed server would have them (also when PYTHONDONTWRITEBYTECODE is set: see `with_compiled_modules`),
and Jinja's compiled templates (webapp/template_cache.py).

    .venv/bin/python -m bench.cold_start [--quick] [--runs 5] [--server gunicorn|flask] [--importtime]

`--importtime` also prints the slowest imports of `create_app()` (`python -X importtime`, cumulative).
The last line is `RESULT cold_start_s=<median> cold_start_min_s=... cold_start_max_s=...` (target: under 1.5 s).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, bench_database, create_bench_app, load_average, machine_summary, result_line

PAGE = "/catalogo"
POLL_SECONDS = 0.005
TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(server: str, port: int) -> list[str]:
    venv_bin = os.path.dirname(sys.executable)
    if server == "flask":
        return [os.path.join(venv_bin, "flask"), "--app", "webapp", "run", "--host", "127.0.0.1", "--port", str(port)]
    return [
        os.path.join(venv_bin, "gunicorn"),
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "webapp:create_app()",
    ]


def with_compiled_modules(env: dict[str, str], directory: str) -> dict[str, str]:
    """The server's environment, with Python allowed to keep the compiled modules (`.pyc`) a deployed server has.

    pip writes the libraries' `.pyc` at install time and a server's first launch writes the app's. A shell with
    PYTHONDONTWRITEBYTECODE set (some development machines set it to keep a shared working tree clean) would make
    every measured launch compile the app's ~150 modules from source again (≈ 0.3 s of CPU here), which no
    production start does. Then the server writes them under `directory`, private to this run
    (PYTHONPYCACHEPREFIX), and the working tree still gets no `__pycache__`; the warm-up launch fills it.
    """
    if not env.get("PYTHONDONTWRITEBYTECODE"):
        return env
    env = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = env.get("PYTHONPYCACHEPREFIX") or directory
    return env


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (gunicorn: the master and its worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def first_page_seconds(command: list[str], port: int, env: dict[str, str]) -> tuple[float, float]:
    """Launch the server, poll until the page answers 200; (elapsed seconds, CPU seconds the server used until
    then). The server is stopped afterwards. On a busy machine the CPU time is the steadier of the two."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            elapsed = time.perf_counter() - started
            if elapsed > TIMEOUT_SECONDS or process.poll() is not None:
                error = process.stderr.read().decode(errors="replace")[-2000:] if process.poll() is not None else ""
                raise RuntimeError(f"no page after {elapsed:.1f} s from {' '.join(command)}\n{error}")
            try:
                # gunicorn's master listens before its worker has imported the app: the request waits in the
                # socket's backlog until the worker takes it, so the timeout covers the whole start-up.
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
                connection.request("GET", PAGE)
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return time.perf_counter() - started, cpu_seconds(process.pid)
                raise RuntimeError(f"{PAGE} answered {status}")
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                time.sleep(POLL_SECONDS)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def import_times(env: dict[str, str], top: int = 15) -> list[str]:
    """The slowest imports (cumulative microseconds) of `create_app()`, from `python -X importtime`."""
    code = "from webapp import create_app; create_app()"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
            if cumulative.isdigit():
                rows.append((int(cumulative), name))
    rows.sort(reverse=True)
    return [f"  {cumulative / 1000:8.1f} ms  {name}" for cumulative, name in rows[:top]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server", choices=("gunicorn", "flask"), default="gunicorn")
    parser.add_argument("--importtime", action="store_true", help="print the slowest imports of create_app()")
    parser.add_argument("--quick", action="store_true", help="one measured launch: checks the script runs")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    print(machine_summary())
    with (
        bench_database("sqlite", name="coldstart") as database,
        tempfile.TemporaryDirectory(prefix="tessere-coldstart-pyc-") as pycache,
    ):
        app = create_bench_app(database)
        from tests import factories
        from webapp.extensions import db

        with app.app_context():
            factories.seed_network(db.session)
            db.session.commit()
        env = with_compiled_modules(database.environment(), pycache)
        env["FLASK_APP"] = "webapp"
        print(f"server: {args.server}, page {PAGE}, database {database.label}")
        port = free_port()
        warm, _ = first_page_seconds(server_command(args.server, port), port, env)
        print(f"warm-up launch: {warm:.3f} s")
        timings, cpu = [], []
        for run in range(runs):
            port = free_port()
            seconds, cpu_used = first_page_seconds(server_command(args.server, port), port, env)
            timings.append(seconds)
            cpu.append(cpu_used)
            print(
                f"launch {run + 1}: {seconds:.3f} s to the first page, {cpu_used:.2f} s of CPU (load {load_average()})"
            )
        if args.importtime:
            print("slowest imports of create_app() (cumulative):")
            print("\n".join(import_times(env)))
    median = statistics.median(timings)
    print(
        f"median of {runs}: {median:.3f} s (target < 1.5 s); "
        f"CPU used until the first page {statistics.median(cpu):.2f} s"
    )
    print(
        result_line(
            {
                "server": args.server,
                "cold_start_s": round(median, 3),
                "cold_start_min_s": round(min(timings), 3),
                "cold_start_max_s": round(max(timings), 3),
                "cold_start_cpu_s": round(statistics.median(cpu), 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
