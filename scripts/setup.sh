#!/usr/bin/env bash
# Installs every build and test dependency of cimsim from Debian 12 packages.
# Does nothing when they are already present. Needs root or sudo for apt-get.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev      # SystemC 2.3.4 (hw/)
  libeigen3-dev       # functional crossbar numerics (models/xbar)
  libyaml-cpp-dev     # configuration
  libfmt-dev          # formatting and terminal tables
  catch2              # unit tests (Catch2 2.13)
  libcli11-dev        # command line
  nlohmann-json3-dev  # JSON reports
  libbenchmark-dev    # bench/ (Google Benchmark)
  python3             # fitting scripts (tools/), golden regeneration
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
