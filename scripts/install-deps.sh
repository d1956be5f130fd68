#!/usr/bin/env bash
# Installs the system packages JobEngine needs on Debian 12 (bookworm). Idempotent: it asks apt
# only for what is missing, and it stops the postgresql package from creating and starting its
# default 15/main cluster (the engine runs its own private cluster under var/).
set -euo pipefail

PACKAGES=(
  cmake g++ make pkg-config git ca-certificates
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  libpistache-dev libpqxx-dev libpq-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev libsodium-dev libssl-dev libcpp-jwt-dev
  prometheus-cpp-dev libcurl4-openssl-dev libcctz-dev
  postgresql-15 postgresql-client-15 clang-format curl procps util-linux
  lld  # the linker every build uses when present (CMakeLists.txt)
  clang libclang-rt-14-dev  # the asan preset (make test) and make fuzz: clang, its sanitizer runtimes, libFuzzer
)

# valijson (JSON Schema validation of request bodies, docs/api.md "Schemas") is header-only, but
# Debian's libvalijson-dev Depends on the dev packages of every JSON library it has an adapter
# for (Qt 5, Poco, MySQL client, jsoncpp, ...: 87 packages, 219 MB on a fresh machine). We use
# only its nlohmann adapter, so the package's headers are unpacked into .deps/ instead of
# installed; cmake/Dependencies.cmake looks there and in /usr/include.
install_valijson() {
  local dest=.deps/valijson
  if [ -f /usr/include/valijson/validator.hpp ] || [ -f "$dest/usr/include/valijson/validator.hpp" ]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  echo "install-deps: unpacking libvalijson-dev (headers only) into $dest"
  if ! (cd "$tmp" && apt-get download libvalijson-dev >/dev/null 2>&1); then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    (cd "$tmp" && apt-get download libvalijson-dev)
  fi
  mkdir -p "$dest"
  dpkg-deb -x "$tmp"/libvalijson-dev_*.deb "$dest"
  rm -rf "$tmp"
}

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
cd "$(dirname "$0")/.."

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  install_valijson
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
  echo "install-deps: missing packages (${missing[*]}) and not root and no sudo" >&2; exit 1
fi

# Keep the package from creating and starting its default cluster on port 5432.
$SUDO mkdir -p /etc/postgresql-common
if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
  echo "create_main_cluster = false" | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
fi

echo "install-deps: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
install_valijson
