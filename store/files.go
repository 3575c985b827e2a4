package store

import (
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
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

// Photos keeps the work orders' photos (JPEG, already checked, turned upright and resized by
// the phone pages). Each is named by its content's SHA-256, so the same photo sent twice is
// one file; files are 0600 like everything in the data directory.
type Photos struct{ Dir string }

// SavePhoto writes a photo and returns its name (app.PhotoStore).
func (p Photos) SavePhoto(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:16]) + ".jpg"
	if _, err := os.Stat(filepath.Join(p.Dir, name)); err == nil {
		return name, nil
	}
	if _, err := Files(p).SaveFile(name, data); err != nil {
		return "", app.Errorf(app.CodeUnavailable, "The photo cannot be saved").Wrap(err)
	}
	return name, nil
}

// OpenPhoto reads a photo by the name SavePhoto gave (app.PhotoStore).
func (p Photos) OpenPhoto(name string) ([]byte, error) {
	if !app.ValidPhotoName(name) {
		return nil, app.Errorf(app.CodeNotFound, "There is no photo {{.Name}}", "Name", name)
	}
	b, err := os.ReadFile(filepath.Join(p.Dir, name))
	if os.IsNotExist(err) {
		return nil, app.Errorf(app.CodeNotFound, "There is no photo {{.Name}}", "Name", name)
	}
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The photo cannot be read").Wrap(err)
	}
	return b, nil
}
