package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/kernels"
)

func init() { register(newVersionCmd) }

// newVersionCmd is `copvec version`.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, Go version, platform and kernel level",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "copvec %s\n", version())
			fmt.Fprintf(w, "go      %s\n", runtime.Version())
			fmt.Fprintf(w, "os/arch %s/%s\n", runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "kernels %s\n", kernels.Level())
			return nil
		},
	}
}

// version is the main module's version from the build info: a tag for `go install …@v1.2.3`,
// the VCS revision when the binary was built in a checkout with VCS stamping, "devel" otherwise.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev + modified + ")"
	}
	return v
}
