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
	names, err := fs.Glob(plansFS, "plans/*.json")
	if err != nil {
		return nil, err
	}
	// In the order a community meets them most; files not listed follow by name.
	order := map[string]int{}
	for i, id := range []string{"fire-residential", "gas-leak", "rainstorm-flood", "earthquake", "elderly-medical",
		"intruder-theft", "missing-child", "lift-power", "epidemic"} {
		order["plans/"+id+".json"] = i + 1
	}
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
	out := make([]app.Plan, 0, len(names))
	for _, n := range names {
		b, err := plansFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		p, err := app.ParsePlan(b)
		if err != nil {
			return nil, fmt.Errorf("assets: %s: %w", n, err)
		}
		out = append(out, p)
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
