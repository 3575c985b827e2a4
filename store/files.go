package store

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// Files saves pictures (camera snapshots) in a folder of the data directory.
type Files struct{ Dir string }

// SavePNG writes img as name (a plain file name) and returns its full path. The file is
// written to a temporary name first and renamed, so a crash never leaves half a picture.
func (f Files) SavePNG(name string, img image.Image) (string, error) {
	name = filepath.Base(strings.ReplaceAll(name, string(filepath.Separator), "_"))
	if err := os.MkdirAll(f.Dir, DirMode); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(f.Dir, ".snapshot-*.png")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(tmp, img); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	dst := filepath.Join(f.Dir, name)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return dst, nil
}

// SaveFile writes data as name (a plain file name) and returns its full path; like SavePNG
// it goes through a temporary file, so a crash never leaves half a picture.
func (f Files) SaveFile(name string, data []byte) (string, error) {
	name = filepath.Base(strings.ReplaceAll(name, string(filepath.Separator), "_"))
	if err := os.MkdirAll(f.Dir, DirMode); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(f.Dir, ".file-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	// Synced before the journal entry that names it is written.
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	dst := filepath.Join(f.Dir, name)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return dst, nil
}
