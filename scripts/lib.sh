# shellcheck shell=bash
# scripts/lib.sh -- helpers shared by scripts/test.sh and scripts/demo.sh.
#
# Source it from a script that has already cd'ed to the repository root:
#
#   . scripts/lib.sh
#   hm_install_deps
#   hm_build build/default
#
# Nothing here changes the shell options of the caller.

# Debian packages needed to build huimin and run its tests.
HM_DEPS=(
	build-essential
	flex
	bison
	gettext
	libffi-dev
	libinih-dev
	libcsv-dev
	libxxhash-dev
	libpq-dev
	nettle-dev
	postgresql
	postgresql-server-dev-15
	libsqlite3-dev
	sqlite3
	check
	autoconf
	automake
	libtool
	pkg-config
	libjansson-dev
	zlib1g-dev
	python3
	python3-jsonschema
	clang
	libclang-rt-14-dev
	man-db
	groff-base
	libmicrohttpd-dev
	wrk
	curl
	chromium
	nodejs
)

# Number of parallel make jobs.
HM_JOBS=${HM_JOBS:-2}

# hm_log MESSAGE...: a progress line on stderr.
hm_log() {
	printf '%s\n' "$*" >&2
}

# hm_die MESSAGE...: print an error and exit 1.
hm_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# hm_install_deps: install the packages of HM_DEPS that are missing.
# Does nothing (and needs no network) when all are installed already.
hm_install_deps() {
	local pkg missing=()
	for pkg in "${HM_DEPS[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'install ok installed'; then
			missing+=("$pkg")
		fi
	done
	# the browser tests need npm: Debian's nodejs comes without it, while a
	# Node.js that brings its own npm must not get Debian's (they conflict)
	if ! command -v npm >/dev/null 2>&1; then
		missing+=(npm)
	fi
	if [ "${#missing[@]}" -eq 0 ]; then
		hm_log "all ${#HM_DEPS[@]} required packages are installed"
		return 0
	fi

	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			hm_die "missing packages (${missing[*]}) and not root; install them with apt-get as root"
		fi
	fi
	hm_log "installing: ${missing[*]}"
	"${sudo[@]}" apt-get update -qq </dev/null
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# hm_bootstrap: run ./autogen.sh if the generated files are missing or
# older than their inputs. Must be called from the repository root.
hm_bootstrap() {
	if [ -f config.status ]; then
		hm_die "the source tree is configured in place; run 'make distclean' in $(pwd) first (builds go in build/)"
	fi
	if [ ! -x configure ] || [ ! -f Makefile.in ] ||
		[ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
		hm_log "running ./autogen.sh"
		./autogen.sh
	fi
}

# hm_build DIR [CONFIGURE-ARGS...]: configure out of tree in DIR (relative
# to the repository root) and build with make. configure is run again only
# when DIR has no config.status or the arguments changed since last time.
hm_build() {
	local dir=$1
	shift
	hm_bootstrap
	mkdir -p "$dir"
	local stamp="$dir/.hm-configure-args"
	local args
	args=$(printf '%q ' "$@")
	if [ ! -f "$dir/config.status" ] || [ ! -f "$stamp" ] ||
		[ "$(cat "$stamp")" != "$args" ]; then
		local srcdir
		srcdir=$(pwd)
		hm_log "configuring $dir${*:+ with $*}"
		(cd "$dir" && "$srcdir/configure" "$@") || return 1
		printf '%s' "$args" >"$stamp"
	fi
	hm_log "building $dir"
	make -C "$dir" -j"$HM_JOBS"
}
