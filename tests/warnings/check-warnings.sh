#!/bin/bash
# check-warnings.sh INCLUDES DEFINES SOURCES -- compiles every source of the
# plugin (glue and cores) with gcc, and with clang when installed, with the
# warnings Wireshark's own developers build with, and fails on any warning.
# Wireshark's and GLib's headers are system headers here: their warnings are
# theirs. INCLUDES, DEFINES and SOURCES are ;-separated lists (from CMake).
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
IFS=';' read -r -a includes <<< "$1"
IFS=';' read -r -a defines <<< "$2"
IFS=';' read -r -a sources <<< "$3"
plugin_dir=$4
flags=(-std=gnu11 -O2 -Wall -Wextra -Wshadow -Wcast-qual -Wwrite-strings -Wformat=2 -Wmissing-prototypes
       -I "$plugin_dir")
for inc in "${includes[@]}"; do
    [ "$inc" = "$plugin_dir" ] || flags+=(-isystem "$inc")
done
for def in "${defines[@]}"; do
    flags+=("-D$def")
done

status=0
compilers=(gcc)
command -v clang > /dev/null && compilers+=(clang)
for cc in "${compilers[@]}"; do
    warnings=0
    for src in "${sources[@]}"; do
        out=$("$cc" "${flags[@]}" -c "$src" -o /dev/null 2>&1)
        if [ -n "$out" ]; then
            printf '%s\n' "$out"
            warnings=$((warnings + $(grep -c 'warning:\|error:' <<< "$out")))
        fi
    done
    echo "$cc: ${#sources[@]} sources, $warnings warnings"
    [ "$warnings" = 0 ] || status=1
done
exit $status
