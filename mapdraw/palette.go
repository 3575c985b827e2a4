package mapdraw

import (
	"image/color"

	"watchpost/app"
)

// Palette holds the map's colours. The console passes the one that goes with its theme
// (LabelText its theme's text colour); a printed page or a phone picks its own.
type Palette struct {
	Outside, Ground, Boundary, Road, Building, BuildingLine color.NRGBA
	Green, Water, Plaza, CarPark, CarParkLine, Gate         color.NRGBA
	Device, DeviceRing, Camera, CameraRing, Cone, Icon      color.NRGBA
	Offline, OfflineRing, OfflineIcon, Select, Handle, Edge color.NRGBA
	LabelPlate, LabelText                                   color.NRGBA // a name's plate and its text
	Maintenance, MaintenanceRing, TestRing                  color.NRGBA // devices in maintenance or test mode
	P                                                       [5]color.NRGBA
}

// DarkPalette is the map of the console's dark theme (the guard room's).
func DarkPalette() Palette {
	return Palette{
		Outside: rgb(0x0b1016), Ground: rgb(0x151d26), Boundary: rgb(0x8a9bad), Road: rgb(0x3e4752),
		Building: rgb(0x4b596a), BuildingLine: rgb(0x97a9bc), Green: rgb(0x1d3626), Water: rgb(0x1b3c59),
		Plaza: rgb(0x3b3527), CarPark: rgb(0x252e39), CarParkLine: rgb(0x4b596a), Gate: rgb(0xe0b050),
		Device: rgb(0x1f2b38), DeviceRing: rgb(0x9fb6cc), Camera: rgb(0x1c3354), CameraRing: rgb(0x58a6ff),
		Cone: rgba(0x58a6ff, 0x2e), Icon: rgb(0xffffff), Offline: rgb(0x59616b), OfflineRing: rgb(0x3a4048),
		OfflineIcon: rgb(0xc9d1d9), Select: rgb(0x2f81f7), Handle: rgb(0xffffff), Edge: rgb(0x2f81f7),
		LabelPlate: rgba(0x0b1016, 0xb8), LabelText: rgb(0xe6edf3),
		Maintenance: rgb(0x3d3522), MaintenanceRing: rgb(0xe3a008), TestRing: rgb(0x2dd4bf),
		P: [5]color.NRGBA{{}, rgb(0xff4d4f), rgb(0xff8c1a), rgb(0xf2c94c), rgb(0x4ea8ff)},
	}
}

// LightPalette is the map of the console's light theme (and of paper).
func LightPalette() Palette {
	return Palette{
		Outside: rgb(0xdfe4ea), Ground: rgb(0xf4f1ea), Boundary: rgb(0x5b6b7b), Road: rgb(0xffffff),
		Building: rgb(0xcdc6bb), BuildingLine: rgb(0x8f8678), Green: rgb(0xcfe3c2), Water: rgb(0xaed0ea),
		Plaza: rgb(0xeadfc6), CarPark: rgb(0xdde1e6), CarParkLine: rgb(0xa7b0ba), Gate: rgb(0xb7791f),
		Device: rgb(0x32475c), DeviceRing: rgb(0xffffff), Camera: rgb(0x1f4f8f), CameraRing: rgb(0xffffff),
		Cone: rgba(0x1f6feb, 0x2a), Icon: rgb(0xffffff), Offline: rgb(0x8c959f), OfflineRing: rgb(0xffffff),
		OfflineIcon: rgb(0xf6f8fa), Select: rgb(0x1f6feb), Handle: rgb(0xffffff), Edge: rgb(0x1f6feb),
		LabelPlate: rgba(0xffffff, 0xc8), LabelText: rgb(0x1b232c),
		Maintenance: rgb(0x7d6a3a), MaintenanceRing: rgb(0xb7791f), TestRing: rgb(0x0f8f82),
		P: [5]color.NRGBA{{}, rgb(0xd1242f), rgb(0xe16f00), rgb(0xd4a72c), rgb(0x0969da)},
	}
}

// Priority is the colour of an alarm of priority p (P4's for anything out of range).
func (pal Palette) Priority(p app.Priority) color.NRGBA { return pal.P[clampPrio(p)] }

func rgb(v uint32) color.NRGBA { return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff} }

func rgba(v uint32, a uint8) color.NRGBA {
	c := rgb(v)
	c.A = a
	return c
}

func clampPrio(p app.Priority) int {
	if p < app.P1 || p > app.P4 {
		return 4
	}
	return int(p)
}

// GridColor is a grid's own colour ("#rrggbb"), or a quiet blue when it has none.
func GridColor(g *app.Grid) color.NRGBA {
	c := rgb(0x6f8fb0)
	if len(g.Color) == 7 && g.Color[0] == '#' {
		var v uint32
		ok := true
		for _, ch := range g.Color[1:] {
			v <<= 4
			switch {
			case ch >= '0' && ch <= '9':
				v |= uint32(ch - '0')
			case ch >= 'a' && ch <= 'f':
				v |= uint32(ch-'a') + 10
			case ch >= 'A' && ch <= 'F':
				v |= uint32(ch-'A') + 10
			default:
				ok = false
			}
		}
		if ok {
			c = rgb(v)
		}
	}
	return c
}

func withA(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

// mix is c over base at alpha a, as an opaque colour.
func mix(base, c color.NRGBA, a uint8) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8((uint32(x)*(255-uint32(a)) + uint32(y)*uint32(a)) / 255) }
	return color.NRGBA{f(base.R, c.R), f(base.G, c.G), f(base.B, c.B), 255}
}

// TextOn is white or near-black, whichever reads on c.
func TextOn(c color.NRGBA) color.NRGBA {
	l := (299*uint32(c.R) + 587*uint32(c.G) + 114*uint32(c.B)) / 1000
	if l > 0x90 {
		return rgb(0x11161c)
	}
	return rgb(0xffffff)
}
