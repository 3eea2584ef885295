#!/bin/sh
# SPDX-FileCopyrightText: Candor contributors
# SPDX-License-Identifier: Apache-2.0
#
# reuse-check.sh -- licence information for every file (REUSE 3.0).
#
#   tools/reuse-check.sh [SOURCE_DIR]
#
# Runs `reuse lint` (Debian's reuse package) over the repository, then
# checks that each vendored library, web/vendor/<library>/, has a stanza of
# its own in .reuse/dep5: the catch-all stanza there says Apache-2.0 and
# "Candor contributors", which is wrong for third-party code. Exit status 0
# when both pass; 1 otherwise, naming what to fix.
set -eu

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
status=0

if ! command -v reuse >/dev/null 2>&1; then
    echo "reuse-check: the 'reuse' command is missing (tools/deps.sh ensure test)" >&2
    exit 1
fi
if ! reuse lint; then
    echo "reuse-check: 'reuse lint' failed; cover the files above in .reuse/dep5" >&2
    status=1
fi
if [ -d web/vendor ]; then
    for dir in web/vendor/*/; do
        [ -d "$dir" ] || continue
        lib=$(basename "$dir")
        if ! grep -qx "Files: web/vendor/$lib/\*" .reuse/dep5; then
            echo "reuse-check: web/vendor/$lib/ has no 'Files: web/vendor/$lib/*' stanza in .reuse/dep5 (its own copyright and licence)" >&2
            status=1
        fi
    done
fi
exit $status
