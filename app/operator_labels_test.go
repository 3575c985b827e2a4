package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// Every action has words an operator reads when the role refuses it ("A trainer may not
// acknowledge alarms"), never its internal code: the constants are read from the source,
// so a new action without a label fails here.
func TestEveryActionHasALabel(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "operator.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(x ast.Node) bool {
		vs, ok := x.(*ast.ValueSpec)
		if !ok || vs.Type == nil {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
			return true
		}
		for _, v := range vs.Values {
			lit, ok := v.(*ast.BasicLit)
			if !ok {
				continue
			}
			code, _ := strconv.Unquote(lit.Value)
			n++
			assert.NotEqual(t, code, app.Action(code).Label(), "the action %s has no label", code)
		}
		return true
	})
	assert.GreaterOrEqual(t, n, 12, "the actions were found")
}
