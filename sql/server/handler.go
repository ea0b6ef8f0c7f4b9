package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/replication"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/vtenv"

	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
	"github.com/copvec/copvec/sql/session"
)

// errMultiStatementDisabled is TiDB's code for several statements in one COM_QUERY when the
// server does not allow it.
const errMultiStatementDisabled = 8130

// maxPrepared bounds a connection's cache of parsed prepared statements; vitess forgets closed
// statements without telling the handler, so the cache is cleared when it grows past this.
const maxPrepared = 1024

// conn is one client connection's state.
type conn struct {
	id     uint32
	raw    net.Conn
	sess   *session.Session
	parser *parser.Parser // for statement splitting and prepared statements; the session has its own

	ctx    context.Context // cancelled by KILL n and by Close
	cancel context.CancelFunc

	mu         sync.Mutex
	stmtCancel context.CancelFunc // of the running statement; nil between statements

	prepared map[string][]int // prepared SQL text → byte offsets of its "?" markers
}

// beginStatement returns the context of a new statement, which KILL QUERY cancels.
func (c *conn) beginStatement() (context.Context, func()) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.stmtCancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.stmtCancel = nil
		c.mu.Unlock()
		cancel()
	}
}

func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel()
	}
}

// kill cancels everything the connection runs and closes its socket, which ends its read loop.
// The raw TCP connection is closed rather than the TLS one: closing TLS writes an alert and
// could wait on a write in progress.
func (c *conn) kill() {
	c.cancel()
	_ = c.raw.Close()
}

// handler implements vitess's mysql.Handler on sessions.
type handler struct {
	mysql.UnimplementedHandler
	srv *Server
	env *vtenv.Environment
}

var _ mysql.Handler = (*handler)(nil)

// NewConnection implements mysql.Handler: it opens the connection's session.
func (h *handler) NewConnection(vc *mysql.Conn) {
	s := h.srv
	c := &conn{id: vc.ConnectionID, raw: vc.GetRawConn(), sess: session.New(s.cfg.Engine),
		parser: parser.New(), prepared: map[string][]int{}}
	c.ctx, c.cancel = context.WithCancel(s.base)
	c.sess.SetKiller(s)
	c.sess.DisableLocalInfile()
	s.mu.Lock()
	s.conns[c.id] = c
	s.mu.Unlock()
	s.log.Debug("connection opened", "conn", c.id, "remote", vc.RemoteAddr().String())
}

// ConnectionReady implements mysql.Handler: the handshake is done.
func (h *handler) ConnectionReady(vc *mysql.Conn) {
	if !h.srv.cfg.MultiStatements {
		// Without the capability vitess hands COM_QUERY over whole, and ComQuery refuses more
		// than one statement.
		vc.Capabilities &^= mysql.CapabilityClientMultiStatements
	}
}

// ConnectionClosed implements mysql.Handler: the connection's goroutine is about to end.
func (h *handler) ConnectionClosed(vc *mysql.Conn) {
	s := h.srv
	s.mu.Lock()
	c := s.conns[vc.ConnectionID]
	delete(s.conns, vc.ConnectionID)
	if c != nil {
		delete(s.raw, c.raw)
	}
	s.mu.Unlock()
	if c != nil {
		c.cancel()
	}
	s.log.Debug("connection closed", "conn", vc.ConnectionID)
	s.connWG.Done()
}

func (h *handler) conn(vc *mysql.Conn) (*conn, error) {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	c := h.srv.conns[vc.ConnectionID]
	if c == nil {
		return nil, sqlerror.NewSQLError(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState, "connection state lost")
	}
	return c, nil
}

// recoverTo turns a panic in a command into an error packet for the client: a bad packet or a
// bug in a statement must not take the server, or even the connection, down.
func (h *handler) recoverTo(err *error) {
	if r := recover(); r != nil {
		h.srv.log.Error("panic in mysql command", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		*err = sqlerror.NewSQLErrorf(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState, "internal error: %v", r)
	}
}

// ComQuery implements mysql.Handler.
func (h *handler) ComQuery(vc *mysql.Conn, query string, callback func(*sqltypes.Result) error) (err error) {
	defer h.recoverTo(&err)
	c, err := h.conn(vc)
	if err != nil {
		return err
	}
	stmts, err := c.parser.Parse(query)
	if err != nil {
		return toSQLError(err)
	}
	switch {
	case len(stmts) == 0:
		return sqlerror.NewSQLError(sqlerror.EREmptyQuery, sqlerror.SSClientError, "Query was empty")
	case len(stmts) > 1:
		return toSQLError(mysqlerr.New(errMultiStatementDisabled,
			"client has multi-statement capability disabled. Run SET multi_statement='ON' after you understand the security risk"))
	}
	return h.run(c, stmts[0], callback)
}

// run executes one statement under a context KILL QUERY can cancel and sends its result.
func (h *handler) run(c *conn, st ast.StmtNode, callback func(*sqltypes.Result) error) error {
	ctx, done := c.beginStatement()
	res, err := c.sess.ExecuteStmt(ctx, st)
	done()
	if err != nil {
		return toSQLError(err)
	}
	return callback(toResult(res))
}

// ComQueryMulti implements mysql.Handler; the listener is built without multi-query, so vitess
// never calls it.
func (h *handler) ComQueryMulti(*mysql.Conn, string, func(sqltypes.QueryResponse, bool, bool) error) error {
	return sqlerror.NewSQLError(sqlerror.ERUnknownComError, sqlerror.SSNetError, "multi-query protocol not enabled")
}

// ComPrepare implements mysql.Handler: it parses the statement, counts its parameters and
// remembers where they are. Result columns are announced by EXECUTE, not here.
func (h *handler) ComPrepare(vc *mysql.Conn, query string) (_ []*querypb.Field, _ uint16, err error) {
	defer h.recoverTo(&err)
	c, err := h.conn(vc)
	if err != nil {
		return nil, 0, err
	}
	offsets, err := c.markers(query)
	if err != nil {
		return nil, 0, err
	}
	if len(offsets) > 65535 {
		return nil, 0, sqlerror.NewSQLError(sqlerror.ErrorCode(1390), sqlerror.SSUnknownSQLState, "Prepared statement contains too many placeholders")
	}
	return nil, uint16(len(offsets)), nil
}

// markers returns the offsets of query's "?" markers, parsing it on first use.
func (c *conn) markers(query string) ([]int, error) {
	if offs, ok := c.prepared[query]; ok {
		return offs, nil
	}
	offs, err := paramOffsets(c.parser, query)
	if err != nil {
		return nil, toSQLError(err)
	}
	if len(c.prepared) >= maxPrepared {
		clear(c.prepared)
	}
	c.prepared[query] = offs
	return offs, nil
}

// ComStmtExecute implements mysql.Handler: the bound values become literals in the statement's
// text, which then runs like a query.
func (h *handler) ComStmtExecute(vc *mysql.Conn, prepare *mysql.PrepareData, callback func(*sqltypes.Result) error) (err error) {
	defer h.recoverTo(&err)
	c, err := h.conn(vc)
	if err != nil {
		return err
	}
	if prepare == nil {
		return sqlerror.NewSQLError(sqlerror.ERUnknownStmtHandler, sqlerror.SSUnknownSQLState, "Unknown prepared statement handler given to mysqld_stmt_execute")
	}
	offs, err := c.markers(prepare.PrepareStmt)
	if err != nil {
		return err
	}
	text, err := bindParams(prepare.PrepareStmt, offs, prepare.BindVars)
	if err != nil {
		return toSQLError(err)
	}
	st, err := c.parser.ParseOne(text)
	if err != nil {
		return toSQLError(err)
	}
	return h.run(c, st, callback)
}

// ComResetConnection implements mysql.Handler: the client gets a fresh session.
func (h *handler) ComResetConnection(vc *mysql.Conn) {
	c, err := h.conn(vc)
	if err != nil {
		return
	}
	c.sess = session.New(h.srv.cfg.Engine)
	c.sess.SetKiller(h.srv)
	c.sess.DisableLocalInfile()
	clear(c.prepared)
}

// ComRegisterReplica implements mysql.Handler; copvec has no binlog.
func (h *handler) ComRegisterReplica(*mysql.Conn, string, uint16, string, string) error {
	return errNoBinlog
}

// ComBinlogDump implements mysql.Handler; copvec has no binlog.
func (h *handler) ComBinlogDump(*mysql.Conn, string, uint32) error { return errNoBinlog }

// ComBinlogDumpGTID implements mysql.Handler; copvec has no binlog.
func (h *handler) ComBinlogDumpGTID(*mysql.Conn, string, uint64, replication.GTIDSet, uint16) error {
	return errNoBinlog
}

var errNoBinlog = sqlerror.NewSQLError(sqlerror.ERNotSupportedYet, sqlerror.SSClientError, "copvec has no binlog")

// WarningCount implements mysql.Handler; statements report no warnings yet.
func (h *handler) WarningCount(*mysql.Conn) uint16 { return 0 }

// Env implements mysql.Handler.
func (h *handler) Env() *vtenv.Environment { return h.env }

// toSQLError gives err the MySQL code and SQLSTATE the client sees.
func toSQLError(err error) error {
	var se *sqlerror.SQLError
	if errors.As(err, &se) {
		return se
	}
	var me *mysqlerr.Error
	if errors.As(err, &me) {
		return sqlerror.NewSQLError(sqlerror.ErrorCode(me.Code), me.State, me.Message)
	}
	return sqlerror.NewSQLError(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState, err.Error())
}
