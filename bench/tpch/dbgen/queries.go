package dbgen

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"strconv"
	"strings"
)

//go:embed queries/*.sql
var queryFiles embed.FS

//go:embed testdata/answers
var answerFiles embed.FS

// Query returns the text of TPC-H query n (1..22) with the specification's validation
// parameters; Q15's text holds several statements (see Statements).
func Query(n int) string {
	b, err := queryFiles.ReadFile(fmt.Sprintf("queries/q%d.sql", n))
	if err != nil {
		panic(fmt.Sprintf("dbgen: no query %d", n))
	}
	return string(b)
}

// Statements returns query n's statements: one for every query but Q15 (create view, select,
// drop view).
func Statements(n int) []string {
	var out []string
	for _, s := range strings.Split(Query(n), ";") {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// ReadAnswer returns DuckDB's answer to query n at SF 0.01: the column names and the rows, as
// written by bench/duckdb (tab-separated, NULL for NULL).
func ReadAnswer(n int) (header []string, rows [][]string, err error) {
	return ReadAnswerAt(0.01, n)
}

// ErrNoAnswer is returned (wrapped) by ReadAnswerAt for a scale factor without golden answers.
var ErrNoAnswer = errors.New("dbgen: no golden answer")

// HasAnswers reports whether DuckDB's answers at scale factor sf are committed (SF 0.01 and 0.1).
func HasAnswers(sf float64) bool {
	_, err := fs.Stat(answerFiles, answerDir(sf))
	return err == nil
}

func answerDir(sf float64) string {
	return "testdata/answers/sf" + strconv.FormatFloat(sf, 'f', -1, 64)
}

// ReadAnswerAt returns DuckDB's answer to query n at scale factor sf (see ReadAnswer); the error
// wraps ErrNoAnswer when the answers of sf are not committed.
func ReadAnswerAt(sf float64, n int) (header []string, rows [][]string, err error) {
	b, err := answerFiles.ReadFile(fmt.Sprintf("%s/q%d.tsv", answerDir(sf), n))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: q%d at SF %v: %w (bench/duckdb's answers command writes them)", ErrNoAnswer, n, sf, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	header = strings.Split(lines[0], "\t")
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return header, rows, nil
}

// CompareAnswer compares a result with the reference row by row. Text must match exactly;
// where both cells are numbers they must agree once the more precise is rounded to the other's
// digits after the point, within one unit of the last kept digit (a DOUBLE from one engine, a
// DECIMAL from the other).
func CompareAnswer(want, got [][]string) error {
	if len(want) != len(got) {
		return fmt.Errorf("%d rows, want %d", len(got), len(want))
	}
	var errs []error
	for i := range want {
		if len(want[i]) != len(got[i]) {
			return fmt.Errorf("row %d has %d columns, want %d", i+1, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if !cellEqual(want[i][j], got[i][j]) {
				errs = append(errs, fmt.Errorf("row %d column %d: got %q, want %q", i+1, j+1, got[i][j], want[i][j]))
				if len(errs) >= 10 {
					return errors.Join(errs...)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func scaleOf(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 && !strings.ContainsAny(s, "eE") {
		return len(s) - i - 1
	}
	return -1
}

func cellEqual(a, b string) bool {
	if a == b {
		return true
	}
	x, okA := new(big.Rat).SetString(a)
	y, okB := new(big.Rat).SetString(b)
	if !okA || !okB {
		return false
	}
	sa, sb := scaleOf(a), scaleOf(b)
	digits := min(sa, sb)
	if sa < 0 || sb < 0 {
		digits = max(sa, sb)
	}
	if digits < 0 {
		return x.Cmp(y) == 0
	}
	unit := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
	diff := new(big.Rat).Sub(x, y)
	diff.Abs(diff)
	return diff.Cmp(unit) <= 0
}
