// Command copvec runs copvec's region nodes and demonstrates distributed query execution.
//
//	copvec node [-config file.json] [flags]   run one region node until interrupted
//	copvec demo [-sf 0.01] [-regions 36]       start an embedded 3-node cluster, load lineitem,
//	                                           run a few queries and print their plans
//	                                           (-serve keeps the cluster up for copvec query)
//	copvec query -stores addr@key,...          run the demo's queries against a running cluster
//	copvec sql [-data-dir d] [-e "stmts"]      run SQL on an embedded cluster (statements from -e or stdin)
//	copvec server [-addr 127.0.0.1:4000]       serve the MySQL protocol on an embedded cluster
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "node":
		err = runNode(os.Args[2:])
	case "demo":
		err = runDemo(os.Args[2:])
	case "query":
		err = runQuery(os.Args[2:])
	case "sql":
		err = runSQL(os.Args[2:])
	case "server":
		err = runServer(os.Args[2:])
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "copvec: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "copvec:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: copvec <command> [flags]

commands:
  node   run a region node (flags: copvec node -h)
  demo   run queries on an embedded 3-node cluster and exit (flags: copvec demo -h)
  query  run the demo's queries against a running cluster (flags: copvec query -h)
  sql    run SQL statements on an embedded cluster: copvec sql -e "select 1" (flags: copvec sql -h)
  server serve the MySQL protocol on an embedded cluster (port 4000; flags: copvec server -h)
`)
}
