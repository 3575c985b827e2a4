package report

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The residents' QR label sheet: one label per building (or per stairwell, 单元), each
// with the QR code of the resident reporting page for that place (<base>r?b=<building>,
// &u=<unit>), which needs no account. The labels are posted in the buildings' entrances,
// so they speak to residents rather than to the operator who prints them: Chinese first,
// English below, whatever the console's language. Four labels fill an A4 page (2 × 2,
// cut along the dashed lines): a label a quarter of A4 carries a code about 7 cm wide,
// which a phone reads from a metre away (a 2 × 4 sheet's 4.5 cm codes need half of that).

// LabelsPerPage is how many labels one A4 page holds.
const LabelsPerPage = 4

// qrLevel is the codes' error correction: M restores 15 % of a code, enough for a label
// scuffed or partly covered in a stairwell.
const qrLevel = qrcode.Medium

// LabelSet says which labels to print.
type LabelSet struct {
	Site *app.Site
	// Base is the phone pages' address phones use ("https://192.168.1.10:8443/").
	Base string
	// PerUnit prints one label per stairwell (单元) of each building that has them.
	PerUnit bool
}

// Label is one label of the sheet: where it is posted and the address its code holds.
type Label struct {
	Site, SiteEn   string // the site's name in Chinese and English ("" when the same)
	Place, PlaceEn string // "3号楼 2单元" / "Building 3, Unit 2"
	URL            string // the resident reporting page for the place
	QR             template.HTML
}

// ResidentURL is the address of the resident reporting page for a building (unit 0: the
// whole building) under the phone pages' address base.
func ResidentURL(base, building string, unit int) string {
	q := url.Values{"b": {building}}
	if unit > 0 {
		q.Set("u", strconv.Itoa(unit))
	}
	return strings.TrimSuffix(base, "/") + "/r?" + q.Encode()
}

// CheckBase checks the phone pages' address the labels carry: an http(s) address with a
// host, nothing after its path.
func CheckBase(base string) error {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return app.Errorf(app.CodeInvalid, "The phone pages' address {{.U}} is not an address such as https://192.168.1.10:8443", "U", base)
	}
	return nil
}

// ThisMachineOnly reports whether base names this machine (localhost, 127.0.0.1, ::1):
// phones cannot reach it, and labels carrying it are of no use on the site.
func ThisMachineOnly(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Labels lists the labels of a set, in the site's order of buildings.
func Labels(s LabelSet) ([]Label, error) {
	if s.Site == nil || len(s.Site.Buildings) == 0 {
		return nil, app.Errorf(app.CodeInvalid, "The site has no buildings: there are no labels to print")
	}
	if err := CheckBase(s.Base); err != nil {
		return nil, err
	}
	zh, en := i18n.For(i18n.Chinese), i18n.For(i18n.English)
	site, siteEn := s.Site.Display(false), s.Site.Display(true)
	if siteEn == site {
		siteEn = ""
	}
	var out []Label
	add := func(b *app.Building, unit int) error {
		l := Label{Site: site, SiteEn: siteEn, Place: buildingName(zh, b), PlaceEn: buildingName(en, b), URL: ResidentURL(s.Base, b.ID, unit)}
		if unit > 0 {
			l.Place += " " + zh.T("Unit {{.N}}", map[string]any{"N": unit})
			l.PlaceEn += ", " + en.T("Unit {{.N}}", map[string]any{"N": unit})
		}
		if l.PlaceEn == l.Place {
			l.PlaceEn = ""
		}
		svg, err := qrSVG(l.URL)
		if err != nil {
			return err
		}
		l.QR = svg
		out = append(out, l)
		return nil
	}
	for i := range s.Site.Buildings {
		b := &s.Site.Buildings[i]
		if !s.PerUnit || b.Units < 1 {
			if err := add(b, 0); err != nil {
				return nil, err
			}
			continue
		}
		for u := 1; u <= b.Units; u++ {
			if err := add(b, u); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// LabelCount is how many labels the site's sheet holds: one per building, or per stairwell
// of the buildings that have them.
func LabelCount(site *app.Site, perUnit bool) int {
	if site == nil {
		return 0
	}
	n := 0
	for _, b := range site.Buildings {
		if perUnit && b.Units > 0 {
			n += b.Units
		} else {
			n++
		}
	}
	return n
}

// buildingName is a building's name in tr's language, with its number where the name does
// not already say it ("物业服务中心" stays as it is; "Clubhouse" with number 16 becomes
// "Clubhouse (No. 16)").
func buildingName(tr i18n.Translator, b *app.Building) string {
	name := b.Display(tr.English())
	if b.Number == "" || strings.Contains(name, b.Number) {
		return name
	}
	return tr.T("{{.Name}} (No. {{.N}})", map[string]any{"Name": name, "N": b.Number})
}

// qrSVG draws the code of text as an inline SVG: one path of its dark modules, with the
// quiet zone of four modules the standard asks for. A vector prints sharp at any size.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return "", app.Errorf(app.CodeInvalid, "{{.U}} cannot be put in a QR code", "U", text).Wrap(err)
	}
	bits := q.Bitmap() // with the quiet zone
	n := len(bits)
	var d strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	svg := fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, n, n, d.String())
	return template.HTML(svg), nil // made here from numbers alone
}

// labelPage is what the sheet's template is given.
type labelPage struct {
	Title        string
	Pages        [][]Label
	Scan, ScanEn string
	What, WhatEn string
	Free, FreeEn string // no account needed
	Desk, DeskEn string // the property desk's phone ("": none known)
	SOS, SOSEn   string // whom to call in an emergency instead
}

// LabelSheet is the label sheet as an HTML page, laid out for A4.
func LabelSheet(s LabelSet) ([]byte, []Label, error) {
	labels, err := Labels(s)
	if err != nil {
		return nil, nil, err
	}
	zh, en := i18n.For(i18n.Chinese), i18n.For(i18n.English)
	p := labelPage{
		Title: zh.T("QR labels for residents") + " — " + s.Site.Display(false),
		Scan:  zh.T("Scan to report a problem"), ScanEn: en.T("Scan to report a problem"),
		What:   zh.T("Clutter in stairwells, broken facilities, water leaks, lights out…"),
		WhatEn: en.T("Clutter in stairwells, broken facilities, water leaks, lights out…"),
		Free:   zh.T("No account needed"), FreeEn: en.T("No account needed"),
		SOS:   zh.T("Emergencies: fire 119 · police 110 · ambulance 120"),
		SOSEn: en.T("Emergencies: fire 119 · police 110 · ambulance 120"),
	}
	if phone := propertyDesk(s.Site); phone != "" {
		p.Desk = zh.T("Property desk {{.Phone}}", map[string]any{"Phone": phone})
		p.DeskEn = en.T("Property desk {{.Phone}}", map[string]any{"Phone": phone})
	}
	for i := 0; i < len(labels); i += LabelsPerPage {
		p.Pages = append(p.Pages, labels[i:min(i+LabelsPerPage, len(labels))])
	}
	var b bytes.Buffer
	if err := labelTemplate.Execute(&b, p); err != nil {
		return nil, nil, app.Errorf(app.CodeInternal, "The label sheet cannot be written").Wrap(err)
	}
	return b.Bytes(), labels, nil
}

// LabelsPDF prints the label sheet to PDF (PrintPDF: headless Chromium).
func LabelsPDF(ctx context.Context, s LabelSet) ([]byte, []Label, error) {
	html, labels, err := LabelSheet(s)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := PrintPDF(ctx, html)
	if err != nil {
		return nil, nil, err
	}
	return pdf, labels, nil
}

// propertyDesk is the phone of the site's first property management contact ("" when it
// has none): what a resident calls when a phone cannot scan.
func propertyDesk(site *app.Site) string {
	for _, c := range site.Contacts {
		if c.Role == "property" && c.Phone != "" {
			return c.Phone
		}
	}
	return ""
}

// The sheet: A4 pages without printer margins of their own (the page's padding keeps the
// labels inside what printers reach), four labels each, cut along their dashed borders.
var labelTemplate = template.Must(template.New("labels").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
  @page { size: A4; margin: 0; }
  * { box-sizing: border-box; }
  html, body { margin: 0; padding: 0; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; color: #000; }
  .sheet { width: 210mm; height: 297mm; padding: 6mm; display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr;
           break-after: page; page-break-after: always; overflow: hidden; }
  .sheet:last-child { break-after: auto; page-break-after: auto; }
  .label { border: 0.3mm dashed #999; padding: 5mm 6mm 4mm; display: flex; flex-direction: column; align-items: center; text-align: center; overflow: hidden; }
  .site { font-size: 10pt; font-weight: bold; }
  .site small { font-size: 7.5pt; font-weight: normal; color: #333; margin-left: 2mm; }
  .place { font-size: 24pt; font-weight: bold; line-height: 1.2; margin-top: 1mm; display: flex; flex-wrap: wrap; justify-content: center; align-items: baseline; column-gap: 2.5mm; }
  .place small { font-size: 11pt; font-weight: normal; line-height: 1.3; }
  .scan { margin-top: 1.5mm; background: #000; color: #fff; border-radius: 2mm; padding: 0.3mm 6mm 0.8mm; font-size: 20pt; font-weight: bold; line-height: 1.2; }
  .scan-en { font-size: 11pt; font-weight: bold; margin-top: 0.6mm; }
  .what { font-size: 8.5pt; margin-top: 0.8mm; line-height: 1.3; }
  .what small { display: block; font-size: 7pt; color: #333; }
  /* The code takes what the texts leave, 76 mm at most (a long name wraps; the code, never under 60 mm, gives way). */
  svg.qr { flex: 1 1 76mm; width: 100%; min-height: 60mm; max-height: 76mm; }
  .url { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 7pt; word-break: break-all; color: #222; }
  .help { margin-top: auto; padding-top: 1mm; font-size: 7.5pt; line-height: 1.35; }
  .help small { display: block; font-size: 6.5pt; color: #333; line-height: 1.3; }
</style>
</head>
<body>
{{- range .Pages}}
<section class="sheet">
{{- range .}}
<div class="label">
  <div class="site">{{.Site}}{{if .SiteEn}}<small>{{.SiteEn}}</small>{{end}}</div>
  <div class="place"><span>{{.Place}}</span>{{if .PlaceEn}}<small>{{.PlaceEn}}</small>{{end}}</div>
  <div class="scan">{{$.Scan}}</div>
  <div class="scan-en">{{$.ScanEn}}</div>
  <div class="what">{{$.What}}<small>{{$.WhatEn}}</small></div>
  {{.QR}}
  <div class="url">{{.URL}}</div>
  <div class="help">{{$.Free}}{{if $.Desk}} · {{$.Desk}}{{end}}<br>{{$.SOS}}<small>{{$.FreeEn}}{{if $.DeskEn}} · {{$.DeskEn}}{{end}}</small><small>{{$.SOSEn}}</small></div>
</div>
{{- end}}
</section>
{{- end}}
</body>
</html>
`))
