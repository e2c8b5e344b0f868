package duty

import (
	"math"
	"slices"
	"testing"
	"time"
)

// FuzzEvaluateEvidence: any fix either fails validation or is scored without panic, with a
// distance exactly when it has a location, and counts only with no disqualifying flag.
func FuzzEvaluateEvidence(f *testing.F) {
	f.Add(30.0, 120.0, 15.0, int64(0), true)
	f.Add(90.0, -180.0, 200.0, int64(72*3600), false)
	f.Add(math.NaN(), 0.0, 1.0, int64(1), true)
	f.Add(0.0, 0.0, -1.0, int64(-5), true)
	p := EvidenceParams{LowAccuracyM: 200, LateSyncAfter: 72 * time.Hour, MaxFutureSkew: 5 * time.Minute}
	fences := []Geofence{{Lat: 30, Lng: 120, RadiusM: 3000}, {Lat: 30.05, Lng: 120, RadiusM: 1500}}
	f.Fuzz(func(t *testing.T, lat, lng, acc float64, lagSeconds int64, located bool) {
		occurred := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		in := EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred.Add(time.Duration(lagSeconds) * time.Second)}
		if located {
			in.Lat, in.Lng, in.AccuracyM = &lat, &lng, &acc
		}
		if in.Validate() != nil {
			return
		}
		r := EvaluateEvidence(in, fences, p)
		if (r.DistanceM != nil) != located {
			t.Fatalf("distance %v for located=%v", r.DistanceM, located)
		}
		if r.DistanceM != nil && (math.IsNaN(*r.DistanceM) || *r.DistanceM < 0) {
			t.Fatalf("distance %v", *r.DistanceM)
		}
		disqualified := slices.Contains(r.Flags, FlagOutsideGeofence) || slices.Contains(r.Flags, FlagLowAccuracy) || slices.Contains(r.Flags, FlagNoLocation)
		if r.Counts == disqualified {
			t.Fatalf("counts=%v with flags %v", r.Counts, r.Flags)
		}
	})
}
