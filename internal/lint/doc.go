// Package lint holds repository-wide checks that run as tests: today the import rules of
// ARCHITECTURE.md ("The layers"), evaluated over `go list -deps` so a layering break fails
// `go test ./...` instead of waiting for a reviewer to notice.
package lint
