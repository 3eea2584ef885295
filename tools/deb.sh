#!/bin/sh
# SPDX-FileCopyrightText: Candor contributors
# SPDX-License-Identifier: Apache-2.0
#
# deb.sh -- build the Debian package with dpkg-deb (no debhelper).
#
#   tools/deb.sh BINARY OUTDIR
#
# Writes OUTDIR/candor_<version>_<arch>.deb and prints its path. The
# version is the top entry of packaging/deb/changelog (upstream version
# plus Debian revision); BINARY must report the same upstream version.
# The package holds:
#   /usr/bin/candor                          BINARY, stripped
#   /usr/share/man/man1/candor.1.gz          docs/candor.1
#   /lib/systemd/system/candor.service       contrib/candor.service
#   /etc/candor/candor.env                   contrib/candor.env (a conffile)
#   /usr/share/doc/candor/copyright          from .reuse/dep5 and LICENSES/
#   /usr/share/doc/candor/changelog.Debian.gz
#   /usr/share/doc/candor/*.md[.gz]          README.md and docs/*.md
#   /usr/share/lintian/overrides/candor      packaging/deb/lintian-overrides
# with packaging/deb/{postinst,prerm,postrm} (the system user candor).
# Depends come from dpkg-shlibdeps. Files are owned by root, dated by the
# changelog entry (SOURCE_DATE_EPOCH), so two builds of one binary match.
set -eu

[ $# -eq 2 ] || { echo "usage: tools/deb.sh BINARY OUTDIR" >&2; exit 2; }
bin=$1
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
pkg=$src/packaging/deb
umask 022

version=$(sed -n '1s/^candor (\([^)]*\)).*/\1/p' "$pkg/changelog")
upstream=${version%-*}
[ -n "$version" ] && [ "$upstream" != "$version" ] || {
    echo "deb.sh: packaging/deb/changelog: no 'candor (X.Y.Z-N)' entry on line 1" >&2
    exit 1
}
case "$("$bin" version)" in
"candor $upstream "*) ;;
*) echo "deb.sh: $bin reports '$("$bin" version)', the changelog says $upstream" >&2
   exit 1 ;;
esac
arch=$(dpkg --print-architecture)
date=$(sed -n 's/^ -- .*>  \(.*\)$/\1/p' "$pkg/changelog" | head -n 1)
SOURCE_DATE_EPOCH=$(date -d "$date" +%s)
export SOURCE_DATE_EPOCH

mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$out/root
rm -rf "$root" "$out/shlibs"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
    "$root/lib/systemd/system" "$root/etc/candor" "$root/usr/share/doc/candor"

install -m 0755 "$bin" "$root/usr/bin/candor"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$root/usr/bin/candor"
gzip -9n < "$src/docs/candor.1" > "$root/usr/share/man/man1/candor.1.gz"
install -m 0644 "$src/contrib/candor.service" "$root/lib/systemd/system/"
install -m 0644 "$src/contrib/candor.env" "$root/etc/candor/"
gzip -9n < "$pkg/changelog" > "$root/usr/share/doc/candor/changelog.Debian.gz"
mkdir -p "$root/usr/share/lintian/overrides"
install -m 0644 "$pkg/lintian-overrides" "$root/usr/share/lintian/overrides/candor"

# Documentation: small files as they are, larger ones gzipped (Debian
# policy 12.3).
doc=$root/usr/share/doc/candor
for f in "$src/README.md" "$src"/docs/*.md; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    if [ "$(wc -c < "$f")" -gt 4096 ]; then
        gzip -9n < "$f" > "$doc/$name.gz"
    else
        install -m 0644 "$f" "$doc/$name"
    fi
done

# copyright: the stanzas of .reuse/dep5 (without its comments), then one
# License paragraph per licence of LICENSES/.
{
    grep -v '^#' "$src/.reuse/dep5" | cat -s
    for lic in "$src"/LICENSES/*.txt; do
        id=$(basename "$lic" .txt)
        printf '\nLicense: %s\n' "$id"
        if [ -f "/usr/share/common-licenses/$id" ]; then
            printf ' On Debian systems, the complete text of this licence can be found in\n'
            printf ' "/usr/share/common-licenses/%s".\n' "$id"
        else
            sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' "$lic"
        fi
    done
} > "$doc/copyright"

for s in postinst prerm postrm; do
    install -m 0755 "$pkg/$s" "$root/DEBIAN/$s"
done
echo /etc/candor/candor.env > "$root/DEBIAN/conffiles"

# Depends: the shared libraries' packages, and adduser for postinst.
mkdir -p "$out/shlibs/debian"
printf 'Source: candor\n\nPackage: candor\nArchitecture: any\n' \
    > "$out/shlibs/debian/control"
shlibs=$(cd "$out/shlibs" && dpkg-shlibdeps -O -e"$root/usr/bin/candor" 2>/dev/null |
         sed -n 's/^shlibs:Depends=//p')
rm -rf "$out/shlibs"
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: candor
Version: $version
Architecture: $arch
Maintainer: Candor contributors <candor@packages.invalid>
Installed-Size: $size
Depends: adduser, $shlibs
Section: web
Priority: optional
Description: fair, privacy-first web analytics server
 Candor is web analytics in which visitors opt in, their events are
 encrypted in their own browser before they leave it, the server stores
 only ciphertext, operators decrypt in their own browser, and every visitor
 can see and delete what was collected about them.
 .
 It is a drop-in replacement for an Offen 1.4 server: the same HTTP API,
 cookies, cryptographic formats, database and configuration. It keeps
 everything in SQLite by default and scales out on PostgreSQL or MariaDB.
 The package ships a sandboxed systemd unit running as the user candor.
EOF

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
    LC_ALL=C sort | xargs md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$out/candor_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
