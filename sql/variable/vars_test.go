package variable

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/mysqlerr"
)

func TestDefaults(t *testing.T) {
	v := NewSessionVarsWith(NewGlobals())
	for name, want := range map[string]string{
		"tidb_distsql_scan_concurrency":    "15",
		"tidb_executor_concurrency":        "5",
		"tidb_hash_join_concurrency":       "-1",
		"tidb_hashagg_partial_concurrency": "-1",
		"tidb_hashagg_final_concurrency":   "-1",
		"tidb_index_lookup_concurrency":    "-1",
		"tidb_mem_quota_query":             "1073741824",
		"tidb_enable_paging":               "ON",
		"tidb_max_chunk_size":              "1024",
		"tidb_init_chunk_size":             "32",
		"tidb_enable_tmp_storage_on_oom":   "ON",
		"tidb_index_lookup_size":           "20000",
		"tidb_enforce_mpp":                 "OFF",
		"tidb_allow_mpp":                   "ON",
		"sql_mode":                         DefaultSQLMode,
		"autocommit":                       "ON",
		"time_zone":                        "SYSTEM",
		"max_execution_time":               "0",
		"version":                          Version,
		"version_comment":                  VersionComment,
		"tidb_version":                     TiDBVersion,
		"character_set_client":             "utf8mb4",
		"collation_connection":             "utf8mb4_bin",
		"Lower_Case_Table_Names":           "2",
	} {
		got, err := v.Get(name)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
	require.EqualValues(t, 15, v.MustInt(DistSQLScanConcurrency))
	require.True(t, v.MustBool(Autocommit))
	require.Equal(t, time.Local, v.Location())
	require.True(t, v.SQLModeHas("only_full_group_by"))
}

func TestSetAndErrors(t *testing.T) {
	g := NewGlobals()
	v := NewSessionVarsWith(g)
	other := NewSessionVarsWith(g)
	cases := []struct {
		name, value string
		global      bool
		code        uint16 // 0: accepted
		want        string
	}{
		{"tidb_distsql_scan_concurrency", "30", false, 0, "30"},
		{"TIDB_DISTSQL_SCAN_CONCURRENCY", " 7 ", false, 0, "7"},
		{"tidb_distsql_scan_concurrency", "0", false, mysqlerr.ErWrongValueForVar, ""},
		{"tidb_distsql_scan_concurrency", "1000", false, mysqlerr.ErWrongValueForVar, ""},
		{"tidb_distsql_scan_concurrency", "abc", false, mysqlerr.ErWrongTypeForVar, ""},
		{"tidb_distsql_scan_concurrency", "1.5", false, mysqlerr.ErWrongTypeForVar, ""},
		{"tidb_hash_join_concurrency", "0", false, mysqlerr.ErWrongValueForVar, ""},
		{"tidb_hash_join_concurrency", "8", false, 0, "8"},
		{"tidb_init_chunk_size", "33", false, mysqlerr.ErWrongValueForVar, ""},
		{"tidb_max_chunk_size", "31", false, mysqlerr.ErWrongValueForVar, ""},
		{"tidb_enable_paging", "off", false, 0, "OFF"},
		{"tidb_enable_paging", "1", false, 0, "ON"},
		{"tidb_enable_paging", "false", false, 0, "OFF"},
		{"tidb_enable_paging", "maybe", false, mysqlerr.ErWrongValueForVar, ""},
		{"autocommit", "0", false, 0, "OFF"},
		{"sql_mode", "ansi_quotes, only_full_group_by,ANSI_QUOTES", false, 0, "ANSI_QUOTES,ONLY_FULL_GROUP_BY"},
		{"sql_mode", "", false, 0, ""},
		{"sql_mode", "NOT_A_MODE", false, mysqlerr.ErWrongValueForVar, ""},
		{"time_zone", "+08:00", false, 0, "+08:00"},
		{"time_zone", "UTC", false, 0, "UTC"},
		{"time_zone", "system", false, 0, "SYSTEM"},
		{"time_zone", "+15:00", false, mysqlerr.ErWrongValueForVar, ""},
		{"time_zone", "Mars/Olympus", false, mysqlerr.ErWrongValueForVar, ""},
		{"character_set_client", "LATIN1", false, 0, "latin1"},
		{"character_set_client", "klingon", false, mysqlerr.ErWrongValueForVar, ""},
		{"collation_connection", "utf8mb4_general_ci", false, 0, "utf8mb4_general_ci"},
		{"transaction_isolation", "read-committed", false, 0, "READ-COMMITTED"},
		{"transaction_isolation", "chaos", false, mysqlerr.ErWrongValueForVar, ""},
		{"max_execution_time", "-1", false, mysqlerr.ErWrongValueForVar, ""},
		{"version", "9", false, mysqlerr.ErReadOnlyVar, ""},
		{"version", "9", true, mysqlerr.ErReadOnlyVar, ""},
		{"tidb_version", "x", true, mysqlerr.ErReadOnlyVar, ""},
		{"no_such_var", "1", false, mysqlerr.ErUnknownSystemVar, ""},
		{"tidb_enforce_mpp", "ON", true, mysqlerr.ErLocalVariable, ""},
		{"tidb_enable_tmp_storage_on_oom", "OFF", false, mysqlerr.ErIncorrectGlobalVar, ""},
	}
	for _, tc := range cases {
		before, _ := v.Get(tc.name)
		err := v.Set(tc.name, tc.value, tc.global)
		if tc.code != 0 {
			require.Error(t, err, "%s = %q", tc.name, tc.value)
			require.Equal(t, tc.code, mysqlerr.CodeOf(err), "%s = %q: %v", tc.name, tc.value, err)
			if tc.code != mysqlerr.ErUnknownSystemVar {
				after, _ := v.Get(tc.name)
				require.Equal(t, before, after, "a rejected value changes nothing")
			}
			continue
		}
		require.NoError(t, err, "%s = %q", tc.name, tc.value)
		got, err := v.Get(tc.name)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc.name)
	}
	_, err := v.Get("nope")
	require.Equal(t, uint16(mysqlerr.ErUnknownSystemVar), mysqlerr.CodeOf(err))
	require.Equal(t, "Unknown system variable 'nope'", err.Error())
	require.EqualError(t, v.Set("version", "1", false), "Variable 'version' is a read only variable")

	// Session values do not leak into other sessions or the globals.
	got, _ := other.Get("autocommit")
	require.Equal(t, "ON", got)
	got, _ = v.GetGlobal("autocommit")
	require.Equal(t, "ON", got)

	// SET GLOBAL changes the global value and new sessions, not existing session values.
	require.NoError(t, v.Set("tidb_executor_concurrency", "9", true))
	got, _ = other.Get("tidb_executor_concurrency")
	require.Equal(t, "5", got)
	got, _ = NewSessionVarsWith(g).Get("tidb_executor_concurrency")
	require.Equal(t, "9", got)
	require.NoError(t, v.Set("tidb_enable_tmp_storage_on_oom", "OFF", true))
	ok, err := other.Bool("tidb_enable_tmp_storage_on_oom")
	require.NoError(t, err)
	require.False(t, ok)
	_, err = v.GetGlobal("tidb_enforce_mpp")
	require.Error(t, err)

	require.NoError(t, v.SetDefault("autocommit", false))
	got, _ = v.Get("autocommit")
	require.Equal(t, "ON", got)
	require.NoError(t, v.Set("tidb_max_chunk_size", "DEFAULT", false))
	require.EqualValues(t, 1024, v.MustInt(MaxChunkSize))
	require.NoError(t, v.Set("time_zone", "+08:00", false))
	_, off := time.Unix(0, 0).In(v.Location()).Zone()
	require.Equal(t, 8*3600, off)
}

func TestSetValue(t *testing.T) {
	v := NewSessionVarsWith(NewGlobals())
	require.NoError(t, v.SetValue("tidb_distsql_scan_concurrency", chunk.Int64Value(20), false))
	require.EqualValues(t, 20, v.MustInt(DistSQLScanConcurrency))
	require.NoError(t, v.SetValue("autocommit", chunk.Int64Value(0), false))
	require.False(t, v.MustBool(Autocommit))
	require.NoError(t, v.SetValue("autocommit", chunk.BoolValue(true), false))
	require.True(t, v.MustBool(Autocommit))
	require.NoError(t, v.SetValue("sql_mode", chunk.StringValue("ANSI_QUOTES"), false))
	require.NoError(t, v.SetValue("tidb_max_chunk_size", chunk.DecimalValue(chunk.Decimal(5, 1), 640), false))
	require.EqualValues(t, 64, v.MustInt(MaxChunkSize))
	err := v.SetValue("tidb_max_chunk_size", chunk.DecimalValue(chunk.Decimal(5, 1), 645), false)
	require.Equal(t, uint16(mysqlerr.ErWrongTypeForVar), mysqlerr.CodeOf(err))
	err = v.SetValue("tidb_max_chunk_size", chunk.Float64Value(64), false)
	require.Equal(t, uint16(mysqlerr.ErWrongTypeForVar), mysqlerr.CodeOf(err))
	err = v.SetValue("autocommit", chunk.NullOf(chunk.Int64), false)
	require.Equal(t, uint16(mysqlerr.ErWrongValueForVar), mysqlerr.CodeOf(err))
	require.NoError(t, v.SetValue("character_set_results", chunk.NullOf(chunk.String), false))
	got, _ := v.Get("character_set_results")
	require.Equal(t, "", got)
	err = v.SetValue("nope", chunk.Int64Value(1), false)
	require.Equal(t, uint16(mysqlerr.ErUnknownSystemVar), mysqlerr.CodeOf(err))
}

func TestShow(t *testing.T) {
	v := NewSessionVarsWith(NewGlobals())
	rows := v.Show("tidb_hashagg%")
	require.Equal(t, [][2]string{{"tidb_hashagg_final_concurrency", "-1"}, {"tidb_hashagg_partial_concurrency", "-1"}}, rows)
	require.Equal(t, [][2]string{{"autocommit", "ON"}}, v.Show("AUTOCOMMIT"))
	require.Equal(t, [][2]string{{"tidb_init_chunk_size", "32"}}, v.Show("tidb\\_init_chunk\\_size"))
	require.Empty(t, v.Show("tidb\\_init_chunk\\_sizeX"))
	require.Empty(t, v.Show("tidb%/%"))
	all := v.Show("")
	require.Len(t, all, len(registry))
	for i := 1; i < len(all); i++ {
		require.Less(t, all[i-1][0], all[i][0])
	}
	// Session-only variables are not global.
	for _, r := range v.ShowGlobal("") {
		require.NotEqual(t, "tidb_enforce_mpp", r[0])
	}
	require.NotEmpty(t, v.Show("tidb_enforce_mpp"))
	require.NoError(t, v.Set("tidb_executor_concurrency", "3", false))
	require.Equal(t, [][2]string{{"tidb_executor_concurrency", "5"}}, v.ShowGlobal("tidb_executor_concurrency"))
	require.Equal(t, [][2]string{{"tidb_executor_concurrency", "3"}}, v.Show("tidb_executor_concurrency"))
}

func TestConcurrency(t *testing.T) {
	v := NewSessionVarsWith(NewGlobals())
	s := v.Concurrency()
	require.NoError(t, s.Validate())
	require.Equal(t, vars.Settings{Executor: 5, HashJoin: vars.Inherit, HashAggPartial: vars.Inherit,
		HashAggFinal: vars.Inherit, Exchange: vars.Inherit}, s)
	require.NoError(t, v.Set("tidb_hash_join_concurrency", "3", false))
	require.Equal(t, 3, v.Concurrency().HashJoinWorkers())
	require.Equal(t, 5, v.Concurrency().HashAggFinalWorkers())
}

func TestDefaultsValid(t *testing.T) {
	for name, sv := range registry {
		if sv.ReadOnly {
			continue
		}
		got, err := sv.normalize(sv.Default)
		require.NoError(t, err, name)
		require.Equal(t, sv.Default, got, name)
	}
}

func TestConcurrent(t *testing.T) {
	g := NewGlobals()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := NewSessionVarsWith(g)
			for j := 0; j < 200; j++ {
				_ = v.Set("tidb_executor_concurrency", "4", j%2 == 0)
				_, _ = v.Get("tidb_executor_concurrency")
				_ = v.Show("tidb%")
				_ = v.ShowGlobal("")
			}
		}()
	}
	wg.Wait()
}
