package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// badge is a rounded, coloured label: alarm counters, the DEMO mark, states.
type badge struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	text *canvas.Text
}

func newBadge(text string, bg color.Color) *badge {
	b := &badge{bg: canvas.NewRectangle(bg), text: canvas.NewText(text, color.White)}
	b.bg.CornerRadius = 4
	b.text.TextStyle.Bold = true
	b.text.Alignment = fyne.TextAlignCenter
	b.ExtendBaseWidget(b)
	return b
}

// Set changes the text and colours; the text turns dark on light backgrounds.
func (b *badge) Set(text string, bg color.Color) {
	b.text.Text = text
	b.bg.FillColor = bg
	b.text.Color = contrastText(bg)
	b.Refresh()
}

func (b *badge) CreateRenderer() fyne.WidgetRenderer {
	b.text.Color = contrastText(b.bg.FillColor)
	return &badgeRenderer{b: b}
}

type badgeRenderer struct{ b *badge }

func (r *badgeRenderer) Layout(s fyne.Size) {
	r.b.bg.Resize(s)
	r.b.text.Resize(s)
}

func (r *badgeRenderer) MinSize() fyne.Size {
	t := r.b.text.MinSize()
	p := theme.Padding()
	return fyne.NewSize(t.Width+3*p, t.Height+p/2)
}

func (r *badgeRenderer) Refresh() {
	r.b.bg.Refresh()
	r.b.text.Refresh()
}
func (r *badgeRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.bg, r.b.text} }
func (r *badgeRenderer) Destroy()                     {}

// contrastText picks black or white text for a background by its luminance.
func contrastText(bg color.Color) color.Color {
	if bg == nil {
		return color.White
	}
	r, g, b, _ := bg.RGBA()
	l := (299*r + 587*g + 114*b) / 1000
	if l > 0x9000 {
		return color.NRGBA{0x11, 0x16, 0x1c, 0xff}
	}
	return color.White
}

// statusDot is a small coloured circle: the health of a connection.
func statusDot(c color.Color) fyne.CanvasObject {
	d := canvas.NewCircle(c)
	return container.NewGridWrap(fyne.NewSize(10, 10), d)
}

// kvRow is one line of a details view.
type kvRow struct {
	Key   string // English, translated when shown
	Value fyne.CanvasObject
}

// kv builds a text row.
func kv(key, value string) kvRow {
	l := widget.NewLabel(value)
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return kvRow{key, l}
}

// details lays rows out in two columns: muted keys, values that wrap.
func details(rows []kvRow) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, r := range rows {
		k := canvas.NewText(T(r.Key), themeColor(colorMuted))
		k.Alignment = fyne.TextAlignTrailing
		objs = append(objs, container.NewPadded(k), r.Value)
	}
	return container.New(&keyValueLayout{}, objs...)
}

// keyValueLayout: column one as wide as its widest key, column two takes the rest.
type keyValueLayout struct{}

func (l *keyValueLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	kw, vw, h := float32(0), float32(0), float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		k, v := objs[i].MinSize(), objs[i+1].MinSize()
		kw, vw = max(kw, k.Width), max(vw, v.Width)
		h += max(k.Height, v.Height)
	}
	return fyne.NewSize(kw+vw, h)
}

func (l *keyValueLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	kw := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		kw = max(kw, objs[i].MinSize().Width)
	}
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		vw := size.Width - kw
		objs[i+1].Resize(fyne.NewSize(vw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(kw, objs[i].MinSize().Height))
		objs[i+1].Move(fyne.NewPos(kw, y))
		objs[i+1].Resize(fyne.NewSize(vw, h))
		y += h
	}
}

// heading is a panel's or section's title.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameSubHeadingText
	l.TextStyle.Bold = true
	return l
}

// reselect selects again, after the list changed, the row whose ID (id(i) of n rows) is
// *selected; when that row is gone, the selection is cleared and detail says empty.
func reselect(list *widget.List, n int, id func(int) string, selected *string, detail *fyne.Container, empty string) {
	for i := 0; i < n; i++ {
		if id(i) == *selected {
			list.Select(i)
			return
		}
	}
	if *selected != "" {
		*selected = ""
		list.UnselectAll()
		detail.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(empty))}
		detail.Refresh()
	}
}

// textEntry is a one-line entry holding v, with hint shown while it is empty.
func textEntry(v, hint string) *widget.Entry {
	w := widget.NewEntry()
	w.SetText(v)
	w.SetPlaceHolder(hint)
	return w
}

// muted is secondary text.
func muted(text string) *canvas.Text {
	t := canvas.NewText(text, themeColor(colorMuted))
	t.TextSize = theme.CaptionTextSize()
	return t
}

// section frames a group of settings or details with a title.
func section(title string, content ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 6
	body := container.NewVBox(append([]fyne.CanvasObject{heading(title)}, content...)...)
	return container.NewStack(bg, container.NewPadded(body))
}
