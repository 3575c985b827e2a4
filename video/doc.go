// Package video receives the cameras: RTSP (gortsplib v4), H.264/H.265 decoding through
// libavcodec, one frame buffer per camera fanned out to consumers through bounded
// drop-oldest queues, recording, and the camera simulator. It implements the interfaces
// of package app and imports neither Fyne nor store nor devices (DESIGN.md).
package video
