// tlog_prove: Go's golang.org/x/mod/sumdb/tlog proving inclusion over the
// same tree as bench_log, held in memory, for the ratio bench_log prints
// (bench/README.md, "Inclusion proofs").
//
//	tlog_prove FILE
//
// FILE, written by bench_log: a header of four little-endian uint64 (the
// number of leaves, then the warm-up, full-size and older-size query
// counts); the log's leaf hashes, 32 bytes each in entry order, as
// bench_log exports them from its store; then the queries, (index, size)
// pairs of little-endian uint64, the same random proofs bench_log times on
// its own log. The tree's stored
// hashes are built from the leaves with tlog.StoredHashesForRecordHash
// into one Go slice, read through a tlog.HashReader as tlog's own tests
// do (a new slice per ReadHashes call, as the interface asks). Each proof
// is timed with tlog.ProveRecord alone.
//
// Prints, one per line: "go VERSION", "root HEX" (tlog.TreeHash of the whole tree), then
// for each kind "full"/"older" the median, p99 and mean in microseconds and
// the SHA-256 of all its proofs' hashes concatenated, which bench_log
// compares with its own.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

type storage []tlog.Hash

func (s storage) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("stored hash %d of %d", x, len(s))
		}
		out[i] = s[x]
	}
	return out, nil
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlog_prove: "+format+"\n", args...)
	os.Exit(1)
}

func readU64(r io.Reader) uint64 {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		die("reading the queries: %v", err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

func build(r io.Reader, n int64) storage {
	// A tree of n leaves stores fewer than 2n hashes.
	s := make(storage, 0, 2*n)
	for i := int64(0); i < n; i++ {
		var h tlog.Hash
		if _, err := io.ReadFull(r, h[:]); err != nil {
			die("leaf hash %d: %v", i, err)
		}
		add, err := tlog.StoredHashesForRecordHash(i, h, s)
		if err != nil {
			die("stored hashes of record %d: %v", i, err)
		}
		s = append(s, add...)
	}
	return s
}

type query struct{ index, size int64 }

func run(s storage, qs []query) (median, p99, mean float64, digest string) {
	times := make([]float64, len(qs))
	proofs := make([]tlog.RecordProof, len(qs))
	sum := 0.0
	for i, q := range qs {
		t0 := time.Now()
		p, err := tlog.ProveRecord(q.size, q.index, s)
		dt := time.Since(t0)
		if err != nil {
			die("proof of %d in %d: %v", q.index, q.size, err)
		}
		proofs[i] = p
		times[i] = float64(dt.Nanoseconds()) / 1e3
		sum += times[i]
	}
	d := sha256.New()
	for _, p := range proofs {
		for _, h := range p {
			d.Write(h[:])
		}
	}
	sort.Float64s(times)
	return times[len(times)/2], times[len(times)*99/100], sum / float64(len(times)),
		hex.EncodeToString(d.Sum(nil))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlog_prove FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		die("%v", err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	n := int64(readU64(r))
	if n < 1 || n > 1<<40 {
		die("%s: %d leaves", os.Args[1], n)
	}
	counts := [3]uint64{readU64(r), readU64(r), readU64(r)}
	s := build(r, n)
	root, err := tlog.TreeHash(n, s)
	if err != nil {
		die("tree hash: %v", err)
	}
	sets := make([][]query, 3)
	for k, c := range counts {
		for i := uint64(0); i < c; i++ {
			q := query{int64(readU64(r)), int64(readU64(r))}
			if q.size < 1 || q.size > n || q.index < 0 || q.index >= q.size {
				die("query %d: entry %d in a tree of %d (the log has %d)", i, q.index, q.size, n)
			}
			sets[k] = append(sets[k], q)
		}
	}
	f.Close()
	fmt.Printf("go %s\n", runtime.Version())
	fmt.Printf("root %s\n", hex.EncodeToString(root[:]))
	run(s, sets[0]) // warm-up, untimed
	for k, name := range []string{"full", "older"} {
		median, p99, mean, digest := run(s, sets[k+1])
		fmt.Printf("%s %.3f %.3f %.3f %s\n", name, median, p99, mean, digest)
	}
}
