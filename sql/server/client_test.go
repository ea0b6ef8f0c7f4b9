package server

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/client.out from the mariadb client's output")

// TestMariaDBClient runs the Debian mariadb (or mysql) client on testdata/client.sql and
// compares what it prints with testdata/client.out. CI sets COPVEC_REQUIRE_MYSQL_CLIENT=1, so
// there a missing client fails instead of skipping.
func TestMariaDBClient(t *testing.T) {
	bin := ""
	for _, name := range []string{"mariadb", "mysql"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("COPVEC_REQUIRE_MYSQL_CLIENT") != "" {
			t.Fatal("no mariadb or mysql client on PATH, and COPVEC_REQUIRE_MYSQL_CLIENT is set (scripts/deps.sh installs mariadb-client)")
		}
		t.Skip("no mariadb or mysql client on PATH")
	}
	s := startServer(t, Config{})
	host, port, _ := strings.Cut(s.Addr().String(), ":")
	script, err := os.Open(filepath.Join("testdata", "client.sql"))
	require.NoError(t, err)
	defer script.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// --force goes on after the error the script provokes; the password comes through the
	// environment so it shows in no process listing.
	cmd := exec.CommandContext(ctx, bin, "--no-defaults", "--host="+host, "--port="+port, "--user=root",
		"--batch", "--force", "--skip-ssl", "--database=test")
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+rootPassword)
	cmd.Stdin = script
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", bin, err, stdout.String(), stderr.String())
	}
	// Two streams, kept apart: their interleaving depends on the client's buffering.
	var out bytes.Buffer
	out.WriteString("-- stdout\n")
	out.Write(stdout.Bytes())
	out.WriteString("-- stderr\n")
	out.Write(stderr.Bytes())
	golden := filepath.Join("testdata", "client.out")
	if *rewrite {
		require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), out.String())
}
