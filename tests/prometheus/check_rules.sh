#!/usr/bin/env bash
# The alerting rules of deploy/prometheus/ as `make test` checks them: promtool's syntax check,
# promtool's unit tests (jobengine.rules.test.yml), and that every alert has a unit test, a
# `runbook` annotation naming its own section of docs/operations.md, and that section.
# Usage: check_rules.sh <source dir>
set -euo pipefail
root=${1:?usage: check_rules.sh <source dir>}
dir=$root/deploy/prometheus
rules=$dir/jobengine.rules.yml
tests=$dir/jobengine.rules.test.yml
runbooks=$root/docs/operations.md
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: scripts/install-test-tools.sh installs it (Debian package prometheus)" >&2
  exit 1
fi
promtool check rules "$rules"
(cd "$dir" && promtool test rules "$(basename "$tests")")
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\) *$/\1/p' "$rules")
[ -n "$alerts" ] || { echo "no alert found in $rules" >&2; exit 1; }
failed=0
for alert in $alerts; do
  anchor=$(printf '%s' "$alert" | tr '[:upper:]' '[:lower:]')
  block=$(awk -v a="$alert" '/^ *- alert: /{inside = ($3 == a)} inside' "$rules")
  if ! grep -q "runbook: \"docs/operations.md#$anchor\"" <<<"$block"; then
    echo "alert $alert: no runbook annotation \"docs/operations.md#$anchor\"" >&2
    failed=1
  fi
  if ! grep -qx "### $alert" "$runbooks"; then
    echo "alert $alert: docs/operations.md has no section \"### $alert\"" >&2
    failed=1
  fi
  if ! grep -q "alertname: $alert\$" "$tests"; then
    echo "alert $alert: no unit test in $(basename "$tests")" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
echo "$(wc -w <<<"$alerts") alerts: each unit-tested, each with its runbook section"
