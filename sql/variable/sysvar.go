package variable

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// Scope says where a variable lives.
type Scope uint8

// Scopes. A ScopeBoth variable has a global value that initializes each new session's own value.
const (
	ScopeSession Scope = 1 << iota
	ScopeGlobal
	ScopeBoth = ScopeSession | ScopeGlobal
)

// Kind is a variable's value type.
type Kind uint8

// Value kinds.
const (
	KindString Kind = iota
	KindBool        // ON / OFF (also set as 1/0, TRUE/FALSE)
	KindInt         // an integer within [Min, Max]
	KindEnum        // one of Values, case-insensitive, stored as written in Values
)

// SysVar describes one system variable.
type SysVar struct {
	// Name is the variable's name, lower-case.
	Name string
	// Scope says whether the variable is per session, global, or both.
	Scope Scope
	// Kind is its value type.
	Kind Kind
	// Default is the value a fresh server starts with, in canonical form.
	Default string
	// Min and Max bound a KindInt value.
	Min, Max int64
	// Values are a KindEnum's allowed values.
	Values []string
	// ReadOnly variables cannot be SET.
	ReadOnly bool
	// Nullable variables accept SET x = NULL, stored as the empty string (character_set_results).
	Nullable bool
	// validate, when set, normalizes and checks a value (after the kind's own check).
	validate func(v string) (string, error)
}

// Version is what SELECT VERSION() and @@version return: a MySQL version the clients know,
// marked TiDB so tools enable TiDB's dialect, and copvec's own.
const Version = "8.0.11-TiDB-v8.5.0-copvec"

// VersionComment is @@version_comment.
const VersionComment = "copvec, a vectorized distributed query engine (MySQL and TiDB compatible)"

// TiDBVersion is @@tidb_version (what SELECT tidb_version() prints).
const TiDBVersion = "Release Version: v8.5.0-copvec\nEdition: Community\nStore: copvec region nodes\nMax Connection Count: 0"

// DefaultSQLMode is TiDB's default sql_mode.
const DefaultSQLMode = "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"

// Names of the variables the engine reads (others are accepted for client compatibility).
const (
	DistSQLScanConcurrency     = "tidb_distsql_scan_concurrency"
	ExecutorConcurrency        = vars.ExecutorConcurrency
	HashJoinConcurrency        = vars.HashJoinConcurrency
	HashAggPartialConcurrency  = vars.HashAggPartialConcurrency
	HashAggFinalConcurrency    = vars.HashAggFinalConcurrency
	ExchangeConcurrency        = vars.ExchangeConcurrency
	IndexLookupConcurrency     = "tidb_index_lookup_concurrency"
	IndexLookupSize            = "tidb_index_lookup_size"
	MemQuotaQuery              = "tidb_mem_quota_query"
	EnablePaging               = "tidb_enable_paging"
	MinPagingSize              = "tidb_min_paging_size"
	MaxPagingSize              = "tidb_max_paging_size"
	MaxChunkSize               = "tidb_max_chunk_size"
	InitChunkSize              = "tidb_init_chunk_size"
	EnableTmpStorageOnOOM      = "tidb_enable_tmp_storage_on_oom"
	EnforceMPP                 = "tidb_enforce_mpp"
	AllowMPP                   = "tidb_allow_mpp"
	SQLMode                    = "sql_mode"
	Autocommit                 = "autocommit"
	TimeZone                   = "time_zone"
	MaxExecutionTime           = "max_execution_time"
	VersionVar                 = "version"
	VersionCommentVar          = "version_comment"
	TiDBVersionVar             = "tidb_version"
	EnableVectorizedExpression = "tidb_enable_vectorized_expression"
	RuntimeFilterMode          = "tidb_runtime_filter_mode"
)

// MaxConcurrency bounds the concurrency variables, as runtime/vars does.
const MaxConcurrency int64 = vars.MaxConcurrency

// sqlModes are the sql_mode names MySQL 8 and TiDB accept.
var sqlModes = map[string]bool{
	"REAL_AS_FLOAT": true, "PIPES_AS_CONCAT": true, "ANSI_QUOTES": true, "IGNORE_SPACE": true,
	"ONLY_FULL_GROUP_BY": true, "NO_UNSIGNED_SUBTRACTION": true, "NO_DIR_IN_CREATE": true,
	"POSTGRESQL": true, "ORACLE": true, "MSSQL": true, "DB2": true, "MAXDB": true, "NO_KEY_OPTIONS": true,
	"NO_TABLE_OPTIONS": true, "NO_FIELD_OPTIONS": true, "MYSQL323": true, "MYSQL40": true, "ANSI": true,
	"NO_AUTO_VALUE_ON_ZERO": true, "NO_BACKSLASH_ESCAPES": true, "STRICT_TRANS_TABLES": true,
	"STRICT_ALL_TABLES": true, "NO_ZERO_IN_DATE": true, "NO_ZERO_DATE": true, "ALLOW_INVALID_DATES": true,
	"ERROR_FOR_DIVISION_BY_ZERO": true, "TRADITIONAL": true, "NO_AUTO_CREATE_USER": true,
	"HIGH_NOT_PRECEDENCE": true, "NO_ENGINE_SUBSTITUTION": true, "PAD_CHAR_TO_FULL_LENGTH": true,
	"TIME_TRUNCATE_FRACTIONAL": true,
}

func validateSQLMode(v string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for _, m := range strings.Split(v, ",") {
		m = strings.ToUpper(strings.TrimSpace(m))
		if m == "" {
			continue
		}
		if !sqlModes[m] {
			return "", fmt.Errorf("unknown sql mode %q", m)
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return strings.Join(out, ","), nil
}

func validateTimeZone(v string) (string, error) {
	if strings.EqualFold(v, "SYSTEM") {
		return "SYSTEM", nil
	}
	if _, err := parseTimeZone(v); err != nil {
		return "", err
	}
	return v, nil
}

// parseTimeZone reads a time_zone value: SYSTEM, an offset "+HH:MM" within -13:59..+14:00, or a
// named zone (IANA).
func parseTimeZone(v string) (*time.Location, error) {
	if strings.EqualFold(v, "SYSTEM") {
		return time.Local, nil
	}
	if len(v) > 0 && (v[0] == '+' || v[0] == '-') {
		hh, mm, ok := strings.Cut(v[1:], ":")
		h, err1 := strconv.Atoi(hh)
		m, err2 := strconv.Atoi(mm)
		if !ok || err1 != nil || err2 != nil || m < 0 || m > 59 || h < 0 || len(mm) != 2 {
			return nil, fmt.Errorf("unknown or incorrect time zone %q", v)
		}
		secs := h*3600 + m*60
		if v[0] == '-' {
			secs = -secs
		}
		if secs < -(13*3600+59*60) || secs > 14*3600 {
			return nil, fmt.Errorf("unknown or incorrect time zone %q", v)
		}
		return time.FixedZone(v, secs), nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil || v == "" || strings.EqualFold(v, "local") {
		return nil, fmt.Errorf("unknown or incorrect time zone %q", v)
	}
	return loc, nil
}

var charsets = map[string]bool{"utf8mb4": true, "utf8": true, "utf8mb3": true, "latin1": true, "binary": true, "ascii": true, "gbk": true}

func validateCharset(v string) (string, error) {
	l := strings.ToLower(v)
	if !charsets[l] {
		return "", fmt.Errorf("unknown character set %q", v)
	}
	return l, nil
}

func validateCollation(v string) (string, error) {
	l := strings.ToLower(v)
	cs, _, _ := strings.Cut(l, "_")
	if !charsets[cs] {
		return "", fmt.Errorf("unknown collation %q", v)
	}
	return l, nil
}

// concurrency is the definition of a TiDB concurrency variable: -1 follows
// tidb_executor_concurrency, as TiDB's defaults do.
func concurrency(name string) *SysVar {
	return &SysVar{Name: name, Scope: ScopeBoth, Kind: KindInt, Default: "-1", Min: -1, Max: MaxConcurrency,
		validate: func(v string) (string, error) {
			if v == "0" {
				return "", fmt.Errorf("0 is not a concurrency; use -1 to follow %s", ExecutorConcurrency)
			}
			return v, nil
		}}
}

func boolVar(name, def string, scope Scope) *SysVar {
	return &SysVar{Name: name, Scope: scope, Kind: KindBool, Default: def}
}

func intVar(name string, def, lo, hi int64, scope Scope) *SysVar {
	return &SysVar{Name: name, Scope: scope, Kind: KindInt, Default: strconv.FormatInt(def, 10), Min: lo, Max: hi}
}

func readOnly(name, value string) *SysVar {
	return &SysVar{Name: name, Scope: ScopeGlobal, Kind: KindString, Default: value, ReadOnly: true}
}

// registry holds every variable by lower-case name.
var registry = map[string]*SysVar{}

func init() {
	for _, v := range []*SysVar{
		intVar(DistSQLScanConcurrency, 15, 1, MaxConcurrency, ScopeBoth),
		intVar(ExecutorConcurrency, 5, 1, MaxConcurrency, ScopeBoth),
		concurrency(HashJoinConcurrency),
		concurrency(HashAggPartialConcurrency),
		concurrency(HashAggFinalConcurrency),
		concurrency(ExchangeConcurrency),
		concurrency(IndexLookupConcurrency),
		intVar(IndexLookupSize, 20000, 1, math.MaxInt32, ScopeBoth),
		intVar(MemQuotaQuery, 1073741824, -1, math.MaxInt64, ScopeBoth),
		boolVar(EnablePaging, "ON", ScopeBoth),
		intVar(MinPagingSize, 128, 1, math.MaxInt64, ScopeBoth),
		intVar(MaxPagingSize, 50000, 1, math.MaxInt64, ScopeBoth),
		intVar(MaxChunkSize, 1024, 32, 65536, ScopeBoth),
		intVar(InitChunkSize, 32, 1, 32, ScopeBoth),
		// TiDB made tidb_enable_tmp_storage_on_oom GLOBAL-only in v6.3.
		boolVar(EnableTmpStorageOnOOM, "ON", ScopeGlobal),
		boolVar(EnforceMPP, "OFF", ScopeSession),
		boolVar(AllowMPP, "ON", ScopeBoth),
		boolVar(EnableVectorizedExpression, "ON", ScopeBoth),
		// TiDB defaults to OFF because its runtime filters serve TiFlash MPP only; copvec's
		// serve every hash join over a scan, so they are on unless turned off.
		{Name: RuntimeFilterMode, Scope: ScopeBoth, Kind: KindEnum, Default: "LOCAL", Values: []string{"OFF", "LOCAL"}},
		{Name: SQLMode, Scope: ScopeBoth, Kind: KindString, Default: DefaultSQLMode, validate: validateSQLMode},
		boolVar(Autocommit, "ON", ScopeBoth),
		{Name: TimeZone, Scope: ScopeBoth, Kind: KindString, Default: "SYSTEM", validate: validateTimeZone},
		readOnly("system_time_zone", time.Now().Format("MST")),
		intVar(MaxExecutionTime, 0, 0, math.MaxInt32, ScopeBoth),
		readOnly(VersionVar, Version),
		readOnly(VersionCommentVar, VersionComment),
		readOnly(TiDBVersionVar, TiDBVersion),
		readOnly("version_compile_os", "linux"),
		readOnly("version_compile_machine", "x86_64"),
		readOnly("lower_case_table_names", "2"),
		readOnly("license", "Apache License 2.0"),
		readOnly("have_ssl", "DISABLED"),
		readOnly("protocol_version", "10"),
		{Name: "character_set_client", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4", validate: validateCharset},
		{Name: "character_set_connection", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4", validate: validateCharset},
		{Name: "character_set_results", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4", Nullable: true, validate: validateCharset},
		{Name: "character_set_server", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4", validate: validateCharset},
		{Name: "character_set_database", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4", validate: validateCharset},
		readOnly("character_set_system", "utf8"),
		{Name: "collation_connection", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4_bin", validate: validateCollation},
		{Name: "collation_database", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4_bin", validate: validateCollation},
		{Name: "collation_server", Scope: ScopeBoth, Kind: KindString, Default: "utf8mb4_bin", validate: validateCollation},
		{Name: "transaction_isolation", Scope: ScopeBoth, Kind: KindEnum, Default: "REPEATABLE-READ",
			Values: []string{"READ-UNCOMMITTED", "READ-COMMITTED", "REPEATABLE-READ", "SERIALIZABLE"}},
		{Name: "tx_isolation", Scope: ScopeBoth, Kind: KindEnum, Default: "REPEATABLE-READ",
			Values: []string{"READ-UNCOMMITTED", "READ-COMMITTED", "REPEATABLE-READ", "SERIALIZABLE"}},
		boolVar("transaction_read_only", "OFF", ScopeBoth),
		boolVar("tx_read_only", "OFF", ScopeBoth),
		intVar("max_allowed_packet", 67108864, 1024, 1073741824, ScopeBoth),
		intVar("net_buffer_length", 16384, 1024, 1048576, ScopeBoth),
		intVar("net_write_timeout", 60, 1, 31536000, ScopeBoth),
		intVar("net_read_timeout", 30, 1, 31536000, ScopeBoth),
		intVar("wait_timeout", 28800, 0, 31536000, ScopeBoth),
		intVar("interactive_timeout", 28800, 1, 31536000, ScopeBoth),
		intVar("auto_increment_increment", 1, 1, 65535, ScopeBoth),
		intVar("auto_increment_offset", 1, 1, 65535, ScopeBoth),
		intVar("sql_select_limit", math.MaxInt64, 0, math.MaxInt64, ScopeBoth),
		intVar("div_precision_increment", 4, 0, 30, ScopeBoth),
		intVar("group_concat_max_len", 1024, 4, math.MaxInt64, ScopeBoth),
		intVar("max_connections", 0, 0, 100000, ScopeGlobal),
		boolVar("sql_safe_updates", "OFF", ScopeBoth),
		boolVar("foreign_key_checks", "OFF", ScopeBoth),
		boolVar("unique_checks", "ON", ScopeBoth),
		boolVar("sql_auto_is_null", "OFF", ScopeBoth),
		{Name: "init_connect", Scope: ScopeGlobal, Kind: KindString, Default: ""},
		{Name: "query_cache_type", Scope: ScopeBoth, Kind: KindEnum, Default: "OFF", Values: []string{"OFF", "ON", "DEMAND"}},
		intVar("query_cache_size", 1048576, 0, math.MaxInt64, ScopeGlobal),
		boolVar("performance_schema", "OFF", ScopeGlobal),
		{Name: "tidb_txn_mode", Scope: ScopeBoth, Kind: KindEnum, Default: "pessimistic", Values: []string{"pessimistic", "optimistic"}},
		{Name: "tidb_isolation_read_engines", Scope: ScopeSession, Kind: KindString, Default: "tikv,tiflash,tidb"},
		{Name: "default_storage_engine", Scope: ScopeBoth, Kind: KindString, Default: "InnoDB"},
	} {
		registry[v.Name] = v
	}
}

// Lookup returns the definition of a variable (name case-insensitive), or nil.
func Lookup(name string) *SysVar { return registry[strings.ToLower(strings.TrimSpace(name))] }

// normalize checks value against the variable's definition and returns its canonical form.
// Errors are 1231 (wrong value) or 1232 (wrong type).
func (sv *SysVar) normalize(value string) (string, error) {
	wrong := func(cause error) error {
		e := mysqlerr.New(mysqlerr.ErWrongValueForVar, "Variable '%s' can't be set to the value of '%s'", sv.Name, value)
		e.Cause = cause
		return e
	}
	v := strings.TrimSpace(value)
	switch sv.Kind {
	case KindBool:
		switch strings.ToUpper(v) {
		case "ON", "1", "TRUE":
			v = "ON"
		case "OFF", "0", "FALSE":
			v = "OFF"
		default:
			return "", wrong(nil)
		}
	case KindInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			if _, ferr := strconv.ParseFloat(v, 64); ferr == nil {
				return "", mysqlerr.New(mysqlerr.ErWrongTypeForVar, "Incorrect argument type to variable '%s'", sv.Name)
			}
			if strings.EqualFold(v, "DEFAULT") {
				return sv.Default, nil
			}
			return "", mysqlerr.New(mysqlerr.ErWrongTypeForVar, "Incorrect argument type to variable '%s'", sv.Name)
		}
		if n < sv.Min || n > sv.Max {
			return "", wrong(fmt.Errorf("want %d..%d", sv.Min, sv.Max))
		}
		v = strconv.FormatInt(n, 10)
	case KindEnum:
		found := false
		for _, e := range sv.Values {
			if strings.EqualFold(e, v) {
				v, found = e, true
				break
			}
		}
		if !found {
			return "", wrong(fmt.Errorf("want one of %s", strings.Join(sv.Values, ", ")))
		}
	}
	if sv.validate != nil {
		nv, err := sv.validate(v)
		if err != nil {
			return "", wrong(err)
		}
		v = nv
	}
	return v, nil
}
