package app

import (
	"image"
	"time"
)

// The console plays recorded clips itself: a guard-room machine may have no video player,
// and evidence is looked at where it is journaled who looked. The video side opens a clip
// and decodes its pictures; the console shows them with play, pause and a position.

// ClipPlayer opens clips (the video side implements it).
type ClipPlayer interface {
	// OpenClip opens a clip's file and decodes its first picture: an error says, in the
	// operator's words, why it cannot be played (the file is gone, it is not a clip, its
	// video cannot be decoded).
	OpenClip(file string) (ClipVideo, error)
}

// ClipVideo is an opened clip. Its pictures come in the order they are shown. It is not
// safe for concurrent use: one player drives it.
type ClipVideo interface {
	Info() ClipVideoInfo
	// Next returns the next picture; io.EOF after the last.
	Next() (VideoFrame, error)
	// Seek returns the picture shown at t (the last one at or before it; the first when t
	// is before it); Next then goes on from there.
	Seek(t time.Duration) (VideoFrame, error)
	Close() error
}

// ClipVideoInfo describes an opened clip.
type ClipVideoInfo struct {
	Width, Height int           // the pictures' size
	Duration      time.Duration // from its first picture to the end of its last
	Frames        int           // pictures in the clip
	Codec         string
}

// VideoFrame is one picture of a clip.
type VideoFrame struct {
	Image *image.RGBA   // the caller's to keep
	At    time.Duration // when it is shown, from the clip's first picture
	Index int           // its place among the clip's pictures, from 0
}
