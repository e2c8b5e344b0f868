// Package aliyunsms is a client of Alibaba Cloud SMS (阿里云短信服务, dysmsapi 2017-05-25):
// SendSms and QuerySendDetails over its RPC-style HTTP API, signed with HMAC-SHA1 as the
// API documents (SignatureVersion 1.0).
package aliyunsms

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Config is an account, its sender signature and the template every reminder uses.
type Config struct {
	Endpoint        string // default https://dysmsapi.aliyuncs.com/
	Region          string // default cn-hangzhou
	AccessKeyID     string
	AccessKeySecret string
	SignName        string // 短信签名
	TemplateCode    string // 模板 CODE, a template with the variable ${title}
}

// Client sends and looks up messages.
type Client struct {
	cfg  Config
	http *http.Client
	now  func() time.Time
}

// New returns a client; httpClient nil is one with a 20-second timeout.
func New(cfg Config, httpClient *http.Client) *Client {
	if cfg.Endpoint == "" {
		cfg.Endpoint = "https://dysmsapi.aliyuncs.com/"
	}
	if cfg.Region == "" {
		cfg.Region = "cn-hangzhou"
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 20 * time.Second}
	}
	return &Client{cfg: cfg, http: httpClient, now: time.Now}
}

// Error is an answer other than OK. Refused reports that the provider answered, in its JSON,
// that it did not accept the message (nothing was sent); otherwise (an HTTP error without
// that answer, a dropped connection) the message may or may not have been sent.
type Error struct {
	Status    int    // HTTP status; 0 when no answer arrived
	Code      string // the provider's Code, e.g. isv.BUSINESS_LIMIT_CONTROL
	Message   string
	RequestID string
	Err       error // the transport's error, when no answer arrived
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "aliyun sms: " + e.Err.Error()
	}
	return fmt.Sprintf("aliyun sms: %d %s: %s", e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Refused reports that the provider refused the message with a coded answer: nothing sent.
// A server error (isp.*, HTTP 5xx) is not a refusal: the send may have happened.
func (e *Error) Refused() bool {
	return e.Code != "" && e.Status < 500 && !strings.HasPrefix(e.Code, "isp.")
}

// Permanent reports that sending again cannot succeed (a bad number, template or parameter).
func (e *Error) Permanent() bool {
	switch e.Code {
	case "isv.MOBILE_NUMBER_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.PARAM_LENGTH_LIMIT", "isv.TEMPLATE_MISSING_PARAMETERS",
		"isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.INVALID_JSON_PARAM",
		"isv.MOBILE_COUNT_OVER_LIMIT", "isv.DENY_IP_RANGE":
		return true
	}
	return false
}

// percent encodes as the API's signature requires (RFC 3986: space %20, * %2A, ~ kept).
func percent(s string) string {
	e := url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(e)
}

// Sign returns the signature of params (without Signature) for method and secret.
func Sign(method string, params url.Values, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = percent(k) + "=" + percent(params.Get(k))
	}
	toSign := method + "&" + percent("/") + "&" + percent(strings.Join(parts, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// call signs and POSTs one action, decoding the answer into out.
func (c *Client) call(ctx context.Context, action string, p url.Values, out any) error {
	p.Set("Action", action)
	p.Set("Version", "2017-05-25")
	p.Set("Format", "JSON")
	p.Set("RegionId", c.cfg.Region)
	p.Set("AccessKeyId", c.cfg.AccessKeyID)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", nonce())
	p.Set("Timestamp", c.now().UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("Signature", Sign(http.MethodPost, p, c.cfg.AccessKeySecret))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint, strings.NewReader(p.Encode()))
	if err != nil {
		return &Error{Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		return &Error{Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return &Error{Status: res.StatusCode, Err: err}
	}
	var head struct{ Code, Message, RequestId string }
	if err := json.Unmarshal(body, &head); err != nil {
		return &Error{Status: res.StatusCode, Err: fmt.Errorf("unreadable answer (HTTP %d): %.200s", res.StatusCode, body)}
	}
	if head.Code != "OK" {
		return &Error{Status: res.StatusCode, Code: head.Code, Message: head.Message, RequestID: head.RequestId}
	}
	return json.Unmarshal(body, out)
}

// Send sends the template with its title to phone under outID (the API's OutId, our key of
// the message) and answers the provider's BizId.
func (c *Client) Send(ctx context.Context, phone, outID, title string) (string, error) {
	param, _ := json.Marshal(map[string]string{"title": title})
	p := url.Values{}
	p.Set("PhoneNumbers", phone)
	p.Set("SignName", c.cfg.SignName)
	p.Set("TemplateCode", c.cfg.TemplateCode)
	p.Set("TemplateParam", string(param))
	p.Set("OutId", outID)
	var out struct{ BizId string }
	if err := c.call(ctx, "SendSms", p, &out); err != nil {
		return "", err
	}
	return out.BizId, nil
}

// beijing is the zone of QuerySendDetails' SendDate.
var beijing = time.FixedZone("CST", 8*3600)

// Find looks up, among the messages sent to phone on the day of on (Beijing time), the one
// sent under outID (SmsSendDetailDTO.OutId), and answers whether it was found, with its BizId
// where the answer carries one (the documented answer need not).
func (c *Client) Find(ctx context.Context, phone, outID string, on time.Time) (string, bool, error) {
	for page := 1; page <= 20; page++ {
		p := url.Values{}
		p.Set("PhoneNumber", phone)
		p.Set("SendDate", on.In(beijing).Format("20060102"))
		p.Set("PageSize", "50")
		p.Set("CurrentPage", fmt.Sprint(page))
		var out struct {
			TotalCount        json.Number
			SmsSendDetailDTOs struct {
				SmsSendDetailDTO []struct {
					OutId      string
					BizId      string
					SendStatus int
				}
			}
		}
		if err := c.call(ctx, "QuerySendDetails", p, &out); err != nil {
			return "", false, err
		}
		ds := out.SmsSendDetailDTOs.SmsSendDetailDTO
		for _, d := range ds {
			if d.OutId == outID {
				return d.BizId, true, nil
			}
		}
		if len(ds) < 50 {
			break
		}
	}
	return "", false, nil
}
