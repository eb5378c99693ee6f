//go:build ignore

// gen_tile_kat.go: known answers for oretrail's tiles and entry bundles,
// computed independently of oretrail with Go's golang.org/x/mod/sumdb/tlog.
//
// The log holds deterministic entries: entry i is the ASCII text
// "oretrail kat entry <i>\n". For each tree size in katSizes the program
// prints the tree root and, for every C2SP tlog-tiles tile that exists at
// that size, its path, width and the SHA-256 of its bytes. Full tiles never
// change once written, so each is listed only at the first size where it
// exists; partial tiles are listed at every size. tests/interop/test_tile_kat.c
// rebuilds the same log with liboretrail and compares every line.
//
// Build and run in GOPATH mode (no network), see tests/data/tiles/README.md:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run gen_tile_kat.go > kat.txt
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8 // C2SP tlog-tiles: tiles are 256 hashes wide

var katSizes = []int64{1, 2, 3, 255, 256, 257, 511, 65535, 65536, 65537, 70000}

func entry(i int64) []byte {
	return []byte(fmt.Sprintf("oretrail kat entry %d\n", i))
}

// c2spPath writes a tile path in C2SP form: tile/<L>/<N>[.p/<W>] for hash
// tiles, tile/entries/<N>[.p/<W>] for entry bundles (level -1 here), with N
// in groups of three digits, all but the last prefixed with "x". Go's
// Tile.Path adds the height ("tile/8/...") and calls bundles "data", so it
// is not used.
func c2spPath(level int, n int64, width int) string {
	groups := []string{fmt.Sprintf("%03d", n%1000)}
	for n >= 1000 {
		n /= 1000
		groups = append([]string{fmt.Sprintf("x%03d", n%1000)}, groups...)
	}
	l := "entries"
	if level >= 0 {
		l = fmt.Sprint(level)
	}
	p := "tile/" + l + "/" + strings.Join(groups, "/")
	if width < 1<<tileHeight {
		p += fmt.Sprintf(".p/%d", width)
	}
	return p
}

func bundle(n int64, width int) []byte {
	var b []byte
	for i := int64(0); i < int64(width); i++ {
		e := entry(n<<tileHeight + i)
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

func main() {
	maxSize := katSizes[len(katSizes)-1]

	// Build the whole log once: tlog's stored hashes for every record.
	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d not available", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := int64(0); i < maxSize; i++ {
		hs, err := tlog.StoredHashes(i, entry(i), hr)
		if err != nil {
			fail(err)
		}
		stored = append(stored, hs...)
	}

	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "# oretrail tile and entry-bundle known answers (tests/data/tiles/README.md)\n")
	fmt.Fprintf(w, "# made by tests/interop/gen_tile_kat.go with %s and golang.org/x/mod/sumdb/tlog\n", runtime.Version())
	fmt.Fprintf(w, "# entry i = \"oretrail kat entry <i>\\n\"\n")
	fmt.Fprintf(w, "# <size> root <base64 RFC 6962 root>\n")
	fmt.Fprintf(w, "# <size> <C2SP tile path> <width> <sha256 hex of the tile bytes>\n")
	fmt.Fprintf(w, "# full tiles are listed once, at the first size that has them\n")

	prev := int64(0)
	for _, size := range katSizes {
		root, err := tlog.TreeHash(size, hr)
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(w, "%d root %s\n", size, base64.StdEncoding.EncodeToString(root[:]))

		for level := 0; size>>(tileHeight*level) > 0; level++ {
			nodes := size >> (tileHeight * level)
			prevNodes := prev >> (tileHeight * level)
			full := nodes >> tileHeight
			for n := prevNodes >> tileHeight; n <= full; n++ {
				width := 1 << tileHeight
				if n == full {
					width = int(nodes - full<<tileHeight)
					if width == 0 {
						break
					}
				}
				t := tlog.Tile{H: tileHeight, L: level, N: n, W: width}
				data, err := tlog.ReadTileData(t, hr)
				if err != nil {
					fail(err)
				}
				emit(w, size, c2spPath(level, n, width), width, data)
				if level == 0 {
					emit(w, size, c2spPath(-1, n, width), width, bundle(n, width))
				}
			}
		}
		prev = size
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
}

func emit(w *bufio.Writer, size int64, path string, width int, data []byte) {
	sum := sha256.Sum256(data)
	fmt.Fprintf(w, "%d %s %d %s\n", size, path, width, hex.EncodeToString(sum[:]))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen_tile_kat:", err)
	os.Exit(1)
}
