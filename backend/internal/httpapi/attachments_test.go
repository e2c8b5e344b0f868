package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// part is one part of a multipart body.
type part struct {
	field, filename, contentType string
	content                      []byte
}

// multipartBody encodes parts as multipart/form-data and returns the body and its content type.
func multipartBody(t *testing.T, parts ...part) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.filename))
		h.Set("Content-Type", p.contentType)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// upload sends one file in the part "file", declared with the given name and content type.
func upload(t *testing.T, env *apitest.Env, token, filename, contentType string, content []byte) apitest.Response {
	t.Helper()
	body, ct := multipartBody(t, part{"file", filename, contentType, content})
	return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attachments", Token: token, Body: body, Header: map[string]string{"Content-Type": ct}})
}

// tinyPNG and tinyJPEG are real images made by the standard encoders; seed varies the pixels.
func tinyPNG(t *testing.T, seed uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, tinyImage(seed)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tinyJPEG(t *testing.T, seed uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, tinyImage(seed), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tinyImage(seed uint8) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := range 8 {
		for y := range 6 {
			img.Set(x, y, color.RGBA{R: seed, G: uint8(x * 30), B: uint8(y * 40), A: 255})
		}
	}
	return img
}

// tinyPDF is a minimal valid PDF: one empty page, with a correct cross-reference table.
func tinyPDF() []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// keptFiles lists the files under the attachments directory, temporary ones included.
func keptFiles(t *testing.T, env *apitest.Env) []string {
	t.Helper()
	var out []string
	root := filepath.Join(env.DataDir, "attachments")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func logCount(t *testing.T, env *apitest.Env) int64 {
	t.Helper()
	broken, n, err := env.Store.VerifyLog(context.Background())
	if err != nil || broken != nil {
		t.Fatalf("activity log: %v %+v", err, broken)
	}
	return n
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestAttachmentUploadAndDownload(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		tok := env.Token(official)
		cases := []struct {
			name, filename, declared, want string
			content                        []byte
		}{
			// The declared type and name are ignored: the content decides.
			{"png", "photo.bin", "application/octet-stream", "image/png", tinyPNG(t, 1)},
			{"jpeg", "IMG_0001.png", "image/png", "image/jpeg", tinyJPEG(t, 1)},
			{"pdf", "letter", "text/plain", "application/pdf", tinyPDF()},
		}
		for _, c := range cases {
			r := upload(t, env, tok, c.filename, c.declared, c.content)
			if r.Status != http.StatusCreated {
				t.Fatalf("%s: %d %s", c.name, r.Status, r.Body)
			}
			got := r.Map(t)
			if got["content_type"] != c.want || got["sha256"] != sha(c.content) || got["size"] != float64(len(c.content)) ||
				got["uploaded_by"] != official.ID || got["township_id"] != town.ID || got["linked_at"] != nil {
				t.Errorf("%s: %s", c.name, r.Body)
			}
			d := env.Get("/api/v1/attachments/"+got["id"].(string), tok)
			if d.Status != http.StatusOK || !bytes.Equal(d.Body, c.content) {
				t.Fatalf("%s download: %d, %d bytes", c.name, d.Status, len(d.Body))
			}
			if ct := d.Header.Get("Content-Type"); ct != c.want {
				t.Errorf("%s download: Content-Type %q", c.name, ct)
			}
			if d.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s download: no nosniff", c.name)
			}
			disposition := d.Header.Get("Content-Disposition")
			if wantAttachment := c.want == "application/pdf"; strings.HasPrefix(disposition, "attachment;") != wantAttachment {
				t.Errorf("%s download: Content-Disposition %q", c.name, disposition)
			}
		}
		entries, err := env.Store.ActivityFor(context.Background(), "attachment", upload(t, env, tok, "a.png", "image/png", tinyPNG(t, 2)).Map(t)["id"].(string))
		if err != nil || len(entries) != 1 || entries[0].Action != "create" || entries[0].ActorID != official.ID {
			t.Errorf("activity of an upload: %+v %v", entries, err)
		}
	})
}

func TestAttachmentRefusals(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		tok := env.Token(env.User(domain.RoleAdmin, ""))
		logBefore := logCount(t, env)
		png1 := tinyPNG(t, 3)
		text := []byte("这不是照片，只是一段文字。\nThis is not a photo.\n")
		twoFiles, twoType := multipartBody(t, part{"file", "a.png", "image/png", png1}, part{"file", "b.png", "image/png", png1})
		otherPart, otherType := multipartBody(t, part{"note", "n.txt", "text/plain", []byte("hi")}, part{"file", "a.png", "image/png", png1})
		noFile, noFileType := multipartBody(t)
		cases := []struct {
			name        string
			body        []byte
			contentType string
			status      int
			code, field string
		}{
			{"text renamed .jpg", nil, "", 422, "invalid_field", "file"},
			{"JPEG magic, then garbage", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0x42}, 600)...), "", 422, "invalid_field", "file"},
			{"PNG cut after its signature", png1[:12], "", 422, "invalid_field", "file"},
			{"empty file", []byte{}, "", 422, "invalid_field", "file"},
			{"two files", twoFiles, twoType, 422, "invalid_field", "file"},
			{"an unknown part", otherPart, otherType, 422, "invalid_field", "note"},
			{"no part", noFile, noFileType, 422, "invalid_field", "file"},
			{"JSON instead of multipart", []byte(`{"file":"x"}`), "application/json", 400, "not_multipart", ""},
			{"broken multipart", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xFF\xD8\xFF"), "multipart/form-data; boundary=x", 400, "", ""},
		}
		for _, c := range cases {
			var r apitest.Response
			switch {
			case c.name == "text renamed .jpg":
				r = upload(t, env, tok, "holiday.jpg", "image/jpeg", text)
			case c.contentType == "":
				r = upload(t, env, tok, "x.jpg", "image/jpeg", c.body)
			default:
				r = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attachments", Token: tok, Body: c.body, Header: map[string]string{"Content-Type": c.contentType}})
			}
			if r.Status != c.status || (c.code != "" && r.Code() != c.code) {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
				continue
			}
			if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: the error does not name %s: %s", c.name, c.field, r.Body)
			}
		}
		if files := keptFiles(t, env); len(files) != 0 {
			t.Errorf("refused uploads left files: %v", files)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused uploads wrote %d activity-log entries", n-logBefore)
		}
	})
}

func TestAttachmentSizeLimit(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		tok := env.Token(env.User(domain.RoleAdmin, ""))
		logBefore := logCount(t, env)
		const max = 10 * 1024 * 1024
		// A real PNG padded with trailing bytes: its headers stay readable at any length.
		padded := func(n int) []byte {
			b := tinyPNG(t, 4)
			return append(b, make([]byte, n-len(b))...)
		}
		// One byte over, inside the multipart allowance: refused while reading the file.
		if r := upload(t, env, tok, "big.png", "image/png", padded(max+1)); r.Status != http.StatusRequestEntityTooLarge || r.Code() != "file_too_large" {
			t.Fatalf("10 MiB + 1: %d %s", r.Status, r.Body)
		}
		// Far over: refused from the announced length, before the body is read.
		if r := upload(t, env, tok, "huge.png", "image/png", padded(max+200_000)); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("10 MiB + 200 kB: %d %s", r.Status, r.Body)
		}
		if files := keptFiles(t, env); len(files) != 0 {
			t.Errorf("a refused upload left files: %v", files)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("a refused upload wrote %d activity-log entries", n-logBefore)
		}
		exact := padded(max)
		r := upload(t, env, tok, "max.png", "image/png", exact)
		if r.Status != http.StatusCreated || r.Map(t)["size"] != float64(max) {
			t.Fatalf("exactly 10 MiB: %d %s", r.Status, r.Body)
		}
	})
}

func TestAttachmentStoredOnce(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		a := env.Token(env.User(domain.RoleOfficial, town.ID))
		b := env.Token(env.User(domain.RolePetitionOfficer, town.ID))
		photo := tinyJPEG(t, 5)
		first, second := upload(t, env, a, "a.jpg", "image/jpeg", photo).Map(t), upload(t, env, b, "b.jpg", "image/jpeg", photo).Map(t)
		if first["id"] == second["id"] || first["sha256"] != second["sha256"] {
			t.Fatalf("two uploads of the same bytes: %v %v", first, second)
		}
		sum := sha(photo)
		files := keptFiles(t, env)
		if want := sum[0:2] + "/" + sum[2:4] + "/" + sum; len(files) != 1 || files[0] != want {
			t.Fatalf("kept files %v, want only %s", files, want)
		}
		kept, err := os.ReadFile(filepath.Join(env.DataDir, "attachments", filepath.FromSlash(files[0])))
		if err != nil || !bytes.Equal(kept, photo) {
			t.Fatalf("kept file differs: %v", err)
		}
		for _, x := range []map[string]any{first, second} {
			if d := env.Get("/api/v1/attachments/"+x["id"].(string), a); d.Status != http.StatusOK || !bytes.Equal(d.Body, photo) {
				t.Errorf("download %s: %d", x["id"], d.Status)
			}
		}
	})
}

func TestAttachmentDownloadScope(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town, other := env.Township("甲镇", 30, 120), env.Township("乙镇", 31, 121)
		uploader := env.User(domain.RoleOfficial, town.ID, "team_member")
		villager := env.User(domain.RoleVillager, "")
		tokens := map[string]string{
			"uploader":                  env.Token(uploader),
			"colleague":                 env.Token(env.User(domain.RoleOfficial, town.ID)),
			"lead":                      env.Token(env.User(domain.RoleOfficial, town.ID, "team_member", "lead")),
			"petition officer":          env.Token(env.User(domain.RolePetitionOfficer, town.ID)),
			"district petition officer": env.Token(env.User(domain.RolePetitionOfficer, "")),
			"admin":                     env.Token(env.User(domain.RoleAdmin, "")),
			"other township's official": env.Token(env.User(domain.RoleOfficial, other.ID, "team_member", "lead")),
			"other township's officer":  env.Token(env.User(domain.RolePetitionOfficer, other.ID)),
			"inspector":                 env.Token(env.User(domain.RoleInspector, "")),
			"villager":                  env.Token(villager),
		}
		official := upload(t, env, tokens["uploader"], "a.png", "image/png", tinyPNG(t, 6)).Map(t)["id"].(string)
		own := upload(t, env, tokens["villager"], "b.png", "image/png", tinyPNG(t, 7)).Map(t)["id"].(string)
		anon := upload(t, env, "", "c.png", "image/png", tinyPNG(t, 8))
		if anon.Status != http.StatusCreated || anon.Map(t)["uploaded_by"] != nil || anon.Map(t)["township_id"] != nil {
			t.Fatalf("anonymous upload: %d %s", anon.Status, anon.Body)
		}
		anonymous := anon.Map(t)["id"].(string)

		may := map[string][]string{
			// An official's upload belongs to the township: its staff, inspectors and admins see it.
			official: {"uploader", "colleague", "lead", "petition officer", "district petition officer", "admin", "inspector"},
			// A villager's upload has no township until a petition links it.
			own: {"villager", "admin"},
			// An upload without an account: nobody but admins, until a petition links it.
			anonymous: {"admin"},
		}
		for id, allowed := range may {
			for who, tok := range tokens {
				want := http.StatusNotFound
				for _, a := range allowed {
					if a == who {
						want = http.StatusOK
					}
				}
				if r := env.Get("/api/v1/attachments/"+id, tok); r.Status != want {
					t.Errorf("%s downloading %s: %d, want %d", who, id, r.Status, want)
				} else if want == http.StatusNotFound && r.Code() != "not_found" {
					t.Errorf("%s downloading %s: %s", who, id, r.Body)
				}
			}
		}
		for _, path := range []string{"/api/v1/attachments/" + domain.NewID(), "/api/v1/attachments/not-an-id"} {
			if r := env.Get(path, tokens["admin"]); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.Status)
			}
		}
		if r := env.Get("/api/v1/attachments/"+official, ""); r.Status != http.StatusUnauthorized {
			t.Errorf("download without a token: %d", r.Status)
		}
	})
}

func TestAttachmentAnonymousRateLimit(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		photo := tinyPNG(t, 9)
		// Refused uploads do not count.
		if r := upload(t, env, "", "x.jpg", "image/jpeg", []byte("not a photo")); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("refused upload: %d", r.Status)
		}
		for i := range 20 {
			if r := upload(t, env, "", "p.png", "image/png", photo); r.Status != http.StatusCreated {
				t.Fatalf("anonymous upload %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		logBefore := logCount(t, env)
		r := upload(t, env, "", "p.png", "image/png", photo)
		if r.Status != http.StatusTooManyRequests || r.Code() != "rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("21st anonymous upload in an hour: %d %s %v", r.Status, r.Body, r.Header)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("a rate-limited upload wrote %d activity-log entries", n-logBefore)
		}
		// Logged-in users are not limited by the address.
		if r := upload(t, env, env.Token(env.User(domain.RoleVillager, "")), "p.png", "image/png", photo); r.Status != http.StatusCreated {
			t.Errorf("logged-in upload from the same address: %d %s", r.Status, r.Body)
		}
		// An hour later the address may upload again.
		env.Clock.Advance(time.Hour + time.Second)
		if r := upload(t, env, "", "p.png", "image/png", photo); r.Status != http.StatusCreated {
			t.Errorf("anonymous upload an hour later: %d %s", r.Status, r.Body)
		}
	})
}

func TestAttachmentOfAPetition(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		scan := upload(t, env, w.tok(w.officer), "letter.pdf", "application/pdf", tinyPDF()).Map(t)["id"].(string)
		w.letter(t, map[string]any{"attachment_ids": []string{scan}, "about_official_ids": []string{w.about.ID}})
		// Those who may know the petition exists may download its attachments; the official
		// it is about and inspectors may not, though they see the township's field records.
		cases := []struct {
			name string
			user domain.User
			want int
		}{
			{"uploading officer", w.officer, 200},
			{"admin", w.admin, 200},
			{"district petition officer", w.district, 200},
			{"official of the township", w.official, 200},
			{"official it is about", w.about, 404},
			{"inspector", w.inspector, 404},
			{"another township's official", w.otherOfficial, 404},
			{"villager", w.villager, 404},
		}
		for _, c := range cases {
			if r := env.Get("/api/v1/attachments/"+scan, w.tok(c.user)); r.Status != c.want {
				t.Errorf("%s: %d, want %d", c.name, r.Status, c.want)
			}
		}
	})
}
