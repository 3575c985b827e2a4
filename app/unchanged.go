package app

import (
	"bytes"
	"encoding/json"
)

// An edit that leaves a thing as it is saved writes nothing: no journal entry and no new
// version (ErrUnchanged). Editors in the window load every saved value into their fields,
// so a Save with nothing touched hands the same value back; comparing the stored form (the
// JSON the store keeps and the journal carries) is what "the same" means here.

// sameJSON reports whether a and b are stored alike.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// normalizeAnalytics drops what says nothing: a detector entry with only its kind (an
// editor lists every kind, switched off, whether it was saved or not), and settings with
// nothing in them (nil: the camera is not analysed).
func normalizeAnalytics(c *CameraAnalytics) *CameraAnalytics {
	if c == nil {
		return nil
	}
	out := *c
	out.Detectors = nil
	for _, d := range c.Detectors {
		if d != (DetectorConfig{Kind: d.Kind}) {
			out.Detectors = append(out.Detectors, d)
		}
	}
	if len(out.Zones) == 0 && len(out.Lines) == 0 && len(out.Detectors) == 0 && out.FPS == 0 && out.Priority == 0 && !out.ShowBoxes {
		return nil
	}
	return &out
}
