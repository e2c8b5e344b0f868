package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/domain"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Code   string              `json:"code"`
	Errors []domain.FieldError `json:"errors,omitempty"`
}

var kindStatus = map[domain.Kind]int{
	domain.KindInternal:        http.StatusInternalServerError,
	domain.KindInvalid:         http.StatusUnprocessableEntity,
	domain.KindMalformed:       http.StatusBadRequest,
	domain.KindNotFound:        http.StatusNotFound,
	domain.KindConflict:        http.StatusConflict,
	domain.KindUnauthenticated: http.StatusUnauthorized,
	domain.KindForbidden:       http.StatusForbidden,
	domain.KindTooMany:         http.StatusTooManyRequests,
	domain.KindTooLarge:        http.StatusRequestEntityTooLarge,
}

// echoCodes names echo's own errors (unknown route, wrong method, body too large).
var echoCodes = map[int]string{
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusTooManyRequests:       "rate_limited",
}

// problemFor translates any error into a problem document, its title, detail and field
// messages said in l (domain.Say, the one message catalogue): the one place where errors
// become HTTP. The code and the fields' names are the same in every language.
func problemFor(err error, l domain.Lang) (Problem, int) {
	title := func(status int) string { return domain.SayMessage(l, http.StatusText(status)) }
	if e, ok := domain.AsError(err); ok {
		status := kindStatus[e.Kind]
		msg := e.Detail(l)
		if e.Kind == domain.KindInternal {
			msg = domain.Say(l, "an internal error occurred")
		}
		var fields []domain.FieldError
		for _, f := range e.Fields {
			fields = append(fields, f.Said(l))
		}
		return Problem{Type: "about:blank", Title: title(status), Status: status, Detail: msg, Code: e.Code, Errors: fields}, e.RetryAfter
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		code, ok := echoCodes[he.Code]
		if !ok {
			code = "http_" + strconv.Itoa(he.Code)
		}
		detail := title(he.Code)
		if he.Code == http.StatusRequestEntityTooLarge {
			detail = domain.Say(l, "the request body is larger than allowed")
		}
		return Problem{Type: "about:blank", Title: title(he.Code), Status: he.Code, Detail: detail, Code: code}, 0
	}
	return Problem{Type: "about:blank", Title: title(500), Status: 500, Detail: domain.Say(l, "an internal error occurred"), Code: "internal"}, 0
}

// language is the language a request prefers between Chinese and English (Accept-Language,
// RFC 9110 §12.5.4): the one of the higher weight, the first named on a tie; Chinese when the
// request names neither.
func language(header string) domain.Lang {
	best, bestQ := domain.Chinese, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var l domain.Lang
		switch primary {
		case "zh":
			l = domain.Chinese
		case "en":
			l = domain.English
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// errorHandler writes every error as application/problem+json.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, retryAfter := problemFor(err, language(c.Request().Header.Get("Accept-Language")))
		if p.Status >= 500 {
			log.Error("request failed", "error", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path())
		}
		if retryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		c.Response().WriteHeader(p.Status)
		if c.Request().Method != http.MethodHead {
			_ = jsonEncode(c.Response(), p)
		}
	}
}
