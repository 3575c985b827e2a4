package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"watchpost/app"
)

//go:embed demo/orders.json
var demoOrderSetup []byte

//go:embed demo/order_history.json
var demoOrderHistory []byte

// The proof photos of the demo's history (drawn by demo/photos/make.sh).
//
//go:embed demo/photos/*.jpg
var demoPhotos embed.FS

// DemoOrderSetup returns the demo community's order set-up: a team for each grid with its
// grid worker, the property's repair crew and front desk, the dispatch rules and the property
// manager (the default categories: it names none).
func DemoOrderSetup() (app.OrderSetup, error) {
	var s app.OrderSetup
	if err := json.Unmarshal(demoOrderSetup, &s); err != nil {
		return s, fmt.Errorf("assets: demo order set-up: %w", err)
	}
	return s, nil
}

// DemoOrderHistory returns the script of the demo's past weeks of work orders, with its photos.
func DemoOrderHistory() (app.OrderHistory, error) {
	var h app.OrderHistory
	if err := json.Unmarshal(demoOrderHistory, &h); err != nil {
		return h, fmt.Errorf("assets: demo order history: %w", err)
	}
	files, err := demoPhotos.ReadDir("demo/photos")
	if err != nil {
		return h, fmt.Errorf("assets: demo photos: %w", err)
	}
	h.Photos = map[string][]byte{}
	for _, f := range files {
		b, err := demoPhotos.ReadFile(path.Join("demo/photos", f.Name()))
		if err != nil {
			return h, fmt.Errorf("assets: demo photos: %w", err)
		}
		h.Photos[strings.TrimSuffix(f.Name(), ".jpg")] = b
	}
	return h, nil
}
