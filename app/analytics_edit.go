package app

import (
	"context"
	"strings"
)

// SetCameraAnalytics changes what a camera watches for (detectors, zones, lines,
// schedules): for administrators, journaled with who and when; the analytics manager
// follows the change at once.
func (inv *Inventory) SetCameraAnalytics(ctx context.Context, op *Operator, cameraID string, cfg CameraAnalytics) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return inv.editCamera(ctx, op, cameraID, func(cur *Camera) (Camera, error) {
		c := *cur
		c.Analytics = &cfg
		return c, nil
	})
}

// CameraSettings are what the camera settings dialog edits: its names, its stream addresses
// and where it looks.
type CameraSettings struct {
	Name      string
	NameEn    string
	MainURL   string
	SubURL    string
	Direction float64
}

// SetCameraSettings changes a camera's name, addresses and direction and keeps the rest of
// it as it is saved now (its analytics, its place): a dialog opened before another edit of
// the camera does not undo that edit. Addresses are trimmed (a pasted address often ends in
// a space or a line break) and read as ASCII.
func (inv *Inventory) SetCameraSettings(ctx context.Context, op *Operator, cameraID string, set CameraSettings) error {
	return inv.editCamera(ctx, op, cameraID, func(cur *Camera) (Camera, error) {
		c := *cur
		// A field handed back as it is saved stays exactly so; a changed one is trimmed, and
		// an address typed in pinyin's Chinese mode (rtsp：//10。0。0。5) is read as ASCII.
		for _, f := range []struct {
			dst   *string
			v     string
			ascii bool
		}{{&c.Name, set.Name, false}, {&c.NameEn, set.NameEn, false}, {&c.MainURL, set.MainURL, true}, {&c.SubURL, set.SubURL, true}} {
			switch {
			case f.v == *f.dst:
			case f.ascii:
				*f.dst = PlainASCII(f.v)
			default:
				*f.dst = strings.TrimSpace(f.v)
			}
		}
		c.Direction = set.Direction
		return c, nil
	})
}
