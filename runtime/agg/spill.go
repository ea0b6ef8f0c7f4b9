package agg

import (
	"github.com/copvec/copvec/chunk"
)

// Spilling parameters: each level splits a partition into spillFanout partitions with fresh hash
// bits; past maxSpillLevel a partition is aggregated in memory whatever the quota.
const (
	spillFanout   = 8
	maxSpillLevel = 3
)

// partitionOf maps a key hash to one of n partitions, with bits chosen by salt so that each spill
// level and the final-worker routing split groups independently.
func partitionOf(h, salt uint64, n int) int {
	z := h ^ salt
	z ^= z >> 30
	z *= 0xBF58476D1CE4E5B9
	z ^= z >> 27
	z *= 0x94D049BB133111EB
	z ^= z >> 31
	return int((z >> 32) * uint64(n) >> 32)
}

// Salts of partitionOf: one for routing groups to final workers, one per spill level.
const routeSalt = 0x243F6A8885A308D3

func spillSalt(level int) uint64 { return uint64(level+1) * 0x9E3779B97F4A7C15 }

// partitionGroups writes the partial states of every group of t into n partitions chosen by salt:
// it calls send(partition, chunk) with chunks of about chunkSize rows, which the callee owns.
func partitionGroups(t *groupTable, n int, salt uint64, chunkSize int, send func(int, *chunk.Chunk) error) error {
	schema := t.spec.PartialSchema()
	lists := make([][]int32, n)
	hashes := t.ht.Hashes()
	block := chunkSize * n
	for from := 0; from < t.len(); from += block {
		to := min(from+block, t.len())
		for i := range lists {
			lists[i] = lists[i][:0]
		}
		for g := from; g < to; g++ {
			p := partitionOf(hashes[g], salt, n)
			lists[p] = append(lists[p], int32(g))
		}
		for p, groups := range lists {
			if len(groups) == 0 {
				continue
			}
			c := chunk.New(schema, len(groups), len(groups))
			if err := t.emit(c, groups, true); err != nil {
				return err
			}
			if err := send(p, c); err != nil {
				return err
			}
		}
	}
	return nil
}
