#!/bin/sh
# SPDX-FileCopyrightText: Candor contributors
# SPDX-License-Identifier: Apache-2.0
#
# test_deb.sh -- build the Debian package from BINARY and check it.
#
#   tests/deb/test_deb.sh BINARY
#
# Registered with ctest as "deb" (label deb). Checks that the package holds
# every file where the systemd unit, the man page path and the docs expect
# them (ExecStart, --envfile / EnvironmentFile, the data folder of
# StateDirectory, the user postinst creates), that the stripped binary
# runs, that lintian reports no error, and that systemd-analyze accepts the
# unit (each of the last two skipped, with a line saying so, when the tool
# is not installed). Nothing is installed on this machine.
set -eu

[ $# -eq 1 ] || { echo "usage: tests/deb/test_deb.sh BINARY" >&2; exit 2; }
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/candor-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

deb=$(sh "$src/tools/deb.sh" "$bin" "$tmp/out")
[ -f "$deb" ] || { echo "FAIL: tools/deb.sh made no package"; exit 1; }
case "$(basename "$deb")" in
candor_*_*.deb) ok "built $(basename "$deb")" ;;
*) fail "package name $(basename "$deb")" ;;
esac

dpkg-deb -c "$deb" | awk '{ print $1, $NF }' | sed 's| \./| /|' > "$tmp/list"
has() { # has MODE PATH: the package holds PATH with that mode
    if grep -qxF -- "$1 $2" "$tmp/list"; then ok "package holds $2 ($1)"
    else fail "package lacks $2 with mode $1"; fi
}
has '-rwxr-xr-x' /usr/bin/candor
has '-rw-r--r--' /lib/systemd/system/candor.service
has '-rw-r--r--' /usr/share/man/man1/candor.1.gz
has '-rw-r--r--' /etc/candor/candor.env
has '-rw-r--r--' /usr/share/doc/candor/copyright
has '-rw-r--r--' /usr/share/doc/candor/changelog.Debian.gz
if dpkg-deb -c "$deb" | awk '{ print $2 }' | grep -qv '^root/root$'; then
    fail "files not owned by root/root"
fi

mkdir "$tmp/x" "$tmp/ctl"
dpkg-deb -x "$deb" "$tmp/x"
dpkg-deb -e "$deb" "$tmp/ctl"
unit=$tmp/x/lib/systemd/system/candor.service

# The unit's paths are in the package.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
exe=${exec_start%% *}
if grep -q -- " $exe\$" "$tmp/list" && [ -x "$tmp/x$exe" ]; then
    ok "ExecStart $exe is in the package"
else
    fail "ExecStart $exe is not an executable of the package"
fi
envfiles=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
case "$exec_start" in
*--envfile\ *) envfiles="$envfiles ${exec_start#*--envfile }" ;;
esac
[ -n "$envfiles" ] || fail "the unit names no env file"
for e in $envfiles; do
    e=${e%% *}
    if grep -q -- " $e\$" "$tmp/list" && grep -qxF -- "$e" "$tmp/ctl/conffiles"; then
        ok "env file $e is in the package, as a conffile"
    else
        fail "env file $e is not a conffile of the package"
    fi
done
state=$(sed -n 's/^StateDirectory=//p' "$unit")
datadir=$(sed -n 's/^Environment=CANDOR_APP_DATADIR=//p' "$unit")
if [ -n "$state" ] && [ "$datadir" = "/var/lib/$state" ]; then
    ok "CANDOR_APP_DATADIR is the StateDirectory /var/lib/$state"
else
    fail "StateDirectory '$state' and CANDOR_APP_DATADIR '$datadir' disagree"
fi
user=$(sed -n 's/^User=//p' "$unit")
# postinst with its continuation lines joined
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$tmp/ctl/postinst" > "$tmp/postinst"
if [ -n "$user" ] && grep -q "adduser --system.* $user\$" "$tmp/postinst" &&
   grep -q "deluser --system --quiet $user" "$tmp/ctl/postrm"; then
    ok "postinst creates and postrm removes the user $user"
else
    fail "the unit's User '$user' is not made by postinst / removed by postrm"
fi
for d in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
         MemoryDenyWriteExecute=yes SystemCallFilter=@system-service; do
    grep -qx "$d" "$unit" && ok "unit sets $d" || fail "unit lacks $d"
done

# The files themselves.
if "$tmp/x/usr/bin/candor" version | grep -q '^candor '; then
    ok "the packaged binary runs"
else
    fail "the packaged binary does not run"
fi
if readelf -S "$tmp/x/usr/bin/candor" | grep -q '\.debug_info\|\.symtab'; then
    fail "the binary is not stripped"
fi
if gzip -dc "$tmp/x/usr/share/man/man1/candor.1.gz" | cmp -s - "$src/docs/candor.1"; then
    ok "man page is docs/candor.1"
else
    fail "man page differs from docs/candor.1"
fi
grep -q '^Depends: adduser, .*libc6' "$tmp/ctl/control" && ok "Depends from dpkg-shlibdeps" ||
    fail "control has no Depends on adduser and the libraries"
head -n 1 "$tmp/x/usr/share/doc/candor/copyright" |
    grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' &&
    ok "copyright is machine-readable" || fail "copyright is not machine-readable"

if command -v lintian >/dev/null 2>&1; then
    lintian --allow-root "$deb" > "$tmp/lintian" 2>&1 || true
    cat "$tmp/lintian"
    if grep -q '^E: ' "$tmp/lintian"; then fail "lintian reports errors"
    else ok "lintian: no errors"; fi
else
    echo "SKIP: lintian is not installed (tools/deps.sh ensure test)"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
    # verify insists that ExecStart exists: point it at the extracted one.
    sed "s|^ExecStart=$exe|ExecStart=$tmp/x$exe|" "$unit" > "$tmp/candor.service"
    if systemd-analyze verify --man=no "$tmp/candor.service" > "$tmp/verify" 2>&1 &&
       [ ! -s "$tmp/verify" ]; then
        ok "systemd-analyze verify accepts the unit"
    else
        cat "$tmp/verify"
        fail "systemd-analyze verify complains about the unit"
    fi
else
    echo "SKIP: systemd-analyze is not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all package checks passed"
