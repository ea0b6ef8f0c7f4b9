package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"vitess.io/vitess/go/mysql/sqlerror"

	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/session"
)

const rootPassword = "r00t-pw"

// testDB is the embedded cluster every test's servers share: starting one costs a second.
var testDB *embed.DB

func TestMain(m *testing.M) {
	db, err := embed.Open(context.Background(), embed.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
	testDB = db
	code := m.Run()
	if err := db.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
		code = 1
	}
	if code == 0 {
		// glog's flush daemon is started by its package init (vitess logs through glog's
		// flags), once per process, not by a server.
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon")); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// startServer runs a server on a free port until the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.Engine == nil {
		cfg.Engine = testDB.Engine
	}
	if cfg.RootPassword == "" && !cfg.AllowEmptyRootPassword {
		cfg.RootPassword = rootPassword
	}
	s, err := New(context.Background(), cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return s
}

func dsn(s *Server, user, password, params string) string {
	d := fmt.Sprintf("%s:%s@tcp(%s)/test", user, password, s.Addr())
	if params != "" {
		d += "?" + params
	}
	return d
}

func openDB(t testing.TB, s *Server, params string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn(s, "root", rootPassword, params))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.Ping())
	return db
}

func mysqlCode(t testing.TB, err error) (uint16, string) {
	t.Helper()
	var me *mysql.MySQLError
	require.True(t, errors.As(err, &me), "not a MySQL error: %v", err)
	return me.Number, string(me.SQLState[:])
}

// TestQueries: DDL, DML and a query whose column types are those of the SQL types.
func TestQueries(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	_, err := db.Exec("create table tq (id int primary key, price decimal(10,2), ratio double, name varchar(20), d date, ok boolean)")
	require.NoError(t, err)
	res, err := db.Exec("insert into tq values (1, 12.50, 0.25, 'one', '2024-01-31', true), (2, NULL, 1.5, 'two', NULL, false)")
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	rows, err := db.Query("select id, price, ratio, name, d, ok from tq order by id")
	require.NoError(t, err)
	defer rows.Close()
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	var names []string
	for _, ct := range types {
		names = append(names, ct.DatabaseTypeName())
	}
	// BOOLEAN columns are stored as BIGINT (the catalog keeps no TINYINT).
	require.Equal(t, []string{"BIGINT", "DECIMAL", "DOUBLE", "VARCHAR", "DATE", "BIGINT"}, names)
	prec, scale, ok := types[1].DecimalSize()
	require.True(t, ok)
	require.EqualValues(t, 2, scale)
	require.GreaterOrEqual(t, prec, int64(10))

	var got []string
	for rows.Next() {
		var id int64
		var price, name, d sql.NullString
		var ratio float64
		var b bool
		require.NoError(t, rows.Scan(&id, &price, &ratio, &name, &d, &b))
		got = append(got, fmt.Sprintf("%d|%s|%g|%s|%s|%v", id, price.String, ratio, name.String, d.String, b))
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"1|12.50|0.25|one|2024-01-31|true", "2||1.5|two||false"}, got)

	// USE through the protocol (COM_INIT_DB is what the driver sends for the DSN's database).
	_, err = db.Exec("create database if not exists other")
	require.NoError(t, err)
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "use other")
	require.NoError(t, err)
	_, err = conn.QueryContext(context.Background(), "select * from tq")
	code, _ := mysqlCode(t, err)
	require.Equal(t, uint16(1146), code, "tq is in test, not in other")
	_, err = conn.ExecContext(context.Background(), "use nosuchdb")
	code, _ = mysqlCode(t, err)
	require.Equal(t, uint16(1049), code)
	_, err = db.Exec("delete from tq where id = 2")
	require.NoError(t, err)
	var count int
	require.NoError(t, db.QueryRow("select count(*) from tq").Scan(&count))
	require.Equal(t, 1, count)
}

// TestPrepared: placeholders through the binary protocol, with values that would break a
// naively built statement.
func TestPrepared(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	_, err := db.Exec("create table tp (id int primary key, name varchar(40), amount decimal(8,3), f double, d date)")
	require.NoError(t, err)
	ins, err := db.Prepare("insert into tp values (?, ?, ?, ?, ?)")
	require.NoError(t, err)
	defer ins.Close()
	evil := `x'); drop table tp; -- \' "`
	_, err = ins.Exec(1, evil, "1.250", 2.5, "2020-02-29")
	require.NoError(t, err)
	_, err = ins.Exec(2, nil, nil, -1e-3, time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	_, err = ins.Exec(int64(3), "plain?", 7, float32(0.5), nil)
	require.NoError(t, err)

	var name, amount, d sql.NullString
	var f float64
	require.NoError(t, db.QueryRow("select name, amount, f, d from tp where id = ?", 1).Scan(&name, &amount, &f, &d))
	require.Equal(t, evil, name.String)
	require.Equal(t, "1.250", amount.String)
	require.Equal(t, 2.5, f)
	require.Equal(t, "2020-02-29", d.String)

	require.NoError(t, db.QueryRow("select name, amount, f, d from tp where id = ? and name is null", 2).Scan(&name, &amount, &f, &d))
	require.False(t, name.Valid)
	require.False(t, amount.Valid)
	require.Equal(t, -1e-3, f)
	require.Equal(t, "2021-03-04", d.String)

	var id int
	require.NoError(t, db.QueryRow("select id from tp where name = ? and amount = ?", "plain?", 7).Scan(&id))
	require.Equal(t, 3, id)
	// A placeholder may not be an identifier: the statement keeps its structure.
	var v string
	require.NoError(t, db.QueryRow("select ? from tp where id = ?", "name", 1).Scan(&v))
	require.Equal(t, "name", v)
	var count int
	require.NoError(t, db.QueryRow("select count(*) from tp").Scan(&count))
	require.Equal(t, 3, count)
}

// TestErrors: error packets carry MySQL's code and SQLSTATE.
func TestErrors(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	_, err := db.Query("select * from no_such_table")
	code, state := mysqlCode(t, err)
	require.Equal(t, uint16(1146), code)
	require.Equal(t, "42S02", state)

	_, err = db.Exec("selec 1")
	code, state = mysqlCode(t, err)
	require.Equal(t, uint16(1064), code)
	require.Equal(t, "42000", state)

	// Multi-statements are off unless the server allows them.
	mdb, err := sql.Open("mysql", dsn(s, "root", rootPassword, "multiStatements=true"))
	require.NoError(t, err)
	defer mdb.Close()
	_, err = mdb.Exec("select 1; select 2")
	code, _ = mysqlCode(t, err)
	require.Equal(t, uint16(errMultiStatementDisabled), code)

	// The connection still works after errors.
	var one int
	require.NoError(t, db.QueryRow("select 1").Scan(&one))
	require.Equal(t, 1, one)
}

// TestMultiStatements: allowed by the server, a client that asks for them gets them.
func TestMultiStatements(t *testing.T) {
	s := startServer(t, Config{MultiStatements: true})
	mdb, err := sql.Open("mysql", dsn(s, "root", rootPassword, "multiStatements=true"))
	require.NoError(t, err)
	defer mdb.Close()
	_, err = mdb.Exec("create table tms (a int primary key); insert into tms values (1), (2)")
	require.NoError(t, err)
	var n int
	require.NoError(t, mdb.QueryRow("select count(*) from tms").Scan(&n))
	require.Equal(t, 2, n)
}

// TestAuth: both plugins log in, wrong passwords and unknown users are refused with 1045.
func TestAuth(t *testing.T) {
	for _, plugin := range []string{CachingSHA2Password, NativePassword} {
		t.Run(plugin, func(t *testing.T) {
			s := startServer(t, Config{AuthPlugin: plugin})
			openDB(t, s, "")
			for _, up := range [][2]string{{"root", "wrong"}, {"root", ""}, {"nobody", rootPassword}} {
				db, err := sql.Open("mysql", dsn(s, up[0], up[1], ""))
				require.NoError(t, err)
				err = db.Ping()
				_ = db.Close()
				code, state := mysqlCode(t, err)
				require.Equal(t, uint16(1045), code, "%v", up)
				require.Equal(t, "28000", state)
			}
		})
	}
}

// TestRootAccount: root is created at first start only, and never silently without a password.
func TestRootAccount(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, catalog.NewMemMetaStore())
	require.NoError(t, err)
	eng := &session.Engine{Catalog: cat}
	_, err = New(ctx, Config{Addr: "127.0.0.1:0", Engine: eng})
	require.ErrorContains(t, err, "root password")

	s, err := New(ctx, Config{Addr: "127.0.0.1:0", Engine: eng, RootPassword: "first"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = New(ctx, Config{Addr: "127.0.0.1:0", Engine: eng, RootPassword: "second"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	u, ok, err := cat.User(ctx, "root")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, u.CheckPassword("first"))

	cat2, err := catalog.Open(ctx, catalog.NewMemMetaStore())
	require.NoError(t, err)
	s = startServer(t, Config{Engine: &session.Engine{Catalog: cat2}, AllowEmptyRootPassword: true})
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(%s)/", s.Addr()))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Ping())
}

// TestPingAndGarbage: COM_PING answers, and a client sending garbage loses only its own
// connection.
func TestPingAndGarbage(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	require.NoError(t, db.PingContext(context.Background()))

	c, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	_, _ = c.Write([]byte("\xff\xff\xff\x00GET / HTTP/1.1\r\n\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			break // the server hung up on it
		}
	}
	_ = c.Close()
	require.NoError(t, db.Ping())
	var one int
	require.NoError(t, db.QueryRow("select 1").Scan(&one))
}

// connectionOf returns the id of the one connection of s running a statement.
func runningConnection(t testing.TB, s *Server) uint32 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for id, c := range s.conns {
			c.mu.Lock()
			running := c.stmtCancel != nil
			c.mu.Unlock()
			if running {
				s.mu.Unlock()
				return id
			}
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no statement started")
	return 0
}

// longQuery is a statement that runs for many seconds: a join that produces 4·10^8 pairs.
const longQuery = "select count(*) from tk a join tk b on a.g = b.g join tk c on b.g = c.g"

func setupLong(t testing.TB, db *sql.DB) {
	t.Helper()
	_, err := db.Exec("create table if not exists tk (k int primary key, g int)")
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRow("select count(*) from tk").Scan(&n))
	if n > 0 {
		return
	}
	var b strings.Builder
	b.WriteString("insert into tk values ")
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(" + strconv.Itoa(i) + "," + strconv.Itoa(i%2) + ")")
	}
	_, err = db.Exec(b.String())
	require.NoError(t, err)
}

// TestKillQuery: KILL QUERY from another connection interrupts a running query with 1317 and
// the connection serves the next one; KILL closes the connection.
func TestKillQuery(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	setupLong(t, db)
	ctx := context.Background()
	victim, err := db.Conn(ctx)
	require.NoError(t, err)
	defer victim.Close()

	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		var n int64
		errc <- victim.QueryRowContext(ctx, longQuery).Scan(&n)
	}()
	id := runningConnection(t, s)
	time.Sleep(100 * time.Millisecond) // let it reach the nodes
	_, err = db.Exec(fmt.Sprintf("KILL QUERY %d", id))
	require.NoError(t, err)
	select {
	case err = <-errc:
	case <-time.After(20 * time.Second):
		t.Fatal("KILL QUERY did not stop the query")
	}
	code, _ := mysqlCode(t, err)
	require.Equal(t, uint16(1317), code, "%v", err)
	t.Logf("query killed after %v", time.Since(start))
	var one int
	require.NoError(t, victim.QueryRowContext(ctx, "select 1").Scan(&one))

	_, err = db.Exec("KILL QUERY 4000000")
	code, _ = mysqlCode(t, err)
	require.Equal(t, uint16(errNoSuchThread), code)

	// KILL of a connection while it runs a query: the query stops and the connection is gone.
	go func() {
		var n int64
		errc <- victim.QueryRowContext(ctx, longQuery).Scan(&n)
	}()
	id = runningConnection(t, s)
	_, err = db.Exec(fmt.Sprintf("KILL %d", id))
	require.NoError(t, err)
	select {
	case err = <-errc:
		require.Error(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("KILL did not stop the connection")
	}
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.conns[id]
		return !ok
	}, 10*time.Second, 10*time.Millisecond)
}

// TestCloseCancels: Close interrupts running queries and waits for their connections.
func TestCloseCancels(t *testing.T) {
	s, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Engine: testDB.Engine, RootPassword: rootPassword})
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	db := openDB(t, s, "")
	setupLong(t, db)
	errc := make(chan error, 1)
	go func() {
		var n int64
		errc <- db.QueryRow(longQuery).Scan(&n)
	}()
	runningConnection(t, s)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return")
	}
	require.Error(t, <-errc)
	require.NoError(t, <-served)
}

// TestTLS: a TLS client logs in with either plugin; a server requiring TLS refuses plain ones.
func TestTLS(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	require.NoError(t, mysql.RegisterTLSConfig("copvec-test", clientTLS))
	s := startServer(t, Config{TLS: serverTLS, RequireTLS: true})
	db := openDB(t, s, "tls=copvec-test")
	var one int
	require.NoError(t, db.QueryRow("select 1").Scan(&one))

	plain, err := sql.Open("mysql", dsn(s, "root", rootPassword, "tls=false"))
	require.NoError(t, err)
	defer plain.Close()
	require.Error(t, plain.Ping())

	ns := startServer(t, Config{TLS: serverTLS, AuthPlugin: NativePassword})
	ndb := openDB(t, ns, "tls=copvec-test")
	require.NoError(t, ndb.QueryRow("select 1").Scan(&one))
}

// testCerts makes a self-signed certificate for 127.0.0.1 and the configs that use it.
func testCerts(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "copvec test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}

// TestUserStatements: CREATE, ALTER and DROP USER change who can log in.
func TestUserStatements(t *testing.T) {
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	login := func(user, password string) error {
		udb, err := sql.Open("mysql", dsn(s, user, password, ""))
		require.NoError(t, err)
		defer udb.Close()
		return udb.Ping()
	}
	_, err := db.Exec("create user app identified by 'app-pw'")
	require.NoError(t, err)
	require.NoError(t, login("app", "app-pw"))
	_, err = db.Exec("create user app identified by 'x'")
	code, _ := mysqlCode(t, err)
	require.Equal(t, uint16(1396), code)
	_, err = db.Exec("create user if not exists app identified by 'x'")
	require.NoError(t, err)
	require.NoError(t, login("app", "app-pw"), "IF NOT EXISTS keeps the account")

	_, err = db.Exec("alter user 'app'@'%' identified with mysql_native_password by 'new-pw'")
	require.NoError(t, err)
	require.Error(t, login("app", "app-pw"))
	require.NoError(t, login("app", "new-pw"))

	_, err = db.Exec("drop user app")
	require.NoError(t, err)
	code, _ = mysqlCode(t, login("app", "new-pw"))
	require.Equal(t, uint16(1045), code)
	_, err = db.Exec("drop user root")
	code, _ = mysqlCode(t, err)
	require.Equal(t, uint16(1396), code)
	_, err = db.Exec("create user 'h'@'10.0.0.1' identified by 'x'")
	code, _ = mysqlCode(t, err)
	require.Equal(t, uint16(1235), code)
}

// TestPanicBecomesError: a panic in a command is answered with an error packet (1105), not a
// dead server.
func TestPanicBecomesError(t *testing.T) {
	h := &handler{srv: &Server{log: slog.New(slog.DiscardHandler)}}
	err := func() (err error) {
		defer h.recoverTo(&err)
		var rows [][]int
		return fmt.Errorf("unreachable: %d", rows[0][0]) // index out of range
	}()
	code, state := mysqlCode(t, sqlToDriverError(err))
	require.Equal(t, uint16(1105), code)
	require.Equal(t, "HY000", state)
}

// sqlToDriverError converts vitess's error to the driver's, as the client would decode it.
func sqlToDriverError(err error) error {
	var se *sqlerror.SQLError
	if !errors.As(err, &se) {
		return err
	}
	me := &mysql.MySQLError{Number: uint16(se.Number()), Message: se.Message}
	copy(me.SQLState[:], se.SQLState())
	return me
}
