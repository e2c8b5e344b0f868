package duty

import (
	"math"
	"time"
)

// Evidence flags (§2), in the fixed order in which EvaluateEvidence lists them.
const (
	FlagOutsideGeofence = "outside_geofence"
	FlagLowAccuracy     = "low_accuracy"
	FlagNoLocation      = "no_location"
	FlagLateSync        = "late_sync"
	FlagQRVerified      = "qr_verified"
)

// EarthRadiusM is the mean Earth radius of the IUGG, 6,371,008.8 m, used by Haversine.
const EarthRadiusM = 6371008.8

// EvidenceParams are the evidence settings of §2.
type EvidenceParams struct {
	// LowAccuracyM: a fix whose accuracy radius is larger than this is low_accuracy.
	LowAccuracyM float64
	// LateSyncAfter: a record received more than this after it occurred is late_sync.
	LateSyncAfter time.Duration
	// MaxFutureSkew: a record that occurred more than this after the server's now is refused.
	MaxFutureSkew time.Duration
}

// Geofence is a circle around a WGS-84 centre: a township's seat or a village.
type Geofence struct {
	Lat     float64
	Lng     float64
	RadiusM float64
}

// EvidenceInput is the evidence of one check-in or check-out. Lat, Lng and AccuracyM come
// together: all three nil means the phone sent no location.
type EvidenceInput struct {
	OccurredAt time.Time
	ReceivedAt time.Time
	Lat        *float64
	Lng        *float64
	AccuracyM  *float64
	// QRVerified is true when the record carries a valid household QR token for the
	// household it is about; verifying the token is the caller's business.
	QRVerified bool
}

// EvidenceResult is what the server adds to a record's evidence.
type EvidenceResult struct {
	// DistanceM is the distance to the centre of the geofence the fix is best inside (the
	// one with the smallest distance − radius); nil without a location or without fences.
	DistanceM *float64
	// Flags is never nil, so that it encodes as [] when empty.
	Flags []string
	// Counts is false when the evidence is outside the geofences, of low accuracy or has no
	// location. late_sync and qr_verified do not change it.
	Counts bool
}

// Validate checks the coordinates and the accuracy of the evidence, naming the fields as the
// API does.
func (in EvidenceInput) Validate() error {
	var errs []FieldError
	if in.OccurredAt.IsZero() {
		errs = append(errs, FieldError{Field: "occurred_at", Message: "is required"})
	}
	given := 0
	for _, v := range []*float64{in.Lat, in.Lng, in.AccuracyM} {
		if v != nil {
			given++
		}
	}
	if given != 0 && given != 3 {
		errs = append(errs, FieldError{Field: "lat", Message: "lat, lng and accuracy_m must be given together or not at all"})
	}
	if in.Lat != nil && !(*in.Lat >= -90 && *in.Lat <= 90) {
		errs = append(errs, FieldError{Field: "lat", Message: "must be between -90 and 90"})
	}
	if in.Lng != nil && !(*in.Lng >= -180 && *in.Lng <= 180) {
		errs = append(errs, FieldError{Field: "lng", Message: "must be between -180 and 180"})
	}
	if in.AccuracyM != nil && !(*in.AccuracyM > 0 && !math.IsInf(*in.AccuracyM, 1)) {
		errs = append(errs, FieldError{Field: "accuracy_m", Message: "must be a positive finite number of metres"})
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// CheckNotFuture refuses a record that occurred more than maxSkew after now (the server's
// clock); exactly maxSkew ahead is accepted.
func CheckNotFuture(occurredAt, now time.Time, maxSkew time.Duration) error {
	if occurredAt.Sub(now) > maxSkew {
		return &ValidationError{Fields: []FieldError{{
			Field:   "occurred_at",
			Message: "is more than " + maxSkew.String() + " in the future",
		}}}
	}
	return nil
}

// Haversine returns the great-circle distance in metres between two WGS-84 points, on a
// sphere of radius EarthRadiusM.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// EvaluateEvidence scores valid evidence (see Validate) against an area that is the union of
// fences: the fix is inside when it is within the radius of at least one of them. With no
// fences every fix is outside_geofence.
func EvaluateEvidence(in EvidenceInput, fences []Geofence, p EvidenceParams) EvidenceResult {
	res := EvidenceResult{Flags: []string{}}
	if in.Lat != nil && in.Lng != nil && in.AccuracyM != nil {
		inside := false
		bestMargin := math.Inf(1)
		for _, f := range fences {
			d := Haversine(*in.Lat, *in.Lng, f.Lat, f.Lng)
			if margin := d - f.RadiusM; margin < bestMargin {
				bestMargin = margin
				res.DistanceM = &d
				inside = d <= f.RadiusM
			}
		}
		precise := *in.AccuracyM <= p.LowAccuracyM
		if !inside {
			res.Flags = append(res.Flags, FlagOutsideGeofence)
		}
		if !precise {
			res.Flags = append(res.Flags, FlagLowAccuracy)
		}
		res.Counts = inside && precise
	} else {
		res.Flags = append(res.Flags, FlagNoLocation)
	}
	if in.ReceivedAt.Sub(in.OccurredAt) > p.LateSyncAfter {
		res.Flags = append(res.Flags, FlagLateSync)
	}
	if in.QRVerified {
		res.Flags = append(res.Flags, FlagQRVerified)
	}
	return res
}
