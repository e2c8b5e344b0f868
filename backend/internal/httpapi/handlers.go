package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// The helpers every handler group uses: the actor of the request, and the shapes of a
// handler — create, update, get, list.

// actor is the logged-in actor of a route whose policy requires one.
func actor(c echo.Context) domain.Actor {
	a, _ := actorOf(c)
	return a
}

// optionalActor is the logged-in actor, or nil on a public route called without a token.
func optionalActor(c echo.Context) *domain.Actor {
	if a, ok := actorOf(c); ok {
		return &a
	}
	return nil
}

// create binds a body, calls the store and answers 201 with the record.
func create[In, Out any](c echo.Context, fn func(domain.Actor, In) (Out, error)) error {
	var in In
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := fn(actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// update binds a body for the record named by the path's :id and answers 200.
func update[In, Out any](c echo.Context, what string, fn func(domain.Actor, string, In) (Out, error)) error {
	id, err := pathID(c, "id", what)
	if err != nil {
		return err
	}
	var in In
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := fn(actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// get answers the record named by the path's :id.
func get[Out any](c echo.Context, what string, fn func(domain.Actor, string) (Out, error)) error {
	id, err := pathID(c, "id", what)
	if err != nil {
		return err
	}
	out, err := fn(actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// list answers one page of a collection.
func list[Out any](c echo.Context, fn func(domain.Actor, store.PageRequest) (store.Page[Out], error)) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := fn(actor(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func queryDate(c echo.Context, name string) (*civil.Date, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	d, err := civil.Parse(v)
	if err != nil {
		return nil, domain.InvalidField(name, "must be a date written YYYY-MM-DD")
	}
	return &d, nil
}

func ptr[T any](v T) *T { return &v }
