package sortkey

import (
	"math/rand/v2"
	"os"
	"strconv"
)

// testSeed returns a random seed, or COPVEC_SEED when set so a printed failure reproduces.
func testSeed() uint64 {
	if v, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		return v
	}
	return rand.Uint64()
}
