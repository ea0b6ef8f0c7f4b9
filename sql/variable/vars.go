// Package variable holds copvec's system variables: their TiDB names, scopes, types, defaults and
// validation, the server-wide global values, and each session's own values.
//
// The package promises: names are case-insensitive; a value is validated and stored in canonical
// form (booleans as ON/OFF, integers in decimal) before Set returns, and a rejected value changes
// nothing; errors are MySQL's (1193 unknown, 1231 wrong value, 1232 wrong type, 1238 read-only,
// 1228/1229 wrong scope). Globals and Vars are safe for concurrent use. Global values are kept in
// memory only (not persisted across restarts yet).
package variable

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// Globals are the server's global values (SET GLOBAL). A new session's values start from them.
type Globals struct {
	mu   sync.RWMutex
	vals map[string]string
}

// NewGlobals returns global values at their defaults.
func NewGlobals() *Globals {
	g := &Globals{vals: make(map[string]string, len(registry))}
	for name, sv := range registry {
		g.vals[name] = sv.Default
	}
	return g
}

func (g *Globals) get(name string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.vals[name]
}

// DefaultGlobals are the process's global values, which NewSessionVars uses.
var DefaultGlobals = NewGlobals()

// Vars are one session's variables.
type Vars struct {
	globals *Globals
	mu      sync.RWMutex
	vals    map[string]string // session values of variables with session scope
}

// NewSessionVars returns a session's variables, initialized from DefaultGlobals.
func NewSessionVars() *Vars { return NewSessionVarsWith(DefaultGlobals) }

// NewSessionVarsWith returns a session's variables initialized from g.
func NewSessionVarsWith(g *Globals) *Vars {
	v := &Vars{globals: g, vals: map[string]string{}}
	g.mu.RLock()
	defer g.mu.RUnlock()
	for name, sv := range registry {
		if sv.Scope&ScopeSession != 0 {
			v.vals[name] = g.vals[name]
		}
	}
	return v
}

// Globals returns the global values the session reads and SET GLOBAL writes.
func (v *Vars) Globals() *Globals { return v.globals }

func lookup(name string) (*SysVar, error) {
	sv := Lookup(name)
	if sv == nil {
		return nil, mysqlerr.New(mysqlerr.ErUnknownSystemVar, "Unknown system variable '%s'", name)
	}
	return sv, nil
}

// Set sets a variable from its text (SET [GLOBAL] name = value; an identifier such as ON is its
// text, and the word DEFAULT resets the variable to its default). global selects SET GLOBAL;
// otherwise the session value is set. Errors: 1193 unknown, 1238 read-only, 1228 a session-only
// variable set with GLOBAL, 1229 a global-only variable set without, 1231/1232 a wrong value.
func (v *Vars) Set(name, value string, global bool) error {
	sv, err := lookup(name)
	if err != nil {
		return err
	}
	if sv.ReadOnly {
		return mysqlerr.New(mysqlerr.ErReadOnlyVar, "Variable '%s' is a read only variable", sv.Name)
	}
	if global && sv.Scope&ScopeGlobal == 0 {
		return mysqlerr.New(mysqlerr.ErLocalVariable, "Variable '%s' is a SESSION variable and can't be used with SET GLOBAL", sv.Name)
	}
	if !global && sv.Scope&ScopeSession == 0 {
		return mysqlerr.New(mysqlerr.ErIncorrectGlobalVar, "Variable '%s' is a GLOBAL variable and should be set with SET GLOBAL", sv.Name)
	}
	var canon string
	if strings.EqualFold(strings.TrimSpace(value), "DEFAULT") && sv.Kind != KindString {
		canon = sv.Default
	} else if canon, err = sv.normalize(value); err != nil {
		return err
	}
	if global {
		v.globals.mu.Lock()
		v.globals.vals[sv.Name] = canon
		v.globals.mu.Unlock()
		return nil
	}
	v.mu.Lock()
	v.vals[sv.Name] = canon
	v.mu.Unlock()
	return nil
}

// SetDefault resets a variable to its default (SET name = DEFAULT).
func (v *Vars) SetDefault(name string, global bool) error {
	sv, err := lookup(name)
	if err != nil {
		return err
	}
	return v.Set(sv.Name, sv.Default, global)
}

// SetValue sets a variable from an evaluated expression: INT64 and DECIMAL values by their text,
// BOOL as ON/OFF, STRING as is. NULL is accepted only by nullable variables (character_set_results);
// FLOAT64 and dates are wrong types (1232) for non-string variables.
func (v *Vars) SetValue(name string, val chunk.Value, global bool) error {
	sv, err := lookup(name)
	if err != nil {
		return err
	}
	if val.Null {
		if !sv.Nullable {
			return mysqlerr.New(mysqlerr.ErWrongValueForVar, "Variable '%s' can't be set to the value of 'NULL'", sv.Name)
		}
		if sv.ReadOnly {
			return mysqlerr.New(mysqlerr.ErReadOnlyVar, "Variable '%s' is a read only variable", sv.Name)
		}
		if global {
			v.globals.mu.Lock()
			v.globals.vals[sv.Name] = ""
			v.globals.mu.Unlock()
			return nil
		}
		v.mu.Lock()
		v.vals[sv.Name] = ""
		v.mu.Unlock()
		return nil
	}
	var text string
	switch val.Type.Kind {
	case chunk.KindBool:
		text = "OFF"
		if val.I != 0 {
			text = "ON"
		}
		if sv.Kind == KindInt {
			text = strconv.FormatInt(val.I, 10)
		}
	case chunk.KindInt64, chunk.KindString:
		text = val.String()
	case chunk.KindDecimal:
		if sv.Kind == KindInt || sv.Kind == KindBool {
			if val.Type.Scale != 0 && val.I%chunk.Pow10[val.Type.Scale] != 0 {
				return mysqlerr.New(mysqlerr.ErWrongTypeForVar, "Incorrect argument type to variable '%s'", sv.Name)
			}
			text = strconv.FormatInt(val.I/chunk.Pow10[val.Type.Scale], 10)
		} else {
			text = val.String()
		}
	default:
		if sv.Kind != KindString {
			return mysqlerr.New(mysqlerr.ErWrongTypeForVar, "Incorrect argument type to variable '%s'", sv.Name)
		}
		text = val.String()
	}
	return v.Set(sv.Name, text, global)
}

// Get returns the session's value of a variable (the global value of a global-only variable),
// or error 1193.
func (v *Vars) Get(name string) (string, error) {
	sv, err := lookup(name)
	if err != nil {
		return "", err
	}
	return v.get(sv), nil
}

func (v *Vars) get(sv *SysVar) string {
	if sv.Scope&ScopeSession == 0 {
		return v.globals.get(sv.Name)
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.vals[sv.Name]
}

// GetGlobal returns the global value of a variable (SELECT @@GLOBAL.name): error 1193 when
// unknown, 1238 when the variable has no global scope.
func (v *Vars) GetGlobal(name string) (string, error) {
	sv, err := lookup(name)
	if err != nil {
		return "", err
	}
	if sv.Scope&ScopeGlobal == 0 {
		return "", mysqlerr.New(mysqlerr.ErReadOnlyVar, "Variable '%s' is a SESSION variable", sv.Name)
	}
	return v.globals.get(sv.Name), nil
}

// Int returns an integer variable's value.
func (v *Vars) Int(name string) (int64, error) {
	s, err := v.Get(name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("variable: %s = %q is not an integer: %w", name, s, err)
	}
	return n, nil
}

// Bool returns a boolean variable's value.
func (v *Vars) Bool(name string) (bool, error) {
	s, err := v.Get(name)
	if err != nil {
		return false, err
	}
	switch s {
	case "ON":
		return true, nil
	case "OFF":
		return false, nil
	}
	return false, fmt.Errorf("variable: %s = %q is not a boolean", name, s)
}

// MustInt is Int for a variable this package defines as an integer; it panics on a misspelled name.
func (v *Vars) MustInt(name string) int64 {
	n, err := v.Int(name)
	if err != nil {
		panic(err)
	}
	return n
}

// MustBool is Bool for a variable this package defines as a boolean; it panics on a misspelled name.
func (v *Vars) MustBool(name string) bool {
	b, err := v.Bool(name)
	if err != nil {
		panic(err)
	}
	return b
}

// Location returns the session's time zone (time_zone; SYSTEM is the server's local zone).
func (v *Vars) Location() *time.Location {
	s, _ := v.Get(TimeZone)
	loc, err := parseTimeZone(s)
	if err != nil {
		return time.Local
	}
	return loc
}

// SQLModeHas reports whether sql_mode contains mode (e.g. "ONLY_FULL_GROUP_BY").
func (v *Vars) SQLModeHas(mode string) bool {
	s, _ := v.Get(SQLMode)
	for _, m := range strings.Split(s, ",") {
		if strings.EqualFold(m, mode) {
			return true
		}
	}
	return false
}

// Concurrency returns the runtime concurrency settings (runtime/vars) the session's variables
// select: tidb_executor_concurrency and the operator-specific settings, -1 following it.
func (v *Vars) Concurrency() vars.Settings {
	s := vars.Settings{
		Executor:       int(v.MustInt(ExecutorConcurrency)),
		HashJoin:       int(v.MustInt(HashJoinConcurrency)),
		HashAggPartial: int(v.MustInt(HashAggPartialConcurrency)),
		HashAggFinal:   int(v.MustInt(HashAggFinalConcurrency)),
		Exchange:       int(v.MustInt(ExchangeConcurrency)),
	}
	return s
}

// Show returns SHOW [SESSION] VARIABLES [LIKE pattern] rows (Variable_name, Value) ordered by
// name; an empty pattern matches all. Global-only variables show their global value.
func (v *Vars) Show(like string) [][2]string { return v.show(like, false) }

// ShowGlobal returns SHOW GLOBAL VARIABLES [LIKE pattern] rows; session-only variables are left out.
func (v *Vars) ShowGlobal(like string) [][2]string { return v.show(like, true) }

func (v *Vars) show(like string, global bool) [][2]string {
	var rows [][2]string
	for name, sv := range registry {
		if like != "" && !matchLike(like, name) {
			continue
		}
		switch {
		case global && sv.Scope&ScopeGlobal == 0:
			continue
		case global:
			rows = append(rows, [2]string{name, v.globals.get(name)})
		default:
			rows = append(rows, [2]string{name, v.get(sv)})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	return rows
}

// matchLike matches s against a LIKE pattern case-insensitively (% any run, _ one character,
// backslash escapes).
func matchLike(pattern, s string) bool {
	// Translate to path.Match syntax, escaping its own metacharacters.
	var b strings.Builder
	p := []rune(strings.ToLower(pattern))
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 < len(p) {
				i++
				writeLiteral(&b, p[i])
			} else {
				writeLiteral(&b, c)
			}
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		default:
			writeLiteral(&b, c)
		}
	}
	ok, err := path.Match(b.String(), strings.ToLower(s))
	return err == nil && ok
}

func writeLiteral(b *strings.Builder, c rune) {
	switch c {
	case '*', '?', '[', ']', '\\', '/':
		if c == '/' {
			// path.Match's * does not cross '/': no variable name contains one, so a '/' in the
			// pattern never matches.
			b.WriteString("\x00")
			return
		}
		b.WriteByte('\\')
	}
	b.WriteRune(c)
}
