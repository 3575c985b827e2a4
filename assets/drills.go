package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"watchpost/app"
)

//go:embed drills/*.json
var drillsFS embed.FS

// DefaultDrills returns the drill scenarios every installation starts with, written for
// the demo community's devices and cameras: a high-rise fire, an elderly resident's fall
// at night, a rainstorm flooding the garage. A site without those devices leaves them out.
func DefaultDrills() ([]app.DrillScenario, error) {
	names, err := fs.Glob(drillsFS, "drills/*.json")
	if err != nil {
		return nil, err
	}
	order := map[string]int{"drills/fire-building.json": 1, "drills/fall-night.json": 2, "drills/flood-basement.json": 3}
	sort.Slice(names, func(i, j int) bool {
		oi, oj := order[names[i]], order[names[j]]
		if oi == 0 {
			oi = len(order) + 1
		}
		if oj == 0 {
			oj = len(order) + 1
		}
		if oi != oj {
			return oi < oj
		}
		return names[i] < names[j]
	})
	out := make([]app.DrillScenario, 0, len(names))
	for _, n := range names {
		b, err := drillsFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		sc, err := app.ParseDrillScenario(b)
		if err != nil {
			return nil, fmt.Errorf("assets: %s: %w", n, err)
		}
		out = append(out, sc)
	}
	return out, nil
}
