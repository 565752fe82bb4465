# tests/pg/lib.sh -- throwaway PostgreSQL servers for the tests of the
# huimin extension, after tests/lib.sh:
#
#   . "$SRCDIR/tests/lib.sh"; . "$SRCDIR/tests/pg/lib.sh"
#   pg_stage || exit $?          # 77 (skip) only without Debian's server programs
#   pg_start 0; pg_start 1       # node 0 and node 1, each its own cluster
#   pg_psql 0 -d postgres -c 'CREATE DATABASE city'
#
# The servers come from Debian's packages (postgresql-15), copied into a
# private tree with the extension installed into it (make's pg-stage
# target, DESTDIR=that tree), so that CREATE EXTENSION huimin works
# without installing anything on the machine.  Each node listens only on a
# socket in its own folder under $work; all are stopped, immediately, when
# the script exits.
#
# After pg_start N: $pg_host_N is the socket folder, pg_conn N prints a
# libpq connection string for database DB (default city).

pg_stage() {
	pg_sys=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -z "$pg_sys" ] || [ ! -x "$pg_sys/initdb" ]; then
		echo "SKIP: no PostgreSQL server programs (apt-get install postgresql)"
		return 77
	fi
	pg_major=$(basename "$(dirname "$pg_sys")")
	pg_root="$work/pgroot"
	mkdir -p "$pg_root/usr/lib/postgresql" "$pg_root/usr/share/postgresql"
	# hard links where the file system allows: the server finds its share
	# and lib folders relative to where its program is
	cp -al "/usr/lib/postgresql/$pg_major" "$pg_root/usr/lib/postgresql/" 2>/dev/null ||
		cp -a "/usr/lib/postgresql/$pg_major" "$pg_root/usr/lib/postgresql/" || return 99
	cp -a "/usr/share/postgresql/$pg_major" "$pg_root/usr/share/postgresql/" || return 99
	# the extension, built with the rest, installed into the private tree
	if ! make -s -C "$(dirname "$HUIMIN")" pg-stage DESTDIR="$pg_root" > "$work/pg-stage.log" 2>&1; then
		if grep -q "extension is not built" "$work/pg-stage.log"; then
			echo "SKIP: $(grep "extension is not built" "$work/pg-stage.log")"
			return 77
		fi
		cat "$work/pg-stage.log"
		echo "FAIL: make pg-stage"
		return 99
	fi
	pg_bin="$pg_root/usr/lib/postgresql/$pg_major/bin"
	# the server loads libhuimin from the build tree
	pg_libs="$(cd "$(dirname "$HUIMIN")" && pwd)/.libs"
	pg_as() { "$@"; }
	if [ "$(id -u)" = 0 ]; then
		# the server refuses to run as root
		chown -R postgres "$work"
		pg_as() { runuser -u postgres -- "$@"; }
	fi
	chmod 711 "$work"
	trap 'pg_stop_all; rm -rf "$work"' EXIT INT TERM
	return 0
}

# pg_start N [SETTING=VALUE …]: initialise and start node N
pg_start() {
	local n=$1 d="$work/pg$1" opts="" s
	shift
	for s in "$@"; do opts="$opts -c $s"; done
	mkdir -p "$d"
	[ "$(id -u)" = 0 ] && chown postgres "$d"
	chmod 700 "$d"
	pg_as "$pg_bin/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 --locale=C > "$d/initdb.log" 2>&1 ||
		{ cat "$d/initdb.log"; echo "FAIL: initdb node $n"; return 1; }
	# A sanitizer build's libhuimin brings its runtimes in when a backend
	# loads the extension (whose module.c sets their options).  They
	# cannot be preloaded: with libasan in LD_PRELOAD, Debian's postgres
	# (and initdb, and psql) hangs before main, the runtime starting lazily
	# inside a library constructor's newlocale and leaving libc's locale
	# lock broken.  Loaded late, the runtime checks the stack, globals and
	# undefined behaviour of the extension and libhuimin, not the heap the
	# server's malloc hands out.
	pg_as env LD_LIBRARY_PATH="$pg_libs" "$pg_bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w \
		-o "-k $d -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_prepared_transactions=10 $opts" \
		start > /dev/null 2>&1 || { cat "$d/server.log"; echo "FAIL: node $n did not start"; return 1; }
	eval "pg_host_$n=\$d"
	return 0
}

# pg_stop N [MODE]: stop node N (MODE immediate by default)
pg_stop() {
	pg_as "$pg_bin/pg_ctl" -D "$work/pg$1/data" -m "${2:-immediate}" stop > /dev/null 2>&1
}

# pg_restart N: node N again after pg_stop, with the options of its last
# start (pg_ctl keeps them in postmaster.opts)
pg_restart() {
	pg_as env LD_LIBRARY_PATH="$pg_libs" "$pg_bin/pg_ctl" -D "$work/pg$1/data" -l "$work/pg$1/server.log" \
		-w restart > /dev/null 2>&1
}

pg_stop_all() {
	local d
	for d in "$work"/pg[0-9]*; do
		[ -f "$d/data/postmaster.pid" ] && pg_as "$pg_bin/pg_ctl" -D "$d/data" -m immediate stop > /dev/null 2>&1
	done
	return 0
}

# pg_conn N [DB]: a libpq connection string for node N
pg_conn() {
	echo "host=$work/pg$1 dbname=${2:-city} user=postgres"
}

# pg_psql N ARGS…: psql on node N, stopping at the first error
pg_psql() {
	local n=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$work/pg$n" -U postgres "$@"
}
