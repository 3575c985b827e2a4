// Manager is a runner (DESIGN.md, "Every part that runs"): NewManager starts nothing;
// Run(ctx) runs one analytics runner per camera SetCameras names (SetCameras before Run is
// remembered) and the CPU budget's scheduler, until ctx ends; then it stops every runner
// (their viewers closed), waits for them and returns. A runner whose stream fails opens it
// again with its own backoff (runner.go) without ending Run.

package analytics

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"reflect"
	"sort"
	"sync"
	"time"

	"watchpost/app"
)

// Manager runs analytics on every camera that has a detector on, one runner each, and
// keeps the whole within a CPU budget: every two seconds it adds up what each camera costs
// (milliseconds per frame × frames per second) and, when over the budget, lowers the
// sampling rate of the least important cameras first (never below MinFPS) rather than let
// them fall behind; when well under it, it gives the rates back, the most important first.
type Manager struct {
	feeds app.CameraFeeds
	sink  Sink
	opts  Options
	log   *slog.Logger

	mu      sync.Mutex
	budget  float64
	used    float64
	cams    []app.Camera        // as SetCameras gave them
	runners map[string]*managed // while Run runs
	ctx     context.Context     // Run's, while it runs (nil otherwise)
	running bool                // from Run's start until its runners have ended
	wg      sync.WaitGroup      // the runners' goroutines; added to only while Run runs
}

type managed struct {
	r      *runner
	cam    app.Camera
	cancel context.CancelFunc
	done   chan struct{}
}

// MinFPS is the lowest rate the budget lowers a camera to.
const MinFPS = 1.0

// NewManager prepares the analytics of the cameras; budget is in cores. Nothing runs
// until Run.
func NewManager(feeds app.CameraFeeds, sink Sink, budget float64, opts Options, log *slog.Logger) *Manager {
	SetOpenCVThreads(1)
	return &Manager{feeds: feeds, sink: sink, opts: opts, log: log, budget: budget, runners: map[string]*managed{}}
}

// Run analyses the cameras SetCameras names and fits them to the budget every two seconds,
// until ctx ends; then it stops every runner, waits for them and returns nil. Run may be
// run again after it returned, never twice at once.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("analytics: the manager is already running")
	}
	m.running, m.ctx = true, ctx
	m.applyLocked()
	m.mu.Unlock()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			m.mu.Lock()
			m.ctx = nil
			for id, r := range m.runners {
				r.cancel()
				delete(m.runners, id)
			}
			m.mu.Unlock()
			m.wg.Wait()
			m.mu.Lock()
			m.running = false
			m.mu.Unlock()
			return nil
		case <-tick.C:
			m.schedule()
		}
	}
}

// SetCameras starts, restarts (settings changed) or stops the runners to match the site;
// before Run, it says what Run starts with.
func (m *Manager) SetCameras(cams []app.Camera) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cams = append([]app.Camera(nil), cams...)
	if m.ctx != nil {
		m.applyLocked()
	}
}

// applyLocked makes the runners match m.cams (m.mu held, Run running).
func (m *Manager) applyLocked() {
	want := map[string]app.Camera{}
	for _, c := range m.cams {
		if c.Analytics.Enabled() {
			want[c.ID] = c
		}
	}
	for id, r := range m.runners {
		c, ok := want[id]
		if ok && reflect.DeepEqual(c.Analytics, r.cam.Analytics) && c.SubURL == r.cam.SubURL && c.MainURL == r.cam.MainURL {
			delete(want, id)
			continue
		}
		r.cancel()
		<-r.done
		delete(m.runners, id)
	}
	for id, c := range want {
		ctx, cancel := context.WithCancel(m.ctx)
		r := newRunner(c, m.feeds, m.sink, m.opts, m.log)
		mr := &managed{r: r, cam: c, cancel: cancel, done: make(chan struct{})}
		m.runners[id] = mr
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer close(mr.done)
			r.run(ctx)
		}()
		m.log.Info("analytics started", "camera", id, "detectors", len(c.Analytics.Detectors))
	}
}

// SetBudget changes the CPU budget (cores).
func (m *Manager) SetBudget(cores float64) {
	m.mu.Lock()
	m.budget = cores
	m.mu.Unlock()
	m.schedule()
}

// schedule fits the cameras' rates to the budget.
func (m *Manager) schedule() {
	m.mu.Lock()
	budget := m.budget
	rs := make([]*runner, 0, len(m.runners))
	for _, r := range m.runners {
		rs = append(rs, r.r)
	}
	m.mu.Unlock()
	type cam struct {
		r                       *runner
		cores, rate, configured float64
		prio                    int
	}
	cams := make([]cam, len(rs))
	total := 0.0
	for i, r := range rs {
		c, p, rate, conf := r.load()
		cams[i] = cam{r, c, rate, conf, p}
		total += c
	}
	m.mu.Lock()
	m.used = total
	m.mu.Unlock()
	perFrame := func(c cam) float64 { // cores per frame a second
		if c.rate <= 0 {
			return 0
		}
		return c.cores / c.rate
	}
	atFloor := func(cs []cam) bool { // every camera of cs sampled at MinFPS already
		for _, c := range cs {
			if c.rate > MinFPS {
				return false
			}
		}
		return true
	}
	switch {
	case total > budget:
		// Least important first; among equals, the most expensive first.
		sort.Slice(cams, func(i, j int) bool {
			if cams[i].prio != cams[j].prio {
				return cams[i].prio < cams[j].prio
			}
			return cams[i].cores > cams[j].cores
		})
		// A camera is touched only once every less important one is at its floor: a step is
		// at most half the rate (the measured cost lags), so a group not yet at its floor
		// ends this round and the next round goes on from there.
		for i, c := range cams {
			if total <= budget {
				break
			}
			if i > 0 && c.prio != cams[i-1].prio && !atFloor(cams[:i]) {
				break
			}
			k := perFrame(c)
			if k <= 0 || c.rate <= MinFPS {
				continue
			}
			// The rate that would bring the total to the budget, within [MinFPS, rate/2].
			want := c.rate - (total-budget)/k
			want = math.Max(MinFPS, math.Min(want, c.rate*0.5))
			want = math.Round(want*10) / 10
			total -= (c.rate - want) * k
			c.r.setRate(want)
			cams[i].rate = want
			m.log.Info("analytics over its CPU budget: sampling lowered", "camera", c.r.cam.ID, "fps", want, "budget", budget)
		}
	case total < budget*0.8:
		// Most important first get their rate back.
		sort.Slice(cams, func(i, j int) bool { return cams[i].prio > cams[j].prio })
		for _, c := range cams {
			if c.rate >= c.configured {
				continue
			}
			k := perFrame(c)
			room := budget*0.9 - total
			if room <= 0 {
				break
			}
			want := c.configured
			if k > 0 {
				want = math.Min(c.configured, c.rate+room/k)
			}
			want = math.Round(want*10) / 10
			if want > c.rate {
				total += (want - c.rate) * k
				c.r.setRate(want)
			}
		}
	}
}

// Statuses returns each analysed camera's status, by camera ID.
func (m *Manager) Statuses() []app.AnalyticsStatus {
	m.mu.Lock()
	out := make([]app.AnalyticsStatus, 0, len(m.runners))
	for _, r := range m.runners {
		out = append(out, r.r.snapshotStatus())
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CameraID < out[j].CameraID })
	return out
}

// Objects returns what a camera's analytics tracks now.
func (m *Manager) Objects(cameraID string) []app.TrackedObject {
	m.mu.Lock()
	r, ok := m.runners[cameraID]
	m.mu.Unlock()
	if !ok {
		return nil
	}
	return r.r.currentObjects()
}

// Budget returns the CPU budget and what the cameras use of it now (cores).
func (m *Manager) Budget() (cores, used float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.budget, m.used
}
