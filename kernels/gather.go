package kernels

import (
	"errors"
	"math"
)

// ErrStringTooLong is wrapped when a STRING column's data would outgrow its uint32 offsets.
var ErrStringTooLong = errors.New("string data exceeds 4 GiB")

// maxStringData is the most data bytes uint32 offsets can address; a variable only so that tests can
// reach the limit without allocating 4 GiB.
var maxStringData uint64 = math.MaxUint32
