#!/usr/bin/env bash
# Installs what the tests need beyond system packages: the OpenAPI validator (node, from the
# npm registry, pinned by tools/openapi-validate/package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f tools/openapi-validate/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
  fi
  if [ ! -d tools/openapi-validate/node_modules ]; then
    (cd tools/openapi-validate && npm ci --no-audit --no-fund --silent)
  fi
fi
