package dagpb

import (
	"errors"
	"fmt"
	"math"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
)

// ErrInvalid is wrapped by every error about a malformed or unsupported message.
var ErrInvalid = errors.New("invalid coprocessor message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// TypeToPB encodes a chunk type.
func TypeToPB(t chunk.Type) *coprocpb.FieldType {
	return &coprocpb.FieldType{Kind: coprocpb.TypeKind(t.Kind), Precision: uint32(t.Precision), Scale: uint32(t.Scale)}
}

// TypeFromPB decodes and validates a type.
func TypeFromPB(ft *coprocpb.FieldType) (chunk.Type, error) {
	if ft == nil {
		return chunk.Type{}, invalid("missing type")
	}
	if ft.Kind < 0 || ft.Kind > math.MaxUint8 || ft.Precision > math.MaxUint8 || ft.Scale > math.MaxUint8 {
		return chunk.Type{}, invalid("type %v out of range", ft)
	}
	t := chunk.Type{Kind: chunk.Kind(ft.Kind), Precision: uint8(ft.Precision), Scale: uint8(ft.Scale)}
	if err := t.Validate(); err != nil {
		return chunk.Type{}, fmt.Errorf("type: %v: %w", err, ErrInvalid)
	}
	return t, nil
}

// TypesToPB encodes a schema.
func TypesToPB(ts []chunk.Type) []*coprocpb.FieldType {
	out := make([]*coprocpb.FieldType, len(ts))
	for i, t := range ts {
		out[i] = TypeToPB(t)
	}
	return out
}

// TypesFromPB decodes a schema.
func TypesFromPB(fts []*coprocpb.FieldType) ([]chunk.Type, error) {
	out := make([]chunk.Type, len(fts))
	for i, ft := range fts {
		t, err := TypeFromPB(ft)
		if err != nil {
			return nil, fmt.Errorf("column %d: %w", i, err)
		}
		out[i] = t
	}
	return out, nil
}
