#!/usr/bin/env bash
# Starts the engine from the release build with the given config (default
# config/jobengine.toml): embedded PostgreSQL under var/, all plugins, REST on :8080 and
# streams on :8081. The engine prints a dev token and a curl line once it is ready.
# Ctrl-C stops the engine and its database.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./build-release/bin/jobengine serve --config "${1:-config/jobengine.toml}" --demo
