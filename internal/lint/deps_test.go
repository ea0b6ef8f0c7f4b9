package lint

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/copvec/copvec/"

// rule forbids packages under From (module-relative, "" for all) from depending, directly or
// transitively, on any package under one of Deny. Except lists packages under From the rule does
// not cover.
type rule struct {
	From   string
	Except []string
	Deny   []string
	Why    string
}

// rules is ARCHITECTURE.md's layering as a deny table.
var rules = []rule{
	{From: "chunk", Deny: []string{"runtime", "coproc", "sql"}, Why: "chunk is the bottom layer"},
	{From: "kernels", Deny: []string{"runtime", "coproc", "sql"}, Why: "kernels know slices and bitmaps, not operators"},
	{From: "runtime", Deny: []string{"coproc", "sql"}, Why: "the same operators run on nodes and the coordinator"},
	{From: "runtime/reftest", Deny: []string{"runtime/ops", "runtime/agg", "runtime/join", "runtime/exchange",
		"runtime/hashtable", "runtime/plan", "runtime/sortkey", "runtime/spill"},
		Why: "the reference engine must not share code with the operators it checks"},
	{From: "", Except: []string{"sql", "cmd", "bench"}, Deny: []string{"sql"}, Why: "sql sits above everything but the binaries and benchmarks"},
}

// under reports whether the module-relative path pkg is prefix or inside it ("" holds all).
func under(pkg, prefix string) bool {
	return prefix == "" || pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// violations checks deps (module-relative package → its module-relative dependencies) against
// rs and returns one line per broken rule.
func violations(rs []rule, deps map[string][]string) []string {
	var out []string
	for pkg, ds := range deps {
		for _, r := range rs {
			if !under(pkg, r.From) || exempt(pkg, r.Except) {
				continue
			}
			for _, d := range ds {
				for _, deny := range r.Deny {
					if under(d, deny) {
						out = append(out, pkg+" depends on "+d+" ("+r.Why+")")
					}
				}
			}
		}
	}
	return out
}

func exempt(pkg string, except []string) bool {
	for _, e := range except {
		if under(pkg, e) {
			return true
		}
	}
	return false
}

// moduleDeps runs `go list -deps` over the module and returns each package's module-internal
// dependencies (transitive, test files excluded).
func moduleDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], module) {
			continue
		}
		pkg := strings.TrimPrefix(f[0], module)
		deps[pkg] = nil
		for _, d := range f[1:] {
			if strings.HasPrefix(d, module) {
				deps[pkg] = append(deps[pkg], strings.TrimPrefix(d, module))
			}
		}
	}
	return deps
}

// TestImportRules checks the real module against the table.
func TestImportRules(t *testing.T) {
	deps := moduleDeps(t)
	for _, must := range []string{"chunk", "kernels", "runtime/exec", "runtime/reftest", "coproc/node"} {
		if _, ok := deps[must]; !ok {
			t.Fatalf("go list did not report %s; the rule check would pass vacuously", must)
		}
	}
	for _, v := range violations(rules, deps) {
		t.Error(v)
	}
}

// TestRuleEvaluator proves the evaluator fails on a broken rule of each row of the table, and
// passes the allowed directions, on synthetic dependency lists.
func TestRuleEvaluator(t *testing.T) {
	cases := []struct {
		name string
		deps map[string][]string
		bad  bool
	}{
		{"chunk on runtime", map[string][]string{"chunk": {"runtime/memory"}}, true},
		{"chunktest on coproc", map[string][]string{"chunk/chunktest": {"coproc/dagpb"}}, true},
		{"kernels on runtime", map[string][]string{"kernels": {"runtime/exec"}}, true},
		{"runtime on coproc", map[string][]string{"runtime/plan": {"coproc/coprocpb"}}, true},
		{"reftest on an operator", map[string][]string{"runtime/reftest": {"runtime/agg"}}, true},
		{"reftest on sortkey", map[string][]string{"runtime/reftest": {"runtime/expr", "runtime/sortkey"}}, true},
		{"coproc on sql", map[string][]string{"coproc/coordinator": {"sql/physical"}}, true},
		{"cmd on sql", map[string][]string{"cmd/copvec": {"sql/embed"}}, false},
		{"dagpb on sql", map[string][]string{"coproc/dagpb": {"sql/parser"}}, true},
		{"coproc on runtime", map[string][]string{"coproc/node": {"runtime/plan", "chunk", "kernels"}}, false},
		{"sql on sql", map[string][]string{"sql/binder": {"sql/catalog", "coproc/coordinator"}}, false},
		{"reftest on expr", map[string][]string{"runtime/reftest": {"runtime/expr", "chunk"}}, false},
		{"prefix is not a parent", map[string][]string{"chunkish": {"runtime/exec"}, "sqlx": {"sql2"}}, false},
	}
	for _, c := range cases {
		got := violations(rules, c.deps)
		if bad := len(got) > 0; bad != c.bad {
			t.Errorf("%s: violations %q, want broken=%v", c.name, got, c.bad)
		}
	}
}
