package kernels

import (
	"os"
	"sync/atomic"
)

// Level names of the kernel implementations.
const (
	LevelGeneric = "generic"
	LevelAVX2    = "avx2"
	LevelNEON    = "neon"
)

// dispatchState is the table every exported kernel calls through and the name of its level.
type dispatchState struct {
	prims *primitives
	level string
}

var (
	// state is swapped atomically so that the ForceGeneric test hook is race-free.
	state = func() *atomic.Pointer[dispatchState] {
		var p atomic.Pointer[dispatchState]
		p.Store(&dispatchState{prims: &genericPrimitives, level: LevelGeneric})
		return &p
	}()
	// simd is the best table the CPU supports, kept so ForceGeneric(false) can restore it.
	simd      = &genericPrimitives
	simdLevel = LevelGeneric
	// envGeneric is COPVEC_KERNELS=generic, read before any init function runs.
	envGeneric = os.Getenv("COPVEC_KERNELS") == LevelGeneric
)

// prims is the active primitive table.
func prims() *primitives { return state.Load().prims }

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
		state.Store(&dispatchState{prims: simd, level: name})
	}
}

// Level reports which implementation the kernels use: "avx2", "neon" or "generic".
func Level() string { return state.Load().level }

// ForceGeneric switches every kernel to the pure-Go implementation (true) or back to the best one
// the CPU supports (false, unless COPVEC_KERNELS=generic). It is a test hook; calls made while it
// switches use either table, both of which give identical results. Unlike the other test hooks
// (exec.Knobs, node and coordinator Config.Knobs) it stays a process-wide switch, because dispatch
// is process-wide: tests that flip it must not run in parallel with each other.
func ForceGeneric(on bool) {
	if on || envGeneric {
		state.Store(&dispatchState{prims: &genericPrimitives, level: LevelGeneric})
		return
	}
	state.Store(&dispatchState{prims: simd, level: simdLevel})
}
