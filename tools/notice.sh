#!/bin/sh
# SPDX-FileCopyrightText: Candor contributors
# SPDX-License-Identifier: Apache-2.0
#
# notice.sh -- write NOTICE.txt: Candor's own notice, then the licence of
# every shared library the server links and of every browser library
# vendored into web/vendor/.
#
#   tools/notice.sh OUT VENDOR_DIR LIBRARY...
#
# Each LIBRARY is a path to a shared library as the build links it (for
# example /usr/lib/x86_64-linux-gnu/libssl.so); the C library is always
# added. A library is named by its SONAME (readelf) and the Debian package
# that ships it (dpkg -S), whose /usr/share/doc/<package>/copyright is
# copied in. A library that no package owns is still named, with a note.
# Each folder web/vendor/<lib>/ contributes its LICENSE*, LICENCE*,
# COPYING* and NOTICE* files and the version from its package.json.
#
# The output depends only on the inputs (sorted, no dates) and is written
# to a temporary file that is renamed into place.
set -eu
export LC_ALL=C

[ $# -ge 2 ] || { echo "usage: tools/notice.sh OUT VENDOR_DIR LIBRARY..." >&2; exit 2; }
out=$1
vendor=$2
shift 2

tmp="$out.tmp.$$"
list="$out.list.$$"
trap 'rm -f "$tmp" "$list"' EXIT

rule='------------------------------------------------------------------------'

# soname FILE: the SONAME of a shared library, else its file name.
soname() {
    s=$(readelf -d "$1" 2>/dev/null |
        sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p' | head -n 1)
    [ -n "$s" ] && echo "$s" || basename "$1"
}

# owner FILE: the Debian package that ships FILE (merged /usr tried both
# ways), without its architecture; empty when none does.
owner() {
    for p in "$1" "${1#/usr}" "/usr$1"; do
        o=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1) || true
        [ -n "$o" ] && { echo "$o"; return 0; }
    done
    echo ""
}

libc=""
for d in /lib/*-linux-gnu /usr/lib/*-linux-gnu /lib64 /usr/lib64; do
    if [ -e "$d/libc.so.6" ]; then libc="$d/libc.so.6"; break; fi
done

# One line per library: "<package or -> <soname>", then grouped below.
: > "$list"
for lib in "$@" $libc; do
    case "$lib" in
    /*) ;;
    *) continue ;; # a linker flag such as -pthread, not a file
    esac
    [ -e "$lib" ] || continue
    real=$(readlink -f "$lib")
    pkg=$(owner "$real")
    echo "${pkg:--} $(soname "$real")" >> "$list"
done

{
    cat <<'EOF'
Candor
Copyright Candor contributors

Candor is licensed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0). The full text is in the
file LICENSES/Apache-2.0.txt of its source and in
/usr/share/doc/candor/copyright of its Debian package.

This program links the shared libraries below and serves the browser
libraries below. Each section names the library, the Debian package that
ships it and that package's copyright file, or the vendored library's own
licence files.
EOF
    for pkg in $(cut -d' ' -f1 "$list" | sort -u); do
        names=$(awk -v p="$pkg" '$1 == p { print $2 }' "$list" | sort -u |
                tr '\n' ' ' | sed 's/ $//; s/ /, /g')
        printf '\n%s\nShared library: %s' "$rule" "$names"
        if [ "$pkg" = "-" ]; then
            printf '\n%s\n\nNo Debian package owns this library; see its own distribution for its licence.\n' "$rule"
            continue
        fi
        printf ' (Debian package %s)\n%s\n\n' "$pkg" "$rule"
        if [ -r "/usr/share/doc/$pkg/copyright" ]; then
            cat "/usr/share/doc/$pkg/copyright"
        else
            echo "The copyright file /usr/share/doc/$pkg/copyright is missing."
        fi
    done
    if [ -d "$vendor" ]; then
        for dir in $(find "$vendor" -mindepth 1 -maxdepth 1 -type d | sort); do
            name=$(basename "$dir")
            version=""
            if [ -f "$dir/package.json" ]; then
                version=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
                          "$dir/package.json" | head -n 1)
            fi
            printf '\n%s\nBrowser library: %s%s (web/vendor/%s)\n%s\n' \
                "$rule" "$name" "${version:+ $version}" "$name" "$rule"
            found=0
            for f in $(find "$dir" -maxdepth 1 -type f \( -iname 'LICEN[CS]E*' \
                       -o -iname 'COPYING*' -o -iname 'NOTICE*' \) | sort); do
                printf '\n'
                cat "$f"
                found=1
            done
            if [ "$found" = 0 ]; then
                echo "notice.sh: web/vendor/$name has no licence file" >&2
                printf '\nNo licence file was found in web/vendor/%s.\n' "$name"
            fi
        done
    fi
} > "$tmp"
mv "$tmp" "$out"
