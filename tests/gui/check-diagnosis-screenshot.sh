#!/bin/sh
# check-diagnosis-screenshot.sh RUNNER PLUGIN CAPTURE TEXT
# The README's screenshot of the diagnosis window is current: TEXT, the
# window's text that scripts/gui-screenshots saved beside the picture, is what
# tshark -z mcudiag prints for the same capture with this build.
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
runner=$1 plugin=$2 capture=$3 text=$4
now=$(mktemp)
trap 'rm -f "$now"' EXIT
"$runner" "$plugin" -r "$capture" -q -z mcudiag >"$now"
if ! diff -u --label "$text (the screenshot)" --label "tshark -z mcudiag now" "$text" "$now"; then
    echo "The screenshot shows an older diagnosis: after ./setup.sh, scripts/gui-screenshots --out docs/screenshots"
    exit 1
fi
