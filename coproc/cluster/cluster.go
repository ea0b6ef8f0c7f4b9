// Package cluster runs an embedded cluster of region nodes in one process, each serving gRPC on a
// loopback listener over its own Pebble store, for tests, benchmarks and the demo. Keys are
// partitioned between the nodes by fixed boundaries (the placement a placement driver would
// decide), tables are loaded row by row into the node serving each row's key, and split into as
// many regions as asked.
package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Options configure a cluster.
type Options struct {
	// Nodes is the number of region nodes. Default 3.
	Nodes int
	// Bounds are the Nodes-1 sorted keys where one node's key range ends and the next one's
	// begins. Default: the record keys of handles 0, 1<<20, 2<<20, …
	Bounds [][]byte
	// Dir holds the stores; empty means a temporary directory removed by Close.
	Dir string
	// Node is every node's configuration; DataDir and ListenAddr are set per node.
	Node node.Config
}

// Cluster is a running embedded cluster.
type Cluster struct {
	nodes   []*node.Node
	stores  []*store.Store
	infos   []coordinator.StoreInfo
	dir     string
	ownsDir bool
}

// Start opens the stores, splits them at the node boundaries and serves every node.
func Start(o Options) (_ *Cluster, err error) {
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Nodes < 0 {
		return nil, fmt.Errorf("cluster: %d nodes", o.Nodes)
	}
	if o.Bounds == nil {
		for i := 1; i < o.Nodes; i++ {
			o.Bounds = append(o.Bounds, tablecodec.RecordKey(0, int64(i-1)<<20))
		}
	}
	if len(o.Bounds) != o.Nodes-1 || !slices.IsSortedFunc(o.Bounds, bytes.Compare) {
		return nil, fmt.Errorf("cluster: %d nodes need %d sorted bounds, got %d", o.Nodes, o.Nodes-1, len(o.Bounds))
	}
	c := &Cluster{dir: o.Dir}
	if c.dir == "" {
		if c.dir, err = os.MkdirTemp("", "copvec-cluster-"); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		c.ownsDir = true
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
		}
	}()
	for i := range o.Nodes {
		info := coordinator.StoreInfo{}
		if i > 0 {
			info.Start = o.Bounds[i-1]
		}
		if i < o.Nodes-1 {
			info.End = o.Bounds[i]
		}
		st, err := store.Open(filepath.Join(c.dir, fmt.Sprintf("node-%d", i)), store.Options{NoSync: true, CacheSize: o.Node.BlockCacheBytes})
		if err != nil {
			return nil, fmt.Errorf("cluster: node %d: %w", i, err)
		}
		c.stores = append(c.stores, st)
		for _, k := range [][]byte{info.Start, info.End} {
			if err := splitAt(context.Background(), st, k); err != nil {
				return nil, fmt.Errorf("cluster: node %d: %w", i, err)
			}
		}
		cfg := o.Node
		cfg.DataDir, cfg.ListenAddr = "", "127.0.0.1:0"
		n, err := node.New(st, cfg)
		if err != nil {
			return nil, fmt.Errorf("cluster: node %d: %w", i, err)
		}
		if err := n.Start(); err != nil {
			return nil, fmt.Errorf("cluster: node %d: %w", i, err)
		}
		c.nodes = append(c.nodes, n)
		info.Addr = n.Addr().String()
		c.infos = append(c.infos, info)
	}
	return c, nil
}

// splitAt splits the store's region holding key at key, unless key starts a region already.
func splitAt(ctx context.Context, st *store.Store, key []byte) error {
	if len(key) == 0 {
		return nil
	}
	reg, err := st.LocateRegion(key)
	if err != nil {
		return err
	}
	if bytes.Equal(reg.StartKey, key) {
		return nil
	}
	_, _, err = st.SplitRegion(ctx, reg.ID, key)
	return err
}

// Stores returns the nodes' addresses and key ranges, a coordinator's configuration.
func (c *Cluster) Stores() []coordinator.StoreInfo { return slices.Clone(c.infos) }

// Node returns node i.
func (c *Cluster) Node(i int) *node.Node { return c.nodes[i] }

// Store returns node i's store.
func (c *Cluster) Store(i int) *store.Store { return c.stores[i] }

// NumNodes returns the number of nodes.
func (c *Cluster) NumNodes() int { return len(c.nodes) }

// NodeOf returns the index of the node serving key, where a write of key belongs.
func (c *Cluster) NodeOf(key []byte) int { return c.owner(key) }

// Dir returns the directory holding the nodes' stores, which a later Start with Options.Dir
// reopens.
func (c *Cluster) Dir() string { return c.dir }

// owner returns the node serving key.
func (c *Cluster) owner(key []byte) int {
	for i, s := range c.infos {
		if len(s.End) == 0 || bytes.Compare(key, s.End) < 0 {
			return i
		}
	}
	return len(c.infos) - 1
}

// Load writes rows (full rows of table, in schema order) at commitTS, each into the node serving
// its record key. Index entries go with their rows, so only table scans see every row.
func (c *Cluster) Load(ctx context.Context, table *tablecodec.TableInfo, rows []*chunk.Chunk, commitTS uint64) error {
	h := table.HandleOffset()
	if h < 0 {
		return errors.New("cluster: table has no handle column")
	}
	parts := make([]*chunk.Chunk, len(c.nodes))
	flush := func(i int) error {
		if parts[i] == nil || parts[i].NumRows() == 0 {
			return nil
		}
		if err := c.stores[i].Ingest(ctx, table, parts[i], commitTS); err != nil {
			return fmt.Errorf("cluster: load node %d: %w", i, err)
		}
		parts[i].Reset()
		return nil
	}
	var key []byte
	for _, src := range rows {
		handles := src.Column(h).Int64s()
		for r := range src.NumRows() {
			p := src.RowIndex(r)
			key = tablecodec.EncodeRecordKey(key[:0], table.ID, handles[p])
			i := c.owner(key)
			if parts[i] == nil {
				parts[i] = chunk.New(table.Types(), 1024, 1<<20)
			}
			parts[i].AppendRow(src, p)
			if parts[i].NumRows() >= 8192 {
				if err := flush(i); err != nil {
					return err
				}
			}
		}
	}
	for i := range parts {
		if err := flush(i); err != nil {
			return err
		}
	}
	return nil
}

// Split splits the region holding each key at that key on the node serving it.
func (c *Cluster) Split(ctx context.Context, keys ...[]byte) error {
	for _, k := range keys {
		if err := splitAt(ctx, c.stores[c.owner(k)], k); err != nil {
			return fmt.Errorf("cluster: split at %x: %w", k, err)
		}
	}
	return nil
}

// SplitTable splits table's rows into regions at the record keys of the given handles.
func (c *Cluster) SplitTable(ctx context.Context, tableID int64, handles ...int64) error {
	for _, h := range handles {
		if err := c.Split(ctx, tablecodec.RecordKey(tableID, h)); err != nil {
			return err
		}
	}
	return nil
}

// Regions returns the number of regions each node serves within its key range.
func (c *Cluster) Regions() []int {
	out := make([]int, len(c.nodes))
	for i, st := range c.stores {
		for _, r := range st.Regions() {
			s := c.infos[i]
			if (len(s.End) == 0 || bytes.Compare(r.StartKey, s.End) < 0) && (len(r.EndKey) == 0 || bytes.Compare(r.EndKey, s.Start) > 0) {
				out[i]++
			}
		}
	}
	return out
}

// StopNode stops serving node i (its store stays open until Close), as a crashed node would.
func (c *Cluster) StopNode(i int) error { return c.nodes[i].Close() }

// Close stops every node, closes the stores and removes the temporary directory.
func (c *Cluster) Close() error {
	var err error
	for _, n := range c.nodes {
		err = errors.Join(err, n.Close())
	}
	for _, st := range c.stores {
		err = errors.Join(err, st.Close())
	}
	c.nodes, c.stores = nil, nil
	if c.ownsDir {
		c.ownsDir = false
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	return err
}
