// Package assets embeds what the binary carries: translations (zh-CN, en), the demo
// community and its accounts, and the application icon.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"

	"watchpost/app"
)

//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the folder of the translation files inside Translations.
const TranslationsDir = "translations"

//go:embed demo/site.json
var demoSite []byte

//go:embed demo/operators.json
var demoOperators []byte

//go:embed icon.png
var Icon []byte

//go:embed icons/*.svg
var icons embed.FS

// SymbolSVG returns the SVG of a map and list symbol: a device kind ("smoke", "door"…),
// "camera", "building" or "grid". Symbols are black on transparent, for the UI to tint.
func SymbolSVG(name string) ([]byte, bool) {
	b, err := icons.ReadFile("icons/" + name + ".svg")
	return b, err == nil
}

// DemoSite returns the demo community, Sunshine Garden (阳光花园社区).
func DemoSite() (*app.Site, error) {
	var s app.Site
	if err := json.Unmarshal(demoSite, &s); err != nil {
		return nil, fmt.Errorf("assets: demo site: %w", err)
	}
	return &s, nil
}

// DemoAccounts returns the demo community's operator accounts with their published passwords.
func DemoAccounts() ([]app.DemoAccount, error) {
	var out []app.DemoAccount
	if err := json.Unmarshal(demoOperators, &out); err != nil {
		return nil, fmt.Errorf("assets: demo operators: %w", err)
	}
	return out, nil
}

// Seeds are a first start's: the demo community with its accounts, supply points and work
// orders (set-up and history), the default plans and drill scenarios (the console's, and the tests' that start like it).
func Seeds() app.Seeds {
	return app.Seeds{DemoSite: DemoSite, DemoAccounts: DemoAccounts, DemoSupplies: DemoSupplies,
		DemoOrderSetup: DemoOrderSetup, DemoOrderHistory: DemoOrderHistory,
		Plans: DefaultPlans, Drills: DefaultDrills}
}
