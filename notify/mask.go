package notify

import (
	"net/url"
	"strings"
)

// masker hides a channel's secrets (a webhook's key or access token, a signing secret) in any
// text that may leave the package: Go's network errors quote the whole request URL, and a
// service's errmsg may echo what it was sent.
type masker []string

// hidden is what a secret is replaced by.
const hidden = "***"

func newMasker(secrets ...string) masker {
	var m masker
	for _, s := range secrets {
		if s == "" {
			continue
		}
		// The URL carries the escaped forms; hide those too.
		for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if !containsString(m, v) {
				m = append(m, v)
			}
		}
	}
	return m
}

func (m masker) mask(s string) string {
	for _, secret := range m {
		s = strings.ReplaceAll(s, secret, hidden)
	}
	return s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
