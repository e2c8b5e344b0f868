package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/remind"
	"minxin/backend/internal/store"
)

// notificationRoutes are every user's inbox (提醒, §8): the reminder jobs write it.
func notificationRoutes(s *Server) []Route {
	return []Route{
		{http.MethodGet, "/notifications", access.Anyone, s.notifications},
		{http.MethodPost, "/notifications/:id/read", access.Anyone, s.readNotification},
		{http.MethodGet, "/notifications/unread", access.Anyone, s.unreadNotifications},
		{http.MethodGet, "/notifications/preferences", access.Anyone, s.notificationPreferences},
		{http.MethodPut, "/notifications/preferences", access.Anyone, s.putNotificationPreferences},
		{http.MethodGet, "/notifications/push", access.Anyone, s.pushStatus},
		{http.MethodPost, "/notifications/push/subscriptions", access.Anyone, s.subscribePush},
		{http.MethodDelete, "/notifications/push/subscriptions/:id", access.Anyone, s.unsubscribePush},
	}
}

// prefersEnglish reports whether the request's Accept-Language puts English before Chinese.
func prefersEnglish(c echo.Context) bool {
	for _, part := range strings.Split(c.Request().Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "en"):
			return true
		case strings.HasPrefix(tag, "zh"):
			return false
		}
	}
	return false
}

func (s *Server) notifications(c echo.Context) error {
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[remind.Notification], error) {
		return s.deps.App.Reminders.Inbox(c.Request().Context(), a, p, prefersEnglish(c))
	})
}

func (s *Server) readNotification(c echo.Context) error {
	if c.Request().ContentLength != 0 { // no body is needed; one sent is read as strictly as any
		var in struct{}
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	if err := s.deps.App.Reminders.MarkRead(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) notificationPreferences(c echo.Context) error {
	out, err := s.deps.App.Reminders.Preferences(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) putNotificationPreferences(c echo.Context) error {
	var in remind.PreferencesInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.App.Reminders.SetPreferences(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) unreadNotifications(c echo.Context) error {
	n, err := s.deps.App.Reminders.Unread(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"unread": n})
}

func (s *Server) pushStatus(c echo.Context) error {
	out, err := s.deps.App.Reminders.PushStatus(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// subscribePush keeps a browser's PushSubscription.toJSON(): 201 when new, 200 when the
// endpoint was known (the same id).
func (s *Server) subscribePush(c echo.Context) error {
	var in remind.SubscriptionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, created, err := s.deps.App.Reminders.Subscribe(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, out)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) unsubscribePush(c echo.Context) error {
	if err := s.deps.App.Reminders.Unsubscribe(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
