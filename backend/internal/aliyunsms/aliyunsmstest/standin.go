// Package aliyunsmstest is a local stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25) that
// speaks its documented RPC API: it checks the HMAC-SHA1 signature, the common parameters
// and a nonce used once, answers SendSms and QuerySendDetails in the provider's JSON, and can
// be told to fail the next sends the ways the provider and the network do. Like the provider,
// it does not deduplicate by OutId: every accepted send is a message.
package aliyunsmstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"time"

	"minxin/backend/internal/aliyunsms"
)

// Fault is how the stand-in answers one SendSms.
type Fault int

// Faults.
const (
	OK             Fault = iota
	LimitControl         // 200 {"Code":"isv.BUSINESS_LIMIT_CONTROL"}: refused, nothing sent
	ServerError          // HTTP 500 with isp.SYSTEM_ERROR, nothing sent
	AcceptThenDrop       // the message is sent, then the connection is closed before the answer
	Hang                 // the message is sent, then the answer waits until Release
)

// Message is one message the stand-in sent.
type Message struct {
	Phone, OutID, BizID, TemplateCode, SignName string
	Param                                       map[string]string
	At                                          time.Time
}

// Server is the stand-in.
type Server struct {
	*httptest.Server
	KeyID, Secret string
	mu            sync.Mutex
	messages      []Message
	faults        []Fault
	nonces        map[string]bool
	release       chan struct{}
	// Now is the provider's clock, which dates messages for QuerySendDetails (default time.Now).
	Now     func() time.Time
	Sends   int // SendSms calls that passed the signature check
	Queries int
}

// New starts a stand-in for the account keyID with secret.
func New(keyID, secret string) *Server {
	s := &Server{KeyID: keyID, Secret: secret, nonces: map[string]bool{}, release: make(chan struct{}), Now: time.Now}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Fail makes the next sends answer with faults, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Release lets a Hang answer.
func (s *Server) Release() { close(s.release) }

// Messages are the messages sent so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func answer(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func refuse(w http.ResponseWriter, status int, code, msg string) {
	answer(w, status, map[string]any{"RequestId": "standin", "Code": code, "Message": msg})
}

var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
var beijing = time.FixedZone("CST", 8*3600)

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		refuse(w, 400, "InvalidParameter", "unreadable form")
		return
	}
	p := r.Form
	for _, k := range []string{"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature"} {
		if p.Get(k) == "" {
			refuse(w, 400, "MissingParameter", "missing "+k)
			return
		}
	}
	if p.Get("AccessKeyId") != s.KeyID {
		refuse(w, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	if p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" || p.Get("Version") != "2017-05-25" {
		refuse(w, 400, "InvalidParameter", "unsupported signature or version")
		return
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if err != nil || time.Since(ts).Abs() > 15*time.Minute {
		refuse(w, 400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted or expired.")
		return
	}
	if aliyunsms.Sign(r.Method, p, s.Secret) != p.Get("Signature") {
		refuse(w, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	s.mu.Lock()
	if s.nonces[p.Get("SignatureNonce")] {
		s.mu.Unlock()
		refuse(w, 400, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	s.nonces[p.Get("SignatureNonce")] = true
	s.mu.Unlock()
	switch p.Get("Action") {
	case "SendSms":
		s.send(w, r)
	case "QuerySendDetails":
		s.query(w, r)
	default:
		refuse(w, 400, "InvalidAction.NotFound", "Specified api is not found.")
	}
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	p := r.Form
	if !mobile.MatchString(p.Get("PhoneNumbers")) {
		refuse(w, 200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
		return
	}
	if p.Get("SignName") == "" || p.Get("TemplateCode") == "" {
		refuse(w, 400, "MissingParameter", "SignName and TemplateCode are required")
		return
	}
	var param map[string]string
	if err := json.Unmarshal([]byte(p.Get("TemplateParam")), &param); err != nil {
		refuse(w, 200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
		return
	}
	s.mu.Lock()
	s.Sends++
	fault := OK
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	switch fault {
	case LimitControl:
		s.mu.Unlock()
		refuse(w, 200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
		return
	case ServerError:
		s.mu.Unlock()
		refuse(w, 500, "isp.SYSTEM_ERROR", "系统错误")
		return
	}
	m := Message{Phone: p.Get("PhoneNumbers"), OutID: p.Get("OutId"), BizID: fmt.Sprintf("%d^%d", 900000+len(s.messages), time.Now().UnixNano()),
		TemplateCode: p.Get("TemplateCode"), SignName: p.Get("SignName"), Param: param, At: s.Now()}
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	switch fault {
	case AcceptThenDrop:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case Hang:
		<-s.release
	}
	answer(w, 200, map[string]any{"Message": "OK", "RequestId": "standin", "BizId": m.BizID, "Code": "OK"})
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	p := r.Form
	size, err1 := strconv.Atoi(p.Get("PageSize"))
	page, err2 := strconv.Atoi(p.Get("CurrentPage"))
	if p.Get("PhoneNumber") == "" || len(p.Get("SendDate")) != 8 || err1 != nil || err2 != nil || size < 1 || size > 50 || page < 1 {
		refuse(w, 400, "isv.INVALID_PARAMETERS", "参数异常")
		return
	}
	s.mu.Lock()
	s.Queries++
	var found []map[string]any
	for _, m := range s.messages {
		if m.Phone == p.Get("PhoneNumber") && m.At.In(beijing).Format("20060102") == p.Get("SendDate") &&
			(p.Get("BizId") == "" || p.Get("BizId") == m.BizID) {
			found = append(found, map[string]any{"PhoneNum": m.Phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": m.TemplateCode,
				"Content": "【" + m.SignName + "】" + m.Param["title"], "SendDate": m.At.In(beijing).Format("2006-01-02 15:04:05"),
				"ReceiveDate": m.At.In(beijing).Format("2006-01-02 15:04:05"), "OutId": m.OutID})
		}
	}
	s.mu.Unlock()
	total := len(found)
	lo, hi := min((page-1)*size, total), min(page*size, total)
	answer(w, 200, map[string]any{"Code": "OK", "Message": "OK", "RequestId": "standin", "TotalCount": total,
		"SmsSendDetailDTOs": map[string]any{"SmsSendDetailDTO": found[lo:hi]}})
}
