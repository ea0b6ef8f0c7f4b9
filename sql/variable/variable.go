// Package variable holds the session's system variables, with TiDB's names, defaults and
// validation: what SET and SHOW VARIABLES read and write, and what the planner and the runtime
// take their settings from.
package variable

import (
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// Kind is a variable's value type.
type Kind uint8

// Value kinds.
const (
	Int Kind = iota
	Bool
	Str
)

// Def defines a variable.
type Def struct {
	Name     string
	Kind     Kind
	Default  string
	Min, Max int64 // for Int
	ReadOnly bool
}

// Defs are the known variables.
var Defs = []Def{
	{Name: "tidb_distsql_scan_concurrency", Kind: Int, Default: "15", Min: 1, Max: 256},
	{Name: "tidb_executor_concurrency", Kind: Int, Default: strconv.Itoa(runtime.GOMAXPROCS(0)), Min: 1, Max: 256},
	{Name: "tidb_hash_join_concurrency", Kind: Int, Default: "-1", Min: -1, Max: 256},
	{Name: "tidb_hashagg_partial_concurrency", Kind: Int, Default: "-1", Min: -1, Max: 256},
	{Name: "tidb_hashagg_final_concurrency", Kind: Int, Default: "-1", Min: -1, Max: 256},
	{Name: "tidb_mem_quota_query", Kind: Int, Default: "1073741824", Min: -1, Max: 1 << 62},
	{Name: "tidb_enable_paging", Kind: Bool, Default: "ON"},
	{Name: "tidb_max_chunk_size", Kind: Int, Default: "1024", Min: 32, Max: 1 << 20},
	{Name: "tidb_init_chunk_size", Kind: Int, Default: "32", Min: 1, Max: 32},
	{Name: "tidb_enable_tmp_storage_on_oom", Kind: Bool, Default: "ON"},
	{Name: "tidb_index_lookup_size", Kind: Int, Default: "20000", Min: 1, Max: 1 << 30},
	{Name: "tidb_index_lookup_concurrency", Kind: Int, Default: "-1", Min: -1, Max: 256},
	{Name: "tidb_enforce_mpp", Kind: Bool, Default: "OFF"},
	{Name: "tidb_allow_mpp", Kind: Bool, Default: "ON"},
	{Name: "max_execution_time", Kind: Int, Default: "0", Min: 0, Max: 1 << 31},
	{Name: "autocommit", Kind: Bool, Default: "ON"},
	{Name: "sql_mode", Kind: Str, Default: "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"},
	{Name: "time_zone", Kind: Str, Default: "SYSTEM"},
	{Name: "character_set_client", Kind: Str, Default: "utf8mb4"},
	{Name: "character_set_connection", Kind: Str, Default: "utf8mb4"},
	{Name: "character_set_results", Kind: Str, Default: "utf8mb4"},
	{Name: "collation_connection", Kind: Str, Default: "utf8mb4_bin"},
	{Name: "names", Kind: Str, Default: "utf8mb4"},
	{Name: "version", Kind: Str, Default: "8.0.11-copvec", ReadOnly: true},
	{Name: "version_comment", Kind: Str, Default: "copvec: vectorized distributed query execution", ReadOnly: true},
	{Name: "tidb_version", Kind: Str, Default: "copvec (TiDB-compatible SQL subset)", ReadOnly: true},
}

var byName = func() map[string]*Def {
	m := map[string]*Def{}
	for i := range Defs {
		m[Defs[i].Name] = &Defs[i]
	}
	return m
}()

var globals = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// Vars are one session's values; a session starts from the global values.
type Vars struct {
	m map[string]string
}

// NewSessionVars returns a session's variables.
func NewSessionVars() *Vars {
	v := &Vars{m: map[string]string{}}
	globals.Lock()
	defer globals.Unlock()
	for _, d := range Defs {
		v.m[d.Name] = d.Default
		if g, ok := globals.m[d.Name]; ok {
			v.m[d.Name] = g
		}
	}
	return v
}

func lookup(name string) (*Def, error) {
	d, ok := byName[strings.ToLower(name)]
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErUnknownSystemVar, "Unknown system variable '%s'", name)
	}
	return d, nil
}

// normalize validates a value for d and returns its canonical text.
func normalize(d *Def, val chunk.Value) (string, error) {
	if val.Type.Kind == chunk.KindString && strings.EqualFold(val.S, "DEFAULT") {
		return d.Default, nil
	}
	text := val.String()
	if val.Type.Kind == chunk.KindString {
		text = val.S
	}
	bad := func() error {
		return mysqlerr.New(mysqlerr.ErWrongValueForVar, "Variable '%s' can't be set to the value of '%s'", d.Name, text)
	}
	if val.Null {
		return "", bad()
	}
	switch d.Kind {
	case Int:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return "", mysqlerr.New(1232, "Incorrect argument type to variable '%s'", d.Name)
		}
		if n < d.Min || n > d.Max {
			return "", bad()
		}
		return strconv.FormatInt(n, 10), nil
	case Bool:
		switch strings.ToUpper(strings.TrimSpace(text)) {
		case "ON", "1", "TRUE":
			return "ON", nil
		case "OFF", "0", "FALSE":
			return "OFF", nil
		}
		return "", bad()
	}
	return text, nil
}

// Set sets a variable for this session, or globally (for sessions opened later, and this one).
func (v *Vars) Set(name string, val chunk.Value, global bool) error {
	d, err := lookup(name)
	if err != nil {
		return err
	}
	if d.ReadOnly {
		return mysqlerr.New(1238, "Variable '%s' is a read only variable", d.Name)
	}
	s, err := normalize(d, val)
	if err != nil {
		return err
	}
	v.m[d.Name] = s
	if global {
		globals.Lock()
		globals.m[d.Name] = s
		globals.Unlock()
	}
	return nil
}

// Get returns a variable's value as text.
func (v *Vars) Get(name string) (string, error) {
	d, err := lookup(name)
	if err != nil {
		return "", err
	}
	return v.m[d.Name], nil
}

// Int returns an integer variable.
func (v *Vars) Int(name string) (int64, error) {
	s, err := v.Get(name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("variable %s = %q is not an integer", name, s)
	}
	return n, nil
}

// Bool returns an ON/OFF variable.
func (v *Vars) Bool(name string) (bool, error) {
	s, err := v.Get(name)
	if err != nil {
		return false, err
	}
	return s == "ON", nil
}

// Show returns (name, value) pairs whose names match a LIKE pattern ("" matches all), sorted.
func (v *Vars) Show(like string) [][2]string {
	var out [][2]string
	for _, d := range Defs {
		if like == "" || likeMatch(strings.ToLower(d.Name), strings.ToLower(like)) {
			out = append(out, [2]string{d.Name, v.m[d.Name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func likeMatch(s, p string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], p[1:])
	case '\\':
		if len(p) > 1 {
			return s != "" && s[0] == p[1] && likeMatch(s[1:], p[2:])
		}
	}
	return s != "" && s[0] == p[0] && likeMatch(s[1:], p[1:])
}
