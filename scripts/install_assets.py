#!/usr/bin/env python3
"""Install the browser libraries the maps need and copy them into ``static/vendor/``.

The service runs on a closed network, so Leaflet and folium's plugins are never loaded from a
CDN: they come from the npm registry at set-up time (exact versions in ``package.json`` /
``package-lock.json``) and the app serves them itself. This script

1. runs ``npm ci --no-audit --no-fund --ignore-scripts`` in the project root (``npm install``
   when there is no lock file); skipped when ``node_modules/`` already holds the locked versions;
2. copies exactly the files listed in :data:`FILES` into ``static/vendor/<package>/...``;
3. writes ``static/vendor/manifest.json`` (package versions, every file with its sha256).

When the manifest already matches the lock file and every file's checksum, it does nothing
(and does not need npm). ``--force`` redoes everything. Third-party code is never committed:
``node_modules/`` and ``static/vendor/`` are git-ignored.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"

#: npm package -> files (or folders) in it to copy, relative to the package folder; the tail
#: after ``dist/`` is kept, so ``dist/images`` lands in ``static/vendor/leaflet/images``.
#: geoapp/mapview/assets.py refers to these paths; keep them in step.
FILES: dict[str, list[str]] = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
    "leaflet.fullscreen": ["Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg",
                           "LICENSE"],
    # folium's Popup builds its content with $(`...`)[0], so jQuery is needed (not Bootstrap,
    # awesome-markers or Font Awesome: nothing geoapp draws uses them).
    "jquery": ["dist/jquery.min.js", "LICENSE.txt"],
}

NPM_MISSING = ("npm was not found on PATH; it is needed once, at set-up time, to fetch Leaflet and "
               "its plugins: install Node.js and npm: apt-get install nodejs npm")


class SetupError(RuntimeError):
    pass


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def lock_file() -> Path:
    lock = ROOT / "package-lock.json"
    return lock if lock.is_file() else ROOT / "package.json"


def locked_versions() -> dict[str, str]:
    """Versions of the packages in :data:`FILES`, from the lock file (or package.json)."""
    lock = ROOT / "package-lock.json"
    if lock.is_file():
        packages = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
        return {name: packages.get(f"node_modules/{name}", {}).get("version", "") for name in FILES}
    deps = json.loads((ROOT / "package.json").read_text(encoding="utf-8")).get("dependencies", {})
    return {name: deps.get(name, "") for name in FILES}


def installed_version(name: str) -> str | None:
    meta = ROOT / "node_modules" / name / "package.json"
    if not meta.is_file():
        return None
    return json.loads(meta.read_text(encoding="utf-8")).get("version")


def vendor_up_to_date() -> bool:
    """The manifest matches the lock file, and every file it lists is there with its checksum."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("lock_sha256") != sha256(lock_file()):
        return False
    if set(manifest.get("packages", {})) != set(FILES):
        return False
    for entry in manifest.get("files", []):
        path = VENDOR / entry["path"]
        if not path.is_file() or sha256(path) != entry["sha256"]:
            return False
    return bool(manifest.get("files"))


def run_npm() -> None:
    wanted = locked_versions()
    if (ROOT / "package-lock.json").is_file() and all(
            v and installed_version(name) == v for name, v in wanted.items()):
        return  # node_modules already holds exactly the locked versions
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError(NPM_MISSING)
    if (ROOT / "package-lock.json").is_file():
        cmd = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"]
    else:
        cmd = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts"]
    print("install_assets:", " ".join(["npm", *cmd[1:]]), flush=True)
    env = dict(os.environ, npm_config_update_notifier="false")
    proc = subprocess.run(cmd, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SetupError(f"`{' '.join(['npm', *cmd[1:]])}` failed (exit code {proc.returncode}); "
                         "is the npm registry reachable (npm config get registry)?")


def dest_name(rel: str) -> str:
    """``dist/images`` -> ``images``; ``Control.FullScreen.js`` stays."""
    return rel[len("dist/"):] if rel.startswith("dist/") else rel


def copy_files(target: Path) -> list[dict]:
    entries = []
    for name, rels in FILES.items():
        pkg = ROOT / "node_modules" / name
        version = installed_version(name)
        if version is None:
            raise SetupError(f"node_modules/{name} is missing after npm ran; is it in package.json?")
        for rel in rels:
            src = pkg / rel
            if src.is_dir():
                sources = sorted(p for p in src.rglob("*") if p.is_file())
            elif src.is_file():
                sources = [src]
            else:
                raise SetupError(f"{name}@{version} has no {rel}; did its layout change? "
                                 "Update FILES in scripts/install_assets.py and geoapp/mapview/assets.py")
            for s in sources:
                out_rel = Path(name) / dest_name(s.relative_to(pkg).as_posix())
                out = target / out_rel
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(s, out)
                entries.append({"path": out_rel.as_posix(), "package": name, "version": version,
                                "sha256": sha256(out), "size": out.stat().st_size})
    return entries


def install(force: bool = False) -> bool:
    """Bring ``static/vendor`` up to date; returns False when there was nothing to do."""
    if not force and vendor_up_to_date():
        return False
    run_npm()
    VENDOR.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".vendor-", dir=VENDOR.parent))
    try:
        entries = copy_files(tmp)
        manifest = {
            "generated_by": "scripts/install_assets.py",
            "lock_file": lock_file().name,
            "lock_sha256": sha256(lock_file()),
            "packages": {name: installed_version(name) for name in FILES},
            "files": entries,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        tmp.rename(VENDOR)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="reinstall and recopy even when up to date")
    args = parser.parse_args(argv)
    try:
        changed = install(force=args.force)
    except SetupError as exc:
        print(f"install_assets: error: {exc}", file=sys.stderr)
        return 1
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    versions = ", ".join(f"{k}@{v}" for k, v in manifest["packages"].items())
    state = "installed" if changed else "up to date"
    print(f"install_assets: static/vendor {state} ({versions}; {len(manifest['files'])} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
