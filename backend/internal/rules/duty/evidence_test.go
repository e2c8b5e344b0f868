package duty

import (
	"math"
	"slices"
	"testing"
	"time"
)

func ptr(v float64) *float64 { return &v }

func TestHaversine(t *testing.T) {
	cases := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tolerance        float64
	}{
		{"same point", 30.25, 120.17, 30.25, 120.17, 0, 0},
		{"one degree of latitude", 30, 120, 31, 120, EarthRadiusM * math.Pi / 180, 1e-6},
		{"one degree of longitude on the equator", 0, 120, 0, 121, EarthRadiusM * math.Pi / 180, 1e-6},
		{"antipodes", 0, 0, 0, 180, EarthRadiusM * math.Pi, 1e-6},
		{"symmetric across the antimeridian", 0, 179.5, 0, -179.5, EarthRadiusM * math.Pi / 180, 1e-6},
		{"Beijing to Shanghai", 39.9042, 116.4074, 31.2304, 121.4737, 1067_000, 2_000},
	}
	for _, c := range cases {
		if got := Haversine(c.lat1, c.lng1, c.lat2, c.lng2); math.Abs(got-c.want) > c.tolerance {
			t.Errorf("%s: got %.3f m, want %.3f ± %.3f", c.name, got, c.want, c.tolerance)
		}
	}
}

func TestEvaluateEvidence(t *testing.T) {
	p := specParams().Evidence
	seat := Geofence{Lat: 30.0, Lng: 120.0, RadiusM: 3000}
	village := Geofence{Lat: 30.1, Lng: 120.0, RadiusM: 1500}
	area := []Geofence{seat, village}
	occurred := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	north := func(metres float64) *float64 { return ptr(30.0 + metres/(EarthRadiusM*math.Pi/180)) }

	// Points on the meridian through both centres: the village centre is 11,119.5 m north.
	villageNorth := Haversine(30.0, 120.0, 30.1, 120.0)
	cases := []struct {
		name      string
		in        EvidenceInput
		fences    []Geofence
		wantFlags []string
		wantDist  *float64
		wantCount bool
	}{
		{
			name:      "at the seat, precise, synced at once",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(15)},
			fences:    area,
			wantFlags: []string{},
			wantDist:  ptr(0),
			wantCount: true,
		},
		{
			name:      "2,900 m north: inside the seat's 3,000 m",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: north(2900), Lng: ptr(120.0), AccuracyM: ptr(20)},
			fences:    area,
			wantFlags: []string{},
			wantDist:  ptr(2900),
			wantCount: true,
		},
		{
			name:      "3,100 m north: outside the seat and far from the village",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: north(3100), Lng: ptr(120.0), AccuracyM: ptr(20)},
			fences:    area,
			wantFlags: []string{FlagOutsideGeofence},
			wantDist:  ptr(3100),
			wantCount: false,
		},
		{
			name:      "1,000 m short of the village centre: inside the union through the village, distance to the village",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: north(villageNorth - 1000), Lng: ptr(120.0), AccuracyM: ptr(20)},
			fences:    area,
			wantFlags: []string{},
			wantDist:  ptr(1000),
			wantCount: true,
		},
		{
			name:      "accuracy 200 m is not low",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(200)},
			fences:    area,
			wantFlags: []string{},
			wantDist:  ptr(0),
			wantCount: true,
		},
		{
			name:      "accuracy 200.5 m is low and does not count",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(200.5)},
			fences:    area,
			wantFlags: []string{FlagLowAccuracy},
			wantDist:  ptr(0),
			wantCount: false,
		},
		{
			name:      "no location",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred},
			fences:    area,
			wantFlags: []string{FlagNoLocation},
			wantCount: false,
		},
		{
			name:      "received exactly 72 h later is not late",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred.Add(72 * time.Hour), Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(15)},
			fences:    area,
			wantFlags: []string{},
			wantDist:  ptr(0),
			wantCount: true,
		},
		{
			name:      "received 72 h 1 s later is late but still counts, QR verified",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred.Add(72*time.Hour + time.Second), Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(15), QRVerified: true},
			fences:    area,
			wantFlags: []string{FlagLateSync, FlagQRVerified},
			wantDist:  ptr(0),
			wantCount: true,
		},
		{
			name:      "every flag at once, in the fixed order",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred.Add(100 * time.Hour), Lat: north(5000), Lng: ptr(120.0), AccuracyM: ptr(900), QRVerified: true},
			fences:    area,
			wantFlags: []string{FlagOutsideGeofence, FlagLowAccuracy, FlagLateSync, FlagQRVerified},
			wantDist:  ptr(5000),
			wantCount: false,
		},
		{
			name:      "no location, late and QR verified",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred.Add(73 * time.Hour), QRVerified: true},
			fences:    area,
			wantFlags: []string{FlagNoLocation, FlagLateSync, FlagQRVerified},
			wantCount: false,
		},
		{
			name:      "no fences: outside, no distance",
			in:        EvidenceInput{OccurredAt: occurred, ReceivedAt: occurred, Lat: ptr(30.0), Lng: ptr(120.0), AccuracyM: ptr(15)},
			fences:    nil,
			wantFlags: []string{FlagOutsideGeofence},
			wantCount: false,
		},
	}
	for _, c := range cases {
		got := EvaluateEvidence(c.in, c.fences, p)
		if !slices.Equal(got.Flags, c.wantFlags) || got.Flags == nil {
			t.Errorf("%s: flags %#v, want %#v", c.name, got.Flags, c.wantFlags)
		}
		if got.Counts != c.wantCount {
			t.Errorf("%s: counts %v, want %v", c.name, got.Counts, c.wantCount)
		}
		switch {
		case c.wantDist == nil && got.DistanceM != nil:
			t.Errorf("%s: distance %v, want none", c.name, *got.DistanceM)
		case c.wantDist != nil && (got.DistanceM == nil || math.Abs(*got.DistanceM-*c.wantDist) > 0.01):
			t.Errorf("%s: distance %v, want %v", c.name, got.DistanceM, *c.wantDist)
		}
	}
}

func TestEvaluateEvidenceRadiusIsInclusive(t *testing.T) {
	p := specParams().Evidence
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	lat, lng := 30.02, 120.01
	d := Haversine(lat, lng, 30.0, 120.0)
	in := EvidenceInput{OccurredAt: now, ReceivedAt: now, Lat: &lat, Lng: &lng, AccuracyM: ptr(10)}
	if got := EvaluateEvidence(in, []Geofence{{Lat: 30.0, Lng: 120.0, RadiusM: d}}, p); !got.Counts {
		t.Errorf("a fix exactly on the circle is outside: %v", got.Flags)
	}
	if got := EvaluateEvidence(in, []Geofence{{Lat: 30.0, Lng: 120.0, RadiusM: d - 0.01}}, p); got.Counts {
		t.Error("a fix 1 cm beyond the circle is inside")
	}
}

func TestEvidenceValidate(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	loc := func(lat, lng, acc float64) EvidenceInput {
		return EvidenceInput{OccurredAt: now, Lat: &lat, Lng: &lng, AccuracyM: &acc}
	}
	cases := []struct {
		name string
		in   EvidenceInput
		want []string
	}{
		{"valid fix", loc(30, 120, 15), nil},
		{"poles and antimeridian are valid", loc(-90, 180, 1), nil},
		{"no location is valid", EvidenceInput{OccurredAt: now}, nil},
		{"latitude above 90", loc(90.0001, 120, 15), []string{"lat"}},
		{"longitude below -180", loc(30, -180.5, 15), []string{"lng"}},
		{"latitude NaN", loc(math.NaN(), 120, 15), []string{"lat"}},
		{"longitude infinite", loc(30, math.Inf(1), 15), []string{"lng"}},
		{"accuracy zero", loc(30, 120, 0), []string{"accuracy_m"}},
		{"accuracy negative", loc(30, 120, -3), []string{"accuracy_m"}},
		{"accuracy NaN", loc(30, 120, math.NaN()), []string{"accuracy_m"}},
		{"accuracy infinite", loc(30, 120, math.Inf(1)), []string{"accuracy_m"}},
		{"lat without lng and accuracy", EvidenceInput{OccurredAt: now, Lat: ptr(30)}, []string{"lat"}},
		{"no occurred_at", EvidenceInput{}, []string{"occurred_at"}},
		{"several at once", loc(91, 181, 0), []string{"lat", "lng", "accuracy_m"}},
	}
	for _, c := range cases {
		err := c.in.Validate()
		if got := fieldsOf(err); !slices.Equal(got, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: error %v, want fields %v", c.name, err, c.want)
		}
	}
}

func TestCheckNotFuture(t *testing.T) {
	skew := specParams().Evidence.MaxFutureSkew
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		name     string
		occurred time.Time
		refused  bool
	}{
		{"in the past", now.Add(-time.Hour), false},
		{"now", now, false},
		{"exactly 5 minutes ahead", now.Add(5 * time.Minute), false},
		{"5 minutes 1 second ahead", now.Add(5*time.Minute + time.Second), true},
		{"an hour ahead, in another zone", now.Add(time.Hour).In(time.FixedZone("CST", 8*3600)), true},
	}
	for _, c := range cases {
		err := CheckNotFuture(c.occurred, now, skew)
		if (err != nil) != c.refused {
			t.Errorf("%s: error %v, refused want %v", c.name, err, c.refused)
		}
		if err != nil && !slices.Equal(fieldsOf(err), []string{"occurred_at"}) {
			t.Errorf("%s: error %v does not name occurred_at", c.name, err)
		}
	}
}
