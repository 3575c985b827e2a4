package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The import rule of DESIGN.md, checked on the real package graph (go list -deps):
//   - app imports no I/O library and none of our packages;
//   - store, devices and video (and their sub-packages) import no Fyne and not each other;
//   - ui imports neither store nor devices nor video;
//   - assets imports none of store, devices, video, ui;
//   - the packages of mayDependOn (mapdraw, and report, web, notify, cli as they come)
//     depend only on the packages of ours listed there, and none on Fyne;
//   - no program depends on testkit (only tests import it).
// `make lint` runs TestImportRule; TestImportRuleCatchesViolations shows it failing on a
// module that breaks each rule.

const module = "watchpost"

// ioPackages may not be imported by app: they reach files, the network, processes or a database.
var ioPackages = []string{
	"os", "os/exec", "os/signal", "os/user", "net", "net/http", "net/rpc", "net/smtp", "io/ioutil",
	"database/sql", "syscall", "plugin", "runtime/cgo", "C",
}

// pureLibraries are the only non-standard packages app may import.
var pureLibraries = []string{"golang.org/x/crypto/", "github.com/paulmach/orb"}

// ioLibraries must not be anywhere in app's dependencies.
var ioLibraries = []string{
	"fyne.io/", "modernc.org/sqlite", "github.com/bluenviron/", "gocv.io/", "github.com/eclipse/paho",
	"github.com/mochi-mqtt/", "github.com/jackc/pgx", "github.com/ebitengine/oto",
}

// mayDependOn lists, for each package beside the core and its first adapters, which of our
// packages it may depend on (directly or through another). None of them may depend on Fyne:
// only ui draws windows. mapdraw, which draws the map for the console, phones and paper
// alike, depends on none of the I/O libraries either.
var mayDependOn = map[string][]string{
	"mapdraw": {"app"},
	"report":  {"app", "assets", "mapdraw"},
	"web":     {"app", "assets", "mapdraw"},
	"notify":  {"app", "assets"},
	// sheets reads and writes workbooks (excelize) for the console's imports and exports.
	"sheets": {"app", "assets"},
	"cli":    {"app", "assets", "store", "devices", "video", "report", "mapdraw", "notify", "sheets", "web"}, // sheets: orders import reads workbooks; web: the labels' address
	// testkit builds the core on a temporary store for the tests of other packages; no
	// program may depend on it (checked below), only tests import it.
	"testkit": {"app", "assets", "store"},
}

type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// layer names our top-level package a package belongs to ("store" for store/x).
func layer(path string) string {
	if path == module {
		return "main"
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	return strings.SplitN(rest, "/", 2)[0]
}

func hasPrefix(p string, prefixes []string) bool {
	for _, x := range prefixes {
		if p == x || strings.HasPrefix(p, x) || strings.HasPrefix(p, strings.TrimSuffix(x, "/")+"/") {
			return true
		}
	}
	return false
}

// checkImports returns every violation of the rule, sorted.
func checkImports(pkgs []listedPackage) []string {
	var out []string
	bad := func(p listedPackage, why string, dep string) {
		out = append(out, fmt.Sprintf("%s %s %s", p.ImportPath, why, dep))
	}
	std := map[string]bool{}
	for _, p := range pkgs {
		std[p.ImportPath] = p.Standard
	}
	for _, p := range pkgs {
		l := layer(p.ImportPath)
		if l != "" && l != "testkit" {
			for _, d := range p.Deps {
				if layer(d) == "testkit" {
					bad(p, "depends on the tests' kit", d)
				}
			}
		}
		switch l {
		case "app":
			for _, imp := range p.Imports {
				switch {
				case layer(imp) != "" && layer(imp) != "app":
					bad(p, "imports", imp)
				case std[imp] && hasPrefix(imp, ioPackages) && containsExact(ioPackages, imp):
					bad(p, "imports the I/O package", imp)
				case !std[imp] && layer(imp) == "" && !hasPrefix(imp, pureLibraries):
					bad(p, "imports a library that is not pure", imp)
				}
			}
			for _, d := range p.Deps {
				if hasPrefix(d, ioLibraries) {
					bad(p, "depends on", d)
				}
			}
		case "store", "devices", "video":
			for _, d := range p.Deps {
				if strings.HasPrefix(d, "fyne.io/") {
					bad(p, "depends on Fyne:", d)
				}
				if dl := layer(d); dl != "" && dl != l && dl != "app" {
					bad(p, "depends on", d)
				}
			}
		case "ui", "assets":
			for _, d := range p.Deps {
				dl := layer(d)
				if dl == "store" || dl == "devices" || dl == "video" || (l == "assets" && dl == "ui") {
					bad(p, "depends on", d)
				}
				// assets holds the translation lookup the documents share with the console:
				// it draws nothing and writes no document.
				if l == "assets" && dl == "report" {
					bad(p, "depends on", d)
				}
				if l == "assets" && strings.HasPrefix(d, "fyne.io/") {
					bad(p, "depends on Fyne:", d)
				}
			}
		default:
			allowed, listed := mayDependOn[l]
			if !listed {
				break
			}
			for _, d := range p.Deps {
				if dl := layer(d); dl != "" && dl != l && !containsExact(allowed, dl) {
					bad(p, "depends on", d)
				}
				switch {
				case l == "mapdraw" && hasPrefix(d, ioLibraries):
					bad(p, "depends on the I/O library", d)
				case strings.HasPrefix(d, "fyne.io/"):
					bad(p, "depends on Fyne:", d)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func containsExact(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listPackages runs `go list -deps -json ./...` in dir.
func listPackages(t *testing.T, dir string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportRule(t *testing.T) {
	pkgs := listPackages(t, ".")
	ours := 0
	for _, p := range pkgs {
		if layer(p.ImportPath) != "" {
			ours++
		}
	}
	if ours < 5 {
		t.Fatalf("go list found only %d of our packages", ours)
	}
	if v := checkImports(pkgs); len(v) > 0 {
		t.Errorf("imports must point inward to app (DESIGN.md):\n  %s", strings.Join(v, "\n  "))
	}
}

// TestImportRuleCatchesViolations builds a small module named like ours in which each
// layer breaks the rule once (Fyne is stood in for by a local replacement, so no network is
// needed) and expects the check to report every break.
func TestImportRuleCatchesViolations(t *testing.T) {
	files := map[string]string{
		"go.mod":             "module watchpost\n\ngo 1.26\n\nrequire fyne.io/fyne/v2 v2.0.0\n\nreplace fyne.io/fyne/v2 => ./fakefyne\n",
		"fakefyne/go.mod":    "module fyne.io/fyne/v2\n\ngo 1.26\n",
		"fakefyne/fyne.go":   "package fyne\n\nconst Version = 2\n",
		"app/app.go":         "package app\n\nimport (\n\t\"os\"\n\t_ \"watchpost/store\"\n)\n\nvar _ = os.Getenv\n",
		"store/store.go":     "package store\n\nimport _ \"watchpost/devices\"\n",
		"devices/devices.go": "package devices\n\nimport _ \"fyne.io/fyne/v2\"\n",
		"video/video.go":     "package video\n",
		"ui/ui.go":           "package ui\n\nimport _ \"watchpost/video\"\n",
		"assets/assets.go":   "package assets\n",
		"mapdraw/mapdraw.go": "package mapdraw\n\nimport (\n\t_ \"fyne.io/fyne/v2\"\n\t_ \"watchpost/assets\"\n)\n",
		"report/report.go":   "package report\n\nimport (\n\t_ \"watchpost/mapdraw\"\n\t_ \"watchpost/store\"\n)\n",
		"cli/cli.go":         "package cli\n\nimport _ \"watchpost/ui\"\n",
		"testkit/testkit.go": "package testkit\n\nimport _ \"watchpost/video\"\n",
		"main.go":            "package main\n\nimport _ \"watchpost/testkit\"\n\nfunc main() {}\n",
	}
	want := []string{
		"watchpost/app imports the I/O package os",
		"watchpost/app imports watchpost/store",
		"watchpost/devices depends on Fyne: fyne.io/fyne/v2",
		"watchpost/store depends on watchpost/devices",
		"watchpost/ui depends on watchpost/video",
		"watchpost/mapdraw depends on watchpost/assets",
		"watchpost/mapdraw depends on the I/O library fyne.io/fyne/v2",
		"watchpost/report depends on watchpost/store",
		"watchpost/report depends on Fyne: fyne.io/fyne/v2",
		"watchpost/cli depends on watchpost/ui",
		"watchpost/testkit depends on watchpost/video",
		"watchpost depends on the tests' kit watchpost/testkit",
	}
	// What a package may depend on is not reported.
	allowed := []string{"watchpost/report depends on watchpost/mapdraw", "watchpost/report depends on watchpost/assets", "watchpost/cli depends on watchpost/store"}
	expectReported(t, checkModule(t, files), want, allowed)
}

// TestImportRuleCatchesDocumentViolations does the same for the documents and the
// translations they share with the console: report may use app and assets (its
// translation lookup), never the console or Fyne; assets never Fyne nor the documents.
func TestImportRuleCatchesDocumentViolations(t *testing.T) {
	files := map[string]string{
		"go.mod":                "module watchpost\n\ngo 1.26\n\nrequire fyne.io/fyne/v2 v2.0.0\n\nreplace fyne.io/fyne/v2 => ./fakefyne\n",
		"fakefyne/go.mod":       "module fyne.io/fyne/v2\n\ngo 1.26\n",
		"fakefyne/fyne.go":      "package fyne\n\nconst Version = 2\n",
		"app/app.go":            "package app\n",
		"assets/assets.go":      "package assets\n\nimport _ \"fyne.io/fyne/v2\"\n",
		"assets/i18n/i18n.go":   "package i18n\n\nimport _ \"watchpost/app\"\n",
		"assets/print/print.go": "package print\n\nimport _ \"watchpost/report\"\n",
		"report/report.go":      "package report\n\nimport (\n\t_ \"watchpost/assets/i18n\"\n\t_ \"watchpost/ui\"\n)\n",
		"ui/ui.go":              "package ui\n\nimport _ \"fyne.io/fyne/v2\"\n",
	}
	want := []string{
		"watchpost/assets depends on Fyne: fyne.io/fyne/v2",
		"watchpost/assets/print depends on watchpost/report",
		"watchpost/report depends on Fyne: fyne.io/fyne/v2",
		"watchpost/report depends on watchpost/ui",
	}
	// What the rule allows is not reported: the documents use the translations.
	allowed := []string{"watchpost/report depends on watchpost/assets/i18n", "watchpost/report depends on watchpost/app", "watchpost/assets/i18n depends on watchpost/app"}
	expectReported(t, checkModule(t, files), want, allowed)
}

// checkModule writes a small module (a fake Fyne stands in for the real one, so no network
// is needed) and returns what the check reports on it.
func checkModule(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return checkImports(listPackages(t, dir))
}

// expectReported fails unless every break in want is reported and nothing in allowed is.
func expectReported(t *testing.T, got, want, allowed []string) {
	t.Helper()
	for _, w := range want {
		if !containsExact(got, w) {
			t.Errorf("the check missed %q; it reported:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
	for _, ok := range allowed {
		if containsExact(got, ok) {
			t.Errorf("the check reported %q, which the rule allows", ok)
		}
	}
}

// TestPanelTestsNeedNoCamera keeps the tests of the window free of the adapters: they build
// the core through testkit (a temporary store, generated camera feeds), so that ui's test
// files import neither store, devices nor video, and its test binary needs no RTSP,
// libavcodec, OpenCV or broker (store comes only through testkit).
func TestPanelTestsNeedNoCamera(t *testing.T) {
	cmd := exec.Command("go", "list", "-test", "-deps", "-json", "./ui/")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	tests := 0
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.ImportPath, module+"/ui [") || strings.HasPrefix(p.ImportPath, module+"/ui_test [") {
			tests++
			for _, imp := range p.Imports {
				if l := layer(imp); l == "store" || l == "devices" || l == "video" {
					t.Errorf("%s imports %s: build the core with testkit instead", p.ImportPath, imp)
				}
			}
		}
		if strings.HasSuffix(p.ImportPath, ".test") {
			for _, d := range p.Deps {
				if l := layer(d); l == "devices" || l == "video" || hasPrefix(d, []string{"gocv.io/", "github.com/bluenviron/", "github.com/mochi-mqtt/", "github.com/eclipse/paho"}) {
					t.Errorf("ui's tests depend on %s", d)
				}
			}
		}
	}
	if tests == 0 {
		t.Fatal("go list found no test package of ui")
	}
}
