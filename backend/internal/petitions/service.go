// Package petitions handles petitions (信访件, §4): submission through every channel, the
// office's and the petitioner's steps judged by rules/petition, tracking with code and PIN,
// the close job and the petition figures. Who may know a petition exists, and who sees the
// petitioner unmasked, is decided by access; an official a petition is about never learns of it.
package petitions

import (
	"crypto/rand"
	"io"
	"time"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Service is the petitions of one district.
type Service struct {
	st   *store.Store
	rand io.Reader // draws the petitioners' PINs
}

// New returns the petitions service over a store. PINs are drawn from random (crypto/rand
// when nil); tests may fix it.
func New(st *store.Store, random io.Reader) *Service {
	if random == nil {
		random = rand.Reader
	}
	return &Service{st: st, rand: random}
}

// Channels lists the channels through which a petition arrives, in a stable order.
var Channels = []string{access.ChannelOnline, access.ChannelReception, access.ChannelLetter, access.ChannelPhone, access.ChannelTalkDay}

// Rate limits of petitions: online submissions per client address and per phone, and wrong
// tracking PINs per tracking code and per address. A wrong PIN and an unknown code count alike.
var (
	SubmitAddressLimit = store.Limit{Bucket: "petition_submit_address", Max: 10, Window: time.Hour}
	SubmitPhoneLimit   = store.Limit{Bucket: "petition_submit_phone", Max: 5, Window: 24 * time.Hour}
	PINCodeLimit       = store.Limit{Bucket: "petition_pin_code", Max: 5, Window: time.Hour}
	PINAddressLimit    = store.Limit{Bucket: "petition_pin_address", Max: 20, Window: time.Hour}
)

// Actor ids written into petition events and the activity log for those without an account.
const (
	petitionerActor = "petitioner" // the petitioner acting with the tracking code and PIN
	anonymousActor  = "anonymous"  // whoever submitted an anonymous report: nothing of them is kept
)

// paramsFrom reads the petition settings into the rules' parameters.
func paramsFrom(st domain.Settings) petition.Params {
	return petition.Params{
		AcceptDays:          st.Int("petition.accept_days"),
		ReplyDays:           st.Int("petition.reply_days"),
		MaxExtensionDays:    st.Int("petition.max_extension_days"),
		ReviewRequestDays:   st.Int("petition.review_request_days"),
		ReviewDays:          st.Int("petition.review_days"),
		RereviewRequestDays: st.Int("petition.rereview_request_days"),
		RereviewDays:        st.Int("petition.rereview_days"),
		AutoCloseDays:       st.Int("petition.auto_close_days"),
		DuplicateWindowDays: st.Int("petition.duplicate_window_days"),
	}
}

// paramsOn returns the petition parameters in force on date d. A petition's deadlines all use
// the settings in force on the day it was received, so a later change of a setting never
// moves the deadlines of petitions already received.
func paramsOn(tx *store.Tx, d civil.Date) (petition.Params, error) {
	return store.CachedOn(tx, "petition", d, paramsFrom)
}

// ParamsByDate returns the petition parameters in force on any date, reading the petition
// settings' history once: pages and figures judge petitions received on many dates.
func ParamsByDate(tx *store.Tx) (func(civil.Date) petition.Params, error) {
	return store.ByDate(tx, "petition.", paramsFrom)
}

func ptrTo[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
