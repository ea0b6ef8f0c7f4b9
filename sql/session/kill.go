package session

import (
	"context"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/sql/mysqlerr"
)

// Killer carries out KILL [QUERY | CONNECTION] n for a session: the MySQL protocol server
// implements it, since only it knows the connections and the contexts of their statements.
type Killer interface {
	// Kill cancels the running statement of connection connID (query) or closes the connection.
	Kill(ctx context.Context, connID uint64, query bool) error
}

// SetKiller makes the session's KILL statements go to k. A session without one (an embedded
// session has no connections) reports KILL as unsupported.
func (s *Session) SetKiller(k Killer) { s.killer = k }

func (s *Session) kill(ctx context.Context, st *ast.KillStmt) (*Result, error) {
	if s.killer == nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "KILL is not supported without a connection")
	}
	if st.Expr != nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "KILL with an expression is not supported")
	}
	if err := s.killer.Kill(ctx, st.ConnectionID, st.Query); err != nil {
		return nil, err
	}
	return &Result{}, nil
}
