package vars

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefaultsFollowGOMAXPROCS(t *testing.T) {
	s := Default()
	require.NoError(t, s.Validate())
	n := runtime.GOMAXPROCS(0)
	require.Equal(t, n, s.HashJoinWorkers())
	require.Equal(t, n, s.HashAggPartialWorkers())
	require.Equal(t, n, s.HashAggFinalWorkers())
	require.Equal(t, n, s.ExchangeWorkers())
}

func TestSetValidatesAndKeepsOldValueOnError(t *testing.T) {
	s := Default()
	require.NoError(t, s.Set("TIDB_HASH_JOIN_CONCURRENCY", " 3 "))
	require.Equal(t, 3, s.HashJoinWorkers())
	require.NoError(t, s.Set(ExecutorConcurrency, "7"))
	require.Equal(t, 7, s.ExchangeWorkers(), "inherits the executor concurrency")
	require.Equal(t, 3, s.HashJoinWorkers())
	v, err := s.Get(HashAggFinalConcurrency)
	require.NoError(t, err)
	require.Equal(t, Inherit, v)

	require.ErrorContains(t, s.Set(HashJoinConcurrency, "0"), "want -1")
	require.ErrorContains(t, s.Set(ExecutorConcurrency, "-1"), "want 1..")
	require.ErrorContains(t, s.Set(HashAggPartialConcurrency, "1000"), "want -1")
	require.ErrorContains(t, s.Set(HashAggPartialConcurrency, "x"), "invalid syntax")
	require.ErrorContains(t, s.Set("tidb_nope", "1"), "unknown setting")
	require.Equal(t, 3, s.HashJoinWorkers())
	require.Equal(t, 7, s.Executor)
	require.Error(t, Settings{}.Validate())
}
