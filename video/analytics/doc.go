// Package analytics watches live cameras with OpenCV (gocv v0.25.0 against Debian's
// OpenCV 4.6): background subtraction finds what moves, a HOG people detector run only on
// what moves tells people from the rest, a tracker follows them across frames, and the
// detectors (intrusion, loitering, crowding, falls, line crossing, faces, motion) turn the
// tracks into app.Detection values. The Manager runs one Runner per camera on a sampled,
// downscaled luma copy of its sub stream and keeps the whole within a CPU budget.
//
// It imports app (and video's decoder only through app.CameraFeeds); never store, devices
// or ui (DESIGN.md).
package analytics
