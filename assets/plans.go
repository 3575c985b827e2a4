package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"watchpost/app"
)

//go:embed plans/*.json
var plansFS embed.FS

// DefaultPlans returns the emergency plans every new installation starts with: fire,
// gas, flooding, earthquake, an elderly resident's emergency, intruders, a missing
// child, lifts and power, epidemics.
func DefaultPlans() ([]app.Plan, error) {
	// In the order a community meets them most; files not listed follow by name.
	return loadOrdered(plansFS, "plans", []string{"fire-residential", "gas-leak", "rainstorm-flood", "earthquake",
		"elderly-medical", "intruder-theft", "missing-child", "lift-power", "epidemic"}, app.ParsePlan)
}

// loadOrdered parses every dir/*.json of fsys: the IDs of first in that order, then the
// other files by name.
func loadOrdered[T any](fsys embed.FS, dir string, first []string, parse func([]byte) (T, error)) ([]T, error) {
	names, err := fs.Glob(fsys, dir+"/*.json")
	if err != nil {
		return nil, err
	}
	rank := func(n string) int {
		for i, id := range first {
			if n == dir+"/"+id+".json" {
				return i
			}
		}
		return len(first)
	}
	sort.SliceStable(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	out := make([]T, 0, len(names))
	for _, n := range names {
		b, err := fsys.ReadFile(n)
		if err != nil {
			return nil, err
		}
		v, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("assets: %s: %w", n, err)
		}
		out = append(out, v)
	}
	return out, nil
}

//go:embed demo/supplies.json
var demoSupplies []byte

// DemoSupplies returns the demo community's supply points.
func DemoSupplies() ([]app.SupplyPoint, error) {
	var out []app.SupplyPoint
	if err := json.Unmarshal(demoSupplies, &out); err != nil {
		return nil, fmt.Errorf("assets: demo supplies: %w", err)
	}
	for i := range out {
		out[i].FillItemIDs()
	}
	return out, nil
}
