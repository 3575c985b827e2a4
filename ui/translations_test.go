package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"watchpost/assets"
)

// Every text an operator can see goes through translations, and Chinese is the first
// language of the users: this test reads the source of the window and of the core (whose
// error messages and labels reach the screen) and fails for any text without a zh-CN
// translation.

// messageCalls: function name → index of the argument that is a message.
var messageCalls = map[string]int{"T": 0, "kv": 0, "Errorf": 1, "Add": 1, "lang.L": 0, "number": 0, "msg": 0, "because": 0}

// messageTypes: composite literal types whose first element is a message (video
// analytics' model errors, shown as the reason a detector is off).
var messageTypes = map[string]bool{"kvRow": true, "modelError": true}

// labelFuncs return texts that are shown translated.
var labelFuncs = map[string]bool{"Label": true, "OrderStepLabel": true, "stateLabel": true, "compass": true, "useLabel": true, "cameraKindLabel": true, "checkStreamURL": true, "AlarmKindLabel": true, "ContactRoleLabel": true, "AlarmStateLabel": true, "EntryLabel": true}

// labelFields are struct fields that hold a text shown translated.
var labelFields = map[string]bool{"Title": true, "Label": true, "Key": true}

// messagePackages are the packages whose texts reach an operator (the window, the core's
// errors and labels, the adapters' errors and component troubles, the command line), with
// the fewest messages the scan must find in each: a scan that finds nothing in a package
// (a moved folder, a renamed call) fails instead of passing on an empty list.
var messagePackages = []struct {
	dir string
	min int
}{
	{".", 1000},                // ui
	{"../app", 400},            // the core
	{"../store", 60},           // the database
	{"../devices", 5},          // the broker and its client
	{"../video", 6},            // cameras, recording, clips
	{"../video/analytics", 15}, // detectors that are switched off, and why
	{"..", 3},                  // the composition root and the command line
	{"../report", 150},         // incident reports, drill debriefs, timelines
	{"../assets/i18n", 5},      // the lookup's own words: "Unexpected error", alarm states
	{"../notify", 20},          // group robots: their errors, settings problems, merged titles
}

func sourceMessages(t *testing.T) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	for _, pkg := range messagePackages {
		files, err := filepath.Glob(filepath.Join(pkg.dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			n += scanMessages(t, f, found)
		}
		if n < pkg.min {
			t.Errorf("the translation scan found %d messages in %s, fewer than the %d it must find: is it still reading that package's texts?", n, pkg.dir, pkg.min)
		}
	}
	return found
}

// scanMessages adds the messages of one source file to found and returns how many it found.
func scanMessages(t *testing.T, f string, found map[string][]string) int {
	t.Helper()
	n := 0
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, f, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || strings.TrimSpace(s) == "" || !hasLetter(s) {
			return
		}
		found[s] = append(found[s], fset.Position(lit.Pos()).String())
		n++
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			name := ""
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "lang" {
					name = "lang." + fn.Sel.Name
				}
			}
			if name == "Add" {
				// Problems.Add(field, message); url.Values.Add is not a message.
				if sel, ok := n.Fun.(*ast.SelectorExpr); !ok || !isIdent(sel.X, "p") {
					return true
				}
			}
			if i, ok := messageCalls[name]; ok && i < len(n.Args) {
				add(n.Args[i])
			}
		case *ast.FuncDecl:
			if labelFuncs[n.Name.Name] && n.Body != nil {
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if r, ok := m.(*ast.ReturnStmt); ok {
						for _, e := range r.Results {
							add(e)
						}
					}
					if cl, ok := m.(*ast.CompositeLit); ok {
						for _, e := range cl.Elts {
							add(e)
						}
					}
					return true
				})
			}
		case *ast.ValueSpec:
			// const ReasonTimeout = "…": reasons shown to operators.
			for i, name := range n.Names {
				if strings.HasPrefix(name.Name, "Reason") && i < len(n.Values) {
					add(n.Values[i])
				}
				// var analyticsColumns = []string{…}: a table's column titles.
				if strings.HasSuffix(name.Name, "Columns") && i < len(n.Values) {
					if cl, ok := n.Values[i].(*ast.CompositeLit); ok {
						for _, e := range cl.Elts {
							add(e)
						}
					}
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && labelFields[k.Name] {
				add(n.Value)
			}
		case *ast.CompositeLit:
			// kvRow{"Key", widget} rows, and []kvRow{{"Key", widget}, …} with the type elided
			if id, ok := n.Type.(*ast.Ident); ok && messageTypes[id.Name] && len(n.Elts) > 0 {
				add(n.Elts[0])
			}
			if at, ok := n.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "kvRow") {
				for _, e := range n.Elts {
					if row, ok := e.(*ast.CompositeLit); ok && row.Type == nil && len(row.Elts) > 0 {
						add(row.Elts[0])
					}
				}
			}
		}
		return true
	})
	return n
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func hasLetter(s string) bool {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return true
		}
	}
	return false
}

func loadTranslations(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// notMessages are string literals passed to those functions that are not shown as text.
var notMessages = map[string]bool{}

func TestEveryTextHasAChineseTranslation(t *testing.T) {
	zh := loadTranslations(t, "zh-CN.json")
	var missing []string
	for msg, where := range sourceMessages(t) {
		if notMessages[msg] {
			continue
		}
		if tr, ok := zh[msg]; !ok || strings.TrimSpace(tr) == "" {
			missing = append(missing, strconv.Quote(msg)+"  // "+where[0])
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		if out := os.Getenv("WATCHPOST_MISSING_TRANSLATIONS"); out != "" {
			_ = os.WriteFile(out, []byte(strings.Join(missing, "\n")+"\n"), 0o644)
		}
		t.Errorf("%d texts have no zh-CN translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func TestTranslationsKeepTheirTemplateFields(t *testing.T) {
	zh := loadTranslations(t, "zh-CN.json")
	for k, v := range zh {
		for _, field := range templateFields(k) {
			if !strings.Contains(v, field) {
				t.Errorf("zh-CN %q lost %s: %q", k, field, v)
			}
		}
	}
}

func templateFields(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, s[i:i+j+2])
		s = s[i+j+2:]
	}
}

// go-i18n reads these keys as fields of a message, not as messages of their own.
var reservedKeys = []string{"id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation"}

func TestNoTranslationKeyIsReserved(t *testing.T) {
	for _, file := range []string{"zh-CN.json", "en.json"} {
		for k := range loadTranslations(t, file) {
			for _, r := range reservedKeys {
				if strings.EqualFold(k, r) {
					t.Errorf("%s: the key %q is reserved by go-i18n: use another text as the key (and en.json for its English)", file, k)
				}
			}
		}
	}
}
