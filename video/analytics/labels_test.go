package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"watchpost/app"
)

// The labels written by hand for vtest.avi (testdata/vtest-labels.json) and the scoring of
// detectors against them, shared by the tests and the benchmarks.

const vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

type clipLabels struct {
	Clip          string                  `json:"clip"`
	People        map[string][][2]float64 `json:"people"`
	Lawn          [][2]float64            `json:"lawn"`
	LawnOccupied  [2]float64              `json:"lawn_occupied"`
	LawnEdge      [2]float64              `json:"lawn_edge"`
	LawnEntryWide float64                 `json:"lawn_entry_wide"`
	Sign          [][2]float64            `json:"sign"`
	Crowded       [][2]float64            `json:"crowded"`
	CrowdedAmbig  [][2]float64            `json:"crowded_ambiguous"`
	Loitering     [][2]float64            `json:"loitering"`
	Line          struct {
		From [2]float64 `json:"from"`
		To   [2]float64 `json:"to"`
	} `json:"line"`
	Crossings [][2]any `json:"crossings"`
	Ambiguous [][2]any `json:"ambiguous"`
}

func loadLabels(t testing.TB) *clipLabels {
	t.Helper()
	if _, err := os.Stat(vtest); err != nil {
		t.Fatalf("the real footage is missing (%v): install opencv-doc (make deps does)", err)
	}
	b, err := os.ReadFile("testdata/vtest-labels.json")
	if err != nil {
		t.Fatal(err)
	}
	var l clipLabels
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return &l
}

// view maps the labels' coordinates (of the full 4:3 picture) into a picture cut from it:
// the simulator crops 4:3 footage to 16:9 around its centre (y from 0.125 to 0.875).
type view func(x, y float64) (float64, float64)

func fullView(x, y float64) (float64, float64) { return x, y }

func wideView(x, y float64) (float64, float64) { return x, (y - 0.125) / 0.75 }

func zoneOf(id string, pts [][2]float64, v view) app.Zone {
	z := app.Zone{ID: id, Name: id}
	for _, p := range pts {
		x, y := v(p[0], p[1])
		z.Points = append(z.Points, app.NPoint{X: x, Y: min(max(y, 0), 1)})
	}
	return z
}

// labeledConfig is the configuration the labels were written for: intrusion into and
// loitering on the lawn, a crowd at the sign, crossings of the line over the road.
func labeledConfig(l *clipLabels, v view) app.CameraAnalytics {
	fx, fy := v(l.Line.From[0], l.Line.From[1])
	tx, ty := v(l.Line.To[0], l.Line.To[1])
	return app.CameraAnalytics{
		Zones: []app.Zone{zoneOf("lawn", l.Lawn, v), zoneOf("sign", l.Sign, v)},
		Lines: []app.CrossLine{{ID: "road", Name: "road", From: app.NPoint{X: fx, Y: fy}, To: app.NPoint{X: tx, Y: ty}}},
		Detectors: []app.DetectorConfig{
			{Kind: app.DetectIntrusion, Enabled: true, Zone: "lawn"},
			{Kind: app.DetectLoitering, Enabled: true, Zone: "lawn", Seconds: 8},
			{Kind: app.DetectCrowd, Enabled: true, Zone: "sign", Count: 2, Seconds: 1.5},
			{Kind: app.DetectLine, Enabled: true, Line: "road"},
		},
	}
}

// clipRun is what the engine made of a clip.
type clipRun struct {
	detections []app.Detection // Time: the clip's start + the time in the clip
	people     map[int][]app.NRect
	objects    map[int][]app.TrackedObject
	frames     int
	cost       time.Duration
}

var clipStart = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// runClip analyses a video file at fps, keeping the people seen at each whole second.
func runClip(t testing.TB, file string, cfg app.CameraAnalytics, fps float64) *clipRun {
	t.Helper()
	e := NewEngine("cam", cfg, Options{IgnoreSchedule: true})
	defer e.Close()
	run := &clipRun{people: map[int][]app.NRect{}, objects: map[int][]app.TrackedObject{}}
	err := ReadClip(context.Background(), file, fps, func(img *image.Gray, at time.Duration) error {
		r := e.Process(img, clipStart.Add(at))
		run.frames++
		run.cost += r.Cost
		run.detections = append(run.detections, r.Detections...)
		if s := at.Seconds(); math.Abs(s-math.Round(s)) < 1e-6 {
			run.people[int(math.Round(s))] = r.People
			run.objects[int(math.Round(s))] = r.Objects
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range e.Statuses(clipStart) {
		if st.Failed != "" {
			t.Fatalf("detector %s failed: %s", st.Kind, st.Failed)
		}
	}
	return run
}

func (r *clipRun) of(kind app.DetectorKind) []app.Detection {
	var out []app.Detection
	for _, d := range r.detections {
		if d.Detector == kind {
			out = append(out, d)
		}
	}
	return out
}

func clipSeconds(d app.Detection) float64 { return d.Time.Sub(clipStart).Seconds() }

// tally is a detector's precision and recall.
type tally struct {
	tp, fp, fn int
}

func (s tally) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s tally) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s tally) String() string {
	return fmt.Sprintf("precision %.2f recall %.2f (%d found, %d false, %d missed)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// scorePeople matches the labeled people (their centres) to the boxes seen at the same
// second: a box holding a labeled centre finds that person, once.
func scorePeople(l *clipLabels, r *clipRun, v view) tally {
	var s tally
	for sec, pts := range l.People {
		n, _ := strconv.Atoi(sec)
		boxes := r.people[n]
		used := make([]bool, len(boxes))
		for _, p := range pts {
			x, y := v(p[0], p[1])
			found := false
			for i, b := range boxes {
				if !used[i] && x >= b.X && x <= b.X+b.W && y >= b.Y && y <= b.Y+b.H {
					used[i], found = true, true
					break
				}
			}
			if found {
				s.tp++
			} else {
				s.fn++
			}
		}
		for _, u := range used {
			if !u {
				s.fp++
			}
		}
	}
	return s
}

// scoreEvents matches detections to labeled events (times in the clip, with a key such
// as the crossing's direction) within tol; detections near an ambiguous event count for
// nothing.
func scoreEvents(truth, ambiguous [][2]any, dets []app.Detection, key func(app.Detection) string, tol float64) tally {
	var s tally
	used := make([]bool, len(dets))
	for _, ev := range truth {
		at, k := ev[0].(float64), ev[1].(string)
		found := false
		for i, d := range dets {
			if !used[i] && key(d) == k && math.Abs(clipSeconds(d)-at) <= tol {
				used[i], found = true, true
				break
			}
		}
		if found {
			s.tp++
		} else {
			s.fn++
		}
	}
next:
	for i, d := range dets {
		if used[i] {
			continue
		}
		for _, ev := range ambiguous {
			if key(d) == ev[1].(string) && math.Abs(clipSeconds(d)-ev[0].(float64)) <= tol {
				continue next
			}
		}
		s.fp++
	}
	return s
}

// scoreIntervals: a labeled interval is found when a detection falls in it (or up to
// late seconds after its start); a detection outside every interval (and outside the
// ambiguous ones) is false.
func scoreIntervals(truth, ambiguous [][2]float64, dets []app.Detection, late float64) tally {
	var s tally
	used := make([]bool, len(dets))
	for _, iv := range truth {
		found := false
		for i, d := range dets {
			if at := clipSeconds(d); at >= iv[0] && at <= max(iv[1], iv[0]+late) {
				used[i], found = true, true
			}
		}
		if found {
			s.tp++
		} else {
			s.fn++
		}
	}
next:
	for i, d := range dets {
		if used[i] {
			continue
		}
		for _, iv := range ambiguous {
			if at := clipSeconds(d); at >= iv[0] && at <= iv[1] {
				continue next
			}
		}
		s.fp++
	}
	return s
}

func times(ds []app.Detection) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%.1f%s", clipSeconds(d), map[bool]string{true: " " + d.Detail, false: ""}[d.Detail != ""]))
	}
	sort.Strings(out)
	return out
}

// ffmpegClip makes a test clip with the ffmpeg CLI (args between the input and the output).
func ffmpegClip(t testing.TB, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	return out
}

var labeled struct {
	once sync.Once
	run  *clipRun
}

// labeledRun is the engine's run over vtest.avi with the labeled configuration, made once
// for all the tests that score it.
func labeledRun(t *testing.T, l *clipLabels) *clipRun {
	t.Helper()
	labeled.once.Do(func() { labeled.run = runClip(t, vtest, labeledConfig(l, fullView), 5) })
	if labeled.run == nil {
		t.Fatal("the labeled run failed")
	}
	return labeled.run
}
