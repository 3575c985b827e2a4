package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func diffSite() *Site {
	sq := Polygon{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	return &Site{ID: "s", Names: Names{Name: "小区"}, Boundary: Polygon{{0, 0}, {100, 0}, {100, 100}, {0, 100}},
		Buildings: []Building{{ID: "B1", Names: Names{Name: "1号楼"}, Footprint: sq}},
		Cameras: []Camera{{ID: "c1", Names: Names{Name: "门口"}, MainURL: "rtsp://u:pw@h/1", Position: Point{1, 1}},
			{ID: "c2", Names: Names{Name: "车库"}, MainURL: "rtsp://h/2", Position: Point{2, 2}}},
		Devices: []Device{{ID: "d1", Kind: KindSmoke, Names: Names{Name: "烟感"}, Position: Point{3, 3}}},
	}
}

// The preview lists what is added, changed (with the fields) and removed, kind by kind.
func TestDiffSites(t *testing.T) {
	cur := diffSite()
	next := diffSite()
	next.Cameras[0].Direction = 90
	next.Cameras[0].MainURL = "rtsp://u:new@h/1"
	next.Cameras = next.Cameras[:1]
	next.Devices = append(next.Devices, Device{ID: "d2", Kind: KindDoor, Names: Names{Name: "门禁"}})
	next.Buildings[0].Floors = 6

	d := DiffSites(cur, next)
	require.Equal(t, []SiteChange{
		{Kind: ItemBuilding, ID: "B1", Names: Names{Name: "1号楼"}, Op: ChangeChanged, Fields: []string{"floors"}},
		{Kind: ItemCamera, ID: "c1", Names: Names{Name: "门口"}, Op: ChangeChanged, Fields: []string{"direction", "main_url"}},
		{Kind: ItemCamera, ID: "c2", Names: Names{Name: "车库"}, Op: ChangeRemoved},
		{Kind: ItemDevice, ID: "d2", Names: Names{Name: "门禁"}, Op: ChangeAdded},
	}, d.Changes)
	assert.Equal(t, 1, d.Count(ItemCamera, ChangeRemoved))
	assert.Equal(t, 1, d.Count(ItemDevice, ChangeAdded))
	assert.False(t, d.Boundary)
	assert.True(t, DiffSites(cur, diffSite()).Empty(), "the same site changes nothing")
	assert.Len(t, DiffSites(nil, cur).Changes, 4, "everything is new on a site without one")
}

// The preview of a GeoJSON plan exported without passwords shows no camera change: the
// import gives the passwords back (PrepareImport does what ImportSite does).
func TestPrepareImportRestoresPasswordsForThePreview(t *testing.T) {
	cur := diffSite()
	data, err := ExportGeoJSON(cur)
	require.NoError(t, err)
	next, err := ImportGeoJSON(data)
	require.NoError(t, err)
	PrepareImport(next, cur)
	d := DiffSites(cur, next)
	assert.Zero(t, d.Count(ItemCamera, ChangeChanged), "%+v", d.Changes)
	assert.Equal(t, "rtsp://u:pw@h/1", next.Cameras[0].MainURL)
}
