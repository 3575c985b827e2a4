package app_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"watchpost/app"
)

// loadDemoSite reads the bundled demo community, refusing fields the schema does not know
// (a misspelt json tag in the file would otherwise be dropped silently).
func loadDemoSite(t *testing.T) app.Site {
	t.Helper()
	b, err := os.ReadFile("../assets/demo/site.json")
	if err != nil {
		t.Fatalf("reading the demo site: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var site app.Site
	if err := dec.Decode(&site); err != nil {
		t.Fatalf("decoding the demo site: %v", err)
	}
	return site
}

func TestDemoSiteValidates(t *testing.T) {
	site := loadDemoSite(t)
	if err := site.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if site.ID != "demo" || !site.Demo {
		t.Errorf("id %q demo %v, want id demo and demo true", site.ID, site.Demo)
	}
	if site.Name == "" || site.NameEn == "" {
		t.Errorf("the demo site needs a Chinese and an English name")
	}
}

func TestDemoSiteCounts(t *testing.T) {
	site := loadDemoSite(t)

	residential := 0
	for _, b := range site.Buildings {
		switch b.Use {
		case "residential":
			residential++
			if b.Floors < 1 || b.Units < 1 {
				t.Errorf("building %s: floors %d units %d", b.ID, b.Floors, b.Units)
			}
		case "service":
		default:
			t.Errorf("building %s has use %q", b.ID, b.Use)
		}
	}
	if residential != 15 {
		t.Errorf("%d residential buildings, want 15", residential)
	}

	if len(site.Grids) != 5 {
		t.Errorf("%d grids, want 5", len(site.Grids))
	}
	for _, g := range site.Grids {
		if g.Worker.Name == "" || g.Worker.Phone == "" {
			t.Errorf("grid %s needs a worker with a name and a phone", g.ID)
		}
	}

	if len(site.Cameras) < 8 {
		t.Errorf("%d cameras, want at least 8", len(site.Cameras))
	}
	if len(site.Devices) < 60 {
		t.Errorf("%d devices, want at least 60", len(site.Devices))
	}
	byKind := site.DevicesByKind()
	for _, k := range app.DeviceKinds {
		if len(byKind[k]) == 0 {
			t.Errorf("no device of kind %s", k)
		}
	}
	for _, d := range byKind[app.KindBracelet] {
		if d.Person == nil || d.Person.Contact == "" || d.Person.ContactPhone == "" {
			t.Errorf("bracelet %s needs its wearer and a family contact", d.ID)
		}
	}
}

func TestDemoSiteGeometry(t *testing.T) {
	site := loadDemoSite(t)

	// in checks that p lies inside the boundary and inside the grid that names it.
	in := func(what string, p app.Point, gridID string) {
		t.Helper()
		if !site.Boundary.Contains(p) {
			t.Errorf("%s at %v lies outside the site boundary", what, p)
		}
		g, ok := site.Grid(gridID)
		if !ok {
			t.Errorf("%s names unknown grid %q", what, gridID)
			return
		}
		if !g.Area.Contains(p) {
			t.Errorf("%s at %v lies outside its grid %s", what, p, gridID)
		}
	}

	for _, b := range site.Buildings {
		for _, p := range b.Footprint {
			in("building "+b.ID, p, b.GridID)
		}
		in("building "+b.ID+" centroid", b.Footprint.Centroid(), b.GridID)
	}
	for _, c := range site.Cameras {
		in("camera "+c.ID, c.Position, c.GridID)
		if c.BuildingID != "" {
			if b, ok := site.Building(c.BuildingID); ok && !b.Footprint.Contains(c.Position) {
				t.Errorf("camera %s lies outside its building %s", c.ID, b.ID)
			}
		}
	}
	for _, d := range site.Devices {
		in("device "+d.ID, d.Position, d.GridID)
		if d.BuildingID != "" {
			if b, ok := site.Building(d.BuildingID); ok && !b.Footprint.Contains(d.Position) {
				t.Errorf("device %s lies outside its building %s", d.ID, b.ID)
			}
		}
		for _, id := range d.CameraIDs {
			if _, ok := site.Camera(id); !ok {
				t.Errorf("device %s names unknown camera %s", d.ID, id)
			}
		}
	}

	// No two building footprints overlap (bounding boxes; touching edges allowed).
	for i, a := range site.Buildings {
		ra := a.Footprint.Bounds()
		for _, b := range site.Buildings[i+1:] {
			rb := b.Footprint.Bounds()
			if ra.Min.X < rb.Max.X && rb.Min.X < ra.Max.X && ra.Min.Y < rb.Max.Y && rb.Min.Y < ra.Max.Y {
				t.Errorf("buildings %s and %s overlap", a.ID, b.ID)
			}
		}
	}

	// The grids tile the site: every sample point of the site lies in exactly one grid, and
	// no grid reaches outside the boundary. The offsets keep samples off the grid edges.
	for x := 2.5; x < 400; x += 5 {
		for y := 1.5; y < 300; y += 5 {
			p := app.Point{X: x, Y: y}
			n := 0
			for _, g := range site.Grids {
				if g.Area.Contains(p) {
					n++
				}
			}
			want := 0
			if site.Boundary.Contains(p) {
				want = 1
			}
			if n != want {
				t.Errorf("point %v lies in %d grids, want %d", p, n, want)
			}
		}
	}
}
