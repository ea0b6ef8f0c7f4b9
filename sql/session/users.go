package session

import (
	"context"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/auth"

	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// errCannotUser is MySQL's ER_CANNOT_USER: "Operation CREATE USER failed for 'u'@'%'".
const errCannotUser = 1396

// users runs CREATE USER, ALTER USER and DROP USER against the catalog's accounts (the MySQL
// protocol server logs in against them). There are no privileges yet: every account may do
// everything, these statements included.
func (s *Session) users(ctx context.Context, st ast.StmtNode) (*Result, error) {
	switch x := st.(type) {
	case *ast.CreateUserStmt:
		if x.IsCreateRole {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "roles are not supported")
		}
		for _, spec := range x.Specs {
			u, err := accountOf(spec)
			if err != nil {
				return nil, err
			}
			wrote, err := s.eng.Catalog.PutUser(ctx, u, false)
			if err != nil {
				return nil, err
			}
			if !wrote && !x.IfNotExists {
				return nil, cannotUser("CREATE USER", spec.User)
			}
		}
	case *ast.AlterUserStmt:
		if x.CurrentAuth != nil {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "ALTER USER USER() is not supported")
		}
		for _, spec := range x.Specs {
			u, err := accountOf(spec)
			if err != nil {
				return nil, err
			}
			if _, ok, err := s.eng.Catalog.User(ctx, u.Name); err != nil {
				return nil, err
			} else if !ok {
				if x.IfExists {
					continue
				}
				return nil, cannotUser("ALTER USER", spec.User)
			}
			if spec.AuthOpt == nil {
				continue // nothing but options copvec does not keep
			}
			if _, err := s.eng.Catalog.PutUser(ctx, u, true); err != nil {
				return nil, err
			}
		}
	case *ast.DropUserStmt:
		if x.IsDropRole {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "roles are not supported")
		}
		for _, id := range x.UserList {
			if err := checkHost(id); err != nil {
				return nil, err
			}
			// Without privileges there is no other way back in: root stays.
			if strings.EqualFold(id.Username, "root") {
				return nil, cannotUser("DROP USER", id)
			}
			existed, err := s.eng.Catalog.DropUser(ctx, id.Username)
			if err != nil {
				return nil, err
			}
			if !existed && !x.IfExists {
				return nil, cannotUser("DROP USER", id)
			}
		}
	}
	return &Result{}, nil
}

func accountOf(spec *ast.UserSpec) (catalog.User, error) {
	if err := checkHost(spec.User); err != nil {
		return catalog.User{}, err
	}
	if spec.User.CurrentUser {
		return catalog.User{}, mysqlerr.New(mysqlerr.ErNotSupported, "CURRENT_USER() is not supported here")
	}
	password := ""
	if o := spec.AuthOpt; o != nil {
		if o.ByHashString {
			return catalog.User{}, mysqlerr.New(mysqlerr.ErNotSupported, "IDENTIFIED ... AS 'hash' is not supported; use IDENTIFIED BY 'password'")
		}
		// Whatever plugin is named, both hashes are kept and either plugin logs in.
		password = o.AuthString
	}
	return catalog.NewUser(spec.User.Username, password), nil
}

// checkHost accepts the any-host pattern only: accounts carry no host matching yet.
func checkHost(id *auth.UserIdentity) error {
	if id.Hostname != "" && id.Hostname != "%" {
		return mysqlerr.New(mysqlerr.ErNotSupported, "accounts for host '%s' are not supported; use '%%'", id.Hostname)
	}
	return nil
}

func cannotUser(op string, id *auth.UserIdentity) error {
	return mysqlerr.New(errCannotUser, "Operation %s failed for '%s'@'%%'", op, id.Username)
}
