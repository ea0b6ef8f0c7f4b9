package physical

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// formatExpr prints e as TiDB's EXPLAIN does, naming columns with names.
func formatExpr(e expr.Expr, names func(int) string) string {
	switch x := e.(type) {
	case *expr.Column:
		return names(x.Index)
	case *expr.Constant:
		if x.Value.Null {
			return "NULL"
		}
		if x.Value.Type.Kind == chunk.KindString {
			return fmt.Sprintf("%q", x.Value.S)
		}
		return x.Value.String()
	case *expr.ScalarFunction:
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			parts[i] = formatExpr(a, names)
		}
		if x.Name == expr.FuncCast {
			return fmt.Sprintf("cast(%s, %s)", parts[0], x.RetType)
		}
		return x.Name + "(" + strings.Join(parts, ", ") + ")"
	}
	return e.String()
}

func joinExprs(es []expr.Expr, names func(int) string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = formatExpr(e, names)
	}
	return strings.Join(parts, ", ")
}

func aggString(a logical.AggCall, names func(int) string, final bool) string {
	name := a.Func.String()
	arg := ""
	switch a.Func {
	case agg.CountStar:
		name, arg = "count", "1"
	case agg.CountDistinct:
		name, arg = "count", "distinct "+formatExpr(a.Arg, names)
	default:
		arg = formatExpr(a.Arg, names)
	}
	if final {
		arg = names(a.Out.ID)
		if a.Func == agg.CountStar || a.Func == agg.CountDistinct {
			name = "count"
		}
	}
	return fmt.Sprintf("%s(%s)->%s", name, arg, names(a.Out.ID))
}

func topNInfo(keys []logical.SortKey, names func(int) string, offset, count uint64) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = formatExpr(k.Expr, names)
		if k.Desc {
			parts[i] += ":desc"
		}
	}
	return fmt.Sprintf("%s, offset:%d, count:%d", strings.Join(parts, ", "), offset, count)
}
