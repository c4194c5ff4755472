#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 cluster for the tests that need a real server
# (tests/python/test_redshift_on_postgres.py, tests/python/test_catalog_live.py) and for
# `warehouse verify postgres`.
#
# Idempotent and safe everywhere:
# - the cluster already online: nothing to do;
# - PostgreSQL 15 missing and running as root with apt-get (CI, a fresh Debian container): install
#   Debian's postgresql-15 package, which creates the `15/main` cluster (not with POSTGRES_NO_INSTALL=1,
#   which `warehouse verify postgres` and the tests set: they start a server, they never install one);
# - PostgreSQL 15 missing otherwise: print how to install it and exit 0; the tests then skip locally
#   (they fail instead under CI=true, so CI never passes by skipping);
# - the cluster down: start it with pg_ctlcluster (as root, or as its owner).
# Prints the port of the running cluster on the last line (`postgres: online on port N`).
set -euo pipefail

VERSION="${PG_VERSION:-15}"
CLUSTER="${PG_CLUSTER:-main}"

have_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters --no-header 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c' | grep -q .
}

cluster_field() {  # 3 = port, 4 = status
    pg_lsclusters --no-header | awk -v v="$VERSION" -v c="$CLUSTER" -v f="$1" '$1 == v && $2 == c {print $f}'
}

if ! have_cluster; then
    if [[ "${POSTGRES_NO_INSTALL:-0}" == "1" ]] || [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "postgres: PostgreSQL $VERSION is not installed; install it with: sudo apt-get install -y postgresql-$VERSION" >&2
        echo "postgres: (the PostgreSQL tests skip without it, except under CI=true)" >&2
        exit 0
    fi
    echo "postgres: installing Debian's postgresql-$VERSION package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "postgresql-$VERSION" >/dev/null
    if ! have_cluster; then
        pg_createcluster "$VERSION" "$CLUSTER" >/dev/null
    fi
fi

if [[ "$(cluster_field 4)" != "online" ]]; then
    echo "postgres: starting cluster $VERSION/$CLUSTER"
    if [[ "$(id -u)" -eq 0 ]]; then
        pg_ctlcluster "$VERSION" "$CLUSTER" start
    else
        pg_ctlcluster "$VERSION" "$CLUSTER" start || {
            echo "postgres: cannot start the cluster as $(id -un); run: sudo pg_ctlcluster $VERSION $CLUSTER start" >&2
            exit 0
        }
    fi
fi

for _ in $(seq 1 30); do
    if [[ "$(cluster_field 4)" == "online" ]] && command -v pg_isready >/dev/null 2>&1 \
        && pg_isready -q -h 127.0.0.1 -p "$(cluster_field 3)"; then
        echo "postgres: online on port $(cluster_field 3)"
        exit 0
    fi
    sleep 0.5
done
echo "postgres: cluster $VERSION/$CLUSTER did not come online; see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log" >&2
exit 1
