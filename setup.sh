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
# The personal plugin folder of the tshark that will load the plugin
# (plugins/<major.minor>): the build must be for that same Wireshark.
folder=$(tshark -G folders 2>/dev/null | sed -n 's/^Personal Plugins:[[:space:]]*//p')
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCUDIAG_USER_PLUGIN_DIR="$folder/epan" >/dev/null
series=$(sed -n 's/^MCUDIAG_WIRESHARK_SERIES:INTERNAL=//p' build/CMakeCache.txt)
if [ "$(basename "$folder")" != "$series" ]; then
    echo "setup.sh: tshark $(basename "$folder") is not the Wireshark $series whose headers this build uses;" >&2
    echo "setup.sh: a plugin loads only into the Wireshark minor version it was built for." >&2
    exit 1
fi
cmake --build build -j"$(nproc)"
cmake --build build --target install-user
install -D -m 755 scripts/mcudiag-batch "$HOME/.local/bin/mcudiag-batch"  # whole capture sets (README)

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
