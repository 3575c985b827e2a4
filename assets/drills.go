package assets

import (
	"embed"

	"watchpost/app"
)

//go:embed drills/*.json
var drillsFS embed.FS

// DefaultDrills returns the drill scenarios every installation starts with, written for
// the demo community's devices and cameras: a high-rise fire, an elderly resident's fall
// at night, a rainstorm flooding the garage. A site without those devices leaves them out.
func DefaultDrills() ([]app.DrillScenario, error) {
	return loadOrdered(drillsFS, "drills", []string{"fire-building", "fall-night", "flood-basement"}, app.ParseDrillScenario)
}
