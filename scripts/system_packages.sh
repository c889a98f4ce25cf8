#!/usr/bin/env bash
# Install the Debian packages geoapp's set-up needs, when missing: for the tests, `chromium`,
# `poppler-utils` and (for the PostGIS backend) `postgresql postgresql-15-postgis-3` (the map
# libraries are Python packages: no Node.js). As root it installs them with apt-get (sudo
# otherwise); without either it says what to install and fails — ./test stops there rather than
# let the suite skip what it cannot run.
set -euo pipefail
missing=()
for pkg in "$@"; do
  case "$pkg" in
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "geoapp needs these Debian packages: ${missing[*]} — install them (apt-get install ${missing[*]})" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
