package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeliveryFailureIsWrittenByName(t *testing.T) {
	b, err := json.Marshal(Delivery{MessageID: "wo-1", State: StateFailed, Failure: FailureConfig})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"failure":"configuration"`)
	var d Delivery
	require.NoError(t, json.Unmarshal(b, &d))
	assert.Equal(t, FailureConfig, d.Failure)
	assert.Error(t, json.Unmarshal([]byte(`{"failure":"bogus"}`), &d))
	b, _ = json.Marshal(Delivery{MessageID: "wo-1", State: StateSent})
	assert.NotContains(t, string(b), "failure")
}

// The webhook carries the key: a redirect elsewhere is reported, not followed.
func TestRedirectIsNotFollowed(t *testing.T) {
	followed := false
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	client := defaultClient()
	client.Transport = srv.Client().Transport // trust the test server's certificate only
	ch, err := NewChannel(Robot{Name: "群", Kind: KindWeCom, Webhook: srv.URL + "/cgi-bin/webhook/send?key=" + weComKey}, client, nil)
	require.NoError(t, err)
	err = ch.Send(context.Background(), Message{ID: "x", Title: "t"})
	assert.Equal(t, FailureConfig, FailureOf(err))
	assert.Contains(t, err.Error(), "answered HTTP 307: check its webhook address")
	assert.False(t, followed)
}

func TestPastedWebhookIsTrimmed(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	r := svc.robot("群")
	r.Webhook = " " + r.Webhook + "\n"
	ch, err := NewChannel(r, svc.srv.Client(), clock)
	require.NoError(t, err)
	require.NoError(t, ch.Send(context.Background(), Message{ID: "x", Title: "t"}))
	assert.Len(t, svc.received(), 1)
}
