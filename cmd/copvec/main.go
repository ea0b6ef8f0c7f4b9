// Command copvec is copvec's command line: a MySQL protocol server and an interactive SQL shell
// on an embedded cluster, a region node, the TPC-H generator and benchmark, and a demo.
//
//	copvec server [--demo]   serve the MySQL protocol (port 4000) on an embedded 3-node cluster
//	copvec sql [-e stmts]    an interactive SQL shell (or -e / -f / statements on stdin)
//	copvec node              run one region node until interrupted
//	copvec gen tpch          write TPC-H's 8 tables as dbgen .tbl or CSV files
//	copvec bench tpch        load TPC-H and time the 22 queries
//	copvec demo              load TPC-H SF 0.1 and run the 22 queries, checked against DuckDB
//	copvec version           version, Go, platform and the kernel level in use
//
// `copvec <command> --help` lists each command's flags with their defaults. Each command lives in
// a file of its own that registers it (see register in root.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "copvec:", err)
		os.Exit(1)
	}
}
