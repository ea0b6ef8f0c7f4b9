package session_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// TestUpdateModel runs random UPDATEs (value changes, primary-key moves, ORDER BY … LIMIT) and
// checks the table after each against a model in Go that applies MySQL's row-by-row semantics;
// the seed is in every failure and replays with COPVEC_SEED.
func TestUpdateModel(t *testing.T) {
	seed := uint64(rand.Int64())
	if s, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Session()
	exec := func(q string) error { _, err := s.Execute(ctx, q); return err }
	if err := exec("create table m (id int primary key, v int)"); err != nil {
		t.Fatal(err)
	}
	model := map[int64]int64{}
	for i := int64(1); i <= 40; i++ {
		model[i*2] = i
		if err := exec(fmt.Sprintf("insert into m values (%d, %d)", i*2, i)); err != nil {
			t.Fatal(err)
		}
	}
	for step := range 30 {
		m, r, k := int64(rng.IntN(4)+2), int64(rng.IntN(2)), int64(rng.IntN(5)-2)
		ids := make([]int64, 0, len(model))
		for id := range model {
			if id%m == r {
				ids = append(ids, id)
			}
		}
		var q string
		next := map[int64]int64{}
		for id, v := range model {
			next[id] = v
		}
		changed, dupErr := 0, false
		if rng.IntN(2) == 0 {
			q = fmt.Sprintf("update m set v = v + %d where id %% %d = %d", k, m, r)
			for _, id := range ids {
				next[id] += k
				if k != 0 {
					changed++
				}
			}
		} else {
			desc := rng.IntN(2) == 0
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] != desc })
			order := "asc"
			if desc {
				order = "desc"
			}
			q = fmt.Sprintf("update m set id = id + %d where id %% %d = %d order by id %s", k, m, r, order)
			for _, id := range ids {
				if k == 0 {
					continue
				}
				if _, live := next[id+k]; live {
					dupErr = true
					break
				}
				next[id+k] = next[id]
				delete(next, id)
				changed++
			}
		}
		res, err := s.ExecuteOne(ctx, q)
		switch {
		case dupErr:
			if mysqlerr.CodeOf(err) != mysqlerr.ErDupEntry {
				t.Fatalf("seed %d step %d: %s: %v, want error 1062", seed, step, q, err)
			}
		case err != nil:
			t.Fatalf("seed %d step %d: %s: %v", seed, step, q, err)
		default:
			model = next
			want := fmt.Sprintf("Rows matched: %d  Changed: %d  Warnings: 0", len(ids), changed)
			if res.Info != want || res.Affected != uint64(changed) {
				t.Fatalf("seed %d step %d: %s: info %q affected %d, want %q", seed, step, q, res.Info, res.Affected, want)
			}
		}
		got, err := s.ExecuteOne(ctx, "select id, v from m order by id")
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]int64, 0, len(model))
		for id := range model {
			keys = append(keys, id)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		if len(got.Rows) != len(keys) {
			t.Fatalf("seed %d step %d: %s: %d rows, model %d", seed, step, q, len(got.Rows), len(keys))
		}
		for i, id := range keys {
			if got.Rows[i][0].I != id || got.Rows[i][1].I != model[id] {
				t.Fatalf("seed %d step %d: %s: row %d is (%d, %d), model (%d, %d)", seed, step, q, i, got.Rows[i][0].I, got.Rows[i][1].I, id, model[id])
			}
		}
	}
}
