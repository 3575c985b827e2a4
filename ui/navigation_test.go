package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Panels send the operator to one another through the console's methods (navigation.go).

// The site map's "Open on the wall" switches to the camera wall, enlarged on that camera:
// a camera of another page is put in the selected tile, one on the page is selected.
func TestTheMapOpensACameraOnTheWall(t *testing.T) {
	c := newTestConsole(t, enConfig())
	site := c.core.Inventory.Site()
	for _, cam := range []app.Camera{site.Cameras[len(site.Cameras)-1], site.Cameras[1]} {
		c.ShowPanel("map")
		m, ok := c.shell.built["map"].(*mapPanel)
		require.True(t, ok)
		m.showDetail("camera:" + cam.ID)
		open := findButton(m.detail, "Open on the wall")
		require.NotNil(t, open, "the camera's details offer the wall")
		tap(open)

		assert.Equal(t, "wall", c.shell.current)
		w := c.shell.built["wall"].(*wallPanel)
		assert.Equal(t, cam.ID, get(w, func() string {
			if !w.enlarged || w.tiles[w.selected].cam == nil {
				return ""
			}
			return w.tiles[w.selected].cam.ID
		}), "enlarged on the camera")
		get(w, func() bool { w.setEnlarged(false); return true })
	}
}

// The drill banner's button opens the drills panel for a trainer.
func TestTheDrillBannerOpensTheDrills(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "trainer")
	require.False(t, c.shell.banner.open.Hidden)
	tap(c.shell.banner.open)
	assert.Equal(t, "drills", c.shell.current)
}

// Only the shell and the console's navigation reach the built panels: a panel that wants
// another asks the console (ShowCameraOnWall, SelectAlarm, …), so that no panel works
// another's private state.
func TestPanelsReachOneAnotherOnlyThroughTheConsole(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "shell.go" || name == "navigation.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "built" || sel.Sel.Name == "popup") {
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "shell" {
					t.Errorf("%s: reaches the shell's panels (%s.%s); navigate through a method of the console (navigation.go)",
						fset.Position(sel.Pos()), inner.Sel.Name, sel.Sel.Name)
				}
			}
			return true
		})
	}
}
