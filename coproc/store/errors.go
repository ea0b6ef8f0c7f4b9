package store

import (
	"errors"
	"fmt"
)

// Errors callers can test for with errors.Is.
var (
	// ErrCorrupt marks stored bytes that do not decode.
	ErrCorrupt = errors.New("store: corrupt data")
	// ErrWriteConflict means a write's commit timestamp is not newer than an existing version.
	ErrWriteConflict = errors.New("store: write conflict")
	// ErrClosed is returned by operations on a closed store, snapshot or scanner.
	ErrClosed = errors.New("store: closed")
	// ErrRegionNotFound means no region has the requested ID or holds the requested key.
	ErrRegionNotFound = errors.New("store: region not found")
	// ErrEpochNotMatch means a request carried a stale region epoch.
	ErrEpochNotMatch = errors.New("store: region epoch not match")
	// ErrKeyNotInRegion means a key or range lies outside the region it was sent to.
	ErrKeyNotInRegion = errors.New("store: key not in region")
)

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrCorrupt)
}

// DuplicateKeyError is returned by Insert for a row whose handle is already live in the table, or
// appears twice among the rows inserted at one commit timestamp.
type DuplicateKeyError struct {
	TableID int64
	Handle  int64
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("store: duplicate handle %d in table %d", e.Handle, e.TableID)
}
