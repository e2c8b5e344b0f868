package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// evidenceRoutes are the routes of the evidence of §2: attachments and household QR codes.
func evidenceRoutes(s *Server) []Route {
	return []Route{
		// Public: villagers without an account attach photos to their petitions; they are
		// rate limited per address.
		{http.MethodPost, "/attachments", nil, s.uploadAttachment},
		{http.MethodGet, "/attachments/:id", access.Anyone, s.downloadAttachment},
		// Only petition officers and admins print QR codes: an official (a lead too) who could
		// fetch a household's token could claim a qr_verified visit without going there.
		{http.MethodGet, "/households/:id/qr", access.Office, s.householdQR},
	}
}

// uploadOverhead is what a multipart body may carry beyond its file: boundaries and headers.
const uploadOverhead = 64 << 10

// fileField is the multipart part that carries the file.
const fileField = "file"

// uploadAttachment receives one file in the multipart part "file". Nothing is kept when the
// upload is refused: an anonymous upload is counted against its limit before the body is
// read (and taken back if refused), the file is kept only once it has been read whole and
// checked, and the attachment is recorded after it.
func (s *Server) uploadAttachment(c echo.Context) error {
	ctx := c.Request().Context()
	a, loggedIn := actorOf(c)
	var attempt store.Attempt
	if !loggedIn {
		var err error
		if attempt, err = s.deps.App.Store.Attempt(ctx, store.AnonymousUploadLimit, c.RealIP()); err != nil {
			return err
		}
	}
	x, err := s.keepUpload(c, a)
	if err != nil {
		// An upload that was refused does not count against the limit.
		return errors.Join(err, attempt.Forgive(context.WithoutCancel(ctx)))
	}
	return c.JSON(http.StatusCreated, x)
}

// keepUpload reads, checks and keeps the uploaded file, and records the attachment.
func (s *Server) keepUpload(c echo.Context, a domain.Actor) (store.Attachment, error) {
	up, err := s.receiveUpload(c)
	if err != nil {
		return store.Attachment{}, err
	}
	defer up.Discard()
	blob, err := up.Keep()
	if err != nil {
		return store.Attachment{}, err
	}
	return s.deps.App.Store.CreateAttachment(c.Request().Context(), a, blob)
}

// receiveUpload reads a multipart body holding exactly one part, "file". A body that
// announces more than a file's worth is refused before it is read; one that turns out
// longer is refused at the first byte over.
func (s *Server) receiveUpload(c echo.Context) (*store.Upload, error) {
	req := c.Request()
	limit := int64(store.MaxAttachmentBytes + uploadOverhead)
	if req.ContentLength > limit {
		return nil, store.FileTooLarge(fileField)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, domain.Errorf(domain.KindMalformed, "not_multipart", "send the file as multipart/form-data, in a part named %q", fileField)
	}
	var up *store.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			up.Discard()
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, store.FileTooLarge(fileField)
			}
			return nil, domain.Errorf(domain.KindMalformed, "malformed_multipart", "the multipart body could not be read: %v", err)
		}
		switch {
		case part.FormName() != fileField:
			up.Discard()
			return nil, domain.InvalidField(part.FormName(), "is not a known field: send only the part %q", fileField)
		case up != nil:
			up.Discard()
			return nil, domain.InvalidField(fileField, "send one file per upload")
		}
		if up, err = s.deps.Files.Receive(part, fileField); err != nil {
			return nil, err
		}
	}
	if up == nil {
		return nil, domain.InvalidField(fileField, "is required")
	}
	return up, nil
}

// downloadAttachment answers the bytes of an attachment the caller may see, with its stored
// content type. PDFs are served as downloads, never rendered in the API's origin.
func (s *Server) downloadAttachment(c echo.Context) error {
	id, err := pathID(c, "id", "attachment")
	if err != nil {
		return err
	}
	x, err := s.deps.App.Store.Attachment(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	f, err := s.deps.Files.Open(x.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	disposition := "inline"
	if x.ContentType == "application/pdf" {
		disposition = "attachment"
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", disposition+`; filename="`+x.ID+extensions[x.ContentType]+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set(echo.HeaderContentLength, strconv.FormatInt(x.Size, 10))
	return c.Stream(http.StatusOK, x.ContentType, f)
}

var extensions = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
