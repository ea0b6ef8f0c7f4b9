package dbgen

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/sql/parser"
)

func TestQueriesParse(t *testing.T) {
	for n := 1; n <= 22; n++ {
		for _, st := range Statements(n) {
			_, err := parser.New().ParseOne(st)
			require.NoError(t, err, "q%d", n)
		}
	}
	require.Len(t, Statements(15), 3)
}

func TestCompareAnswer(t *testing.T) {
	require.NoError(t, CompareAnswer([][]string{{"A", "1.50", "3"}}, [][]string{{"A", "1.5000", "3"}}))
	require.NoError(t, CompareAnswer([][]string{{"38.2735369"}}, [][]string{{"38.273537"}}))
	require.NoError(t, CompareAnswer([][]string{{"0.0500"}}, [][]string{{"0.05"}}))
	require.Error(t, CompareAnswer([][]string{{"1.50"}}, [][]string{{"1.52"}}))
	require.Error(t, CompareAnswer([][]string{{"A"}}, [][]string{{"a"}}))
	require.Error(t, CompareAnswer([][]string{{"1"}}, [][]string{{"1"}, {"2"}}))
	require.Error(t, CompareAnswer([][]string{{"3"}}, [][]string{{"4"}}))
	require.Error(t, CompareAnswer([][]string{{"NULL"}}, [][]string{{"0"}}))
}

// TestAnswersAt checks that both committed scale factors have all 22 answers with a header and
// that a scale factor without answers says so with ErrNoAnswer.
func TestAnswersAt(t *testing.T) {
	for _, sf := range []float64{0.01, 0.1} {
		require.True(t, HasAnswers(sf), "SF %v", sf)
		for n := 1; n <= 22; n++ {
			header, _, err := ReadAnswerAt(sf, n)
			require.NoError(t, err, "q%d at SF %v", n, sf)
			require.NotEmpty(t, header)
		}
	}
	require.False(t, HasAnswers(0.5))
	_, _, err := ReadAnswerAt(0.5, 1)
	require.ErrorIs(t, err, ErrNoAnswer)
}
