#!/usr/bin/env bash
# build.sh: compiles the ledger's replay engine and rules to WebAssembly
# with Debian's emscripten, from the same C sources as the native build
# (src/util, src/store's in-memory backend, src/log, src/ledger) plus
# web/wasm/replay_wasm.c, the exported entry point.
#
#   web/wasm/build.sh SRC_DIR OUT_DIR
#
# Writes OUT_DIR/ot_replay.mjs (an ES module factory, -sENVIRONMENT=web)
# and OUT_DIR/ot_replay.wasm. Jansson and libsodium are built for wasm from
# Debian's source tarballs (the .orig tarballs of the versions bookworm
# ships, checked against their SHA-256), fetched once into OUT_DIR/deps
# (or taken from OT_WASM_TARBALLS, a directory holding them) and built once:
# later runs only recompile oretrail. libsodium is built from the few files
# the ledger needs (SHA-256, Ed25519, the codecs), not configured whole.
#
# Environment: EMCC (default emcc), OT_DEBIAN_MIRROR (default
# http://deb.debian.org/debian), JOBS (default 2).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: web/wasm/build.sh SRC_DIR OUT_DIR" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
emcc=${EMCC:-emcc}
emar=${EMAR:-$(dirname "$(command -v "$emcc")")/emar}
mirror=${OT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
jobs=${JOBS:-2}
deps=$out/deps
# emcc's JavaScript optimizer needs acorn, which Debian installs under
# /usr/share/nodejs: Debian's node looks there, a node from elsewhere not.
[ -d /usr/share/nodejs/acorn ] && export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
command -v "$emcc" >/dev/null || { echo "build.sh: $emcc not found (apt-get install emscripten)" >&2; exit 1; }

# name, pool path, SHA-256 of the tarball.
JANSSON=(jansson_2.14.orig.tar.gz pool/main/j/jansson
	c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b)
SODIUM=(libsodium_1.0.18.orig.tar.gz pool/main/libs/libsodium
	d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4)

# fetch NAME POOL SHA256: the tarball in $deps, checked; prints its path.
fetch() {
	local file=$deps/$1
	if [ ! -f "$file" ]; then
		if [ -n "${OT_WASM_TARBALLS:-}" ] && [ -f "$OT_WASM_TARBALLS/$1" ]; then
			cp "$OT_WASM_TARBALLS/$1" "$file.part"
		else
			curl -sSf --retry 3 -o "$file.part" "$mirror/$2/$1" ||
				{ echo "build.sh: cannot fetch $mirror/$2/$1" >&2; exit 1; }
		fi
		mv "$file.part" "$file"
	fi
	if ! echo "$3  $file" | sha256sum -c --quiet - >&2; then
		echo "build.sh: $file is not the expected tarball (SHA-256 $3); removed" >&2
		rm -f "$file"
		exit 1
	fi
	echo "$file"
}

# compile_all OBJDIR LIST FLAGS...: each source LIST names to OBJDIR/<its
# path with / as _>.o, $jobs at a time.
compile_all() {
	local objdir=$1 list=$2
	shift 2
	mkdir -p "$objdir"
	# xargs appends the source after the flags.
	# shellcheck disable=SC2016
	OBJDIR=$objdir EMCC=$emcc nice xargs -P "$jobs" -n 1 bash -c \
		'src=${!#}; obj=$OBJDIR/$(tr / _ <<<"$src").o; exec "$EMCC" "${@:1:$#-1}" -c "$src" -o "$obj"' \
		bash "$@" <"$list" || { echo "build.sh: compiling failed" >&2; exit 1; }
}

mkdir -p "$deps"
started=$(date +%s)

# Jansson: every source, with the two configuration headers its CMake and
# autoconf builds would write.
jansson_lib=$deps/libjansson.a
if [ ! -f "$jansson_lib" ]; then
	tarball=$(fetch "${JANSSON[@]}")
	rm -rf "$deps/jansson"
	mkdir -p "$deps/jansson"
	tar -xzf "$tarball" -C "$deps/jansson" --strip-components=1
	j=$deps/jansson/src
	sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
		-e 's/@json_have_localeconv@/0/' -e 's/@json_have_atomic_builtins@/1/' \
		-e 's/@json_have_sync_builtins@/1/' "$j/jansson_config.h.in" >"$j/jansson_config.h"
	printf '#define HAVE_STDINT_H 1\n#define HAVE_UNISTD_H 1\n#define HAVE_SYS_TYPES_H 1\n' \
		>"$j/jansson_private_config.h"
	ls "$j"/*.c >"$deps/jansson.list"
	compile_all "$deps/jansson/obj" "$deps/jansson.list" \
		-O2 -DHAVE_CONFIG_H -I"$j"
	"$emar" rcs "$jansson_lib.part" "$deps"/jansson/obj/*.o
	mv "$jansson_lib.part" "$jansson_lib"
fi

# libsodium: SHA-256, SHA-512 and Ed25519 (portable C, "ref10"), the
# codecs, utilities and the random source (the page's crypto.getRandomValues
# under emscripten), as --enable-minimal would configure them.
sodium_lib=$deps/libsodium.a
if [ ! -f "$sodium_lib" ]; then
	tarball=$(fetch "${SODIUM[@]}")
	rm -rf "$deps/libsodium"
	mkdir -p "$deps/libsodium"
	tar -xzf "$tarball" -C "$deps/libsodium" --strip-components=1
	s=$deps/libsodium/src/libsodium
	sed -e 's/@VERSION@/1.0.18/' -e 's/@SODIUM_LIBRARY_VERSION_MAJOR@/10/' \
		-e 's/@SODIUM_LIBRARY_VERSION_MINOR@/3/' \
		-e 's/@SODIUM_LIBRARY_MINIMAL_DEF@/#define SODIUM_LIBRARY_MINIMAL 1/' \
		"$s/include/sodium/version.h.in" >"$s/include/sodium/version.h"
	printf '%s\n' \
		"$s/sodium/core.c" "$s/sodium/utils.c" "$s/sodium/codecs.c" "$s/sodium/runtime.c" \
		"$s/sodium/version.c" "$s/randombytes/randombytes.c" \
		"$s/crypto_hash/sha256/hash_sha256.c" "$s/crypto_hash/sha256/cp/hash_sha256_cp.c" \
		"$s/crypto_hash/sha512/hash_sha512.c" "$s/crypto_hash/sha512/cp/hash_sha512_cp.c" \
		"$s/crypto_sign/crypto_sign.c" "$s/crypto_sign/ed25519/sign_ed25519.c" \
		"$s/crypto_sign/ed25519/ref10/keypair.c" "$s/crypto_sign/ed25519/ref10/open.c" \
		"$s/crypto_sign/ed25519/ref10/sign.c" "$s/crypto_core/ed25519/ref10/ed25519_ref10.c" \
		"$s/crypto_verify/sodium/verify.c" "$s/crypto_scalarmult/curve25519/scalarmult_curve25519.c" \
		"$s/crypto_scalarmult/curve25519/ref10/x25519_ref10.c" >"$deps/sodium.list"
	compile_all "$deps/libsodium/obj" "$deps/sodium.list" \
		-O2 -DCONFIGURED=1 -DSODIUM_STATIC=1 -DMINIMAL=1 -DNATIVE_LITTLE_ENDIAN=1 \
		-DHAVE_WEAK_SYMBOLS=1 -I"$s/include/sodium" -I"$s/include" -I"$s/include/sodium/private"
	"$emar" rcs "$sodium_lib.part" "$deps"/libsodium/obj/*.o
	mv "$sodium_lib.part" "$sodium_lib"
fi
deps_done=$(date +%s)

# oretrail: the layers the replay stands on, the sources the native build
# compiles, with the options that leave out threads, SQLite, PostgreSQL and
# OpenSSL. Archived, so that the link takes only what the replay reaches.
rm -rf "$out/obj"
{
	ls "$src"/src/util/*.c "$src"/src/log/*.c "$src"/src/ledger/*.c
	echo "$src/src/store/store.c"
	echo "$src/src/store/memory.c"
} >"$out/sources.list"
compile_all "$out/obj" "$out/sources.list" \
	-O2 -std=c11 -D_DEFAULT_SOURCE -DOT_STORE_MEMORY_ONLY -DOT_NO_THREADS -DOT_SHA256_SODIUM \
	-I"$src/include" -I"$src/src" -I"$deps/jansson/src" \
	-I"$deps/libsodium/src/libsodium/include"
rm -f "$out/liboretrail.a"
"$emar" rcs "$out/liboretrail.a" "$out"/obj/*.o

# The entry point is held to the native build's warnings (CMakeLists.txt,
# OT_WARNINGS).
nice "$emcc" -O2 -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion \
	-Wsign-conversion -Wmissing-prototypes -Wstrict-prototypes -Wold-style-definition \
	-Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2 -Wundef -Wnull-dereference \
	-Wimplicit-fallthrough -I"$src/include" -I"$deps/jansson/src" \
	"$src/web/wasm/replay_wasm.c" "$src/web/wasm/sodium_unused.c" "$out/liboretrail.a" "$jansson_lib" "$sodium_lib" \
	-o "$out/ot_replay.mjs" \
	-sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=otReplayModule -sENVIRONMENT=web \
	-sALLOW_MEMORY_GROWTH=1 -sFILESYSTEM=0 \
	-sEXPORTED_FUNCTIONS=_otw_replay,_otw_lot,_otw_certificate,_otw_report_crma,_otw_free,_otw_malloc \
	-sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
done_at=$(date +%s)
echo "build.sh: $out/ot_replay.wasm, $(wc -c <"$out/ot_replay.wasm") bytes" \
	"(dependencies $((deps_done - started)) s, oretrail $((done_at - deps_done)) s)"
