package testkit

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A printed document is checked as a reader would see it: its pages rendered to pictures
// by poppler (pdftoppm), its QR codes read from them by ZBar (zbarimg), its text extracted
// by poppler (pdftotext). The Makefile's test packages install both (poppler-utils,
// zbar-tools).

// needTool fails the test when a program it needs is missing, saying what to install.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("this test needs %s (apt-get install -y %s; the Makefile installs it for the tests): %v", name, pkg, err)
	}
	return p
}

// writePDF writes pdf into the test's temporary directory and returns its path.
func writePDF(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var pdfPages = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

// PDFPages is how many pages the PDF has (pdfinfo).
func PDFPages(t testing.TB, pdf []byte) int {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdfinfo", "poppler-utils"), writePDF(t, pdf)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := pdfPages.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo says no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// PDFPagePNG renders page (from 1) at dpi and returns the picture's path.
func PDFPagePNG(t testing.TB, pdf []byte, page, dpi int) string {
	t.Helper()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "page")
	p := strconv.Itoa(page)
	out, err := exec.Command(needTool(t, "pdftoppm", "poppler-utils"), "-r", strconv.Itoa(dpi), "-png", "-singlefile", "-f", p, "-l", p,
		writePDF(t, pdf), prefix).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	return prefix + ".png"
}

// QRCodes reads every QR code of a picture (zbarimg), sorted; none is an empty list.
func QRCodes(t testing.TB, png string) []string {
	t.Helper()
	cmd := exec.Command(needTool(t, "zbarimg", "zbar-tools"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 4) { // 4: no code found
		t.Fatalf("zbarimg %s: %v", png, err)
	}
	var codes []string
	for _, line := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		if line != "" {
			codes = append(codes, line)
		}
	}
	sort.Strings(codes)
	return codes
}

// PDFQRCodes reads the QR codes of every page of the PDF, rendered at dpi: by page.
func PDFQRCodes(t testing.TB, pdf []byte, dpi int) [][]string {
	t.Helper()
	n := PDFPages(t, pdf)
	out := make([][]string, n)
	for p := 1; p <= n; p++ {
		out[p-1] = QRCodes(t, PDFPagePNG(t, pdf, p, dpi))
	}
	return out
}

// PDFText is the PDF's text in reading order (pdftotext), page breaks as form feeds.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", writePDF(t, pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
