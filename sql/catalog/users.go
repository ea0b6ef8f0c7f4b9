package catalog

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// usersKey is the MetaStore key holding the user accounts. They live beside the schema (not in
// catalog/v1) so a DDL never rewrites the accounts and a password change never rewrites the schema.
const usersKey = "users/v1"

// usersFormatVersion is the version of the persisted user encoding; a newer one is rejected.
const usersFormatVersion = 1

// User is an account of the MySQL protocol server. Only hashes of the password are kept: the
// double SHA-1 that mysql_native_password verifies a scramble against and the double SHA-256 that
// caching_sha2_password's fast path verifies against. Neither lets anyone log in without the
// password (a scramble needs the single hash), which is why MySQL keeps the same values.
type User struct {
	Name string
	// Host is the host pattern; only "%" (any host) is matched today.
	Host string
	// NativeHash is SHA1(SHA1(password)), SHA2Hash is SHA256(SHA256(password)); both nil for an
	// empty password.
	NativeHash []byte
	SHA2Hash   []byte
}

// NewUser returns the account name@'%' with password (empty for no password).
func NewUser(name, password string) User {
	u := User{Name: name, Host: "%"}
	if password != "" {
		s1 := sha1.Sum([]byte(password))
		s2 := sha1.Sum(s1[:])
		u.NativeHash = s2[:]
		h1 := sha256.Sum256([]byte(password))
		h2 := sha256.Sum256(h1[:])
		u.SHA2Hash = h2[:]
	}
	return u
}

// EmptyPassword reports whether the account has no password.
func (u User) EmptyPassword() bool { return len(u.NativeHash) == 0 }

// CheckPassword reports whether password is the account's, in constant time.
func (u User) CheckPassword(password string) bool {
	c := NewUser(u.Name, password)
	return subtle.ConstantTimeCompare(c.NativeHash, u.NativeHash) == 1 &&
		subtle.ConstantTimeCompare(c.SHA2Hash, u.SHA2Hash) == 1
}

type pUsers struct {
	Version int     `json:"version"`
	Users   []pUser `json:"users"`
}

type pUser struct {
	Name   string `json:"name"`
	Host   string `json:"host"`
	Native string `json:"native,omitempty"` // hex
	SHA2   string `json:"sha2,omitempty"`   // hex
}

func (c *Catalog) loadUsers(ctx context.Context) (map[string]User, error) {
	data, ok, err := c.store.GetMeta(ctx, usersKey)
	if err != nil {
		return nil, fmt.Errorf("catalog: users: read %q: %w", usersKey, err)
	}
	out := map[string]User{}
	if !ok {
		return out, nil
	}
	var ps pUsers
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("catalog: users: decode: %w", err)
	}
	if ps.Version != usersFormatVersion {
		return nil, fmt.Errorf("catalog: users: format version %d, this build reads %d", ps.Version, usersFormatVersion)
	}
	for _, p := range ps.Users {
		u := User{Name: p.Name, Host: p.Host}
		if u.NativeHash, err = hex.DecodeString(p.Native); err != nil {
			return nil, fmt.Errorf("catalog: users: %q native hash: %w", p.Name, err)
		}
		if u.SHA2Hash, err = hex.DecodeString(p.SHA2); err != nil {
			return nil, fmt.Errorf("catalog: users: %q sha2 hash: %w", p.Name, err)
		}
		if len(u.NativeHash) == 0 {
			u.NativeHash, u.SHA2Hash = nil, nil
		}
		out[strings.ToLower(u.Name)] = u
	}
	return out, nil
}

func (c *Catalog) storeUsers(ctx context.Context, users map[string]User) error {
	ps := pUsers{Version: usersFormatVersion}
	for _, u := range users {
		ps.Users = append(ps.Users, pUser{Name: u.Name, Host: u.Host,
			Native: hex.EncodeToString(u.NativeHash), SHA2: hex.EncodeToString(u.SHA2Hash)})
	}
	sort.Slice(ps.Users, func(i, j int) bool { return ps.Users[i].Name < ps.Users[j].Name })
	data, err := json.Marshal(ps)
	if err != nil {
		return fmt.Errorf("catalog: users: encode: %w", err)
	}
	if err := c.store.PutMeta(ctx, usersKey, data); err != nil {
		return fmt.Errorf("catalog: users: persist: %w", err)
	}
	return nil
}

// User returns the account name (user names compare case-insensitively) and whether it exists.
// It reads the MetaStore, so an account changed by another catalog on the same store is seen.
func (c *Catalog) User(ctx context.Context, name string) (User, bool, error) {
	users, err := c.loadUsers(ctx)
	if err != nil {
		return User{}, false, err
	}
	u, ok := users[strings.ToLower(name)]
	return u, ok, nil
}

// Users returns every account, by name.
func (c *Catalog) Users(ctx context.Context) ([]User, error) {
	users, err := c.loadUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(users))
	for _, u := range users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// PutUser creates the account u or, when replace is set, replaces an existing one. It reports
// whether it wrote: without replace an existing account is left alone (the root account's
// password is set at first start only).
func (c *Catalog) PutUser(ctx context.Context, u User, replace bool) (bool, error) {
	if u.Name == "" {
		return false, fmt.Errorf("catalog: users: empty user name")
	}
	// The schema lock also orders account writes: they are rare and must not interleave their
	// read-modify-write of the one key.
	c.mu.Lock()
	defer c.mu.Unlock()
	users, err := c.loadUsers(ctx)
	if err != nil {
		return false, err
	}
	key := strings.ToLower(u.Name)
	if _, ok := users[key]; ok && !replace {
		return false, nil
	}
	users[key] = u
	if err := c.storeUsers(ctx, users); err != nil {
		return false, err
	}
	return true, nil
}

// DropUser removes the account name and reports whether it existed.
func (c *Catalog) DropUser(ctx context.Context, name string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	users, err := c.loadUsers(ctx)
	if err != nil {
		return false, err
	}
	key := strings.ToLower(name)
	if _, ok := users[key]; !ok {
		return false, nil
	}
	delete(users, key)
	if err := c.storeUsers(ctx, users); err != nil {
		return false, err
	}
	return true, nil
}
