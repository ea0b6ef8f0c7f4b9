package catalog

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUsersPersistHashed(t *testing.T) {
	ctx := context.Background()
	store := NewMemMetaStore()
	c, err := Open(ctx, store)
	require.NoError(t, err)

	_, ok, err := c.User(ctx, "root")
	require.NoError(t, err)
	require.False(t, ok)

	wrote, err := c.PutUser(ctx, NewUser("root", "s3cret"), false)
	require.NoError(t, err)
	require.True(t, wrote)
	// First start only: an existing account is kept without replace.
	wrote, err = c.PutUser(ctx, NewUser("root", "other"), false)
	require.NoError(t, err)
	require.False(t, wrote)

	raw, _, err := store.GetMeta(ctx, usersKey)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "s3cret")

	// A catalog reopened on the store sees the account.
	c2, err := Open(ctx, store)
	require.NoError(t, err)
	u, ok, err := c2.User(ctx, "ROOT")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, u.CheckPassword("s3cret"))
	require.False(t, u.CheckPassword("other"))
	require.False(t, u.EmptyPassword())

	_, err = c2.PutUser(ctx, NewUser("app", ""), true)
	require.NoError(t, err)
	users, err := c2.Users(ctx)
	require.NoError(t, err)
	require.Len(t, users, 2)
	require.Equal(t, "app", users[0].Name)
	require.True(t, users[0].EmptyPassword())
	require.True(t, users[0].CheckPassword(""))
}
