// Package expr holds copvec's scalar expressions: a small tree of Column, Constant and
// ScalarFunction nodes whose constructors type-check their arguments and infer result types, and a
// compiler that turns a tree into a vectorized Evaluator running on whole chunks.
//
// # Functions
//
//	plus minus mul div mod      numbers (BOOL, INT64, DECIMAL, FLOAT64) → number
//	eq ne lt le gt ge           two values of compatible types → BOOL
//	and or (2+ args), not       BOOL → BOOL, three-valued
//	isnull isnotnull            any → BOOL, never NULL
//	in(x, items...)             x = some item → BOOL (NULL when no match and a NULL around)
//	between(x, low, high)       low ≤ x ≤ high → BOOL
//	like notlike(s, pattern)    STRING, constant STRING pattern → BOOL
//	case(w1, t1, ..., [else])   BOOL conditions, values of compatible types → their common type
//	extract_year/_month/_day    DATE or TIMESTAMP → INT64
//	substring(s, pos[, len])    STRING, INT64, INT64 → STRING
//	date_add_/date_sub_ day/month/year (d, n)   DATE, INT64 → DATE
//	cast                        numbers ↔ numbers, DATE ↔ TIMESTAMP, STRING → any but BOOL,
//	                            any → STRING (NewCast)
//
// # Typing
//
// Function names are stable strings, because the coprocessor protocol carries them (see the
// Func* constants). Constructors coerce arguments by inserting explicit "cast" nodes, so the
// evaluator (and the reference evaluator in runtime/reftest) never converts implicitly:
//   - anything combined with FLOAT64 becomes FLOAT64;
//   - INT64 combined with DECIMAL becomes DECIMAL(18,0) first (values beyond 18 digits fail the
//     cast with an overflow error), except that an INT64 literal is typed by its digits, as MySQL
//     types literals (5 is DECIMAL(1,0)), so "price > 5" does not widen the column's type;
//   - decimals of different scales are rescaled to the larger scale;
//   - DATE combined with TIMESTAMP becomes TIMESTAMP; BOOL mixed with numbers counts as 0 or 1;
//   - STRING combined with DATE, TIMESTAMP or a number is parsed as that type (bad text is an error).
//
// DECIMAL results follow MySQL/TiDB, capped at precision 18 (a scaled int64): plus and minus keep
// the larger scale and gain one integer digit; mul adds the scales (an error at compile time when
// the sum passes 18); div has the dividend's scale plus 4 (capped at 18) and rounds half away from
// zero; INT64 / INT64 is a DECIMAL of scale 4, as in MySQL.
//
// # Semantics
//
// NULL propagates through every function except and, or, in, between, case, isnull and isnotnull,
// which follow SQL's three-valued logic. Division or modulo by zero is NULL (MySQL). Overflow of
// INT64 arithmetic, of a DECIMAL result's precision, or of a cast is an error naming the operation.
// FLOAT64 arithmetic is IEEE (infinities and NaN flow through); comparisons of floats use
// chunk.CompareFloat64's total order (NaN equals NaN and sorts after +Inf).
//
// Evaluation is lazy where SQL's short-circuit reading allows it, and the evaluator and the
// reference agree exactly on which rows are evaluated, so they also agree on errors:
//   - and evaluates an argument only on rows no earlier argument made FALSE; or only on rows no
//     earlier argument made TRUE; case evaluates a WHEN only on rows no earlier WHEN matched and a
//     THEN only on the rows its WHEN matched (TRUE);
//   - as a filter (EvalFilter, a WHERE clause) and and or stop at the first argument that decides
//     the row's fate: and keeps evaluating only rows still TRUE, or only rows not yet TRUE;
//   - every other function evaluates all its arguments on every live row.
//
// STRING is binary: like and notlike compare bytes (case-sensitive, a binary collation, unlike
// MySQL's default case-insensitive one), "_" matches one byte, "%" any run of bytes and "\" escapes
// the next pattern byte; substring counts bytes, with MySQL's rules for positions (1-based,
// negative from the end, 0 yields "").
//
// Date arithmetic (date_add_day and friends) yields NULL outside 0001-01-01..9999-12-31, as MySQL's
// DATE_ADD does; month and year steps clamp the day to the end of the month.
package expr
