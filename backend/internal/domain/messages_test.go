package domain_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"minxin/backend/internal/domain"
)

// message is a message made in the source: its English format, or a word it names.
type message struct {
	text, at string
}

// sourceMessages reads every message the backend makes where it makes it: the format given to
// each function that makes an error (Errorf with a Kind, Conflict, InvalidField, Invalid's Add
// and Check, Unauthenticated, UniqueViolation, the petition rules' conflict and fieldError,
// Say) and the literal messages of the duty rules' FieldError; the words given to NotFound
// and to the helpers that pass one on; and every call whose message is not a literal.
func sourceMessages(t *testing.T) (formats, words []message, dynamic []string) {
	t.Helper()
	fset := token.NewFileSet()
	literal := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		at := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				format := -1
				switch name {
				case "Errorf":
					if sel, ok := x.Args[0].(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Kind") {
						format = 2
					}
				case "Conflict", "conflict", "Unauthenticated", "InvalidField":
					format = 1
				case "Say", "SayMessage":
					if len(x.Args) >= 2 {
						format = 1
					}
				case "fieldError", "UniqueViolation":
					format = 2
				case "Add", "Check": // v.Add, v.Check of an Invalid, not Header().Add
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
						if _, ok := sel.X.(*ast.Ident); ok && len(x.Args) >= 2 {
							format = map[string]int{"Add": 1, "Check": 2}[name]
						}
					}
				case "NotFound", "pathID", "checkoutID", "storedRecord", "errIDConflict":
					if s, ok := literal(x.Args[len(x.Args)-1]); ok {
						words = append(words, message{s, at(x)})
					} else if name == "NotFound" {
						dynamic = append(dynamic, name+" "+at(x))
					}
				}
				if format >= 0 && format < len(x.Args) {
					if s, ok := literal(x.Args[format]); ok {
						formats = append(formats, message{s, at(x)})
					} else {
						dynamic = append(dynamic, name+" "+at(x))
					}
				}
			case *ast.KeyValueExpr:
				// Record kinds named in the duty records' tables: {what: "overnight stay", kind: "checkout"}.
				if k, ok := x.Key.(*ast.Ident); ok && (k.Name == "what" || k.Name == "kind") {
					if s, ok := literal(x.Value); ok {
						words = append(words, message{s, at(x)})
					}
				}
				if k, ok := x.Key.(*ast.Ident); ok && (k.Name == "Format" || k.Name == "Message" && strings.Contains(path, "rules")) {
					if s, ok := literal(x.Value); ok {
						formats = append(formats, message{s, at(x)})
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return formats, words, dynamic
}

// passedOn are the calls whose message is not a literal: each passes on a message made, and
// checked, elsewhere. A new one must say where its messages come from.
var passedOn = map[string]string{
	"domain/errors.go":     "Invalid.Add and InvalidField pass their own format on",
	"domain/messages.go":   "Say passes a message on to itself",
	"petitions/actions.go": "refusalError: the petition rules' Format and Args, made by conflict and fieldError",
	"httpapi/bind.go":      "pathID: NotFound of the word its callers give",
	"httpapi/duties.go":    "checkoutID: NotFound of the word its callers give",
	"httpapi/server.go":    "echo's Group.Add of the route table: no message",
	"httpapi/problem.go":   "Say of http.StatusText: the titles, in the catalogue",
	"store/db.go":          "NotFound passes its callers' word on",
}

// The catalogue says every message the backend makes in Chinese, and every word they name;
// it holds nothing else; no English is left in the Chinese but the names and codes the API
// itself uses, which the English message names too; and every Chinese format takes the
// English one's arguments.
func TestCatalogue(t *testing.T) {
	messages, terms := domain.Catalogue()
	formats, words, dynamic := sourceMessages(t)
	if len(formats) < 150 || len(words) < 15 {
		t.Fatalf("found %d messages and %d words in the source: the scan is broken", len(formats), len(words))
	}
	used := map[string]bool{"%s": true}
	for _, m := range formats {
		used[m.text] = true
		if m.text == "%s" {
			continue // a message passed on, said as itself
		}
		if _, ok := messages[m.text]; !ok {
			t.Errorf("%s: %q is not in the catalogue", m.at, m.text)
		}
	}
	for _, w := range words {
		if _, ok := terms[w.text]; !ok {
			t.Errorf("%s: the word %q is not in the catalogue", w.at, w.text)
		}
	}
	for _, d := range dynamic {
		file := strings.TrimPrefix(d[strings.Index(d, " ")+1:], "../")
		file = file[:strings.Index(file, ".go")+3]
		if _, ok := passedOn[file]; !ok {
			t.Errorf("%s makes a message that is not a literal: make it one, or say in passedOn where it comes from", d)
		}
	}
	titles := map[string]bool{}
	for code := 400; code < 600; code++ {
		titles[http.StatusText(code)] = true
	}
	for en, zh := range messages {
		if !used[en] && !titles[en] {
			t.Errorf("%q is in the catalogue but no code makes it", en)
		}
		checkChinese(t, en, zh)
	}
	for en, zh := range terms {
		checkChinese(t, en, zh)
	}
}

var (
	verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*[a-zA-Z]`)
	words = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-.]*[A-Za-z0-9]|[A-Za-z]`)
)

// codeWords are the English words a Chinese message may keep: the API's names and values and
// the names of formats, which a client sends and reads as they are.
var codeWords = []string{"JSON", "UUID", "RFC", "JPEG", "PNG", "PDF", "ASCII", "UTF-8", "NUL", "HH", "MM", "YYYY-MM-DD",
	"Authorization", "Bearer", "multipart/form-data", "json", "png", "xlsx", "csv", "true", "false", "code", "name_zh", "name_en",
	"lat", "lng", "accuracy_m", "from", "period_start", "start_date", "tracking_code", "pin", "admin", "inspector", "official",
	"petition_officer", "villager", "online", "reception", "letter", "phone", "talk_day", "open", "overdue", "closed",
	"confirmed", "discrepancy", "unreachable", "no_issue", "violation_confirmed", "satisfied", "basically_satisfied", "dissatisfied",
	"multipart", "form-data", "UTF", "u0000", "YYYY", "DD", "to_township_id", "to_agency", "system", "create", "accept",
	"petition", "user", "base64url", "P-256", "https"}

func checkChinese(t *testing.T, en, zh string) {
	t.Helper()
	if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("%q is said %q, which is not Chinese", en, zh)
	}
	rest := verbs.ReplaceAllString(zh, " ")
	for _, w := range words.FindAllString(rest, -1) {
		if !slices.Contains(codeWords, w) || !strings.Contains(en, w) {
			t.Errorf("%q is said %q, which keeps the English %q", en, zh, w)
		}
	}
	// The Chinese takes the English arguments: the same verbs, in any order; a Go error's
	// own text (%v) may be left out.
	var want, got []string
	for _, v := range verbs.FindAllString(en, -1) {
		if v != "%v" {
			want = append(want, v)
		}
	}
	for _, v := range verbs.FindAllString(zh, -1) {
		got = append(got, regexp.MustCompile(`\[\d+\]`).ReplaceAllString(v, ""))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("%q takes %v, its Chinese %q takes %v", en, want, zh, got)
	}
	args := make([]any, 0, len(want))
	for _, v := range verbs.FindAllString(en, -1) {
		switch v[len(v)-1] {
		case 'd':
			args = append(args, 7)
		default:
			args = append(args, "x")
		}
	}
	if s := domain.Say(domain.Chinese, en, args...); strings.Contains(s, "%!") {
		t.Errorf("%q is said %q with %v", en, s, args)
	}
}

// A message is said in English as it was made and in Chinese from the catalogue, with its
// words in Chinese; one the catalogue lacks is said with a general Chinese phrase.
func TestSay(t *testing.T) {
	cases := []struct {
		err      *domain.Error
		en, zh   string
		fieldsZh []string
	}{
		{domain.NotFound("petition"), "petition not found", "信访件不存在", nil},
		{domain.NotFound("reception day"), "reception day not found", "接访日不存在", nil},
		{domain.Forbidden(), "your role may not do this", "您的角色无权进行此操作", nil},
		{domain.Conflict("invalid_state", "cannot %s a petition that is %s", "accept", "closed"),
			"cannot accept a petition that is closed", "不能对已办结的信访件进行受理", nil},
		{domain.Errorf(domain.KindTooMany, "rate_limited", "too many attempts; try again in %d seconds", 42),
			"too many attempts; try again in 42 seconds", "尝试次数过多，请 42 秒后再试", nil},
		{domain.InvalidField("limit", "must be from 1 to %d", 200), "some fields are invalid", "有字段不符合要求", []string{"必须在 1 至 200 之间"}},
		{domain.InvalidField("x", "%s", "is required"), "some fields are invalid", "有字段不符合要求", []string{"必须填写"}},
		{domain.InvalidField("x", "%s", "a Go error nobody translated"), "some fields are invalid", "有字段不符合要求", []string{"取值无效"}},
		{domain.Errorf(domain.KindMalformed, "malformed_json", "the request body could not be read: %v", fmt.Errorf("unexpected EOF")),
			"the request body could not be read: unexpected EOF", "无法读取请求正文", nil},
		{domain.Errorf(domain.KindConflict, "x", "a message nobody catalogued"), "a message nobody catalogued", "请求未能完成", nil},
		{&domain.Error{Kind: domain.KindInvalid, Code: "x", Message: "is required"}, "is required", "必须填写", nil},
	}
	for _, c := range cases {
		if got := c.err.Detail(domain.English); got != c.en {
			t.Errorf("English: %q, want %q", got, c.en)
		}
		if got := c.err.Detail(domain.Chinese); got != c.zh {
			t.Errorf("Chinese of %q: %q, want %q", c.en, got, c.zh)
		}
		for i, f := range c.err.Fields {
			if got := f.Said(domain.Chinese); got.Message != c.fieldsZh[i] || got.Field != f.Field {
				t.Errorf("field %s of %q in Chinese: %+v, want %q", f.Field, c.en, got, c.fieldsZh[i])
			}
			if got := f.Said(domain.English); got.Message != f.Message {
				t.Errorf("field %s in English: %q, want %q", f.Field, got.Message, f.Message)
			}
		}
	}
}
