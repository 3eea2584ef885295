#!/bin/sh
# SPDX-FileCopyrightText: Candor contributors
# SPDX-License-Identifier: Apache-2.0
#
# vendor.sh -- copy the browser libraries pinned in package.json from
# node_modules/ (npm ci) into web/vendor/, unmodified, or check the copy.
#
#   tools/vendor.sh          copy (after npm ci, when a pin changed)
#   tools/vendor.sh --check  exit 1 when web/vendor/ differs from
#                            node_modules/ (a vendored file was edited,
#                            or the pin changed without a new copy)
#
# The copy is committed: the server embeds web/ at build time, so a build
# needs no npm. Each library brings its licence and package.json (for
# NOTICE.txt's version line, tools/notice.sh).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
check=0
[ "${1:-}" = "--check" ] && check=1

# library  then the files to take, relative to node_modules/<library>/
LIBS='uplot:LICENSE package.json dist/uPlot.esm.js dist/uPlot.min.css'

status=0
echo "$LIBS" | while IFS=: read -r lib files; do
    src="node_modules/$lib"
    dst="web/vendor/$lib"
    [ -d "$src" ] || { echo "vendor: $src is missing (run npm ci)" >&2; exit 1; }
    mkdir -p "$dst"
    for f in $files; do
        name=$(basename "$f")
        if [ "$check" = 1 ]; then
            if ! cmp -s "$src/$f" "$dst/$name"; then
                echo "vendor: $dst/$name differs from $src/$f" >&2
                exit 1
            fi
        else
            cp "$src/$f" "$dst/$name"
        fi
    done
done || status=1
[ "$status" = 0 ] && [ "$check" = 1 ] && echo "vendor: web/vendor matches node_modules"
exit "$status"
