//go:build ignore

// cosigned_check.go: Go's golang.org/x/mod/sumdb/note opens a checkpoint
// that carries witness cosignatures (C2SP tlog-cosignature, signature type
// 0x04) after the log's signature, as `oretrail serve --witness-key` serves
// it: the log's signature must verify and the cosignature lines must parse
// as signatures of keys Go does not know (note.Open keeps them unverified).
//
//	cosigned_check NOTE_FILE LOG_VKEY_FILE MIN_UNVERIFIED
//
// Prints "ok: ..." and exits 0, or says why and exits 1. Built in GOPATH
// mode by tests/cli/witness_cli.sh.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: cosigned_check NOTE_FILE LOG_VKEY_FILE MIN_UNVERIFIED")
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	vkey, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	min, _ := strconv.Atoi(os.Args[3])
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "log key:", err)
		os.Exit(1)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fmt.Fprintln(os.Stderr, "note.Open:", err)
		os.Exit(1)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != v.Name() {
		fmt.Fprintln(os.Stderr, "the log's signature is not the verified one")
		os.Exit(1)
	}
	if len(n.UnverifiedSigs) < min {
		fmt.Fprintf(os.Stderr, "%d cosignature lines, want at least %d\n", len(n.UnverifiedSigs), min)
		os.Exit(1)
	}
	names := []string{}
	for _, s := range n.UnverifiedSigs {
		names = append(names, s.Name)
	}
	fmt.Printf("ok: signed by %s, cosigned by %s\n", v.Name(), strings.Join(names, ", "))
}
