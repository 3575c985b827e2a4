package ui

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"watchpost/app"
)

// The site map's layer of open work orders: a square pin with a clipboard (devices and
// cameras are round) at each order's place — its point, else its building's middle, else its
// grid's — red while the order is overdue. Orders at the same place sit side by side. A tap
// on a pin opens the order on the board. The pins are Fyne objects over the map's picture
// (like its labels), placed again whenever the view changes.

// orderPin is one order on the map.
type orderPin struct {
	id      int64
	at      app.Point
	overdue bool
	prio    app.Priority
}

// pinObj is a pin's drawing.
type pinObj struct {
	plate *canvas.Rectangle
	icon  *canvas.Image
}

// pinSize is a pin's side, in Fyne units.
const pinSize = 22

// pinIcon is made when a pin is: a theme's icon read at package initialization asks for the
// Fyne app before there is one (an error printed by every command, `watchpost --help` too).
func pinIcon() fyne.Resource {
	return theme.NewColoredResource(theme.DocumentIcon(), theme.ColorNameForegroundOnPrimary)
}

// orderPinColor is a pin's colour: teal (a job to do), red when overdue.
func orderPinColor(overdue bool) color.Color {
	if overdue {
		return themeColor(colorP1)
	}
	return color.NRGBA{R: 0x0e, G: 0x9f, B: 0x8e, A: 0xff}
}

// setOrderPins puts the orders' pins on the map (nil: none).
func (m *siteMap) setOrderPins(pins []orderPin) {
	m.orderPins = pins
	m.placePins()
}

// placePins puts the pins where their places are in the current view.
func (m *siteMap) placePins() {
	dpi := float32(m.r.DPI())
	v := m.r.View()
	shown := 0
	// Orders at the same point sit side by side, centred on it.
	count := map[app.Point]int{}
	for _, p := range m.orderPins {
		count[p.at]++
	}
	for len(m.pinPool) < len(m.orderPins) {
		o := &pinObj{plate: canvas.NewRectangle(color.Transparent), icon: canvas.NewImageFromResource(pinIcon())}
		o.plate.CornerRadius = 4
		o.plate.StrokeColor = color.White
		o.plate.StrokeWidth = 1.5
		o.icon.FillMode = canvas.ImageFillContain
		m.pinPool = append(m.pinPool, o)
		m.pins.Add(o.plate)
		m.pins.Add(o.icon)
	}
	m.pinRects = m.pinRects[:0]
	if v.Scale > 0 && len(m.orderPins) > 0 {
		slot := map[app.Point]int{}
		for _, p := range m.orderPins {
			k, n := slot[p.at], count[p.at]
			slot[p.at]++
			c := v.Px(p.at)
			x := c.X/dpi - pinSize/2 + float32(k)*(pinSize+2) - float32(n-1)*(pinSize+2)/2
			y := c.Y/dpi - pinSize/2
			o := m.pinPool[shown]
			o.plate.FillColor = orderPinColor(p.overdue)
			o.plate.Move(fyne.NewPos(x, y))
			o.plate.Resize(fyne.NewSize(pinSize, pinSize))
			o.icon.Move(fyne.NewPos(x+3, y+3))
			o.icon.Resize(fyne.NewSize(pinSize-6, pinSize-6))
			o.plate.Show()
			o.icon.Show()
			o.plate.Refresh()
			o.icon.Refresh()
			m.pinRects = append(m.pinRects, pinRect{id: p.id, pos: fyne.NewPos(x, y)})
			shown++
		}
	}
	for _, o := range m.pinPool[shown:] {
		o.plate.Hide()
		o.icon.Hide()
	}
	m.pins.Refresh()
}

// pinRect is where a pin was placed (to find the one tapped).
type pinRect struct {
	id  int64
	pos fyne.Position
}

// pinAt is the order whose pin is at a point of the map (the last drawn: on top).
func (m *siteMap) pinAt(at fyne.Position) (int64, bool) {
	for i := len(m.pinRects) - 1; i >= 0; i-- {
		r := m.pinRects[i]
		if at.X >= r.pos.X && at.X <= r.pos.X+pinSize && at.Y >= r.pos.Y && at.Y <= r.pos.Y+pinSize {
			return r.id, true
		}
	}
	return 0, false
}

// --- the map panel's side ---

// mayShowOrders reports whether the operator sees work orders (the layer is theirs only).
func (p *mapPanel) mayShowOrders() bool {
	op := p.c.Operator()
	return op != nil && op.Role.Can(app.ActOrderView)
}

// refreshOrders puts the open orders on the map (none while the layer is off).
func (p *mapPanel) refreshOrders() {
	if p.m == nil {
		return
	}
	if !p.ordersOn || !p.mayShowOrders() {
		p.m.setOrderPins(nil)
		return
	}
	now := p.c.core.Clock.Now()
	p.ordersAt = now
	var pins []orderPin
	for _, o := range p.c.core.Orders.Open() {
		if at, ok := orderPoint(&o, p.site); ok {
			pins = append(pins, orderPin{id: o.ID, at: at, overdue: o.Overdue(now), prio: o.Priority})
		}
	}
	// Overdue on top, then the most urgent.
	sort.SliceStable(pins, func(i, j int) bool {
		if pins[i].overdue != pins[j].overdue {
			return !pins[i].overdue
		}
		return pins[i].prio > pins[j].prio
	})
	p.m.setOrderPins(pins)
}
