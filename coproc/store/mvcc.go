package store

import (
	"encoding/binary"
	"math"

	"github.com/copvec/copvec/coproc/tablecodec"
)

// Stored-key prefixes.
const (
	dataPrefix  = 'z'
	localPrefix = 0x01
)

// Value flags: the first byte of every stored data value.
const (
	valuePut    byte = 'P'
	valueDelete byte = 'D'
)

// MaxTS reads every committed version.
const MaxTS = math.MaxUint64

const tsLen = 8

// appendDataKey appends the stored form of user key k; with a timestamp suffix it is a version key,
// without it a bound that sorts before every version of k.
func appendDataKey(dst, k []byte) []byte {
	return tablecodec.EncodeBytes(append(dst, dataPrefix), k)
}

// appendVersionKey appends the stored key of the version of k committed at ts.
func appendVersionKey(dst, k []byte, ts uint64) []byte {
	return binary.BigEndian.AppendUint64(appendDataKey(dst, k), ^ts)
}

// appendDataUpper appends the exclusive stored bound for user keys below k: every version of a key
// < k sorts before it, every version of a key ≥ k after. An empty k means past all data.
func appendDataUpper(dst, k []byte) []byte {
	if len(k) == 0 {
		return append(dst, dataPrefix+1)
	}
	return appendDataKey(dst, k)
}

// splitVersionKey splits a stored version key into the encoded user key (with the 'z' prefix) and
// the commit timestamp.
func splitVersionKey(k []byte) (prefix []byte, ts uint64, err error) {
	if len(k) < 1+tablecodec.EncodedBytesLen(0)+tsLen || k[0] != dataPrefix {
		return nil, 0, corruptf("stored key %q is not a version key", k)
	}
	n := len(k) - tsLen
	return k[:n], ^binary.BigEndian.Uint64(k[n:]), nil
}

// decodeUserKey appends the user key of an encoded prefix (as returned by splitVersionKey) to dst.
func decodeUserKey(prefix, dst []byte) ([]byte, error) {
	k, rest, err := tablecodec.DecodeBytes(prefix[1:], dst)
	if err != nil {
		return dst, corruptf("stored key: %v", err)
	}
	if len(rest) != 0 {
		return dst, corruptf("stored key has %d trailing bytes", len(rest))
	}
	return k, nil
}
