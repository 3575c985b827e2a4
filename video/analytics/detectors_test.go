package analytics

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Each detector on real footage against the labels written for it (testdata), through
// the whole engine as the console runs it (a luma picture at 5 frames a second). The
// same runs over RTSP from the simulator are in rtsp_test.go; the figures in bench_test.go.

func everyDetector(zone string) []app.DetectorConfig {
	var out []app.DetectorConfig
	for _, k := range app.DetectorKinds {
		dc := app.DetectorConfig{Kind: k, Enabled: true, Zone: zone, Seconds: 3, Count: 1}
		if k == app.DetectLine {
			dc.Zone, dc.Line = "", "road"
		}
		out = append(out, dc)
	}
	return out
}

func TestPeopleOnRealFootage(t *testing.T) {
	l := loadLabels(t)
	r := labeledRun(t, l)
	s := scorePeople(l, r, fullView)
	t.Logf("people: %v", s)
	// Measured 0.88 / 0.63 (HOG on moving regions; people who stood still since the
	// first frame are part of the background until they move).
	assert.GreaterOrEqual(t, s.precision(), 0.8, s.String())
	assert.GreaterOrEqual(t, s.recall(), 0.55, s.String())
}

func TestIntrusionAndLoiteringOnTheLawn(t *testing.T) {
	l := loadLabels(t)
	r := labeledRun(t, l)
	intr := r.of(app.DetectIntrusion)
	require.NotEmpty(t, intr, "nobody entered the lawn")
	assert.InDelta(t, l.LawnOccupied[0], clipSeconds(intr[0]), 3, "the first intrusion comes as someone steps on the lawn: %v", times(intr))
	s := scoreIntervals([][2]float64{l.LawnOccupied}, [][2]float64{l.LawnEdge}, intr, 3)
	assert.Equal(t, 0, s.fp, "intrusions while nobody was on the lawn: %v", times(intr))
	for _, d := range intr {
		assert.Equal(t, "lawn", d.Zone)
		assert.NotEmpty(t, d.Boxes)
	}

	loit := r.of(app.DetectLoitering)
	s = scoreIntervals(l.Loitering, nil, loit, 0)
	assert.Equal(t, 1, s.tp, "someone stays on the lawn for more than 8 s: %v", times(loit))
	assert.Equal(t, 0, s.fp, "loitering before anyone stayed 8 s: %v", times(loit))
}

func TestLineCrossingOnRealFootage(t *testing.T) {
	l := loadLabels(t)
	r := labeledRun(t, l)
	cross := r.of(app.DetectLine)
	s := scoreEvents(l.Crossings, l.Ambiguous, cross, func(d app.Detection) string { return d.Detail }, 1.5)
	t.Logf("crossings %v: %v", times(cross), s)
	assert.GreaterOrEqual(t, s.precision(), 0.85, s.String())
	assert.GreaterOrEqual(t, s.recall(), 0.5, s.String())

	// One way only: the other direction is not reported.
	cfg := labeledConfig(l, fullView)
	cfg.Lines[0].Direction = app.CrossBA
	only := runClip(t, vtest, cfg, 5).of(app.DetectLine)
	require.NotEmpty(t, only)
	for _, d := range only {
		assert.Equal(t, app.CrossBA, d.Detail)
	}
}

func TestCrowdAtTheSign(t *testing.T) {
	l := loadLabels(t)
	r := labeledRun(t, l)
	crowd := r.of(app.DetectCrowd)
	s := scoreIntervals(l.Crowded, l.CrowdedAmbig, crowd, 0)
	t.Logf("crowds %v: %v", times(crowd), s)
	// Measured 1.00 / 0.40: a crowd is counted person by person, and the people detector
	// finds about two in three, so short gatherings of three are missed.
	assert.GreaterOrEqual(t, s.precision(), 0.75, s.String())
	assert.GreaterOrEqual(t, s.recall(), 0.4, s.String())
	for _, d := range crowd {
		assert.Greater(t, d.Count, 2)
		assert.Len(t, d.Boxes, d.Count)
	}
}

func TestEmptySceneRaisesNothing(t *testing.T) {
	cfg := app.CameraAnalytics{
		Zones:     []app.Zone{{ID: "all", Name: "all", Points: []app.NPoint{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}}},
		Lines:     []app.CrossLine{{ID: "road", Name: "road", From: app.NPoint{X: 0.25, Y: 0.2}, To: app.NPoint{X: 0.25, Y: 0.6}}},
		Detectors: everyDetector("all"),
	}
	r := runClip(t, emptyScene(t, 30), cfg, 5)
	assert.Empty(t, r.detections, "an empty scene with a camera's noise")
	for s, people := range r.people {
		assert.Empty(t, people, "people at %d s", s)
	}
}

func TestFallOnRealPerson(t *testing.T) {
	cfg := app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFall, Enabled: true, Seconds: 3}}}
	falls := runClip(t, fallClip(t, true), cfg, 5).of(app.DetectFall)
	require.Len(t, falls, 1, "one fall: %v", times(falls))
	// Down at 12 s, still down 3 s later.
	assert.InDelta(t, 15.5, clipSeconds(falls[0]), 1.6, "said once the man stayed down for 3 s")
	b := falls[0].Boxes[0]
	assert.Greater(t, b.W, b.H, "the box of someone lying is wider than tall")

	// The same man walking in and standing: no fall.
	assert.Empty(t, runClip(t, fallClip(t, false), cfg, 5).of(app.DetectFall))
}

func TestFacesForTheAccessLog(t *testing.T) {
	cfg := app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFace, Enabled: true}}}
	faces := runClip(t, faceClip(t), cfg, 5).of(app.DetectFace)
	require.NotEmpty(t, faces, "the visitor's face")
	assert.LessOrEqual(t, len(faces), 2, "a visitor is logged once (twice if seen coming in and standing)")
	for _, f := range faces {
		require.Len(t, f.Boxes, 1)
		b := f.Boxes[0]
		// Where the face was then: the visitor's picture is at x 768-(t-6)·234 until 8 s,
		// then at 300; the face 39–144 across it, 54–198 down from y 80.
		s := clipSeconds(f)
		x := 300.0
		if s < 8 {
			x = 768 - (s-6)*234
		}
		cx, cy := (x+91)/768, 206.0/576
		assert.True(t, cx >= b.X && cx <= b.X+b.W && cy >= b.Y && cy <= b.Y+b.H, "the box %+v holds the face at %.1f s", b, s)
		assert.GreaterOrEqual(t, s, 6.0, "nobody at the door before 6 s")
	}
}

func TestScheduleKeepsADetectorToItsHours(t *testing.T) {
	l := loadLabels(t)
	cfg := labeledConfig(l, fullView)
	for i := range cfg.Detectors {
		cfg.Detectors[i].Schedule = app.Schedule{From: "22:00", To: "06:00"} // the clip runs at noon
	}
	e := NewEngine("cam", cfg, Options{})
	defer e.Close()
	n := 0
	require.NoError(t, ReadClip(t.Context(), vtest, 5, func(img *image.Gray, at time.Duration) error {
		n += len(e.Process(img, clipStart.Add(at)).Detections)
		return nil
	}))
	assert.Zero(t, n, "nothing outside the detectors' hours")
	for _, st := range e.Statuses(clipStart) {
		assert.False(t, st.Active, "%s is not active at noon", st.Kind)
		assert.Empty(t, st.Failed)
	}
}

func TestMotionEpisodes(t *testing.T) {
	cfg := app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectMotion, Enabled: true}}}
	r := runClip(t, vtest, cfg, 5)
	motion := r.of(app.DetectMotion)
	// People walk through the whole clip: one episode, said at its start and once a minute.
	require.Len(t, motion, 2, "%v", times(motion))
	assert.Less(t, clipSeconds(motion[0]), 2.0)
	assert.InDelta(t, clipSeconds(motion[0])+60, clipSeconds(motion[1]), 0.5)
	assert.Empty(t, runClip(t, emptyScene(t, 30), cfg, 5).detections)
}

func TestABadDetectorIsSwitchedOffAndTheOthersGoOn(t *testing.T) {
	l := loadLabels(t)
	cfg := labeledConfig(l, fullView)
	cfg.Detectors = append(cfg.Detectors,
		app.DetectorConfig{Kind: app.DetectLoitering, Enabled: true, Zone: "gone"},
		app.DetectorConfig{Kind: app.DetectLine, Enabled: true, Line: "nowhere"},
		app.DetectorConfig{Kind: app.DetectFace, Enabled: true})
	cfg.Zones = append(cfg.Zones, app.Zone{ID: "flat", Name: "flat", Points: []app.NPoint{{X: 0.1, Y: 0.1}, {X: 0.2, Y: 0.2}}})
	cfg.Detectors = append(cfg.Detectors, app.DetectorConfig{Kind: app.DetectCrowd, Enabled: true, Zone: "flat", Count: 2})
	e := NewEngine("cam", cfg, Options{IgnoreSchedule: true, FaceModel: "/nonexistent/face.xml"})
	defer e.Close()
	var got []app.Detection
	require.NoError(t, ReadClip(t.Context(), vtest, 5, func(img *image.Gray, at time.Duration) error {
		got = append(got, e.Process(img, clipStart.Add(at)).Detections...)
		return nil
	}))
	failed := map[string]string{}
	for _, st := range e.Statuses(clipStart) {
		if st.Failed != "" {
			failed[string(st.Kind)+"/"+st.Zone] = app.RenderTemplate(st.Failed, st.FailedArgs)
		}
	}
	assert.Equal(t, map[string]string{
		"loitering/gone": "Zone gone does not exist",
		"line/":          "Line nowhere does not exist",
		"face/":          "The face model /nonexistent/face.xml is missing (install opencv-data)",
		"crowd/flat":     "Zone flat has fewer than three points",
	}, failed)
	why, _ := e.Failed()
	assert.Empty(t, why, "the camera's other detectors run")
	kinds := map[app.DetectorKind]int{}
	for _, d := range got {
		kinds[d.Detector]++
	}
	assert.Positive(t, kinds[app.DetectIntrusion], "intrusion still works")
	assert.Positive(t, kinds[app.DetectLine], "the good line still works")
}

func TestOpenCVFailureSwitchesOffOnlyThatDetector(t *testing.T) {
	l := loadLabels(t)
	e := NewEngine("cam", labeledConfig(l, fullView), Options{IgnoreSchedule: true})
	defer e.Close()
	// A detector that blows up in the middle of a frame (as a gocv call on a bad matrix
	// panics) is switched off with the reason; the engine and the others carry on.
	e.dets[0].cfg.Kind = "boom"
	boom := e.dets[0]
	var got []app.Detection
	require.NoError(t, ReadClip(t.Context(), vtest, 5, func(img *image.Gray, at time.Duration) error {
		if at == 10*time.Second {
			boom.line = nil
			boom.cfg.Kind = app.DetectLine // crossing() on a nil line panics
		}
		got = append(got, e.Process(img, clipStart.Add(at)).Detections...)
		return nil
	}))
	assert.Equal(t, "The detector failed: {{.Err}}", boom.failed.msg)
	assert.Contains(t, boom.failed.String(), "nil pointer")
	why, _ := e.Failed()
	assert.Empty(t, why)
	assert.NotEmpty(t, got)
}
