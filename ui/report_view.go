package ui

import (
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/report"
)

// A report (an incident's, a drill's debrief) is an HTML file opened in the desktop's
// browser. A guard-room machine may have none: then the console shows the same report
// itself, as rich text, and says where the file is (to print it elsewhere, or hand it on).

// openReport opens a saved report in the browser, off the UI thread (finding out that no
// browser opens it takes a moment); where none does, the report is shown in the console.
func (c *Console) openReport(path string, d report.Document) {
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	open := c.x.OpenURL
	if open == nil {
		open = c.desktopOpen
	}
	go func() {
		if err := open(u); err != nil {
			c.onUI(func() { c.showReportInConsole(d, path, err) })
		}
	}()
}

// browserWait is how long xdg-open is given to say it found nothing to open a file with;
// still running after it, it has started a browser (which may keep it running).
const browserWait = 3 * time.Second

// desktopOpen opens u with the desktop's program for it. On Linux and the BSDs xdg-open is
// run and watched: it exits with an error at once when no browser is installed, which
// Fyne's own OpenURL (it only starts it) does not see.
func (c *Console) desktopOpen(u *url.URL) error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return c.app.OpenURL(u)
	}
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		return errors.New("xdg-open is not installed")
	}
	cmd := exec.Command(bin, u.String())
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps it, however long the browser keeps it
	select {
	case err := <-done:
		if err != nil {
			return errors.New("no browser opened it (" + err.Error() + ")")
		}
		return nil
	case <-time.After(browserWait):
		return nil
	}
}

// showReportInConsole shows a report in a dialog: why the browser did not, where the
// file is, and the report itself.
func (c *Console) showReportInConsole(d report.Document, path string, why error) {
	msg := wrapLabel(T("No browser could open the report ({{.Why}}). It is shown here; the file is:", map[string]any{"Why": ErrText(why)}))
	where := widget.NewLabel(path)
	where.Selectable = true
	where.Truncation = fyne.TextTruncateEllipsis
	top := container.NewVBox(msg, container.NewBorder(nil, nil, widget.NewIcon(theme.FileTextIcon()), nil, where), widget.NewSeparator())
	body := container.NewVScroll(reportRichText(d))
	dlg := dialog.NewCustom(d.Heading, T("Close"), container.NewBorder(top, nil, nil, nil, body), c.win)
	size := c.win.Canvas().Size()
	dlg.Resize(fyne.NewSize(min(1000, size.Width*0.9), size.Height*0.9))
	dlg.Show()
}

// reportRichText lays a report out as rich text: the same heading, facts, summary,
// figures and tables as its HTML page, a table's rows as lines.
func reportRichText(d report.Document) *widget.RichText {
	var segs []widget.RichTextSegment
	text := func(s string, style widget.RichTextStyle) {
		segs = append(segs, &widget.TextSegment{Text: s, Style: style})
	}
	// line is one block of inline pieces (a fact's name and value, a table's row).
	line := func(parts ...*widget.TextSegment) {
		parts[len(parts)-1].Style.Inline = false // a block ends its row only after a piece that is not inline
		p := &widget.ParagraphSegment{}
		for _, x := range parts {
			p.Texts = append(p.Texts, x)
		}
		segs = append(segs, p)
	}
	piece := func(s string, bold bool, colour fyne.ThemeColorName) *widget.TextSegment {
		st := widget.RichTextStyleInline
		st.TextStyle.Bold = bold
		st.ColorName = colour
		return &widget.TextSegment{Text: s, Style: st}
	}

	heading := d.Heading
	if d.Drill {
		heading += "  [" + d.DrillText + "]"
	}
	text(heading, widget.RichTextStyleHeading)
	if d.Subtitle != "" {
		text(d.Subtitle, widget.RichTextStyleParagraph)
	}
	for _, f := range d.Facts {
		line(piece(f[0]+": ", true, ""), piece(f[1], false, ""))
	}
	text(d.SummaryTitle, widget.RichTextStyleSubHeading)
	for _, line := range strings.Split(d.Summary, "\n") {
		text(line, widget.RichTextStyleParagraph)
	}
	if len(d.Stats) > 0 {
		st := widget.RichTextStyleStrong
		st.Inline = false
		text(strings.Join(d.Stats, "  ·  "), st)
	}
	for _, t := range d.Tables {
		text(t.Title, widget.RichTextStyleSubHeading)
		if len(t.Rows) == 0 {
			text(t.Empty, widget.RichTextStyleParagraph)
			continue
		}
		for _, r := range t.Rows {
			var cells []string
			for _, cell := range r.Cells {
				if strings.TrimSpace(cell) != "" {
					cells = append(cells, cell)
				}
			}
			line(piece(strings.Join(cells, "  ·  "), r.Class == "phase", rowColour(r.Class)))
		}
	}
	if d.Footer != "" {
		text(d.Footer, widget.RichTextStyleParagraph)
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// rowColour marks rows the way the HTML page colours their status.
func rowColour(class string) fyne.ThemeColorName {
	switch class {
	case "late":
		return colorP2
	case "open":
		return colorP1
	case "done":
		return colorOK
	case "notreached":
		return colorMuted
	}
	return ""
}
