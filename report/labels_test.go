package report

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// The label sheet is printed by a real Chromium and read back as a resident's phone and a
// reader would: the codes decoded from the printed pages (zbarimg), the text extracted
// (pdftotext).

const testBase = "https://192.168.1.10:8443" // no slash: the sheet adds it

func printLabels(t *testing.T, s LabelSet) ([]byte, []Label) {
	t.Helper()
	pdf, labels, err := LabelsPDF(context.Background(), s)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(pdf), "%PDF-"), "a PDF")
	return pdf, labels
}

// wantCodes is the address of every label of the set, one per building (or unit).
func wantCodes(site *app.Site, perUnit bool) []string {
	var want []string
	for _, b := range site.Buildings {
		if !perUnit || b.Units < 1 {
			want = append(want, testBase+"/r?b="+b.ID)
			continue
		}
		for u := 1; u <= b.Units; u++ {
			want = append(want, testBase+"/r?b="+b.ID+"&u="+strconv.Itoa(u))
		}
	}
	return want
}

func TestLabelSheetHasOneCodePerBuildingHoldingItsReportingPage(t *testing.T) {
	site := demoSite(t)
	pdf, _ := printLabels(t, LabelSet{Site: site, Base: testBase})

	pages := testkit.PDFQRCodes(t, pdf, 100)
	require.Len(t, pages, (len(site.Buildings)+LabelsPerPage-1)/LabelsPerPage, "four labels a page")
	var got []string
	for i, codes := range pages {
		if i < len(pages)-1 {
			assert.Len(t, codes, LabelsPerPage, "page %d", i+1)
		}
		got = append(got, codes...)
	}
	want := wantCodes(site, false)
	sort.Strings(want)
	sort.Strings(got)
	assert.Equal(t, want, got, "every building's page, each once, nothing else")
}

func TestLabelSheetPerUnitHasOneCodePerStairwell(t *testing.T) {
	site := demoSite(t)
	pdf, labels := printLabels(t, LabelSet{Site: site, Base: testBase + "/", PerUnit: true})
	want := wantCodes(site, true)
	require.Len(t, labels, len(want))
	assert.Equal(t, (len(want)+LabelsPerPage-1)/LabelsPerPage, testkit.PDFPages(t, pdf))

	// The first page: building 1's three stairwells, then building 2's first.
	first := want[:LabelsPerPage]
	sort.Strings(first)
	assert.Equal(t, first, testkit.QRCodes(t, testkit.PDFPagePNG(t, pdf, 1, 100)))
	assert.Equal(t, "1号楼 2单元", labels[1].Place)
	assert.Equal(t, "Building 1, Unit 2", labels[1].PlaceEn)
}

func TestLabelSheetNamesTheSiteAndEveryBuildingInBothLanguages(t *testing.T) {
	site := demoSite(t)
	pdf, _ := printLabels(t, LabelSet{Site: site, Base: testBase})
	text := testkit.PDFText(t, pdf)
	for _, s := range []string{"阳光花园社区", "Sunshine Garden Community", "扫码报事", "Scan to report a problem",
		"楼道堆物", "无需注册账号", "物业电话 021-66880001", "火警 119", testBase + "/r?b=b07"} {
		assert.Contains(t, text, s)
	}
	for _, b := range site.Buildings {
		assert.Contains(t, text, b.Name)
		assert.Contains(t, text, b.NameEn)
	}
}

func TestLabelAddressesEscapeTheBuilding(t *testing.T) {
	assert.Equal(t, "https://x.lan/r?b=b01", ResidentURL("https://x.lan/", "b01", 0))
	assert.Equal(t, "https://x.lan/r?b=b01&u=3", ResidentURL("https://x.lan", "b01", 3))
	assert.Equal(t, "https://x.lan/r?b=A+%26+B%3D", ResidentURL("https://x.lan", "A & B=", 0))
}

func TestLabelsNameTheNumberTheNameLacks(t *testing.T) {
	site := &app.Site{Names: app.Names{Name: "小区", NameEn: "Estate"}, Buildings: []app.Building{
		{ID: "c", Names: app.Names{Name: "会所", NameEn: "Clubhouse"}, Number: "16"},
		{ID: "d", Names: app.Names{Name: "5号楼"}, Number: "5", Units: 2},
	}}
	labels, err := Labels(LabelSet{Site: site, Base: testBase})
	require.NoError(t, err)
	require.Len(t, labels, 2)
	assert.Equal(t, "会所（16号）", labels[0].Place)
	assert.Equal(t, "Clubhouse (No. 16)", labels[0].PlaceEn)
	assert.Equal(t, "5号楼", labels[1].Place)
	assert.Equal(t, "", labels[1].PlaceEn, "no English name: not said twice")
	assert.Equal(t, "Estate", labels[1].SiteEn)
}

func TestLabelsRefuseWhatCannotBePrinted(t *testing.T) {
	site := demoSite(t)
	for _, base := range []string{"", "192.168.1.10:8443", "ftp://x.lan/", "https://x.lan/?a=1", "https:///r"} {
		_, err := Labels(LabelSet{Site: site, Base: base})
		assert.True(t, app.IsCode(err, app.CodeInvalid), "base %q: %v", base, err)
	}
	_, err := Labels(LabelSet{Site: &app.Site{}, Base: testBase})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "no buildings: %v", err)
}

func TestLabelsSayWhenPhonesCannotReachTheAddress(t *testing.T) {
	for base, local := range map[string]bool{
		"https://localhost:8443/": true, "https://127.0.0.1:8443/": true, "https://[::1]:8443/": true,
		"https://192.168.1.10:8443/": false, "https://watchpost.lan/": false,
	} {
		assert.Equal(t, local, ThisMachineOnly(base), base)
	}
}
