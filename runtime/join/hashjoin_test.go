package join_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/reftest"
)

var kinds = map[join.Type]reftest.JoinKind{join.InnerJoin: "inner", join.LeftOuterJoin: "left",
	join.RightOuterJoin: "right", join.SemiJoin: "semi", join.AntiJoin: "anti", join.NullAwareAntiJoin: "naaj"}

var keyKinds = []chunk.Type{chunk.Int64, chunk.String, chunk.Decimal(15, 2), chunk.Date, chunk.Float64, chunk.Bool,
	chunk.Timestamp}

// joinCase is one randomized join and its inputs.
type joinCase struct {
	spec                   join.Spec
	probeTypes, buildTypes []chunk.Type
	probe, build           []*chunk.Chunk
	workers                int
	partitioned            bool // one probe scan per worker (NewPartitionedHashJoin)
	opts                   exec.Options
	spill                  bool
}

func randomCase(t *testing.T, rng *rand.Rand, maxRows int) joinCase {
	nk := 1 + rng.IntN(2)
	keyTypes := make([]chunk.Type, nk)
	for i := range keyTypes {
		keyTypes[i] = keyKinds[rng.IntN(len(keyKinds))]
	}
	payload := []chunk.Type{chunk.Int64, keyKinds[rng.IntN(len(keyKinds))]}
	c := joinCase{probeTypes: append(append([]chunk.Type(nil), keyTypes...), payload...),
		buildTypes: append(append([]chunk.Type(nil), payload...), keyTypes...)}
	shape := rng.IntN(4)
	c.probe = joinInput(rng, keyTypes, payload, maxRows, shape)
	// The build keys sit after the payload, so key offsets differ on the two sides.
	for _, ch := range joinInput(rng, keyTypes, payload, maxRows, shape) {
		cols := append(append([]*chunk.Column(nil), ch.Columns()[nk:]...), ch.Columns()[:nk]...)
		moved, err := chunk.FromColumns(cols, ch.MaxCapacity())
		require.NoError(t, err)
		moved.SetSel(ch.Sel())
		c.build = append(c.build, moved)
	}
	c.spec.Type = join.Type(rng.IntN(6))
	for i := range nk {
		c.spec.ProbeKeys = append(c.spec.ProbeKeys, i)
		c.spec.BuildKeys = append(c.spec.BuildKeys, 2+i)
	}
	np := len(c.probeTypes)
	switch rng.IntN(4) {
	case 0: // probe payload int < build payload int
		c.spec.Other = expr.MustFunction("lt", expr.NewColumn(nk, chunk.Int64), expr.NewColumn(np, chunk.Int64))
	case 1: // the second payloads differ, or the probe one is NULL
		pt := c.probeTypes[nk+1]
		c.spec.Other = expr.MustFunction("or",
			expr.MustFunction("ne", expr.NewColumn(nk+1, pt), expr.NewColumn(np+1, pt)),
			expr.MustFunction("isnull", expr.NewColumn(nk+1, pt)))
	}
	if rng.IntN(3) == 0 {
		// Output some columns, in any order, repeated or none (count(*)).
		c.spec.Project = true
		c.spec.ProbeOutput = randomColumns(rng, len(c.probeTypes))
		if c.spec.Type != join.SemiJoin && c.spec.Type != join.AntiJoin && c.spec.Type != join.NullAwareAntiJoin {
			c.spec.BuildOutput = randomColumns(rng, len(c.buildTypes))
		}
	}
	c.workers = 1 + rng.IntN(3)
	c.partitioned = rng.IntN(2) == 0
	size := 1 + rng.IntN(1024)
	if rng.IntN(3) == 0 {
		size = 1 + rng.IntN(8)
	}
	c.opts = exec.Options{TempDir: t.TempDir(), MaxChunkSize: size}
	// A NOT IN join comparing NULL keys with every row (several keys or another condition) cannot
	// be partitioned by key, so it does not spill; it has a test of its own for the quota error.
	naajAll := c.spec.Type == join.NullAwareAntiJoin && (nk > 1 || c.spec.Other != nil)
	if c.spill = rng.IntN(2) == 0 && !naajAll; c.spill {
		// Scaled to the inputs, so small cases (the hostile suite's) spill as often as large ones.
		c.opts.MemoryQuota = 1 + rng.Int64N(min(48<<10, int64(maxRows)*40))
	}
	return c
}

// randomColumns returns 0 to 3 column offsets below n, repeats allowed.
func randomColumns(rng *rand.Rand, n int) []int {
	cols := make([]int, rng.IntN(4))
	for i := range cols {
		cols[i] = rng.IntN(n)
	}
	return cols
}

func (c joinCase) String() string {
	out := ""
	if c.spec.Project {
		out = fmt.Sprintf(", output probe %v build %v", c.spec.ProbeOutput, c.spec.BuildOutput)
	}
	return fmt.Sprintf("%s join, probe %v keys %v, build %v keys %v, other %v%s, %d workers (partitioned %v), chunk %d, quota %d",
		c.spec.Type, c.probeTypes, c.spec.ProbeKeys, c.buildTypes, c.spec.BuildKeys, c.spec.Other, out, c.workers,
		c.partitioned, c.opts.MaxChunkSize, c.opts.MemoryQuota)
}

// probeScans returns the probe input: one scan, or with partitioned one scan per worker, each of
// a random share of the chunks (some possibly empty).
func (c joinCase) probeScans(t *testing.T, rng *rand.Rand) []exec.Operator {
	if !c.partitioned {
		return []exec.Operator{scan(t, c.probeTypes, c.probe)}
	}
	parts := make([][]*chunk.Chunk, c.workers)
	for _, ch := range c.probe {
		i := rng.IntN(c.workers)
		parts[i] = append(parts[i], ch)
	}
	scans := make([]exec.Operator, c.workers)
	for i, p := range parts {
		scans[i] = scan(t, c.probeTypes, p)
	}
	return scans
}

// buildScans returns the build input: one scan, or with partitioned one to three scans of random
// shares of the chunks.
func (c joinCase) buildScans(t *testing.T, rng *rand.Rand) []exec.Operator {
	n := 1
	if c.partitioned {
		n = 1 + rng.IntN(3)
	}
	parts := make([][]*chunk.Chunk, n)
	for _, ch := range c.build {
		i := rng.IntN(n)
		parts[i] = append(parts[i], ch)
	}
	scans := make([]exec.Operator, n)
	for i, p := range parts {
		scans[i] = scan(t, c.buildTypes, p)
	}
	return scans
}

// newJoin returns the case's join over the given inputs.
func (c joinCase) newJoin(ectx *exec.Context, probes, builds []exec.Operator) (*join.HashJoin, error) {
	if c.partitioned {
		return join.NewPartitionedHashJoin(ectx, probes, builds, c.spec)
	}
	return join.NewHashJoin(ectx, probes[0], builds[0], c.spec, c.workers)
}

// project narrows reference join rows to the columns the spec outputs.
func (c joinCase) project(rows []reftest.Row) []reftest.Row {
	if !c.spec.Project {
		return rows
	}
	out := make([]reftest.Row, len(rows))
	for i, r := range rows {
		row := reftest.Row{}
		for _, col := range c.spec.ProbeOutput {
			row = append(row, r[col])
		}
		for _, col := range c.spec.BuildOutput {
			row = append(row, r[len(c.probeTypes)+col])
		}
		out[i] = row
	}
	return out
}

// run joins the case's inputs, draining with output chunks of growing capacity.
func (c joinCase) run(t *testing.T, ctx context.Context) ([]reftest.Row, *join.HashJoin, *exec.Context, error) {
	ectx := exec.MustContext(c.opts)
	rng := rand.New(rand.NewPCG(uint64(len(c.probe)), 13))
	j, err := c.newJoin(ectx, c.probeScans(t, rng), c.buildScans(t, rng))
	require.NoError(t, err)
	out, err := exec.Collect(ctx, ectx, j)
	if err != nil {
		return nil, j, ectx, err
	}
	return reftest.RowsOf(out), j, ectx, nil
}

func TestHashJoinMatchesReference(t *testing.T) {
	testHashJoin(t, 150, 1200, false)
}

// TestHashJoinAllHashesCollide runs the same checks with every key hashing alike in the table.
func TestHashJoinAllHashesCollide(t *testing.T) {
	t.Parallel() // the hostile mode is a knob of the query's context, not a global
	testHashJoin(t, 60, 300, true)
}

func testHashJoin(t *testing.T, n, maxRows int, hostile bool) {
	spilled := 0
	for _, seed := range reftest.Seeds(t, n) {
		rng := rand.New(rand.NewPCG(seed, 10))
		c := randomCase(t, rng, maxRows)
		c.opts.Knobs.ForceHashCollisions = hostile
		msg := fmt.Sprintf("seed %d (COPVEC_SEED=%d), hostile %v: %s", seed, seed, hostile, c)
		got, j, ectx, err := c.run(t, context.Background())
		require.NoError(t, err, msg)
		want, err := reftest.Join(kinds[c.spec.Type], reftest.RowsOf(c.probe...), reftest.RowsOf(c.build...),
			c.probeTypes, c.buildTypes, c.spec.ProbeKeys, c.spec.BuildKeys, c.spec.Other)
		require.NoError(t, err, msg)
		want = c.project(want)
		require.Empty(t, reftest.Diff(sortedRows(want), sortedRows(got)), msg)
		require.Zero(t, ectx.Memory.Used(), msg)
		require.Zero(t, ectx.Disk.Used(), msg)
		requireDirEmpty(t, c.opts.TempDir, msg)
		if j.SpillLevels() > 0 {
			spilled++
		}
	}
	t.Logf("%d of %d runs spilled", spilled, n)
	if n >= 50 {
		require.Positive(t, spilled, "the tiny quotas must make some joins spill")
	}
}

// TestHashJoinSpillsRecursively joins inputs whose partitions are still too large after one split.
func TestHashJoinSpillsRecursively(t *testing.T) {
	for _, seed := range reftest.Seeds(t, 2) {
		rng := rand.New(rand.NewPCG(seed, 11))
		types := []chunk.Type{chunk.Int64, chunk.String}
		var build, probe []*chunk.Chunk
		for range 20 {
			b := chunk.New(types, 1024, 1024)
			p := chunk.New(types, 1024, 1024)
			for range 1024 {
				k := rng.Int64N(20000)
				require.NoError(t, b.AppendValues(chunk.Int64Value(k), chunk.StringValue("b")))
				require.NoError(t, p.AppendValues(chunk.Int64Value(rng.Int64N(20000)), chunk.StringValue("p")))
			}
			build, probe = append(build, b), append(probe, p)
		}
		for _, typ := range []join.Type{join.InnerJoin, join.RightOuterJoin, join.NullAwareAntiJoin} {
			c := joinCase{spec: join.Spec{Type: typ, ProbeKeys: []int{0}, BuildKeys: []int{0}},
				probeTypes: types, buildTypes: types, probe: probe, build: build, workers: 2,
				opts: exec.Options{TempDir: t.TempDir(), MemoryQuota: 40 << 10}}
			msg := fmt.Sprintf("seed %d: %s", seed, c)
			got, j, ectx, err := c.run(t, context.Background())
			require.NoError(t, err, msg)
			require.GreaterOrEqual(t, j.SpillLevels(), 2, msg)
			// The reference is quadratic; the in-memory run (checked against it elsewhere) is the oracle.
			mem := c
			mem.opts = exec.Options{TempDir: t.TempDir()}
			want, mj, _, err := mem.run(t, context.Background())
			require.NoError(t, err)
			require.Zero(t, mj.SpillLevels())
			require.Equal(t, len(want), len(got), msg)
			require.Empty(t, reftest.Diff(sortedRows(want), sortedRows(got)), msg)
			require.Zero(t, ectx.Memory.Used())
			require.Zero(t, ectx.Disk.Used())
			requireDirEmpty(t, c.opts.TempDir, msg)
		}
	}
}

func TestNullAwareAntiJoinSemantics(t *testing.T) {
	col := func(vals ...any) []*chunk.Chunk {
		c := chunk.New([]chunk.Type{chunk.Int64}, 8, 8)
		for _, v := range vals {
			if v == nil {
				require.NoError(t, c.AppendValues(chunk.NullOf(chunk.Int64)))
			} else {
				require.NoError(t, c.AppendValues(chunk.Int64Value(int64(v.(int)))))
			}
		}
		return []*chunk.Chunk{c}
	}
	types := []chunk.Type{chunk.Int64}
	run := func(typ join.Type, probe, build []*chunk.Chunk) []reftest.Row {
		c := joinCase{spec: join.Spec{Type: typ, ProbeKeys: []int{0}, BuildKeys: []int{0}}, probeTypes: types,
			buildTypes: types, probe: probe, build: build, workers: 1, opts: exec.Options{TempDir: t.TempDir()}}
		got, _, _, err := c.run(t, context.Background())
		require.NoError(t, err)
		return sortedRows(got)
	}
	row := func(v int64) reftest.Row { return reftest.Row{chunk.Int64Value(v)} }
	null := reftest.Row{chunk.NullOf(chunk.Int64)}
	// NOT IN with a NULL on the build side is never TRUE.
	require.Empty(t, run(join.NullAwareAntiJoin, col(1, 2, nil), col(2, nil)))
	// NOT EXISTS keeps everything without an equal key, NULL probe keys included.
	require.Equal(t, []reftest.Row{row(1), null}, run(join.AntiJoin, col(1, 2, nil), col(2, nil)))
	// A NULL probe key is dropped by NOT IN once the build side has rows...
	require.Equal(t, []reftest.Row{row(1)}, run(join.NullAwareAntiJoin, col(1, 2, nil), col(2, 3)))
	// ...and kept when it is empty.
	require.Equal(t, []reftest.Row{row(1), null}, run(join.NullAwareAntiJoin, col(1, nil), nil))
}

func TestHashJoinRejectsBadSpecs(t *testing.T) {
	ectx := exec.MustContext(exec.Options{})
	types := []chunk.Type{chunk.Int64, chunk.String}
	mk := func(spec join.Spec) error {
		_, err := join.NewHashJoin(ectx, scan(t, types, nil), scan(t, types, nil), spec, 0)
		return err
	}
	require.ErrorContains(t, mk(join.Spec{}), "want the same non-zero number")
	require.ErrorContains(t, mk(join.Spec{ProbeKeys: []int{0}, BuildKeys: []int{1}}), "cast one side")
	require.ErrorContains(t, mk(join.Spec{ProbeKeys: []int{5}, BuildKeys: []int{0}}), "out of range")
	require.ErrorContains(t, mk(join.Spec{Type: 42, ProbeKeys: []int{0}, BuildKeys: []int{0}}), "unknown")
	require.ErrorContains(t, mk(join.Spec{ProbeKeys: []int{0}, BuildKeys: []int{0},
		Other: expr.NewColumn(0, chunk.Int64)}), "want BOOL")
	require.ErrorContains(t, mk(join.Spec{ProbeKeys: []int{0}, BuildKeys: []int{0}, Project: true,
		ProbeOutput: []int{2}}), "output probe column 2 out of range")
	require.ErrorContains(t, mk(join.Spec{ProbeKeys: []int{0}, BuildKeys: []int{0}, Project: true,
		BuildOutput: []int{-1}}), "output build column -1 out of range")
	require.ErrorContains(t, mk(join.Spec{Type: join.SemiJoin, ProbeKeys: []int{0}, BuildKeys: []int{0},
		Project: true, BuildOutput: []int{0}}), "outputs no build columns")
	spec := join.Spec{ProbeKeys: []int{0}, BuildKeys: []int{0}}
	one := []exec.Operator{scan(t, types, nil)}
	_, err := join.NewPartitionedHashJoin(ectx, nil, one, spec)
	require.ErrorContains(t, err, "without probe partitions")
	_, err = join.NewPartitionedHashJoin(ectx, one, nil, spec)
	require.ErrorContains(t, err, "without build partitions")
	mixed := []exec.Operator{scan(t, types, nil), scan(t, []chunk.Type{chunk.Int64}, nil)}
	_, err = join.NewPartitionedHashJoin(ectx, mixed, one, spec)
	require.ErrorContains(t, err, "probe partition 1 has schema")
	_, err = join.NewPartitionedHashJoin(ectx, one, mixed, spec)
	require.ErrorContains(t, err, "build partition 1 has schema")
}

// errBoom is the failure injected into join inputs.
var errBoom = errors.New("boom")

// failAfter wraps op so that it fails with errBoom after delivering n chunks.
func failAfter(op exec.Operator, n int) exec.Operator {
	return &exectest.Source{Input: op, FailAt: n + 1, Err: errBoom}
}

func TestHashJoinStopsOnErrorsAndCancellation(t *testing.T) {
	for _, seed := range reftest.Seeds(t, 30) {
		rng := rand.New(rand.NewPCG(seed, 12))
		c := randomCase(t, rng, 3000)
		msg := fmt.Sprintf("seed %d: %s", seed, c)
		ectx := exec.MustContext(c.opts)
		probes, builds := c.probeScans(t, rng), c.buildScans(t, rng)
		cancelAt := -1
		switch rng.IntN(3) {
		case 0:
			i := rng.IntN(len(probes))
			probes[i] = failAfter(probes[i], rng.IntN(3))
		case 1:
			i := rng.IntN(len(builds))
			builds[i] = failAfter(builds[i], rng.IntN(3))
		default:
			cancelAt = rng.IntN(3)
		}
		j, err := c.newJoin(ectx, probes, builds)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err = exec.Run(ctx, ectx, j, func(*chunk.Chunk) error {
			if n == cancelAt {
				cancel()
			}
			n++
			return nil
		})
		cancel()
		if err != nil && cancelAt < 0 {
			require.ErrorIs(t, err, errBoom, msg)
		} else if err != nil {
			require.ErrorIs(t, err, context.Canceled, msg)
		}
		require.Zero(t, ectx.Memory.Used(), msg)
		require.Zero(t, ectx.Disk.Used(), msg)
		requireDirEmpty(t, c.opts.TempDir, msg)
	}
}

// TestNullAwareAntiJoinThatCannotSpillFailsClearly: a NOT IN join over two keys compares NULL keys
// with every build row, so it cannot be partitioned; over the quota it fails with the quota error.
func TestNullAwareAntiJoinThatCannotSpillFailsClearly(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.Int64}
	c := chunk.New(types, 4096, 4096)
	for i := range 4096 {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i)), chunk.Int64Value(int64(i%7))))
	}
	jc := joinCase{spec: join.Spec{Type: join.NullAwareAntiJoin, ProbeKeys: []int{0, 1}, BuildKeys: []int{0, 1}},
		probeTypes: types, buildTypes: types, probe: []*chunk.Chunk{c}, build: []*chunk.Chunk{c}, workers: 2,
		opts: exec.Options{TempDir: t.TempDir(), MemoryQuota: 16 << 10}}
	_, _, ectx, err := jc.run(t, context.Background())
	require.ErrorIs(t, err, memory.ErrQuotaExceeded)
	require.ErrorContains(t, err, "cannot spill")
	require.Zero(t, ectx.Memory.Used())
	requireDirEmpty(t, jc.opts.TempDir, "no spill files")
}

// TestHashJoinLargeIntKeys joins inputs large enough for every region of a parallel int64 build to
// hold many keys, unique or duplicated, with NULL keys, and checks the pairs against a map.
func TestHashJoinLargeIntKeys(t *testing.T) {
	for _, seed := range reftest.Seeds(t, 4) {
		rng := rand.New(rand.NewPCG(seed, 14))
		types := []chunk.Type{chunk.Int64, chunk.Int64}
		keys := int64(1 + rng.IntN(200_000))
		unique := rng.IntN(2) == 0
		gen := func(rows int, buildSide bool) []*chunk.Chunk {
			var out []*chunk.Chunk
			for i := 0; i < rows; i += 1024 {
				c := chunk.New(types, 1024, 1024)
				for r := i; r < min(i+1024, rows); r++ {
					k := chunk.Int64Value(rng.Int64N(keys))
					if buildSide && unique {
						k = chunk.Int64Value(int64(r))
					}
					if rng.IntN(100) == 0 {
						k = chunk.NullOf(chunk.Int64)
					}
					require.NoError(t, c.AppendValues(k, chunk.Int64Value(rng.Int64N(1000))))
				}
				out = append(out, c)
			}
			return out
		}
		build, probe := gen(int(keys), true), gen(300_000, false)
		// The reference: per key, the build payloads' count and sum.
		count, sum := map[int64]int64{}, map[int64]int64{}
		for _, row := range reftest.RowsOf(build...) {
			if !row[0].Null {
				count[row[0].I]++
				sum[row[0].I] += row[1].I
			}
		}
		var wantRows, wantSum int64
		for _, row := range reftest.RowsOf(probe...) {
			if !row[0].Null {
				wantRows += count[row[0].I]
				wantSum += count[row[0].I]*row[1].I*1000 + sum[row[0].I]
			}
		}
		workers := 1 + rng.IntN(4)
		c := joinCase{spec: join.Spec{Type: join.InnerJoin, ProbeKeys: []int{0}, BuildKeys: []int{0}, Project: true,
			ProbeOutput: []int{1}, BuildOutput: []int{1}}, probeTypes: types, buildTypes: types, probe: probe,
			build: build, workers: workers, partitioned: rng.IntN(2) == 0, opts: exec.Options{TempDir: t.TempDir()}}
		msg := fmt.Sprintf("seed %d: %d keys, unique build %v, %s", seed, keys, unique, c)
		got, _, ectx, err := c.run(t, context.Background())
		require.NoError(t, err, msg)
		var gotSum int64
		for _, row := range got {
			gotSum += row[0].I*1000 + row[1].I
		}
		require.Equal(t, wantRows, int64(len(got)), msg)
		require.Equal(t, wantSum, gotSum, msg)
		require.Zero(t, ectx.Memory.Used(), msg)
	}
}
