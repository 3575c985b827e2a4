package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// An order made at the console: its category (the priority follows), a building, what is to
// be done. The board opens on it.
func TestANewOrderIsMadeFromTheConsole(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := ordersPanelOf(t, c)
	tap(findButton(p.content, "New order…"))
	top := topDialog(t, c)
	cat := focusedOf[*widget.Select](t, c)
	assert.Equal(t, "Category", cat.PlaceHolder)
	serialUI(func() { cat.SetSelected("Sanitation") })
	prio := findSelectHint(top, "The category's")
	require.NotNil(t, prio)
	assert.Equal(t, "P4 · notice", prio.Selected, "the category's priority")
	var b *widget.Select
	walk(top, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && contains(s.Options, "No building") {
			b = s
		}
	})
	require.NotNil(t, b)
	serialUI(func() { b.SetSelected("Building 5") })
	text := focusedEntryWithPlaceholder(t, top, "What is to be done: what, where exactly, since when")
	typeIn(text, "5号楼门口垃圾桶满了")
	tap(findButton(top, "Make order"))

	waitFor(t, "the order is made", func() bool { return len(c.core.Orders.List()) == 1 })
	o := c.core.Orders.List()[0]
	assert.Equal(t, app.CatSanitation, o.Category)
	assert.Equal(t, app.P4, o.Priority)
	assert.Equal(t, app.FromConsole, o.Reporter.Via)
	assert.Equal(t, "b05", o.Place.Building)
	assert.Equal(t, "g2", o.Place.GridID, "the grid from the building")
	waitFor(t, "the board selects it", func() bool { return uiGet(func() int64 { return p.selected }) == o.ID })
	assert.True(t, strings.Contains(detailText(p), "5号楼门口垃圾桶满了"))
}

// What is missing is said in the dialog, which keeps what was typed.
func TestANewOrderSaysWhatIsMissing(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.showNewOrder()
	top := topDialog(t, c)
	text := focusedEntryWithPlaceholder(t, top, "What is to be done: what, where exactly, since when")
	typeIn(text, "路面有坑")
	tap(findButton(top, "Make order"))
	waitWrites(t, c)
	assert.Contains(t, strings.Join(uiGet(func() []string { return visibleTexts(top) }), "\n"), "Say where: a building, or a click on the map")
	assert.Equal(t, "路面有坑", text.Text)
	assert.Empty(t, c.core.Orders.List())
}
