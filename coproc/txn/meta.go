package txn

import (
	"context"
	"errors"

	"github.com/copvec/copvec/coproc/store"
)

// MetaEntry is one metadata key and its value.
type MetaEntry struct {
	Key   string
	Value []byte
}

// MetaStore is durable key-value storage for metadata such as the SQL catalog. Every call is
// atomic and durable when it returns; implementations are safe for concurrent use. Keys starting
// with "txn/" are reserved for this package.
type MetaStore interface {
	// PutMeta sets key to value.
	PutMeta(ctx context.Context, key string, value []byte) error
	// GetMeta returns key's value and whether it exists.
	GetMeta(ctx context.Context, key string) ([]byte, bool, error)
	// DeleteMeta removes key; a missing key is no error.
	DeleteMeta(ctx context.Context, key string) error
	// ListMeta returns the entries whose keys start with prefix, in key order.
	ListMeta(ctx context.Context, prefix string) ([]MetaEntry, error)
}

// StoreMeta is a MetaStore kept among a region store's node-local keys (outside every region),
// synced on every write: the embedded cluster keeps its metadata in node 0's store until it moves
// to etcd.
type StoreMeta struct {
	st *store.Store
}

var _ MetaStore = (*StoreMeta)(nil)

// NewStoreMeta returns the MetaStore kept in st.
func NewStoreMeta(st *store.Store) (*StoreMeta, error) {
	if st == nil {
		return nil, errors.New("txn: meta store needs a store")
	}
	return &StoreMeta{st: st}, nil
}

// PutMeta implements MetaStore.
func (m *StoreMeta) PutMeta(ctx context.Context, key string, value []byte) error {
	return m.st.PutMeta(ctx, key, value)
}

// GetMeta implements MetaStore.
func (m *StoreMeta) GetMeta(ctx context.Context, key string) ([]byte, bool, error) {
	return m.st.GetMeta(ctx, key)
}

// DeleteMeta implements MetaStore.
func (m *StoreMeta) DeleteMeta(ctx context.Context, key string) error {
	return m.st.DeleteMeta(ctx, key)
}

// ListMeta implements MetaStore.
func (m *StoreMeta) ListMeta(ctx context.Context, prefix string) ([]MetaEntry, error) {
	es, err := m.st.ListMeta(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]MetaEntry, len(es))
	for i, e := range es {
		out[i] = MetaEntry{Key: e.Key, Value: e.Value}
	}
	return out, nil
}
