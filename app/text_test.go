package app_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// What pinyin's Chinese mode types for ASCII punctuation reads as ASCII where a field wants
// a number, a time or an address.
func TestPlainASCII(t *testing.T) {
	for in, want := range map[string]string{
		"22：00": "22:00",
		"1。5":   "1.5",
		"　１８０ ": "180",
		"rtsp：//127。0。0。1：8554/cam/sub": "rtsp://127.0.0.1:8554/cam/sub",
		"021－66880001": "021-66880001",
		"3号楼":          "3号楼", // Chinese stays Chinese
	} {
		assert.Equal(t, want, app.PlainASCII(in), in)
	}
}
