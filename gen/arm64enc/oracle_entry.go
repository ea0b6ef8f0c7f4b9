package arm64enc

// Entry is one instruction of the oracle table and the word GNU as assembled it to.
type Entry struct {
	Text string
	Word uint32
}

// InOracle reports whether text is in the oracle table, i.e. its encoding was checked against
// binutils.
func InOracle(text string) bool {
	for _, e := range Oracle {
		if e.Text == text {
			return true
		}
	}
	return false
}
