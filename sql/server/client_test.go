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
	golden := filepath.Join("testdata", "client.out")
	plain := runClient(t, bin, Config{}, "--skip-ssl")
	if *rewrite {
		require.NoError(t, os.WriteFile(golden, []byte(plain), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), plain)

	// The same script over TLS: the client's SSL request, then the same answers.
	serverTLS, _ := testCerts(t)
	require.Equal(t, string(want), runClient(t, bin, Config{TLS: serverTLS, RequireTLS: true}, "--ssl", "--ssl-verify-server-cert=0"))
}

// runClient runs the client bin with extra flags on testdata/client.sql against a server of cfg
// and returns its stdout and stderr.
func runClient(t *testing.T, bin string, cfg Config, extra ...string) string {
	t.Helper()
	s := startServer(t, cfg)
	host, port, _ := strings.Cut(s.Addr().String(), ":")
	script, err := os.Open(filepath.Join("testdata", "client.sql"))
	require.NoError(t, err)
	defer script.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// --force goes on after the error the script provokes; the password comes through the
	// environment so it shows in no process listing.
	args := append([]string{"--no-defaults", "--host=" + host, "--port=" + port, "--user=root",
		"--batch", "--force", "--database=test"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+rootPassword)
	cmd.Stdin = script
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", bin, err, stdout.String(), stderr.String())
	}
	// Two streams, kept apart: their interleaving depends on the client's buffering.
	return "-- stdout\n" + stdout.String() + "-- stderr\n" + stderr.String()
}
