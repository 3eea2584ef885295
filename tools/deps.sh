#!/bin/sh
# deps.sh -- every Debian and npm package Candor needs, in one place.
#
#   tools/deps.sh ensure GROUP...   install what is missing from the groups
#   tools/deps.sh install           install every group
#   tools/deps.sh list GROUP...     print the Debian packages of the groups
#
# Groups: build (compile the server), test (run `make check` and
# `make fuzz`), bench (run `bench/`), deb (`make deb`). Installing needs root (apt-get);
# without root, the missing packages are named with the command to install
# them, and we exit 1.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)

# Debian 12 (bookworm) packages, by group.
pkgs_build="build-essential cmake ninja-build pkg-config git xxd
  libh2o-evloop-dev libssl-dev zlib1g-dev libsqlite3-dev libjansson-dev
  libcurl4-openssl-dev libargon2-dev libmariadb-dev libpq-dev"
# clang + libclang-rt-14-dev: the libFuzzer targets (tests/fuzz); their
# objcopy comes with binutils (build-essential). chromium: the browser
# tests (tests/browser), driven by playwright-core from package-lock.json;
# npm comes with it to install that.
# dpkg-dev + lintian: `make deb` (tools/deb.sh) and its test (tests/deb);
# reuse: licence information of every file (tools/reuse-check.sh);
# groff-base: the man page test (tests/api/manpage.test.mjs).
pkgs_deb="dpkg-dev lintian"
pkgs_test="libcmocka-dev sqlite3 nodejs npm python3-aiosmtpd clang
  libclang-rt-14-dev chromium mariadb-server postgresql
  $pkgs_deb reuse groff-base"
pkgs_bench="wrk nginx-light"

group_pkgs() {
    for g in "$@"; do
        case "$g" in
        build) echo $pkgs_build ;;
        test) echo $pkgs_build $pkgs_test ;;
        bench) echo $pkgs_build $pkgs_bench ;;
        deb) echo $pkgs_build $pkgs_deb ;;
        all) echo $pkgs_build $pkgs_test $pkgs_bench ;;
        *) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
        esac
    done
}

missing_pkgs() {
    for p in $(group_pkgs "$@" | tr ' ' '\n' | sort -u); do
        # nodejs may come from elsewhere than Debian; a working node is enough.
        if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then
            continue
        fi
        # the same for npm, which node installations from elsewhere bundle.
        if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
            continue
        fi
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$status" in
        *"install ok installed"*) ;;
        *) echo "$p" ;;
        esac
    done
}

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: these Debian packages are missing: $*" >&2
        echo "deps.sh: install them as root with:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends $*" >&2
        exit 1
    fi
    echo "deps.sh: installing $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # Packages that start a service (nginx) must not grab port 80 here.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get install -y -q --no-install-recommends "$@"
}

npm_install() {
    # npm packages are pinned in package-lock.json; install them only when
    # the lock changed since the last install.
    [ -f "$here/package-lock.json" ] || return 0
    if [ ! -f "$here/node_modules/.package-lock.json" ] ||
       ! cmp -s "$here/package-lock.json" "$here/node_modules/.candor-lock"; then
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$here/package-lock.json" "$here/node_modules/.candor-lock"
    fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
ensure)
    [ $# -gt 0 ] || set -- build
    missing=$(missing_pkgs "$@")
    [ -z "$missing" ] || apt_install $missing
    case " $* " in *" test "*|*" all "*) npm_install ;; esac
    ;;
install)
    missing=$(missing_pkgs all)
    [ -z "$missing" ] || apt_install $missing
    npm_install
    ;;
list)
    [ $# -gt 0 ] || set -- all
    group_pkgs "$@" | tr ' ' '\n' | sed '/^$/d' | sort -u
    ;;
*)
    echo "usage: tools/deps.sh ensure GROUP... | install | list [GROUP...]" >&2
    echo "groups: build test bench deb all" >&2
    exit 2
    ;;
esac
