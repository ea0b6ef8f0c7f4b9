package server

import (
	"context"
	"net"
	"time"

	"vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/copvec/copvec/sql/catalog"
)

// authTimeout bounds the catalog read of one login.
const authTimeout = 10 * time.Second

// authServer checks logins against the catalog's accounts.
type authServer struct {
	cat     *catalog.Catalog
	methods []mysql.AuthMethod
	def     mysql.AuthMethodDescription
}

func newAuthServer(cat *catalog.Catalog, def mysql.AuthMethodDescription) *authServer {
	a := &authServer{cat: cat, def: def}
	sha2 := &sha2Method{auth: a}
	native := mysql.NewMysqlNativeAuthMethod(a, a)
	// The first method is the one an auth switch proposes when the client asked for neither.
	if def == mysql.MysqlNativePassword {
		a.methods = []mysql.AuthMethod{native, sha2}
	} else {
		a.methods = []mysql.AuthMethod{sha2, native}
	}
	return a
}

// AuthMethods implements mysql.AuthServer.
func (a *authServer) AuthMethods() []mysql.AuthMethod { return a.methods }

// DefaultAuthMethodDescription implements mysql.AuthServer.
func (a *authServer) DefaultAuthMethodDescription() mysql.AuthMethodDescription { return a.def }

// HandleUser implements mysql.UserValidator. Every name is taken on, so an unknown user is
// refused with "access denied" like a wrong password, and nobody learns which names exist.
func (a *authServer) HandleUser(string) bool { return true }

// lookup returns the account user; an unknown account is reported as access denied.
func (a *authServer) lookup(user string, remote net.Addr) (catalog.User, error) {
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	u, ok, err := a.cat.User(ctx, user)
	if err != nil {
		return catalog.User{}, sqlerror.NewSQLErrorf(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState, "read account: %v", err)
	}
	if !ok {
		return catalog.User{}, accessDenied(user, remote, true)
	}
	return u, nil
}

func accessDenied(user string, remote net.Addr, withPassword bool) error {
	host := "%"
	if remote != nil {
		if h, _, err := net.SplitHostPort(remote.String()); err == nil {
			host = h
		}
	}
	using := "NO"
	if withPassword {
		using = "YES"
	}
	return sqlerror.NewSQLErrorf(sqlerror.ERAccessDeniedError, sqlerror.SSAccessDeniedError,
		"Access denied for user '%s'@'%s' (using password: %s)", user, host, using)
}

// UserEntryWithHash implements mysql.HashStorage for mysql_native_password.
func (a *authServer) UserEntryWithHash(_ *mysql.Conn, salt []byte, user string, resp []byte, remote net.Addr) (mysql.Getter, error) {
	u, err := a.lookup(user, remote)
	if err != nil {
		return nil, err
	}
	if !verify(u, resp, func() bool { return mysql.VerifyHashedMysqlNativePassword(resp, salt, u.NativeHash) }) {
		return nil, accessDenied(user, remote, len(resp) > 0)
	}
	return userData{user}, nil
}

// verify checks a scramble: an account without a password takes only an empty answer.
func verify(u catalog.User, resp []byte, check func() bool) bool {
	if u.EmptyPassword() {
		return len(resp) == 0
	}
	return len(resp) > 0 && check()
}

// sha2Method is caching_sha2_password with the catalog as its cache: the catalog holds the
// SHA256(SHA256(password)) the fast path verifies against, for every account, so the full path
// (which needs the password itself, over TLS or RSA) is never needed and plain connections work.
type sha2Method struct{ auth *authServer }

// Name implements mysql.AuthMethod.
func (m *sha2Method) Name() mysql.AuthMethodDescription { return mysql.CachingSha2Password }

// HandleUser implements mysql.AuthMethod.
func (m *sha2Method) HandleUser(*mysql.Conn, string) bool { return true }

// AllowClearTextWithoutTLS implements mysql.AuthMethod: the password never travels in clear.
func (m *sha2Method) AllowClearTextWithoutTLS() bool { return true }

// AuthPluginData implements mysql.AuthMethod: a fresh salt for an auth switch.
func (m *sha2Method) AuthPluginData() ([]byte, error) {
	return mysql.NewMysqlNativeAuthMethod(m.auth, m.auth).AuthPluginData() // the same 20-byte salt + NUL
}

// HandleAuthPluginData implements mysql.AuthMethod.
func (m *sha2Method) HandleAuthPluginData(c *mysql.Conn, user string, serverData, resp []byte, remote net.Addr) (mysql.Getter, error) {
	if len(serverData) == 0 || serverData[len(serverData)-1] != 0 {
		return nil, accessDenied(user, remote, len(resp) > 0)
	}
	salt := serverData[:len(serverData)-1]
	u, err := m.auth.lookup(user, remote)
	if err != nil {
		return nil, err
	}
	if !verify(u, resp, func() bool { return mysql.VerifyHashedCachingSha2Password(resp, salt, u.SHA2Hash) }) {
		return nil, accessDenied(user, remote, len(resp) > 0)
	}
	if len(resp) > 0 {
		// "More data: fast auth success"; the listener's OK packet follows. An empty password
		// gets the OK alone, as MySQL answers it.
		// WritePacket wants room for the packet header in front of the payload.
		pkt := make([]byte, mysql.PacketHeaderSize, mysql.PacketHeaderSize+2)
		pkt = append(pkt, mysql.AuthMoreDataPacket, mysql.CachingSha2FastAuth)
		if err := c.WritePacket(pkt); err != nil {
			return nil, err
		}
	}
	return userData{user}, nil
}

// userData is what vitess keeps of an authenticated user.
type userData struct{ user string }

// Get implements mysql.Getter.
func (u userData) Get() *querypb.VTGateCallerID { return &querypb.VTGateCallerID{Username: u.user} }
