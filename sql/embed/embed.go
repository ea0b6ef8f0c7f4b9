// Package embed runs the whole of copvec in one process: an embedded cluster of region nodes
// (coproc/cluster), a coordinator client, the atomic statement writer (coproc/txn) and the SQL
// catalog persisted in the cluster's metadata, so SQL sessions can be opened on it. A cluster
// started again on the same data directory keeps its tables, rows and catalog.
package embed

import (
	"context"
	"errors"
	"fmt"

	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/txn"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/session"
)

// Options configure an embedded database.
type Options struct {
	// Dir holds the data; empty means a temporary directory removed by Close.
	Dir string
	// Nodes is the number of region nodes (default 3).
	Nodes int
	// Cluster, when set, is used as the cluster options (Dir and Nodes above then apply only
	// where it leaves them zero).
	Cluster *cluster.Options
	// Coordinator configures the coordinator client; its Stores are filled in.
	Coordinator coordinator.Config
}

// DefaultColumnCacheBytes is each embedded node's column cache budget unless the options name
// one (4 GiB).
const DefaultColumnCacheBytes = 4 << 30

// DB is a running embedded database.
type DB struct {
	Cluster *cluster.Cluster
	Client  *coordinator.Client
	Writer  *txn.Writer
	Engine  *session.Engine
}

// Open starts the cluster and everything above it.
func Open(ctx context.Context, o Options) (_ *DB, err error) {
	co := cluster.Options{}
	if o.Cluster != nil {
		co = *o.Cluster
	}
	if co.Node.ColumnCacheBytes == 0 {
		// Every table lives on one node until regions can move (a later issue), so that node
		// needs a budget well above a standalone node's default to keep TPC-H SF 1 decoded.
		// It is a bound, not an allocation.
		co.Node.ColumnCacheBytes = DefaultColumnCacheBytes
	}
	if co.Dir == "" {
		co.Dir = o.Dir
	}
	if co.Nodes == 0 {
		co.Nodes = o.Nodes
	}
	c, err := cluster.Start(co)
	if err != nil {
		return nil, err
	}
	db := &DB{Cluster: c}
	defer func() {
		if err != nil {
			err = errors.Join(err, db.Close())
		}
	}()
	cfg := o.Coordinator
	cfg.Stores = c.Stores()
	if db.Client, err = coordinator.New(cfg); err != nil {
		return nil, err
	}
	if db.Writer, err = txn.Open(ctx, c, txn.Options{}); err != nil {
		return nil, err
	}
	cat, err := catalog.Open(ctx, db.Writer.Meta())
	if err != nil {
		return nil, fmt.Errorf("embed: catalog: %w", err)
	}
	db.Engine = &session.Engine{Catalog: cat, Client: db.Client, Storage: storage{db.Writer, c}}
	return db, nil
}

// storage is the session's view of the cluster: statement writes through the writer, and
// region splits (bulk loads split big tables so their scans run in parallel).
type storage struct {
	*txn.Writer
	c *cluster.Cluster
}

// BeginLoad implements session.BulkStorage.
func (s storage) BeginLoad(ctx context.Context) (session.BulkLoad, error) {
	return s.Writer.BeginLoad(ctx, txn.LoadOptions{})
}

// SplitTable implements session.Splitter.
func (s storage) SplitTable(ctx context.Context, tableID int64, handles ...int64) error {
	return s.c.SplitTable(ctx, tableID, handles...)
}

// Session opens a SQL session.
func (db *DB) Session() *session.Session { return session.New(db.Engine) }

// Close stops everything and removes a temporary data directory.
func (db *DB) Close() error {
	var err error
	if db.Client != nil {
		err = errors.Join(err, db.Client.Close())
	}
	if db.Cluster != nil {
		err = errors.Join(err, db.Cluster.Close())
	}
	return err
}
