#!/bin/sh
# demo.sh -- `make demo`: start `candor demo` and let it print where it is.
#
# candor demo does the work (docs/running.md): a throwaway data folder with
# the account "Demo", its operator and months of encrypted visitor data, a
# free port on 127.0.0.1, the URL and login printed, the folder removed on
# Ctrl-C. This wrapper only picks the binary and passes options on;
# CANDOR_DEMO_PORT, if set, becomes --port.
#
#   tools/demo.sh [BINARY] [candor demo options...]
set -eu

bin=${1:-build/release/candor}
[ $# -gt 0 ] && shift
if [ -n "${CANDOR_DEMO_PORT:-}" ]; then
    set -- --port "$CANDOR_DEMO_PORT" "$@"
fi
exec "$bin" demo "$@"
