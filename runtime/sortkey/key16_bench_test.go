package sortkey

import (
	"math/rand/v2"
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// BenchmarkEncodeKey16 encodes (DATE, INT64) keys of a 1024-row chunk without NULLs, the shape of
// TPC-H's ORDER BY l_shipdate, l_orderkey.
func BenchmarkEncodeKey16(b *testing.B) {
	types := []chunk.Type{chunk.Date, chunk.Int64}
	c := chunktest.RandomChunk(rand.New(rand.NewPCG(1, 2)), types, 1024, chunktest.Options{NullProb: -1, SelectionProb: -1})
	enc, err := NewEncoder(types, []Key{{Col: 0}, {Col: 1}})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]Key16, 0, 1024)
	for b.Loop() {
		buf = enc.EncodeKey16(buf[:0], c)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1024), "ns/row")
}
