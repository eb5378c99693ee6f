//go:build ignore

// serve_check.go: checks a running `oretrail serve` over HTTP with Go's
// golang.org/x/mod/sumdb/note and sumdb/tlog, the reference code for C2SP
// signed notes and for RFC 6962 proofs over tiles.
//
//	serve_check URL VKEYFILE SAVE_CHECKPOINT [OLD_CHECKPOINT]
//
// It fetches URL/checkpoint and opens it with note.Open against the log's
// verifier key; reads the hash tiles over HTTP through tlog.TileHashReader
// (which authenticates every tile against the checkpoint's root) and
// recomputes the tree hash; proves random entries with tlog.ProveRecord and
// compares the proofs with the server's /api/proof/inclusion, checking them
// with tlog.CheckRecord; checks every entry of every entry bundle against
// its leaf hash; checks the content types and cache headers; and, given an
// older checkpoint the server served, proves with tlog.ProveTree and checks
// with tlog.CheckTree that the new tree extends it, comparing the proof with
// /api/proof/consistency. The checkpoint served is saved to SAVE_CHECKPOINT.
// Built in GOPATH mode by tests/interop/run_serve_interop.sh.
//
// With SERVE_CHECK_STATIC=1 in the environment, URL is a plain static file
// server of `oretrail publish` output (run_static_interop.sh): there is no
// /api/ to compare proofs with and no content types or cache headers of
// ours to check; everything Go's tlog proves from the tiles still runs.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

var failures int

func failf(format string, args ...interface{}) {
	failures++
	if failures <= 20 {
		fmt.Fprintf(os.Stderr, "serve_check: FAIL: "+format+"\n", args...)
	}
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "serve_check: "+format+"\n", args...)
	os.Exit(1)
}

var client = &http.Client{Timeout: 20 * time.Second}

// A static file server (SERVE_CHECK_STATIC): no API, no headers of ours.
var static = os.Getenv("SERVE_CHECK_STATIC") != ""

// get fetches base+path and checks the status and content type.
func get(url string, wantType string) ([]byte, http.Header) {
	resp, err := client.Get(url)
	if err != nil {
		fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != 200 {
		fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if !static && wantType != "" && resp.Header.Get("Content-Type") != wantType {
		failf("GET %s: Content-Type %q, want %q", url, resp.Header.Get("Content-Type"), wantType)
	}
	return body, resp.Header
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies a signed checkpoint and parses its body.
func openCheckpoint(msg []byte, verifiers note.Verifiers) checkpoint {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		fatalf("note.Open(checkpoint): %v\n%s", err, msg)
	}
	lines := strings.SplitAfter(n.Text, "\n")
	if len(lines) < 4 {
		fatalf("checkpoint has %d lines", len(lines)-1)
	}
	var c checkpoint
	c.origin = strings.TrimSuffix(lines[0], "\n")
	c.size, err = strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil {
		fatalf("checkpoint size: %v", err)
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		fatalf("checkpoint root %q", lines[2])
	}
	copy(c.root[:], root)
	return c
}

// c2spPath is the C2SP tlog-tiles path: tile/<L>/<N>[.p/<W>], or
// tile/entries/<N>[.p/<W>] for level -1. Go's Tile.Path adds the height.
func c2spPath(level int, n int64, width int) string {
	groups := []string{fmt.Sprintf("%03d", n%1000)}
	for n >= 1000 {
		n /= 1000
		groups = append([]string{fmt.Sprintf("x%03d", n%1000)}, groups...)
	}
	l := "entries"
	if level >= 0 {
		l = strconv.Itoa(level)
	}
	p := "tile/" + l + "/" + strings.Join(groups, "/")
	if width < 1<<tileHeight {
		p += fmt.Sprintf(".p/%d", width)
	}
	return p
}

// httpTiles is a tlog.TileReader over the server's /tile/ paths.
type httpTiles struct {
	base  string
	reads int
}

func (h *httpTiles) Height() int { return tileHeight }

func (h *httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != tileHeight {
			return nil, fmt.Errorf("tile of height %d requested", t.H)
		}
		data, hdr := get(h.base+"/"+c2spPath(t.L, t.N, t.W), "application/octet-stream")
		cc := hdr.Get("Cache-Control")
		if static {
			// no headers of ours to check
		} else if t.W == 1<<tileHeight {
			if cc != "public, max-age=31536000, immutable" {
				failf("full tile %s: Cache-Control %q", c2spPath(t.L, t.N, t.W), cc)
			}
		} else if !strings.Contains(cc, "max-age=") || strings.Contains(cc, "immutable") {
			failf("partial tile %s: Cache-Control %q", c2spPath(t.L, t.N, t.W), cc)
		}
		out[i] = data
		h.reads++
	}
	return out, nil
}

func (h *httpTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// The server's proofs, in the transparency-dev format of `oretrail proof`.
type inclusionJSON struct {
	LeafIdx  int64    `json:"leafIdx"`
	TreeSize int64    `json:"treeSize"`
	Root     []byte   `json:"root"`
	LeafHash []byte   `json:"leafHash"`
	Proof    [][]byte `json:"proof"`
}

type consistencyJSON struct {
	Size1 int64    `json:"size1"`
	Size2 int64    `json:"size2"`
	Root1 []byte   `json:"root1"`
	Root2 []byte   `json:"root2"`
	Proof [][]byte `json:"proof"`
}

func sameHashes(got [][]byte, want []tlog.Hash) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i][:]) {
			return false
		}
	}
	return true
}

func main() {
	if len(os.Args) < 4 {
		fatalf("usage: serve_check URL VKEYFILE SAVE_CHECKPOINT [OLD_CHECKPOINT]")
	}
	base := strings.TrimSuffix(os.Args[1], "/")
	vkeyText, err := os.ReadFile(os.Args[2])
	if err != nil {
		fatalf("%v", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkeyText)))
	if err != nil {
		fatalf("note.NewVerifier: %v", err)
	}
	verifiers := note.VerifierList(verifier)

	msg, hdr := get(base+"/checkpoint", "text/plain; charset=utf-8")
	if cc := hdr.Get("Cache-Control"); !static && !strings.Contains(cc, "max-age=") {
		failf("/checkpoint: Cache-Control %q", cc)
	}
	cp := openCheckpoint(msg, verifiers)
	if err := os.WriteFile(os.Args[3], msg, 0o644); err != nil {
		fatalf("%v", err)
	}
	fmt.Printf("checkpoint: %s, %d entries\n", cp.origin, cp.size)

	tiles := &httpTiles{base: base}
	tree := tlog.Tree{N: cp.size, Hash: cp.root}
	hr := tlog.TileHashReader(tree, tiles)
	th, err := tlog.TreeHash(cp.size, hr)
	if err != nil {
		fatalf("tlog.TreeHash over the served tiles: %v", err)
	}
	if th != cp.root {
		failf("tree hash from the tiles %v, checkpoint root %v", th, cp.root)
	}

	// Inclusion: Go's proof from the tiles, the server's, and the check.
	rng := rand.New(rand.NewSource(cp.size))
	for k := 0; k < 40 && cp.size > 0; k++ {
		i := rng.Int63n(cp.size)
		if k == 0 {
			i = 0
		} else if k == 1 {
			i = cp.size - 1
		}
		proof, err := tlog.ProveRecord(cp.size, i, hr)
		if err != nil {
			failf("tlog.ProveRecord(%d, %d): %v", cp.size, i, err)
			continue
		}
		leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			failf("leaf hash %d: %v", i, err)
			continue
		}
		if err := tlog.CheckRecord(proof, cp.size, cp.root, i, leaf[0]); err != nil {
			failf("tlog.CheckRecord(%d): %v", i, err)
		}
		if static {
			continue
		}
		body, _ := get(fmt.Sprintf("%s/api/proof/inclusion?index=%d&size=%d", base, i, cp.size), "application/json")
		var ours inclusionJSON
		if err := json.Unmarshal(body, &ours); err != nil {
			failf("inclusion proof %d: %v", i, err)
			continue
		}
		if !sameHashes(ours.Proof, proof) || !bytes.Equal(ours.Root, cp.root[:]) ||
			!bytes.Equal(ours.LeafHash, leaf[0][:]) {
			failf("inclusion proof of %d in %d differs from Go's", i, cp.size)
		}
	}

	// Every entry of every bundle hashes to its leaf.
	entries := int64(0)
	for n := int64(0); n*256 < cp.size; n++ {
		w := int(cp.size - n*256)
		if w > 256 {
			w = 256
		}
		data, _ := get(base+"/"+c2spPath(-1, n, w), "application/octet-stream")
		indexes := make([]int64, w)
		for j := 0; j < w; j++ {
			indexes[j] = tlog.StoredHashIndex(0, n*256+int64(j))
		}
		leaves, err := hr.ReadHashes(indexes)
		if err != nil {
			failf("leaves of bundle %d: %v", n, err)
			continue
		}
		for j := 0; j < w; j++ {
			if len(data) < 2 || len(data) < 2+int(binary.BigEndian.Uint16(data)) {
				failf("bundle %d ends early at entry %d", n, j)
				break
			}
			l := int(binary.BigEndian.Uint16(data))
			if tlog.RecordHash(data[2:2+l]) != leaves[j] {
				failf("entry %d does not hash to its leaf", n*256+int64(j))
			}
			data = data[2+l:]
			entries++
		}
		if len(data) != 0 {
			failf("bundle %d has %d bytes after its %d entries", n, len(data), w)
		}
	}

	// An older checkpoint from the same server: the new tree extends it.
	if len(os.Args) > 4 {
		old, err := os.ReadFile(os.Args[4])
		if err != nil {
			fatalf("%v", err)
		}
		ocp := openCheckpoint(old, verifiers)
		if ocp.origin != cp.origin || ocp.size > cp.size {
			failf("old checkpoint %s/%d vs new %s/%d", ocp.origin, ocp.size, cp.origin, cp.size)
		}
		proof, err := tlog.ProveTree(cp.size, ocp.size, hr)
		if err != nil {
			failf("tlog.ProveTree(%d, %d): %v", cp.size, ocp.size, err)
		} else if err := tlog.CheckTree(proof, cp.size, cp.root, ocp.size, ocp.root); err != nil {
			failf("tlog.CheckTree(%d -> %d): %v", ocp.size, cp.size, err)
		}
		if !static {
			body, _ := get(fmt.Sprintf("%s/api/proof/consistency?size1=%d&size2=%d", base, ocp.size, cp.size), "application/json")
			var ours consistencyJSON
			if err := json.Unmarshal(body, &ours); err != nil {
				failf("consistency proof: %v", err)
			} else if !sameHashes(ours.Proof, proof) || !bytes.Equal(ours.Root1, ocp.root[:]) ||
				!bytes.Equal(ours.Root2, cp.root[:]) {
				failf("consistency proof %d -> %d differs from Go's", ocp.size, cp.size)
			}
		}
		fmt.Printf("consistent with the checkpoint of %d entries\n", ocp.size)
	}

	fmt.Printf("%d tiles read, %d entries checked\n", tiles.reads, entries)
	if failures > 0 {
		fmt.Fprintf(os.Stderr, "serve_check: %d failures\n", failures)
		os.Exit(1)
	}
	fmt.Println("serve_check: ok")
}
