package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/coproc/coordinator"
)

// glog, which vitess links, starts its flush goroutine once per process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon"))
}

// TestDemo runs the demo on a small lineitem: every query's result is checked against the
// generated rows inside runDemo, and the cluster's temporary directory must be gone afterwards.
func TestDemo(t *testing.T) {
	// A private temp dir, since other packages' tests start clusters at the same time.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	require.NoError(t, runDemo([]string{"-sf", "0.002", "-regions", "12"}))
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, left, "the demo left files behind")
}

func TestStoresFlagRoundTrip(t *testing.T) {
	stores := []coordinator.StoreInfo{{Addr: "a:1", End: []byte{1, 2}}, {Addr: "b:2", Start: []byte{1, 2}, End: []byte{9}}, {Addr: "c:3", Start: []byte{9}}}
	got, err := parseStores(formatStores(stores))
	require.NoError(t, err)
	require.Equal(t, len(stores), len(got))
	for i := range stores {
		require.Equal(t, stores[i].Addr, got[i].Addr)
		require.Equal(t, string(stores[i].Start), string(got[i].Start))
		require.Equal(t, string(stores[i].End), string(got[i].End))
	}
	_, err = parseStores("a:1@zz")
	require.Error(t, err)
	_, err = parseStores("")
	require.Error(t, err)
}
