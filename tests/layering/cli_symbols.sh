#!/bin/sh
# cli_symbols.sh NM OBJECT...: the oretrail command's own objects reach the
# layers below through their public API only. Fails, naming the object and
# the symbol, when one of them refers to an internal helper of another
# layer (otx_: the CLI's own code has no otx_ names) or calls
# libmicrohttpd (MHD_) or libcurl (curl_) itself, which only the server
# layer may do.
set -eu
nm=$1
shift
bad=0
n=0
for obj in "$@"; do
	n=$((n + 1))
	"$nm" -u "$obj" >/dev/null || { echo "cli_symbols: $nm cannot read $obj"; exit 1; }
	found=$("$nm" -u "$obj" | awk '{print $NF}' | grep -E '^(otx_|MHD_|curl_)' || true)
	if [ -n "$found" ]; then
		for sym in $found; do
			echo "cli_symbols: ${obj##*/} refers to $sym"
		done
		bad=$((bad + 1))
	fi
done
echo "cli_symbols: $n objects of the oretrail command, $bad with an internal or HTTP-library symbol"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
