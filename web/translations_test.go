package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"watchpost/assets"
)

// Every text of the phone pages goes through translations, and their users read Chinese
// first: this test reads the pages' Go source (web and web/photo) and templates and fails
// for a text without a zh-CN translation. (ui's translation test reads the console's and
// the core's.)

// webMessageCalls: a call's name → the index of its argument that is a text.
var webMessageCalls = map[string]int{"T": 0, "Errorf": 1, "Add": 1, "Listed": 0, "Redirect": 2, "tkey": 0}

// webLabelFuncs return texts that are shown translated.
var webLabelFuncs = map[string]bool{"headingOf": true}

// templateText finds {{.T "text"}} and {{$.T "text" …}} in templates.
var templateText = regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)

func webMessages(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	add := func(e ast.Expr, fset *token.FileSet) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && strings.TrimSpace(s) != "" {
			found[s] = fset.Position(lit.Pos()).String()
		}
	}
	for _, dir := range []string{".", "photo"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
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
					}
					if sel, ok := n.Fun.(*ast.SelectorExpr); name == "Redirect" && (!ok || !isIdent(sel.X, "c")) {
						return true // http.Redirect's third argument is an address
					}
					if i, ok := webMessageCalls[name]; ok && i < len(n.Args) {
						add(n.Args[i], fset)
					}
				case *ast.FuncDecl:
					if webLabelFuncs[n.Name.Name] {
						ast.Inspect(n.Body, func(m ast.Node) bool {
							if r, ok := m.(*ast.ReturnStmt); ok {
								for _, e := range r.Results {
									add(e, fset)
								}
							}
							return true
						})
					}
				case *ast.KeyValueExpr: // flash{key: "…"}
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "key" {
						add(n.Value, fset)
					}
				case *ast.ValueSpec: // const NoName = "(no name)"
					for i, id := range n.Names {
						if id.Name == "NoName" && i < len(n.Values) {
							add(n.Values[i], fset)
						}
					}
				}
				return true
			})
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range templateText.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			found[s] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestEveryPhoneTextHasAChineseTranslation(t *testing.T) {
	b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/zh-CN.json")
	if err != nil {
		t.Fatal(err)
	}
	var zh map[string]string
	if err := json.Unmarshal(b, &zh); err != nil {
		t.Fatal(err)
	}
	msgs := webMessages(t)
	if len(msgs) < 40 {
		t.Fatalf("the scan found only %d texts: is it still reading the pages?", len(msgs))
	}
	var missing []string
	for m, where := range msgs {
		if strings.TrimSpace(zh[m]) == "" {
			missing = append(missing, strconv.Quote(m)+"  // "+where)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		if out := os.Getenv("WATCHPOST_MISSING_TRANSLATIONS"); out != "" {
			_ = os.WriteFile(out, []byte(strings.Join(missing, "\n")+"\n"), 0o644)
		}
		t.Errorf("%d texts of the phone pages have no zh-CN translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
