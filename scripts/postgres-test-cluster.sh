#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: in a temporary folder, listening on 127.0.0.1 only,
# trusting every loopback connection, with durability off (the data is thrown away anyway).
#
#   scripts/postgres-test-cluster.sh [start]   start (or find the running one), print TEST_DATABASE_URL=…
#   scripts/postgres-test-cluster.sh stop      stop it and remove its folder
#   source scripts/postgres-test-cluster.sh    start, and export TEST_DATABASE_URL in this shell
#
# PostgreSQL is installed from Debian's packages when initdb is missing (as root: that is CI).
# PostgreSQL refuses to run as root, so as root the cluster runs as a system user (webinar-pg,
# created if missing); otherwise as the current user.
#
# Environment: PGTEST_PORT (default: 55432, or the next free port above it), PGTEST_STATE (the
# file naming the running cluster; one cluster per state file), PGTEST_USER (the system user
# used when root), PGTEST_BIN (the folder holding initdb).

# Sourced: run in a child bash, so neither `set -e` nor an exit touch the caller's shell.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    if __pgtest_line=$(bash "${BASH_SOURCE[0]}" start); then
        export "${__pgtest_line?}"
        unset __pgtest_line
        return 0
    else
        unset __pgtest_line
        return 1
    fi
fi

set -euo pipefail

state=${PGTEST_STATE:-${TMPDIR:-/tmp}/webinar-bot-pgtest-$(id -u).state}
pg_user_when_root=${PGTEST_USER:-webinar-pg}

say() { echo "postgres-test-cluster: $*" >&2; }
die() {
    say "$*"
    exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# The user the server runs as, and the role name initdb gives the superuser.
run_user() {
    if is_root; then echo "$pg_user_when_root"; else id -un; fi
}

# Runs a command as the server's user.
as_pg() {
    if is_root; then
        runuser -u "$pg_user_when_root" -- "$@"
    else
        "$@"
    fi
}

find_bin() {
    if [[ -n ${PGTEST_BIN:-} ]]; then
        [[ -x $PGTEST_BIN/initdb ]] || die "PGTEST_BIN=$PGTEST_BIN holds no initdb"
        echo "$PGTEST_BIN"
        return
    fi
    # An initdb on PATH may be a link into the real folder, which also holds pg_ctl and postgres.
    local initdb dir
    if initdb=$(command -v initdb 2>/dev/null); then
        dir=$(dirname "$(readlink -f "$initdb")")
        if [[ -x $dir/pg_ctl && -x $dir/postgres && -x $dir/pg_isready ]]; then
            echo "$dir"
            return
        fi
    fi
    # Debian keeps the server binaries out of PATH, one folder per major version: take the newest.
    dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' 2>/dev/null | sort -V | tail -n 1)
    [[ -n $dir ]] && echo "$dir"
}

install_postgres() {
    is_root || die "initdb not found; install PostgreSQL (Debian: apt-get install postgresql) or set PGTEST_BIN"
    command -v apt-get >/dev/null || die "initdb not found and there is no apt-get to install PostgreSQL with"
    say "installing PostgreSQL from Debian's packages"
    # Everything to stderr: stdout carries only the URL.
    {
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
    } >&2
}

ensure_user() {
    is_root || return 0
    id -u "$pg_user_when_root" >/dev/null 2>&1 && return 0
    say "creating the system user $pg_user_when_root"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user_when_root"
}

port_in_use() {
    # A connection that succeeds means someone listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    if [[ -n ${PGTEST_PORT:-} ]]; then
        port_in_use "$PGTEST_PORT" && die "port $PGTEST_PORT (PGTEST_PORT) is already in use"
        echo "$PGTEST_PORT"
        return
    fi
    local port
    for port in $(seq 55432 55531); do
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port in 55432-55531; set PGTEST_PORT"
}

# The state file holds dir=, port=, user= and bin= lines of the running cluster.
read_state() {
    dir='' port='' user='' bin=''
    [[ -f $state ]] || return 1
    local key value
    while IFS='=' read -r key value; do
        case $key in
            dir) dir=$value ;;
            port) port=$value ;;
            user) user=$value ;;
            bin) bin=$value ;;
        esac
    done <"$state"
    [[ -n $dir && -n $port && -n $user && -n $bin ]]
}

url() { echo "TEST_DATABASE_URL=postgres://$user@127.0.0.1:$port/postgres"; }

running() {
    [[ -d $dir/data ]] && as_pg "$bin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

# Forgets a cluster whose server is gone (a crash, a reboot, a cleaned /tmp) or was stopped.
discard() {
    if [[ -n $dir && -d $dir ]]; then
        case $dir in
            */webinar-pgtest.*) rm -rf -- "$dir" ;;
            *) say "not removing $dir: not a folder this script made" ;;
        esac
    fi
    rm -f -- "$state"
}

stop() {
    if ! read_state; then
        say "no cluster recorded in $state; nothing to stop"
        rm -f -- "$state"
        return 0
    fi
    if running; then
        say "stopping the cluster on port $port"
        as_pg "$bin/pg_ctl" stop -D "$dir/data" -m fast -w >/dev/null
    fi
    discard
}

start() {
    if read_state; then
        if running; then
            say "already running on port $port ($dir)"
            url
            return 0
        fi
        say "the cluster recorded in $state is not running; starting a new one"
        discard
    fi

    bin=$(find_bin) || true
    if [[ -z $bin ]]; then
        install_postgres
        bin=$(find_bin) || die "PostgreSQL installed, but no initdb under /usr/lib/postgresql/*/bin"
    fi
    ensure_user
    user=$(run_user)
    port=$(pick_port)

    dir=$(mktemp -d "${TMPDIR:-/tmp}/webinar-pgtest.XXXXXX")
    # Record it at once, so a failed start below is cleaned up by the next start or stop.
    printf 'dir=%s\nport=%s\nuser=%s\nbin=%s\n' "$dir" "$port" "$user" "$bin" >"$state"
    if is_root; then
        chown "$user:" "$dir"
        as_pg test -w "$dir" || die "$user cannot write to $dir; set TMPDIR to a folder it can reach"
    fi
    chmod 700 "$dir"

    say "initdb in $dir (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'))"
    as_pg "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --locale=C --encoding=UTF8 --no-instructions \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    as_pg mkdir "$dir/socket"
    # Loopback only, trusted: nothing but this machine's tests ever reaches it.
    as_pg tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    # Durability off: a crash loses a throwaway cluster, which is fine. 300 connections: one
    # pool per test, tests run in parallel.
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# postgres-test-cluster.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    say "starting on 127.0.0.1:$port"
    # 9>&-: the server must not inherit the lock below, or it would hold it for its whole life.
    if ! as_pg "$bin/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 >/dev/null 9>&-; then
        tail -n 30 "$dir/server.log" >&2 || true
        die "the server did not start (log above)"
    fi
    local _
    for _ in $(seq 1 60); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$user"; then
            url
            return 0
        fi
        sleep 0.5
    done
    tail -n 30 "$dir/server.log" >&2 || true
    die "the server does not accept connections on 127.0.0.1:$port (log above)"
}

# Two runs at once on one state file take turns.
exec 9>>"$state.lock"
flock 9

case ${1:-start} in
    start) start ;;
    stop) stop ;;
    *)
        echo "usage: $0 [start|stop]" >&2
        exit 2
        ;;
esac
