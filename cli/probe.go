package cli

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"watchpost/app"
	"watchpost/video"
)

// Probe connects to a camera, decodes for a few seconds and reports what it found
// (watchpost probe URL): the report, failed or not, is on standard output.
func Probe(args []string, s Streams) int {
	const prefix = "watchpost probe"
	fs := newFlags(prefix, s)
	udp := fs.Bool("udp", false, "receive RTP over UDP")
	secs := fs.Float64("seconds", 4, "how long to decode")
	asJSON := fs.Bool("json", false, "print JSON")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) != 1 {
		return s.failf(ExitUsage, prefix, "give one camera URL, e.g. rtsp://user:pass@10.0.0.21:554/Streaming/Channels/101")
	}
	if err := checkCameraURL(words[0]); err != nil {
		return s.fail(ExitUsage, prefix, err)
	}
	res := video.Probe(context.Background(), words[0], *udp, time.Duration(*secs*float64(time.Second)))
	if *asJSON {
		_ = printJSON(s.Out, res)
	} else {
		fmt.Fprint(s.Out, video.ProbeText(res))
	}
	if !res.OK() {
		return ExitFailure
	}
	return ExitOK
}

// checkCameraURL says what is wrong with a camera address given to probe, before anything
// connects: a wrong argument is a usage error (exit 2), not a camera that "does not answer".
func checkCameraURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "rtsp" && u.Scheme != "rtsps") || u.Host == "" {
		return fmt.Errorf("%s is not a camera address: give rtsp://[user:password@]host[:port]/path", app.RedactURL(s))
	}
	return nil
}
