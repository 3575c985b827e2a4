package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// walk visits every visible object under o, widgets through their renderers.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, f)
		}
	}
}

// visibleTexts lists the texts drawn under o.
func visibleTexts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(x fyne.CanvasObject) {
		switch t := x.(type) {
		case *canvas.Text:
			if t.Text != "" {
				out = append(out, t.Text)
			}
		case *widget.Label:
			out = append(out, t.Text)
		}
	})
	return out
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(x fyne.CanvasObject) {
		if b, ok := x.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

func findSelect(o fyne.CanvasObject, selected string) *widget.Select {
	var found *widget.Select
	walk(o, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && s.Selected == selected && found == nil {
			found = s
		}
	})
	return found
}

func findInventory(c *Console) *inventoryPanel {
	if c.shell == nil {
		return nil
	}
	p, _ := c.shell.built["inventory"].(*inventoryPanel)
	return p
}

func findSignIn(c *Console) *signIn { return c.signIn }
