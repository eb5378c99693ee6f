//go:build ignore

// verify.go: checks a log written by liboretrail (tests/tools/mklog) with Go's
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, the reference
// implementations of C2SP signed-note and of RFC 6962 proofs over tiles.
//
//	verify OUTDIR
//
// It verifies every checkpoint with note.Open against the log's verifier key,
// every inclusion proof with tlog.CheckRecord and every consistency proof with
// tlog.CheckTree; it reads the tiles through tlog.TileHashReader (which
// authenticates them against the final checkpoint), recomputes the tree hash
// and proofs from them and compares them with liboretrail's, and checks each
// entry of the entry bundles against its leaf hash. It then parses the log's
// signer key with note.NewSigner and writes back go_skey, go_vkey and
// go_signed.note for `mklog check-go`. The exchange format is described in
// tests/tools/mklog.c. Built in GOPATH mode by tests/interop/run_interop.sh.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	tileHeight = 8
	goNoteText = "oretrail interop: signed by Go\n" // GO_NOTE_TEXT in mklog.c
	maxReports = 20
)

var failures int

func failf(format string, args ...interface{}) {
	failures++
	if failures <= maxReports {
		fmt.Fprintf(os.Stderr, "verify: FAIL: "+format+"\n", args...)
	}
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "verify: "+format+"\n", args...)
	os.Exit(1)
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// parseCheckpoint parses a C2SP tlog-checkpoint body: origin, decimal size,
// base64 root, then optional extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, fmt.Errorf("checkpoint has %d lines", len(lines)-1)
	}
	var c checkpoint
	c.origin = strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return checkpoint{}, fmt.Errorf("bad size %q", sizeText)
	}
	c.size = size
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("bad root %q", lines[2])
	}
	copy(c.root[:], root)
	if c.origin == "" {
		return checkpoint{}, fmt.Errorf("empty origin")
	}
	return c, nil
}

func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashes(fields []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(fields))
	for _, f := range fields {
		h, err := parseHash(f)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func readLines(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

func readKey(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	return strings.TrimRight(string(data), "\r\n")
}

// c2spPath is the C2SP tlog-tiles path of a tile: tile/<L>/<N>[.p/<W>], or
// tile/entries/<N>[.p/<W>] for level -1. Go's Tile.Path has another form.
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

// fileTiles is a tlog.TileReader over the tile files mklog wrote.
type fileTiles struct {
	dir   string
	reads int
}

func (f *fileTiles) Height() int { return tileHeight }

func (f *fileTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != tileHeight {
			return nil, fmt.Errorf("tile of height %d requested", t.H)
		}
		data, err := os.ReadFile(filepath.Join(f.dir, c2spPath(t.L, t.N, t.W)))
		if err != nil {
			return nil, err
		}
		out[i] = data
		f.reads++
	}
	return out, nil
}

func (f *fileTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func main() {
	if len(os.Args) != 2 {
		fatalf("usage: verify OUTDIR")
	}
	dir := os.Args[1]

	// Keys: our verifier key in Go, our signer key in Go.
	vkey := readKey(filepath.Join(dir, "vkey"))
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fatalf("note.NewVerifier(%q): %v", vkey, err)
	}
	skey := readKey(filepath.Join(dir, "skey"))
	signer, err := note.NewSigner(skey)
	if err != nil {
		failf("note.NewSigner(our signer key): %v", err)
	} else if signer.Name() != verifier.Name() || signer.KeyHash() != verifier.KeyHash() {
		failf("our signer key is %s+%08x, our verifier key %s+%08x",
			signer.Name(), signer.KeyHash(), verifier.Name(), verifier.KeyHash())
	}
	verifiers := note.VerifierList(verifier)

	// Checkpoints.
	var sizes []int64
	for _, l := range readLines(filepath.Join(dir, "sizes")) {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			fatalf("sizes: %v", err)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		fatalf("no sizes")
	}
	final := sizes[len(sizes)-1]
	roots := map[int64]tlog.Hash{}
	var finalNote []byte
	origin := ""
	for _, size := range sizes {
		msg, err := os.ReadFile(filepath.Join(dir, "checkpoints", strconv.FormatInt(size, 10)))
		if err != nil {
			fatalf("%v", err)
		}
		n, err := note.Open(msg, verifiers)
		if err != nil {
			failf("note.Open(checkpoint %d): %v", size, err)
			continue
		}
		if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
			failf("checkpoint %d: %d verified and %d unverified signatures", size, len(n.Sigs), len(n.UnverifiedSigs))
		}
		c, err := parseCheckpoint(n.Text)
		if err != nil {
			failf("checkpoint %d: %v", size, err)
			continue
		}
		if c.size != size {
			failf("checkpoint saved at size %d says size %d", size, c.size)
		}
		if origin == "" {
			origin = c.origin
		} else if c.origin != origin {
			failf("checkpoint %d: origin %q, earlier %q", size, c.origin, origin)
		}
		roots[size] = c.root
		if size == final {
			finalNote = msg
		}

		// An altered checkpoint must not open.
		bad := append([]byte(nil), msg...)
		bad[len(n.Text)-2] ^= 1
		if _, err := note.Open(bad, verifiers); err == nil {
			failf("altered checkpoint %d opens", size)
		}
	}
	if _, ok := roots[final]; !ok {
		fatalf("no valid checkpoint at the final size %d", final)
	}

	// Go signing the final checkpoint's text with our key must reproduce our
	// note byte for byte (Ed25519 signatures are deterministic).
	if signer != nil && finalNote != nil {
		n, _ := note.Open(finalNote, verifiers)
		again, err := note.Sign(&note.Note{Text: n.Text}, signer)
		if err != nil {
			failf("note.Sign with our key: %v", err)
		} else if !bytes.Equal(again, finalNote) {
			failf("Go signs our checkpoint as\n%s\nwe wrote\n%s", again, finalNote)
		}
	}

	// Leaf hashes as liboretrail reports them.
	var leaves []tlog.Hash
	for i, l := range readLines(filepath.Join(dir, "leaves")) {
		h, err := parseHash(l)
		if err != nil {
			fatalf("leaves line %d: %v", i+1, err)
		}
		leaves = append(leaves, h)
	}
	if int64(len(leaves)) != final {
		failf("%d leaf hashes for a tree of %d", len(leaves), final)
	}

	// Inclusion proofs.
	ourRecordProofs := map[[2]int64][]tlog.Hash{}
	nInclusion := 0
	for _, l := range readLines(filepath.Join(dir, "inclusion")) {
		f := strings.Fields(l)
		if len(f) < 3 {
			fatalf("inclusion: bad line %q", l)
		}
		index, err1 := strconv.ParseInt(f[0], 10, 64)
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		leaf, err3 := parseHash(f[2])
		proof, err4 := parseHashes(f[3:])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			fatalf("inclusion: bad line %q", l)
		}
		root, ok := roots[size]
		if !ok {
			failf("inclusion proof at size %d without a checkpoint", size)
			continue
		}
		if index < int64(len(leaves)) && leaves[index] != leaf {
			failf("inclusion of %d: leaf %v, leaves file says %v", index, leaf, leaves[index])
		}
		if err := tlog.CheckRecord(proof, size, root, index, leaf); err != nil {
			failf("tlog.CheckRecord(index %d, size %d, %d hashes): %v", index, size, len(proof), err)
		}
		if len(proof) > 0 {
			proof[0][0] ^= 1
			if tlog.CheckRecord(proof, size, root, index, leaf) == nil {
				failf("altered inclusion proof of %d in %d checks", index, size)
			}
			proof[0][0] ^= 1
		}
		ourRecordProofs[[2]int64{index, size}] = proof
		nInclusion++
	}

	// Consistency proofs.
	ourTreeProofs := map[[2]int64][]tlog.Hash{}
	nConsistency := 0
	for _, l := range readLines(filepath.Join(dir, "consistency")) {
		f := strings.Fields(l)
		if len(f) < 2 {
			fatalf("consistency: bad line %q", l)
		}
		size1, err1 := strconv.ParseInt(f[0], 10, 64)
		size2, err2 := strconv.ParseInt(f[1], 10, 64)
		proof, err3 := parseHashes(f[2:])
		if err1 != nil || err2 != nil || err3 != nil {
			fatalf("consistency: bad line %q", l)
		}
		root1, ok1 := roots[size1]
		root2, ok2 := roots[size2]
		if !ok1 || !ok2 {
			failf("consistency proof %d -> %d without checkpoints", size1, size2)
			continue
		}
		if err := tlog.CheckTree(proof, size2, root2, size1, root1); err != nil {
			failf("tlog.CheckTree(%d -> %d, %d hashes): %v", size1, size2, len(proof), err)
		}
		ourTreeProofs[[2]int64{size1, size2}] = proof
		nConsistency++
	}

	// Tiles: authenticated against the final checkpoint by TileHashReader.
	tiles := &fileTiles{dir: filepath.Join(dir, "tiles")}
	thr := tlog.TileHashReader(tlog.Tree{N: final, Hash: roots[final]}, tiles)
	th, err := tlog.TreeHash(final, thr)
	if err != nil {
		failf("tlog.TreeHash(%d) over our tiles: %v", final, err)
	} else if th != roots[final] {
		failf("tlog.TreeHash(%d) over our tiles = %v, checkpoint says %v", final, th, roots[final])
	}
	for _, size := range sizes {
		p, err := tlog.ProveTree(final, size, thr)
		if err != nil {
			failf("tlog.ProveTree(%d, %d): %v", final, size, err)
			continue
		}
		if err := tlog.CheckTree(p, final, roots[final], size, roots[size]); err != nil {
			failf("tlog.CheckTree(%d -> %d) of Go's proof: %v", size, final, err)
		}
		if ours, ok := ourTreeProofs[[2]int64{size, final}]; ok && !equalHashes(ours, p) {
			failf("consistency %d -> %d: ours %v, Go's %v", size, final, ours, p)
		}
		// Inclusion at the final size, for indexes near each size.
		for _, index := range []int64{0, size / 2, size - 1} {
			rp, err := tlog.ProveRecord(final, index, thr)
			if err != nil {
				failf("tlog.ProveRecord(%d, %d): %v", final, index, err)
				continue
			}
			if index < int64(len(leaves)) {
				if err := tlog.CheckRecord(rp, final, roots[final], index, leaves[index]); err != nil {
					failf("tlog.CheckRecord of Go's proof of %d in %d: %v", index, final, err)
				}
			}
			if ours, ok := ourRecordProofs[[2]int64{index, final}]; ok && !equalHashes(ours, rp) {
				failf("inclusion of %d in %d: ours %v, Go's %v", index, final, ours, rp)
			}
		}
	}

	// Every hash in a tile above level 0 must be the root of the full child
	// tile below it. TileHashReader checks only the tiles a request needs
	// (and in x/mod 0.7.0 not even all of those when several subtree hashes
	// of the tree share one tile), so check them all here: together with the
	// tree hash and the entry check below this authenticates every tile.
	nLinks := 0
	for level := 1; final>>(tileHeight*level) > 0; level++ {
		nodes := final >> (tileHeight * level)
		for n := int64(0); n<<tileHeight < nodes; n++ {
			width := int64(1 << tileHeight)
			if nodes-n<<tileHeight < width {
				width = nodes - n<<tileHeight
			}
			parent, err := os.ReadFile(filepath.Join(tiles.dir, c2spPath(level, n, int(width))))
			if err != nil || int64(len(parent)) != width*tlog.HashSize {
				failf("tile %s: %d bytes, %v", c2spPath(level, n, int(width)), len(parent), err)
				continue
			}
			for j := int64(0); j < width; j++ {
				childPath := c2spPath(level-1, n<<tileHeight+j, 1<<tileHeight)
				child, err := os.ReadFile(filepath.Join(tiles.dir, childPath))
				if err != nil || len(child) != tlog.HashSize<<tileHeight {
					failf("tile %s: %d bytes, %v", childPath, len(child), err)
					continue
				}
				var want tlog.Hash
				copy(want[:], parent[j*tlog.HashSize:])
				if h := subtreeHash(child); h != want {
					failf("tile %s hashes to %v, its parent %s says %v", childPath, h,
						c2spPath(level, n, int(width)), want)
				}
				nLinks++
			}
		}
	}

	// Entry bundles: every entry hashes to the leaf in the authenticated tiles.
	nEntries := int64(0)
	for n := int64(0); n<<tileHeight < final; n++ {
		width := int64(1 << tileHeight)
		if final-n<<tileHeight < width {
			width = final - n<<tileHeight
		}
		indexes := make([]int64, width)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, n<<tileHeight+int64(i))
		}
		hashes, err := thr.ReadHashes(indexes)
		if err != nil {
			failf("leaf hashes of tile %d: %v", n, err)
			continue
		}
		path := c2spPath(-1, n, int(width))
		data, err := os.ReadFile(filepath.Join(tiles.dir, path))
		if err != nil {
			failf("%v", err)
			continue
		}
		for i := int64(0); i < width; i++ {
			if len(data) < 2 || len(data) < 2+int(binary.BigEndian.Uint16(data)) {
				failf("%s: truncated at entry %d", path, i)
				break
			}
			l := int(binary.BigEndian.Uint16(data))
			entry := data[2 : 2+l]
			data = data[2+l:]
			index := n<<tileHeight + i
			if h := tlog.RecordHash(entry); h != hashes[i] {
				failf("entry %d (%d bytes) in %s hashes to %v, tile has %v", index, l, path, h, hashes[i])
			} else if index < int64(len(leaves)) && h != leaves[index] {
				failf("entry %d hashes to %v, leaves file says %v", index, h, leaves[index])
			}
			nEntries++
		}
		if len(data) != 0 {
			failf("%s: %d bytes after the last entry", path, len(data))
		}
	}

	// Go signs a note with our key and its own, for `mklog check-go`.
	if signer != nil {
		// A key whose base64 parts contain '+', the key strings' separator:
		// parsers must split off only the leading fields, as Go does.
		var goSkey, goVkey string
		for i := 0; ; i++ {
			goSkey, goVkey, err = note.GenerateKey(rand.Reader, "go.interop.example")
			if err != nil {
				fatalf("note.GenerateKey: %v", err)
			}
			if strings.Count(goSkey, "+") > 4 && strings.Count(goVkey, "+") > 2 {
				break
			}
			if i == 10000 {
				fatalf("note.GenerateKey: no key with '+' in its base64")
			}
		}
		goSigner, err := note.NewSigner(goSkey)
		if err != nil {
			fatalf("note.NewSigner: %v", err)
		}
		msg, err := note.Sign(&note.Note{Text: goNoteText}, signer, goSigner)
		if err != nil {
			fatalf("note.Sign: %v", err)
		}
		for name, data := range map[string]string{
			"go_skey": goSkey + "\n", "go_vkey": goVkey + "\n", "go_signed.note": string(msg),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
				fatalf("%v", err)
			}
		}
	}

	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "verify: %d checkpoints (origin %q, final size %d), %d inclusion and %d consistency proofs, %d tiles read, %d tile links, %d entries\n",
		len(roots), origin, final, nInclusion, nConsistency, tiles.reads, nLinks, nEntries)
	w.Flush()
	if failures > maxReports {
		fmt.Fprintf(os.Stderr, "verify: ... and %d more failures\n", failures-maxReports)
	}
	if failures > 0 {
		fmt.Fprintf(os.Stderr, "verify: %d failures\n", failures)
		os.Exit(1)
	}
}

// subtreeHash is the Merkle root of the hashes in a full tile.
func subtreeHash(data []byte) tlog.Hash {
	if len(data) == tlog.HashSize {
		var h tlog.Hash
		copy(h[:], data)
		return h
	}
	half := len(data) / 2
	return tlog.NodeHash(subtreeHash(data[:half]), subtreeHash(data[half:]))
}

func equalHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
