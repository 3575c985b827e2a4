package ui

import (
	"context"

	"fyne.io/fyne/v2"
)

// writeJournaledExport writes an export of personal or assessed data: the export is journaled
// first (journal: who, which file, what), then the file is written readable by its owner only
// (0600). A refused journal writes nothing; data's own error (it could not be made) neither.
func writeJournaledExport(wc fyne.URIWriteCloser, status *writeStatus, data []byte, dataErr error, journal func(ctx context.Context) error) {
	if dataErr != nil {
		wc.Close()
		status.fail(dataErr)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := journal(ctx); err != nil {
		wc.Close()
		status.fail(err)
		return
	}
	if err := writePrivate(wc, data); err != nil { // site_import.go: 0600
		status.fail(err)
		return
	}
	status.ok(T("Written: {{.Path}}", map[string]any{"Path": wc.URI().Path()}))
}
