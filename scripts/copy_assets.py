#!/usr/bin/env python3
"""Copy the front-end vendor files from node_modules into webapp/static/vendor/.

Why: Tessere is server-rendered (Flask + Jinja) and has no JavaScript build
step. Third-party front-end code (bootstrap-italia, bpmn-js, chart.js,
axe-core) is pinned by package.json + package-lock.json and installed with
npm; it is never committed. This script is the only "build": it copies the
few dist files the pages load into the static folder, so Flask serves them
from our own origin (no CDN, strict Content-Security-Policy friendly).

Usage (from anywhere):

    npm ci                       # or: npm install
    python3 scripts/copy_assets.py

Resulting layout (what the templates reference through url_for('static', ...)):

    webapp/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css
    webapp/static/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js
    webapp/static/vendor/bootstrap-italia/svg/sprites.svg
    webapp/static/vendor/bootstrap-italia/fonts/{Titillium_Web,Lora,Roboto_Mono}/
    webapp/static/vendor/bpmn-js/bpmn-modeler.production.min.js
    webapp/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js
    webapp/static/vendor/bpmn-js/bpmn-viewer.production.min.js
    webapp/static/vendor/bpmn-js/assets/{diagram-js.css,bpmn-js.css,bpmn-font/}
    webapp/static/vendor/chart.js/chart.umd.min.js
    webapp/static/vendor/axe-core/axe.min.js
    webapp/static/vendor/MANIFEST.json   (package versions that were copied)

Idempotent: the vendor folder is owned by this script; each run rebuilds it
from scratch, so files left over from an older package version disappear.
Standard library only.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "webapp" / "static" / "vendor"

# package -> list of (source relative to the package dir, destination relative
# to VENDOR/<package>). A source may be a tuple of alternatives: the first one
# that exists is used. Directories are copied recursively.
ASSETS: dict[str, list[tuple[object, str]]] = {
    "bootstrap-italia": [
        ("dist/css/bootstrap-italia.min.css", "css/bootstrap-italia.min.css"),
        ("dist/js/bootstrap-italia.bundle.min.js", "js/bootstrap-italia.bundle.min.js"),
        ("dist/svg/sprites.svg", "svg/sprites.svg"),
        ("dist/fonts", "fonts"),
        ("LICENSE", "LICENSE"),
    ],
    "bpmn-js": [
        ("dist/bpmn-modeler.production.min.js", "bpmn-modeler.production.min.js"),
        ("dist/bpmn-navigated-viewer.production.min.js", "bpmn-navigated-viewer.production.min.js"),
        ("dist/bpmn-viewer.production.min.js", "bpmn-viewer.production.min.js"),
        ("dist/assets", "assets"),
        ("LICENSE", "LICENSE"),
    ],
    "chart.js": [
        (("dist/chart.umd.min.js", "dist/chart.umd.js"), "chart.umd.min.js"),
        (("LICENSE.md", "LICENSE"), "LICENSE.md"),
    ],
    "axe-core": [
        ("axe.min.js", "axe.min.js"),
        ("LICENSE", "LICENSE"),
    ],
}


def fail(message: str) -> None:
    print(f"copy_assets: ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def resolve_source(pkg_dir: Path, source: object) -> Path:
    candidates = source if isinstance(source, tuple) else (source,)
    for candidate in candidates:
        path = pkg_dir / str(candidate)
        if path.exists():
            return path
    fail(
        f"{pkg_dir.name}: none of {', '.join(map(str, candidates))} found in {pkg_dir}. "
        "Has the package layout changed? Update ASSETS in scripts/copy_assets.py."
    )
    raise AssertionError  # unreachable


def main() -> int:
    if not NODE_MODULES.is_dir():
        fail(
            f"{NODE_MODULES} does not exist. Run `npm ci` (or `npm install`) in {ROOT} first, then re-run this script."
        )

    # Check everything before touching the vendor folder.
    plan: list[tuple[Path, Path]] = []
    versions: dict[str, str] = {}
    for package, files in ASSETS.items():
        pkg_dir = NODE_MODULES / package
        manifest = pkg_dir / "package.json"
        if not manifest.is_file():
            fail(f"package '{package}' is not installed in {NODE_MODULES}. Run `npm ci` (or `npm install`) first.")
        versions[package] = json.loads(manifest.read_text(encoding="utf-8")).get("version", "?")
        for source, dest in files:
            plan.append((resolve_source(pkg_dir, source), VENDOR / package / dest))

    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dst in plan:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)

    (VENDOR / "MANIFEST.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for package, version in sorted(versions.items()):
        print(f"copy_assets: {package} {version} -> {(VENDOR / package).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
