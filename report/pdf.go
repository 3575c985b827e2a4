package report

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"watchpost/app"
)

// PDFs are the documents' HTML pages printed by a headless Chromium (DESIGN.md: the only
// way here that prints mixed Chinese and Latin text with the system's Noto CJK faces). The
// page sets its own paper (@page size), so what the browser shows is what is printed.

// Browsers are the programs PrintPDF looks for, in this order (Debian's first).
var Browsers = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// printTimeout bounds one print: starting the browser, loading the page, printing it.
const printTimeout = 2 * time.Minute

// findBrowser is the first of Browsers installed ("" when none is).
func findBrowser() string {
	for _, b := range Browsers {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	return ""
}

// PrintPDF prints an HTML page to PDF in a headless Chromium started for it (and ended
// after). The page is loaded from a private temporary file, so that it may refer to
// nothing outside itself and its printing does not depend on a network.
func PrintPDF(ctx context.Context, html []byte) ([]byte, error) {
	browser := findBrowser()
	if browser == "" {
		return nil, app.Errorf(app.CodeUnavailable, "Printing to PDF needs Chromium: install the chromium package (apt-get install chromium)")
	}
	dir, err := os.MkdirTemp("", "watchpost-print-")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The page cannot be printed: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The page cannot be printed: {{.Why}}", "Why", err.Error()).Wrap(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.UserDataDir(filepath.Join(dir, "profile")))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to start as root with its sandbox
	}
	ctx, cancel := context.WithTimeout(ctx, printTimeout)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(page)}
	if err := chromedp.Do(bctx, chromedp.Navigate(u.String())); err != nil {
		return nil, printFailed(ctx, err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0),
		chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground(), chromedp.PDFStream()))
	if err != nil {
		return nil, printFailed(ctx, err)
	}
	return pdf, nil
}

// printFailed says why the browser did not print: the time it was given ran out, the caller
// gave up, or the browser's own reason.
func printFailed(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return app.Errorf(app.CodeUnavailable, "Chromium did not print the page within {{.S}} seconds", "S", int(printTimeout/time.Second)).Wrap(err)
	}
	if ctx.Err() != nil {
		return app.Errorf(app.CodeUnavailable, "Printing was cancelled").Wrap(err)
	}
	return app.Errorf(app.CodeUnavailable, "Chromium could not print the page: {{.Why}}", "Why", err.Error()).Wrap(err)
}
