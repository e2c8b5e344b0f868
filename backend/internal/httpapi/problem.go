package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

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

// problemFor translates any error into a problem document: the one place where errors
// become HTTP.
func problemFor(err error) (Problem, int) {
	if e, ok := domain.AsError(err); ok {
		status := kindStatus[e.Kind]
		msg := e.Message
		if e.Kind == domain.KindInternal {
			msg = "an internal error occurred"
		}
		return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: msg, Code: e.Code, Errors: e.Fields}, e.RetryAfter
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		code, ok := echoCodes[he.Code]
		if !ok {
			code = "http_" + strconv.Itoa(he.Code)
		}
		detail := http.StatusText(he.Code)
		if he.Code == http.StatusRequestEntityTooLarge {
			detail = "the request body is larger than allowed"
		}
		return Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code, Detail: detail, Code: code}, 0
	}
	return Problem{Type: "about:blank", Title: http.StatusText(500), Status: 500, Detail: "an internal error occurred", Code: "internal"}, 0
}

// errorHandler writes every error as application/problem+json.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, retryAfter := problemFor(err)
		if p.Status >= 500 {
			log.Error("request failed", "error", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path())
		}
		if retryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(p.Status)
		if c.Request().Method != http.MethodHead {
			_ = jsonEncode(c.Response(), p)
		}
	}
}
