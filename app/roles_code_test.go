package app_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Reading the core's own source (go/ast), so that the role table cannot fall behind it: the
// exported functions and methods that take an operator (*Operator), and for each the actions
// it checks with Authorize on that operator, directly or through the functions and methods
// of its receiver it hands the operator to (Inventory.MoveCamera → beginEdit(op) →
// Authorize(op, ActEditSite); a helper handed the action too is followed with it).

// coreCode is the app package's source, parsed.
type coreCode struct {
	fset    *token.FileSet
	funcs   map[string]*ast.FuncDecl // "Type.Method" or "Func"
	actions map[string]app.Action    // the Action constants by name
}

// operatorMethod is an exported function or method with an operator parameter.
type operatorMethod struct {
	name     string // "AlarmDesk.Dispatch"
	at       string // file:line
	checks   []app.Action
	problems []string // Authorize calls the reading cannot account for
}

// readCoreCode reads the app package's source (the test runs in its directory).
func readCoreCode(t *testing.T) *coreCode {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	srcs := map[string]any{}
	for _, name := range files {
		if !strings.HasSuffix(name, "_test.go") {
			srcs[name] = nil // read from the file
		}
	}
	c := parseCoreCode(t, srcs)
	require.Contains(t, c.actions, "ActDispatchAlarm", "the Action constants are read")
	return c
}

// parseCoreCode parses files by name (a nil source: read from the file).
func parseCoreCode(t *testing.T, srcs map[string]any) *coreCode {
	t.Helper()
	c := &coreCode{fset: token.NewFileSet(), funcs: map[string]*ast.FuncDecl{}, actions: map[string]app.Action{}}
	for name, src := range srcs {
		f, err := parser.ParseFile(c.fset, name, src, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				c.funcs[funcKey(d)] = d
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
						continue
					}
					for i, n := range vs.Names {
						lit := vs.Values[i].(*ast.BasicLit)
						v, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						c.actions[n.Name] = app.Action(v)
					}
				}
			}
		}
	}
	require.NotEmpty(t, c.funcs, "the source is read")
	return c
}

// funcKey names a declaration: "Type.Method" for a method, the name for a function.
func funcKey(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	return recvType(d) + "." + d.Name.Name
}

func recvType(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return fmt.Sprintf("%T", t)
}

func recvName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 || len(d.Recv.List[0].Names) == 0 {
		return ""
	}
	return d.Recv.List[0].Names[0].Name
}

func isOperatorPointer(e ast.Expr) bool {
	s, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == "Operator"
}

// paramNames lists a declaration's parameters in order ("" for an unnamed one).
func paramNames(d *ast.FuncDecl) []string {
	var out []string
	for _, f := range d.Type.Params.List {
		if len(f.Names) == 0 {
			out = append(out, "")
		}
		for _, n := range f.Names {
			out = append(out, n.Name)
		}
	}
	return out
}

// operatorMethods returns the exported functions and methods with an operator parameter,
// by name. Authorize itself is the check, not a method that needs one.
func (c *coreCode) operatorMethods() map[string]operatorMethod {
	out := map[string]operatorMethod{}
	for key, d := range c.funcs {
		if !d.Name.IsExported() || key == "Authorize" {
			continue
		}
		for _, f := range d.Type.Params.List {
			if !isOperatorPointer(f.Type) || len(f.Names) == 0 {
				continue
			}
			m := operatorMethod{name: key, at: c.fset.Position(d.Pos()).String()}
			acts := map[app.Action]bool{}
			c.scan(d, f.Names[0].Name, nil, acts, &m.problems, 0)
			for a := range acts {
				m.checks = append(m.checks, a)
			}
			sort.Slice(m.checks, func(i, j int) bool { return m.checks[i] < m.checks[j] })
			out[key] = m
			break
		}
	}
	return out
}

// scan collects the actions d checks with Authorize on its parameter op. bound gives the
// actions its other parameters stand for (an Action constant its caller passed).
func (c *coreCode) scan(d *ast.FuncDecl, op string, bound map[string]string, acts map[app.Action]bool, problems *[]string, depth int) {
	if d.Body == nil || depth > 5 {
		return
	}
	action := func(e ast.Expr) (string, bool) {
		id, ok := e.(*ast.Ident)
		if !ok {
			return "", false
		}
		if _, ok := c.actions[id.Name]; ok {
			return id.Name, true
		}
		name, ok := bound[id.Name]
		return name, ok
	}
	ast.Inspect(d.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		where := c.fset.Position(call.Pos()).String()
		if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Authorize" {
			if len(call.Args) != 2 {
				*problems = append(*problems, where+": Authorize with "+strconv.Itoa(len(call.Args))+" arguments")
				return true
			}
			if who, ok := call.Args[0].(*ast.Ident); !ok || who.Name != op {
				*problems = append(*problems, where+": Authorize checks someone other than the operator "+op)
				return true
			}
			name, ok := action(call.Args[1])
			if !ok {
				*problems = append(*problems, where+": cannot tell which action Authorize checks")
				return true
			}
			acts[c.actions[name]] = true
			return true
		}
		// A function of the package, or a method of the same receiver, handed the operator.
		var callee *ast.FuncDecl
		switch f := call.Fun.(type) {
		case *ast.Ident:
			callee = c.funcs[f.Name]
		case *ast.SelectorExpr:
			if x, ok := f.X.(*ast.Ident); ok && d.Recv != nil && x.Name == recvName(d) {
				callee = c.funcs[recvType(d)+"."+f.Sel.Name]
			}
		}
		if callee == nil {
			return true
		}
		params := paramNames(callee)
		calleeOp, calleeBound := "", map[string]string{}
		for i, arg := range call.Args {
			if i >= len(params) {
				break
			}
			if id, ok := arg.(*ast.Ident); ok && id.Name == op {
				calleeOp = params[i]
			} else if name, ok := action(arg); ok {
				calleeBound[params[i]] = name
			}
		}
		if calleeOp != "" {
			c.scan(callee, calleeOp, calleeBound, acts, problems, depth+1)
		}
		return true
	})
}

// The reading itself must see what it is for: if it found nothing, or missed a check made
// through a helper, the table test would pass on any code.
func TestTheCoreCodeReadingFindsTheChecks(t *testing.T) {
	ms := readCoreCode(t).operatorMethods()
	assert.Equal(t, []app.Action{app.ActDispatchAlarm}, ms["AlarmDesk.Dispatch"].checks)
	assert.Equal(t, []app.Action{app.ActEditSite}, ms["Inventory.MoveCamera"].checks, "through beginEdit")
	assert.Equal(t, []app.Action{app.ActRunIncident}, ms["Incidents.Tick"].checks, "through act")
	assert.Equal(t, []app.Action{app.ActAckAlarm, app.ActResolveAlarm, app.ActRunIncident}, ms["Incidents.Close"].checks)
	assert.Empty(t, ms["Accounts.SignOut"].checks)
	assert.NotContains(t, ms, "Authorize")
	assert.Greater(t, len(ms), 40)
	for _, m := range ms {
		assert.Empty(t, m.problems, m.name)
	}

	// A made-up core: each way of checking, and the checks the reading cannot account for.
	c := parseCoreCode(t, map[string]any{"x.go": `package app
type Action string
const (
	ActA Action = "a"
	ActB Action = "b"
)
type Operator struct{}
type Desk struct{}
func Authorize(op *Operator, a Action) error { return nil }
func (d *Desk) Direct(op *Operator) { Authorize(op, ActA) }
func (d *Desk) Helper(op *Operator) { d.gate(op) }
func (d *Desk) gate(actor *Operator) { Authorize(actor, ActB) }
func (d *Desk) Handed(op *Operator) { d.check(1, op, ActA) }
func (d *Desk) check(n int, who *Operator, act Action) { Authorize(who, act) }
func (d *Desk) Nothing(op *Operator) { d.check(1, nil, ActB) }
func (d *Desk) Other(op, boss *Operator) { Authorize(boss, ActA) }
func (d *Desk) Unknown(op *Operator, a Action) { Authorize(op, a) }
func (d *Desk) unexported(op *Operator) { Authorize(op, ActA) }
func Free(op *Operator) { Authorize(op, ActB) }
`})
	got := c.operatorMethods()
	assert.ElementsMatch(t, []string{"Desk.Direct", "Desk.Helper", "Desk.Handed", "Desk.Nothing", "Desk.Other", "Desk.Unknown", "Free"}, keys(got))
	assert.Equal(t, []app.Action{"a"}, got["Desk.Direct"].checks)
	assert.Equal(t, []app.Action{"b"}, got["Desk.Helper"].checks)
	assert.Equal(t, []app.Action{"a"}, got["Desk.Handed"].checks)
	assert.Empty(t, got["Desk.Nothing"].checks, "the helper checks nobody: it was not handed the operator")
	assert.Empty(t, got["Desk.Other"].checks)
	assert.Len(t, got["Desk.Other"].problems, 1, "a check of someone else")
	assert.Len(t, got["Desk.Unknown"].problems, 1, "an action the reading cannot tell")
	assert.Equal(t, []app.Action{"b"}, got["Free"].checks)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
