package arm64enc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Binutils names the GNU tools that produce the oracle words.
const (
	GNUAs      = "aarch64-linux-gnu-as"
	GNUObjcopy = "aarch64-linux-gnu-objcopy"
	// BinutilsPackage is the Debian/Ubuntu package that installs them.
	BinutilsPackage = "binutils-aarch64-linux-gnu"
)

// ErrNoBinutils means the aarch64 binutils are not installed.
var ErrNoBinutils = errors.New("arm64enc: " + GNUAs + " not found; install package " + BinutilsPackage)

// Assemble encodes each instruction with GNU as and returns the words in order. It returns
// ErrNoBinutils when the tools are missing.
func Assemble(ctx context.Context, texts []string) ([]uint32, error) {
	as, err := exec.LookPath(GNUAs)
	if err != nil {
		return nil, ErrNoBinutils
	}
	objcopy, err := exec.LookPath(GNUObjcopy)
	if err != nil {
		return nil, ErrNoBinutils
	}
	dir, err := os.MkdirTemp("", "arm64enc")
	if err != nil {
		return nil, fmt.Errorf("arm64enc: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	src, obj, bin := filepath.Join(dir, "in.s"), filepath.Join(dir, "in.o"), filepath.Join(dir, "in.bin")
	if err := os.WriteFile(src, []byte(strings.Join(texts, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("arm64enc: write source: %w", err)
	}
	for _, cmd := range [][]string{{as, "-o", obj, src}, {objcopy, "-O", "binary", "-j", ".text", obj, bin}} {
		var stderr bytes.Buffer
		c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
		c.Stderr = &stderr
		if err := c.Run(); err != nil {
			return nil, fmt.Errorf("arm64enc: %s: %w: %s", filepath.Base(cmd[0]), err, stderr.String())
		}
	}
	raw, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("arm64enc: read words: %w", err)
	}
	if len(raw) != 4*len(texts) {
		return nil, fmt.Errorf("arm64enc: got %d bytes of code for %d instructions", len(raw), len(texts))
	}
	words := make([]uint32, len(texts))
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	return words, nil
}
