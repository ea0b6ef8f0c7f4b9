// Empty: lets gen.go declare go-tpc functions it reaches with go:linkname without bodies.
