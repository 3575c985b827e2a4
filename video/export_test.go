package video

// Decoded returns how many pictures a running stream has decoded (0 when not running).
func Decoded(f *Feeds, cameraID string, main bool) int64 {
	f.mu.Lock()
	s := f.streams[streamKey{cameraID, main}]
	f.mu.Unlock()
	if s == nil {
		return 0
	}
	return s.decoded.Load()
}
