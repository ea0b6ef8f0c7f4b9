package kernels

import "os"

// Level names of the kernel implementations.
const (
	LevelGeneric = "generic"
	LevelAVX2    = "avx2"
	LevelNEON    = "neon"
)

var (
	// active is the table every exported kernel calls through.
	active = &genericPrimitives
	// simd is the best table the CPU supports, kept so ForceGeneric(false) can restore it.
	simd      = &genericPrimitives
	simdLevel = LevelGeneric
	level     = LevelGeneric
	// envGeneric is COPVEC_KERNELS=generic, read before any init function runs.
	envGeneric = os.Getenv("COPVEC_KERNELS") == LevelGeneric
)

// registerArch is called from an architecture's init: when supported, it copies the generic table,
// lets install replace primitives, and makes the result active unless COPVEC_KERNELS=generic.
func registerArch(name string, supported bool, install func(p *primitives)) {
	if !supported {
		return
	}
	p := genericPrimitives
	install(&p)
	simd, simdLevel = &p, name
	if !envGeneric {
		active, level = simd, name
	}
}

// Level reports which implementation the kernels use: "avx2", "neon" or "generic".
func Level() string { return level }

// ForceGeneric switches every kernel to the pure-Go implementation (true) or back to the best one
// the CPU supports (false, unless COPVEC_KERNELS=generic). It is a test hook: do not call it while
// kernels run on other goroutines.
func ForceGeneric(on bool) {
	if on || envGeneric {
		active, level = &genericPrimitives, LevelGeneric
		return
	}
	active, level = simd, simdLevel
}
