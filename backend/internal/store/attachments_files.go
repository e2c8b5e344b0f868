package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG headers
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minxin/backend/internal/domain"
)

// MaxAttachmentBytes is the largest attachment accepted: 10 MiB.
const MaxAttachmentBytes = 10 << 20

// attachmentTypes are the content types accepted, as http.DetectContentType names them.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

// tempPrefix names files being written; they never carry a final name.
const tempPrefix = ".upload-"

// Files is the directory of attachment bytes, content-addressed: each distinct file is kept
// once, at <dir>/ab/cd/<sha256>, whatever the number of uploads of it.
type Files struct{ dir string }

// Blob is a file kept in Files: its SHA-256 (lowercase hex), content type and size.
type Blob struct {
	SHA256      string
	ContentType string
	Size        int64
}

// OpenFiles opens (and creates) the attachments directory. Upload files that a crash left
// behind more than a day ago are removed: they never reached a final name.
func OpenFiles(dir string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("attachments directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("attachments directory: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return &Files{dir: dir}, nil
}

// path is where the file of a SHA-256 lives.
func (f *Files) path(sum string) string {
	return filepath.Join(f.dir, sum[0:2], sum[2:4], sum)
}

// Upload is a received file not yet kept: Keep gives it its final name, Discard drops it.
type Upload struct {
	Blob
	f   *Files
	tmp string
}

// Receive reads one file from r into a temporary file beside the kept ones, synced to disk.
// Its type is decided by its content alone — JPEG, PNG or PDF, and an image must have
// readable headers — and it may be at most MaxAttachmentBytes long; reading stops at the
// first byte over. A refused file leaves nothing behind. Errors name field.
func (f *Files) Receive(r io.Reader, field string) (*Upload, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, readError(err, field)
	}
	head = head[:n]
	if n == 0 {
		return nil, domain.InvalidField(field, "is empty")
	}
	contentType, _, _ := strings.Cut(http.DetectContentType(head), ";")
	if !attachmentTypes[contentType] {
		return nil, domain.InvalidField(field, "must be a JPEG, PNG or PDF file; its content is %s", contentType)
	}

	tmp, err := os.CreateTemp(f.dir, tempPrefix+"*")
	if err != nil {
		return nil, err
	}
	u := &Upload{f: f, tmp: tmp.Name()}
	fail := func(err error) (*Upload, error) {
		tmp.Close()
		u.Discard()
		return nil, err
	}
	sum := sha256.New()
	w := io.MultiWriter(tmp, sum)
	if _, err := w.Write(head); err != nil {
		return fail(err)
	}
	rest, err := io.Copy(w, io.LimitReader(r, MaxAttachmentBytes+1-int64(n)))
	if err != nil {
		return fail(readError(err, field))
	}
	size := int64(n) + rest
	if size > MaxAttachmentBytes {
		return fail(FileTooLarge(field))
	}
	if contentType != "application/pdf" {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return fail(err)
		}
		if _, _, err := image.DecodeConfig(tmp); err != nil {
			return fail(domain.InvalidField(field, "is not a readable %s image", strings.TrimPrefix(contentType, "image/")))
		}
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	u.Blob = Blob{SHA256: hex.EncodeToString(sum.Sum(nil)), ContentType: contentType, Size: size}
	return u, nil
}

// Keep renames the file to its final name, <dir>/ab/cd/<sha256>, or drops it when the same
// bytes are kept already. A crash at any moment leaves either no file or the whole file under
// the final name.
func (u *Upload) Keep() (Blob, error) {
	final := u.f.path(u.SHA256)
	if _, err := os.Stat(final); err == nil {
		u.Discard()
		return u.Blob, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Blob{}, err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return Blob{}, err
	}
	if err := os.Rename(u.tmp, final); err != nil {
		return Blob{}, err
	}
	u.tmp = ""
	return u.Blob, syncDir(filepath.Dir(final))
}

// Discard drops a file not kept; after Keep, or on nil, it does nothing.
func (u *Upload) Discard() {
	if u != nil && u.tmp != "" {
		os.Remove(u.tmp)
		u.tmp = ""
	}
}

// Open opens the kept file of a SHA-256.
func (f *Files) Open(sum string) (*os.File, error) {
	if len(sum) != sha256.Size*2 {
		return nil, fmt.Errorf("attachment file %q: not a SHA-256", sum)
	}
	return os.Open(f.path(sum))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readError tells a body over the request limit (413) from a body that broke off (400).
func readError(err error, field string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return FileTooLarge(field)
	}
	return domain.Errorf(domain.KindMalformed, "unreadable_body", "the upload could not be read: %v", err)
}

// FileTooLarge is the answer to a file over MaxAttachmentBytes (413), naming field.
func FileTooLarge(field string) error {
	return &domain.Error{Kind: domain.KindTooLarge, Code: "file_too_large",
		Message: fmt.Sprintf("the file is larger than %d MiB", MaxAttachmentBytes>>20),
		Fields:  []domain.FieldError{{Field: field, Message: fmt.Sprintf("must be at most %d bytes", MaxAttachmentBytes)}}}
}
