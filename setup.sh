#!/bin/sh
# setup.sh: installs missing build dependencies (Debian packages), builds the
# plugin, installs it and the "mcudiag" Wireshark profile for the current user
# (the default profile is left alone), and prints the diagnosis of the bundled
# capture of the field case (../shared/CASE.md).
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
cd "$(dirname "$0")"
capture=${1:-pcaps/case-nosnat.pcapng}

scripts/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
cmake --build build --target install-user

echo
echo "Diagnosis of $capture (tshark -r $capture -q -z mcudiag):"
if [ "$(id -u)" = 0 ]; then
    # Wireshark loads no personal plugins for root: run tshark as nobody instead.
    tests/run-tshark build/plugin/mcudiag.so -r "$capture" -q -z mcudiag
else
    tshark -r "$capture" -q -z mcudiag
fi

echo
echo "In Wireshark, with the mcudiag profile (colours, columns, filter buttons; Statistics > Conferencing Diagnosis):"
echo "  wireshark -C mcudiag $capture"
