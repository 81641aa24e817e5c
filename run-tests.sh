#!/bin/sh
# run-tests.sh: builds the plugin and runs every test (unit, capture and fuzz
# tests) with ctest; as root, also the same suite against Wireshark 4.4 and 4.6
# in Debian build roots where they exist (ctest versions.trixie/sid; created by
# scripts/install-deps --roots, skipped otherwise).
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
cd "$(dirname "$0")"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCUDIAG_TEST_VERSIONS=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
