package node

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConfigFileAndFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"data_dir": "/data", "listen_addr": ":20160",
		"tls": {"ca_file": "ca.pem", "cert_file": "n.crt", "key_file": "n.key"}, "max_concurrent_heavy": 3}`), 0o600))
	c, err := LoadConfig(path)
	require.NoError(t, err)
	require.Equal(t, "/data", c.DataDir)
	require.Equal(t, 3, c.MaxConcurrentHeavy)
	require.True(t, c.TLS.Enabled())

	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	c.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"-listen-addr", "127.0.0.1:1", "-max-page-rows", "77", "-column-cache-bytes", "-1"}))
	require.Equal(t, "127.0.0.1:1", c.ListenAddr)
	require.Equal(t, int64(-1), c.ColumnCacheBytes)
	require.Equal(t, 77, c.MaxPageRows)
	require.Equal(t, "/data", c.DataDir, "flags not given keep the file's values")

	d, err := c.withDefaults()
	require.NoError(t, err)
	require.Equal(t, 1024, d.MaxChunkSize)
	require.Equal(t, time.Minute, d.requestTimeout())

	require.NoError(t, os.WriteFile(path, []byte(`{"data_dir": "/d", "max_concurent_heavy": 3}`), 0o600))
	_, err = LoadConfig(path)
	require.ErrorContains(t, err, "unknown field", "a misspelt key is an error")

	_, err = Config{TLS: TLSFiles{CertFile: "x"}}.withDefaults()
	require.ErrorContains(t, err, "mutual TLS needs")
	_, err = Config{MaxPageRows: -1}.withDefaults()
	require.Error(t, err)
}

// TestDeadline: a request whose deadline has passed answers an error naming it.
func TestDeadline(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 100, 0, Config{})
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	resp, err := f.node.Coprocessor(ctx, validRequest(f))
	require.NoError(t, err)
	require.Contains(t, resp.OtherError, "deadline exceeded")
}
