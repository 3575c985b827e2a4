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
	s := inv.Site()
	if s == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	cam, ok := s.Camera(cameraID)
	if !ok {
		return Errorf(CodeNotFound, "There is no camera {{.ID}}", "ID", cameraID)
	}
	c := *cam
	c.Analytics = &cfg
	return inv.UpdateCamera(ctx, op, c)
}
