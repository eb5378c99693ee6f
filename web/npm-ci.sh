#!/bin/sh
# npm-ci.sh [NPM]: installs web/node_modules from the committed lock file with
# `npm ci`, unless it is already installed from this lock file. Called by the
# build (web/CMakeLists.txt) and by `make`; safe to run from several build
# trees at once (one lock, and a second look once it is held).
#
# Packages' install scripts are not run (--ignore-scripts): none is needed
# (esbuild finds its binary in its @esbuild/<platform> package) and no code
# from the registry runs at install time.
set -eu
npm=${1:-npm}
web=$(cd "$(dirname "$0")" && pwd)

fresh() {
	# npm writes node_modules/.package-lock.json last, after a complete install.
	[ -f "$web/node_modules/.package-lock.json" ] &&
		[ "$web/node_modules/.package-lock.json" -nt "$web/package-lock.json" ] &&
		[ -f "$web/node_modules/esbuild/package.json" ]
}

fresh && exit 0
install() {
	fresh && return 0
	echo "web: npm ci --prefix web (from web/package-lock.json)"
	"$npm" ci --prefix "$web" --ignore-scripts --no-audit --no-fund --loglevel=error
}
if command -v flock >/dev/null 2>&1; then
	# flock opens the lock file read-only: the lock file itself is not changed.
	exec 9<"$web/package-lock.json"
	flock 9
	install
else
	install
fi
