package app

import (
	"math"
	"net/url"
	"strings"
	"time"
)

// CameraKind is the mounting or purpose of a camera; it picks the map icon.
type CameraKind string

const (
	CameraBullet CameraKind = "bullet"
	CameraDome   CameraKind = "dome"
	CameraPTZ    CameraKind = "ptz"
	CameraPlate  CameraKind = "plate" // licence-plate recognition at a vehicle gate
	CameraFace   CameraKind = "face"  // face recognition at a pedestrian gate
)

// Camera is a network camera with a main (full resolution) and a sub (small) stream.
// Tiles of the wall play the sub stream, an enlarged view the main stream.
type Camera struct {
	ID string `json:"id"`
	Names
	Kind       CameraKind       `json:"kind,omitempty"`
	MainURL    string           `json:"main_url"`
	SubURL     string           `json:"sub_url,omitempty"` // empty: the main stream serves tiles too
	Position   Point            `json:"position"`
	Direction  float64          `json:"direction"`       // where it looks: degrees clockwise from north
	FOV        float64          `json:"fov,omitempty"`   // horizontal field of view in degrees (default 90)
	Range      float64          `json:"range,omitempty"` // metres it usefully sees (default 30)
	GridID     string           `json:"grid,omitempty"`
	BuildingID string           `json:"building,omitempty"`
	Analytics  *CameraAnalytics `json:"analytics,omitempty"`
	// VideoLossAfter: a received camera without video this long raises a video-loss alarm
	// (0: the site's default, rules.video_loss); VideoLossPriority its priority (0: P3).
	VideoLossAfter    Duration `json:"video_loss_after,omitempty"`
	VideoLossPriority Priority `json:"video_loss_priority,omitempty"`
}

// VideoLossGrace is how long the camera may be without video before the alarm.
func (c *Camera) VideoLossGrace(siteDefault time.Duration) time.Duration {
	if c.VideoLossAfter > 0 {
		return c.VideoLossAfter.D()
	}
	return siteDefault
}

// VideoLossPriorityOr is the priority of the camera's video-loss alarm.
func (c *Camera) VideoLossPriorityOr(def Priority) Priority {
	if c.VideoLossPriority.Valid() {
		return c.VideoLossPriority
	}
	return def
}

// Validate checks a camera.
func (c *Camera) Validate() error { var p Problems; c.check(&p); return p.Err() }

func (c *Camera) check(p *Problems) {
	checkID(p, "id", c.ID)
	checkName(p, "name", c.Name)
	if err := checkStreamURL(c.MainURL); err != "" {
		p.Add("main_url", "Camera {{.ID}}: main stream {{.Why}}", "ID", c.ID, "Why", err)
	}
	if c.SubURL != "" {
		if err := checkStreamURL(c.SubURL); err != "" {
			p.Add("sub_url", "Camera {{.ID}}: sub stream {{.Why}}", "ID", c.ID, "Why", err)
		}
	}
	if c.VideoLossAfter < 0 || (c.VideoLossAfter > 0 && c.VideoLossAfter.D() < 10*time.Second) {
		p.Add("video_loss_after", "Camera {{.ID}}: video loss is reported after at least 10 s", "ID", c.ID)
	}
	if c.VideoLossPriority != 0 && !c.VideoLossPriority.Valid() {
		p.Add("video_loss_priority", "Priority must be P1 to P4")
	}
	if !finite(c.Position) {
		p.Add("position", "Camera {{.ID}} needs a position", "ID", c.ID)
	}
	if math.IsNaN(c.Direction) || c.Direction < 0 || c.Direction >= 360 {
		p.Add("direction", "Camera {{.ID}}: direction must be between 0 and 359 degrees", "ID", c.ID)
	}
	if c.FOV < 0 || c.FOV > 360 {
		p.Add("fov", "Camera {{.ID}}: field of view must be between 1 and 360 degrees", "ID", c.ID)
	}
}

// checkStreamURL returns why u is not a usable camera URL, or "".
func checkStreamURL(u string) string {
	if strings.TrimSpace(u) == "" {
		return "URL is missing"
	}
	pu, err := url.Parse(u)
	if err != nil {
		return "URL cannot be read"
	}
	switch pu.Scheme {
	case "rtsp", "rtsps":
	default:
		return "URL must start with rtsp:// or rtsps://"
	}
	if pu.Host == "" {
		return "URL has no host"
	}
	return ""
}

// StreamFor returns the URL a viewer of the given size should play: the sub stream for
// tiles, the main stream when enlarged or when there is no sub stream.
func (c *Camera) StreamFor(enlarged bool) string {
	if enlarged || c.SubURL == "" {
		return c.MainURL
	}
	return c.SubURL
}

// FieldOfView returns the FOV with its default.
func (c *Camera) FieldOfView() float64 {
	if c.FOV <= 0 {
		return 90
	}
	return c.FOV
}

// ViewRange returns the range with its default.
func (c *Camera) ViewRange() float64 {
	if c.Range <= 0 {
		return 30
	}
	return c.Range
}

// RedactURL hides the password of a stream URL, so that credentials never reach logs, the
// journal or the screen.
func RedactURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return u
	}
	if _, has := pu.User.Password(); has {
		pu.User = url.UserPassword(pu.User.Username(), "xxxxx")
	}
	return pu.String()
}
