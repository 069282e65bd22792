#!/usr/bin/env bash
# Make sure the Debian packages a task needs are installed.
#   scripts/system-deps.sh weasyprint [pdf] [browser]
# As root on Debian/Ubuntu it installs what is missing; otherwise it stops and prints the
# exact command to run. A second run with nothing missing takes a few milliseconds.
set -euo pipefail

declare -A GROUPS_PKGS=(
  [weasyprint]="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
  [pdf]="poppler-utils"
  [browser]="chromium chromium-driver"
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure Pango and HarfBuzz (for WeasyPrint) are installed." >&2
  exit 0
fi

wanted=()
for group in "$@"; do
  [[ -n "${GROUPS_PKGS[$group]:-}" ]] || { echo "system-deps: unknown group '$group'" >&2; exit 2; }
  for pkg in ${GROUPS_PKGS[$group]}; do wanted+=("$pkg"); done
done

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-deps: these Debian packages are missing: ${missing[*]}" >&2
  echo "Run this once, then try again:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
