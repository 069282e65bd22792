#!/usr/bin/env bash
# Make sure the Debian packages a task needs are installed.
#   scripts/system-deps.sh weasyprint [pdf] [browser] [--optional GROUP...]
# As root on Debian/Ubuntu it installs what is missing (one apt-get update, only when
# something is missing); otherwise it prints the one exact command to run. It stops
# (exit 1) when a required group is missing; groups after --optional are wanted too,
# but when they cannot be installed it only warns and carries on (exit 0) — what needs
# them is then skipped. A second run with nothing missing takes a few milliseconds.
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
declare -A required=()
optional=0
for group in "$@"; do
  if [[ "$group" == "--optional" ]]; then optional=1; continue; fi
  [[ -n "${GROUPS_PKGS[$group]:-}" ]] || { echo "system-deps: unknown group '$group'" >&2; exit 2; }
  for pkg in ${GROUPS_PKGS[$group]}; do
    wanted+=("$pkg")
    [[ $optional -eq 1 ]] || required[$pkg]=1
  done
done
[[ ${#wanted[@]} -eq 0 ]] && exit 0

# Sets `missing` (all missing packages) and `missing_required` (the required ones),
# with a single dpkg-query call.
find_missing() {
  local -A installed=()
  local name status
  while read -r name status; do
    [[ "$status" == "installed" ]] && installed[$name]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
  missing=()
  missing_required=()
  local pkg
  for pkg in "${wanted[@]}"; do
    [[ -n "${installed[$pkg]:-}" ]] && continue
    missing+=("$pkg")
    [[ -n "${required[$pkg]:-}" ]] && missing_required+=("$pkg")
  done
  return 0
}

find_missing
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  find_missing
  if [[ ${#missing_required[@]} -gt 0 ]]; then
    echo "system-deps: could not install ${missing_required[*]} (see apt-get's message above)" >&2
    exit 1
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "system-deps: could not install the optional ${missing[*]}; what needs them will be skipped" >&2
  fi
  exit 0
fi

if [[ ${#missing_required[@]} -gt 0 ]]; then
  echo "system-deps: these Debian packages are missing: ${missing[*]}" >&2
  echo "Run this once, then try again:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "system-deps: optional Debian packages are missing: ${missing[*]}; what needs them will be skipped." >&2
echo "To have them, run this once:" >&2
echo "  sudo sh -c '$cmd'" >&2
exit 0
