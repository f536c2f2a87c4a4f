#!/usr/bin/env bash
# Install the few Debian packages the project needs beyond Python, only those missing:
#   WeasyPrint (PDF): libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; fonts: fonts-dejavu-core
#   reader tests: poppler-utils (PDF pages to PNG), chromium (headless browser), nodejs and npm (axe-core,
#   the accessibility checker the browser tests inject, installed from package.json by `make setup`)
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium nodejs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)  # Debian's npm; a nodejs from NodeSource brings its own
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "missing system packages (install them with your package manager): ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
