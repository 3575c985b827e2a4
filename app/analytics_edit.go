package app

import "context"

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
