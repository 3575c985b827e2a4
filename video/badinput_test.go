package video_test

import (
	"crypto/rand"
	"net"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/sim"
)

// badServer serves one stream of the given format and feeds it with send every 40 ms.
type badServer struct {
	stream *gortsplib.ServerStream
}

func (h *badServer) OnDescribe(*gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *badServer) OnSetup(*gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *badServer) OnPlay(*gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	return &base.Response{StatusCode: base.StatusOK}, nil
}

func serveBad(t *testing.T, forma format.Format, send func(*gortsplib.ServerStream, *description.Media)) string {
	t.Helper()
	h := &badServer{}
	var ln net.Listener // any free port: the listener says which
	srv := &gortsplib.Server{Handler: h, RTSPAddress: "127.0.0.1:0", Listen: func(network, address string) (net.Listener, error) {
		l, err := net.Listen(network, address)
		ln = l
		return l, err
	}}
	require.NoError(t, srv.Start())
	addr := ln.Addr().String()
	t.Cleanup(srv.Close)
	medi := &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	h.stream = &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: []*description.Media{medi}}}
	require.NoError(t, h.stream.Initialize())
	t.Cleanup(h.stream.Close)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				send(h.stream, medi)
			}
		}
	}()
	return "rtsp://" + addr + "/stream"
}

// A stream of random bytes dressed as H.264: decode errors are counted, the stream never
// reaches "playing", nothing crashes, and a good camera beside it plays on.
func TestGarbageNALUnits(t *testing.T) {
	f := &format.H264{PayloadTyp: 96, PacketizationMode: 1}
	enc, err := f.CreateEncoder()
	require.NoError(t, err)
	ts := uint32(0)
	url := serveBad(t, f, func(st *gortsplib.ServerStream, m *description.Media) {
		au := make([][]byte, 3)
		for i := range au {
			au[i] = make([]byte, 200+i*300)
			_, _ = rand.Read(au[i])
			au[i][0] = 0x65 // claim an IDR slice, so the decoder really tries
		}
		pkts, err := enc.Encode(au)
		if err != nil {
			return
		}
		ts += 3600
		for _, p := range pkts {
			p.Timestamp = ts
			_ = st.WritePacketRTP(m, p)
		}
	})
	good := startSim(t, simConfigLight())
	feeds := newFeeds(t, video.Config{}, camera("garbage", url, ""), camera("good", good.URL("gate", "sub"), ""))
	bad, err := feeds.Watch("garbage", false, 64, 36)
	require.NoError(t, err)
	defer bad.Close()
	ok, err := feeds.Watch("good", false, 64, 36)
	require.NoError(t, err)
	defer ok.Close()
	waitFrame(t, ok, 15*time.Second).Release()

	require.Eventually(t, func() bool { return bad.Status().DecodeErrors > 5 }, 15*time.Second, 50*time.Millisecond,
		"decode errors are counted: %+v", bad.Status())
	assert.NotEqual(t, app.StreamPlaying, bad.Status().State, "garbage is never shown as a picture")
	select {
	case fr := <-bad.Frames():
		t.Fatalf("a frame came out of garbage: %v", fr.Image.Rect)
	default:
	}
	waitFrame(t, ok, 15*time.Second).Release() // the good camera played on
}

// A camera that offers only a video codec Watchpost does not decode says so.
func TestUnsupportedCodec(t *testing.T) {
	f := &format.VP8{PayloadTyp: 96}
	url := serveBad(t, f, func(st *gortsplib.ServerStream, m *description.Media) {
		_ = st.WritePacketRTP(m, &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96}, Payload: []byte{0x10, 1, 2, 3}})
	})
	feeds := newFeeds(t, video.Config{}, camera("vp8", url, ""))
	v, err := feeds.Watch("vp8", false, 64, 36)
	require.NoError(t, err)
	defer v.Close()
	st := waitState(t, v, app.StreamFailed, 15*time.Second)
	assert.Equal(t, app.ReasonNoCodec, st.Reason)
}

func simConfigLight() sim.Config { return sim.Config{} }
