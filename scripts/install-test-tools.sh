#!/usr/bin/env bash
# Installs what the tests need beyond system packages: node and npm (Debian), the npm tools
# under tools/ (each pinned by its package-lock.json and installed with `npm ci`, once: an
# existing node_modules is kept, so later runs need no network), and Chromium (Debian package,
# no browser download) for the headless render of GET /docs, and Prometheus (Debian package:
# promtool checks and unit-tests deploy/prometheus/, and a system test scrapes a real engine with
# it). Idempotent.
#   tools/openapi-validate  the official OpenAPI schema check (api_openapi_test, openapi_test)
#   tools/openapi-lint      Redocly CLI lint with tools/openapi-lint/redocly.yaml (api_lint_test)
#   tools/openapi-client    openapi-typescript + openapi-fetch + typescript (api_client_test)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
apt_install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ||
    { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"; }
}
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
for tool in openapi-validate openapi-lint openapi-client; do
  if [ -f "tools/$tool/package.json" ] && [ ! -d "tools/$tool/node_modules" ]; then
    (cd "tools/$tool" && npm ci --no-audit --no-fund --silent)
  fi
done
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  apt_install prometheus
fi
