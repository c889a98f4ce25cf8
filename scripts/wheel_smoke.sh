#!/usr/bin/env bash
# Smoke test of an installed geoapp, as a user outside the checkout gets it (issue 16):
#   1. python -m build: the sdist and, from it, the wheel (templates/, static/, schemes.toml,
#      migrations, catalogues and fetch manifests inside: geoapp/_data/ and package data);
#   2. a fresh venv in a temp folder, the wheel installed into it (dependencies from PyPI);
#   3. from that folder: `geoapp demo` against the data mirror, then `geoapp serve` on a free port;
#   4. a map page, its (versioned, compressed) Leaflet and the units API answer 200; with Chromium,
#      the page's map draws (#map gets data-drawn="N" with N > 0).
# Everything goes to a temp folder removed at exit (the server is stopped first).
#
#   scripts/wheel_smoke.sh                 GEOAPP_DATA_MIRROR (default ../shared/data) is the mirror
#   KEEP=1 scripts/wheel_smoke.sh          keeps the temp folder and says where
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mirror=${GEOAPP_DATA_MIRROR:-$root/../shared/data}
[ -d "$mirror" ] || { echo "wheel_smoke: no data mirror at $mirror (set GEOAPP_DATA_MIRROR)" >&2; exit 1; }
mirror=$(cd "$mirror" && pwd)
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

work=$(mktemp -d "${TMPDIR:-/tmp}/geoapp-wheel-smoke.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "wheel_smoke: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { echo "wheel_smoke: [$(date +%T)] $*"; }

# -- 1. build (with the checkout's .venv when it has `build`, else a throwaway one)
builder=.venv/bin/python
if ! { [ -x "$builder" ] && "$builder" -c "import build" 2>/dev/null; }; then
  "$PY" -m venv "$work/buildenv"
  "$work/buildenv/bin/python" -m pip install --quiet build
  builder="$work/buildenv/bin/python"
fi
step "building the wheel"
"$builder" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
wheel=$(ls "$work"/dist/geoapp-*.whl)
step "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"

# -- 2. a fresh venv outside the checkout
step "installing it into a fresh venv"
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel" >"$work/pip.log" 2>&1 || { tail -40 "$work/pip.log" >&2; exit 1; }
cd "$work"
# no setting of the caller's leaks in: the instance folder is the installed default (<venv>/var/geoapp-instance)
settings=(-u GEOAPP_INSTANCE_PATH -u GEOAPP_DATABASE_URL -u PYTHONPATH GEOAPP_DATA_MIRROR="$mirror"
          GEOAPP_PUBLIC_READ=1 GEOAPP_COOKIE_SECURE=0)
run() { env "${settings[@]}" "$@"; }
installed=$(run "$work/venv/bin/python" -c "import geoapp, geoapp.resources as r; print(r.DATA_ROOT)")
case "$installed" in
  "$work"/venv/*/geoapp/_data) ;;
  *) echo "wheel_smoke: geoapp was imported from $installed, not from the installed wheel" >&2; exit 1 ;;
esac

# -- 3. demo data and the server
step "geoapp demo (mirror $mirror)"
run "$work/venv/bin/geoapp" demo
port=$("$work/venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
step "geoapp serve on 127.0.0.1:$port"
# not through run(): $! must be the server itself (env execs it), not a subshell that kill would leave it behind
env "${settings[@]}" "$work/venv/bin/geoapp" serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!

# -- 4. a map page, its Leaflet, the units API; then the map drawn in Chromium
base="http://127.0.0.1:$port"
"$work/venv/bin/python" - "$base" "$server" <<'PY' || { echo "--- serve.log"; cat "$work/serve.log"; exit 1; } >&2
import json, os, re, sys, time, urllib.request

base, pid = sys.argv[1], int(sys.argv[2])

def get(path, **headers):
    req = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status, resp.headers, resp.read()

deadline = time.monotonic() + 120
while True:
    try:
        get("/login")
        break
    except OSError:
        os.kill(pid, 0)                      # the server died: its log is printed
        if time.monotonic() > deadline:
            sys.exit("the server did not answer within 120 s")
        time.sleep(0.5)
status, _, page = get("/map/2025/12")
assert status == 200, status
html = page.decode()
leaflet = re.search(r'src="(/static/lib/leaflet/leaflet\.[0-9a-f]{12}\.js)"', html)
assert leaflet, "the map page links no versioned Leaflet"
status, headers, body = get(leaflet.group(1), **{"Accept-Encoding": "gzip, br"})
assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable", dict(headers)
assert headers.get("Content-Encoding") in ("br", "gzip"), dict(headers)
first = len(page) + len(body)
for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
    if url != leaflet.group(1):
        first += len(get(url, **{"Accept-Encoding": "gzip, br"})[2])
status, _, units = get("/api/v1/2025/units?province=12")
features = json.loads(units)["features"]
assert status == 200 and features, "the units API answered no units"
print(f"wheel_smoke: map page, Leaflet ({len(body)} bytes {headers['Content-Encoding']}), {len(features)} units: OK;"
      f" page + static files {first // 1024} KB on the wire")
PY
chromium=${GEOAPP_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  dom=$("$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
          --user-data-dir="$work/chromium" --virtual-time-budget=20000 --dump-dom "$base/map/2025/12" 2>/dev/null || true)
  drawn=$(printf '%s' "$dom" | grep -o 'id="map"[^>]*data-drawn="[0-9]*"\|data-drawn="[0-9]*"[^>]*id="map"' | grep -o 'data-drawn="[0-9]*"' | grep -o '[0-9]\+' | head -1 || true)
  if [ -z "$drawn" ] || [ "$drawn" -eq 0 ]; then
    echo "wheel_smoke: Chromium did not draw the map (no data-drawn on #map)" >&2; exit 1
  fi
  step "Chromium drew $drawn units on the map"
else
  step "no Chromium at $chromium: the drawn map is not checked"
fi
step "OK: the installed wheel serves maps that draw"
echo "wheel_smoke: 1 passed, 0 failed"
