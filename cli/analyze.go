package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"watchpost/app"
	"watchpost/video/analytics"
)

// analyzeLine is one detection as `watchpost analyze` prints it.
type analyzeLine struct {
	Time     float64          `json:"time"` // seconds into the clip
	Detector app.DetectorKind `json:"detector"`
	Zone     string           `json:"zone,omitempty"`
	Line     string           `json:"line,omitempty"`
	Boxes    []app.NRect      `json:"boxes"`
	Score    float64          `json:"score"`
	Count    int              `json:"count,omitempty"`
	Detail   string           `json:"detail,omitempty"`
	Snapshot string           `json:"snapshot,omitempty"`
}

// runAnalyze runs the detectors over a video file and prints each detection as a JSON
// line: an installer tunes zones and thresholds on a recorded clip before switching a
// camera's analytics on.
func Analyze(args []string, s Streams) int {
	stdout, stderr := s.Out, s.Err
	fs := newFlags("watchpost analyze", s)
	dataDir := fs.String("data", "", "data directory: with --camera, take that camera's settings from the site")
	cameraID := fs.String("camera", "", "use the analytics settings of this camera of the site")
	configFile := fs.String("config", "", "analytics settings as JSON (a camera's \"analytics\" object)")
	detectors := fs.String("detectors", "", "without settings: these detectors on the whole picture (motion,intrusion,loitering,crowd,fall,face)")
	fps := fs.Float64("fps", 0, "frames analysed per second (default the settings' or 5)")
	snapshots := fs.String("snapshots", "", "save a JPEG of each detection in this folder")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: watchpost analyze [--camera ID [--data DIR] | --config FILE | --detectors LIST] [--fps N] [--snapshots DIR] VIDEO\n\n")
		fs.PrintDefaults()
	}
	files, err := parseArgs(fs, args) // flags may come after the file name too
	if err != nil {
		return ExitUsage
	}
	if len(files) != 1 {
		fs.Usage()
		return ExitUsage
	}
	cfg, err := analyzeConfig(*dataDir, *cameraID, *configFile, *detectors)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return ExitUsage
	}
	if *fps > 0 {
		cfg.FPS = *fps
	}
	if cfg.FPS <= 0 {
		cfg.FPS = analytics.DefaultFPS
	}
	if *snapshots != "" {
		if err := os.MkdirAll(*snapshots, 0o700); err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return ExitFailure
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	analytics.SetOpenCVThreads(1)
	e := analytics.NewEngine("clip", cfg, analytics.Options{IgnoreSchedule: true})
	defer e.Close()
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, st := range e.Statuses(start) {
		if st.Failed != "" {
			fmt.Fprintf(stderr, "watchpost: detector %s is off: %s\n", st.Kind, app.RenderTemplate(st.Failed, st.FailedArgs))
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	var frames int
	var cost time.Duration
	counts := map[app.DetectorKind]int{}
	err = analytics.ReadClip(ctx, files[0], cfg.FPS, func(img *image.Gray, at time.Duration) error {
		res := e.Process(img, start.Add(at))
		frames++
		cost += res.Cost
		for _, d := range res.Detections {
			counts[d.Detector]++
			line := analyzeLine{Time: at.Seconds(), Detector: d.Detector, Zone: d.Zone, Line: d.Line, Boxes: d.Boxes,
				Score: d.Score, Count: d.Count, Detail: d.Detail}
			if *snapshots != "" {
				name := filepath.Join(*snapshots, fmt.Sprintf("%08.2f-%s.jpg", at.Seconds(), d.Detector))
				if err := os.WriteFile(name, analytics.EncodeSnapshot(img, d.Boxes), 0o600); err != nil {
					return err
				}
				line.Snapshot = name
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return ExitFailure
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	ms := 0.0
	if frames > 0 {
		ms = float64(cost.Microseconds()) / 1000 / float64(frames)
	}
	fmt.Fprintf(stderr, "watchpost: %d frames at %.1f fps, %.1f ms a frame; detections: %s\n", frames, cfg.FPS, ms, orNone(strings.Join(parts, ", ")))
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// analyzeConfig is the settings to analyse with: a camera's, a file's, or a list of
// detectors on the whole picture.
func analyzeConfig(dataDir, cameraID, configFile, detectors string) (app.CameraAnalytics, error) {
	var cfg app.CameraAnalytics
	switch {
	case cameraID != "":
		dir, err := DataDir(dataDir)
		if err != nil {
			return cfg, err
		}
		ctx := context.Background()
		st, err := OpenReadOnly(ctx, dir)
		if err != nil {
			return cfg, err
		}
		defer st.Close()
		site, err := st.LoadSite(ctx)
		if err != nil {
			return cfg, err
		}
		cam, ok := site.Camera(cameraID)
		if !ok {
			return cfg, fmt.Errorf("the site has no camera %q", cameraID)
		}
		if !cam.Analytics.Enabled() {
			return cfg, fmt.Errorf("camera %s has no detector switched on (use --detectors or --config)", cameraID)
		}
		return *cam.Analytics, nil
	case configFile != "":
		b, err := os.ReadFile(configFile)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return cfg, fmt.Errorf("the analytics settings %s cannot be read: %w", configFile, err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return cfg, fmt.Errorf("%s is not analytics settings in JSON: %w", configFile, err)
		}
		if !cfg.Enabled() {
			return cfg, fmt.Errorf("%s switches no detector on", configFile)
		}
		return cfg, nil
	default:
		if detectors == "" {
			detectors = "motion,intrusion,loitering,crowd,fall,face"
		}
		for _, k := range strings.Split(detectors, ",") {
			k := app.DetectorKind(strings.TrimSpace(k))
			if k == app.DetectLine {
				return cfg, fmt.Errorf("line crossing needs a line: give it in --config")
			}
			if !slices.Contains(app.DetectorKinds, k) {
				var known []string
				for _, d := range app.DetectorKinds {
					if d != app.DetectLine {
						known = append(known, string(d))
					}
				}
				return cfg, fmt.Errorf("--detectors: there is no detector %q (give some of %s)", k, strings.Join(known, ","))
			}
			cfg.Detectors = append(cfg.Detectors, app.DetectorConfig{Kind: k, Enabled: true})
		}
		return cfg, nil
	}
}
