// Command asmgen_arm64 renders the arm64 NEON kernels from the per-type assembly templates in
// templates/arm64 (text/template, Go's arm64 assembler syntax) into kernels/kernels_arm64.s, the Go
// declarations kernels/stubs_arm64.go, the dispatch registration kernels/dispatch_arm64.go and the
// test table kernels/neon_twins_arm64_test.go pairing each NEON primitive with its Go twin.
//
// NEON instructions Go's assembler lacks are emitted as `WORD $0x...` by the template function
// neon, encoded by gen/arm64enc. Every such instruction must be in arm64enc's oracle table (words
// produced by aarch64 binutils); after adding new ones, run once with -oracle, which assembles
// them with aarch64-linux-gnu-as and rewrites the table. Plain regeneration needs only Go:
//
//	cd kernels && go generate                       # or, for this command alone:
//	cd kernels && go run ../gen/cmd/asmgen_arm64 -oracle ../gen/arm64enc/oracle.go
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("out", "kernels_arm64.s", "assembly output")
	stubs := flag.String("stubs", "stubs_arm64.go", "Go declarations output")
	dispatch := flag.String("dispatch", "dispatch_arm64.go", "dispatch registration output")
	twins := flag.String("twins", "neon_twins_arm64_test.go", "test table pairing each NEON primitive with its Go twin")
	table := flag.String("table", "dispatch.gen.go", "generated dispatch table giving the primitives' Go signatures")
	templates := flag.String("templates", "../templates/arm64", "template directory")
	oracle := flag.String("oracle", "", "also rewrite this arm64enc oracle table file using aarch64 binutils")
	flag.Parse()
	if err := run(*templates, *table, *out, *stubs, *dispatch, *twins, *oracle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(templates, table, asmPath, stubsPath, dispatchPath, twinsPath, oraclePath string) error {
	out, err := render(templates, table, oraclePath == "")
	if err != nil {
		return err
	}
	if oraclePath != "" {
		if err := writeOracle(context.Background(), oraclePath, out.words); err != nil {
			return err
		}
	}
	return writeFiles(out, asmPath, stubsPath, dispatchPath, twinsPath)
}
