package config

import (
	"errors"
	"fmt"
	"net/url"
)

// SMS is the account of Alibaba Cloud SMS that reminders go out through; zero when
// MINXIN_SMS_ACCESS_KEY_ID is unset (no SMS is sent, rows wait in the outbox).
type SMS struct {
	Endpoint        string // MINXIN_SMS_ENDPOINT, default https://dysmsapi.aliyuncs.com/
	Region          string // MINXIN_SMS_REGION, default cn-hangzhou
	AccessKeyID     string // MINXIN_SMS_ACCESS_KEY_ID
	AccessKeySecret string // MINXIN_SMS_ACCESS_KEY_SECRET
	SignName        string // MINXIN_SMS_SIGN_NAME: the approved signature (短信签名)
	TemplateCode    string // MINXIN_SMS_TEMPLATE_CODE: an approved template with ${title}
}

// Enabled reports whether SMS is configured.
func (s SMS) Enabled() bool { return s.AccessKeyID != "" }

// LoadSMS reads the SMS account: all of key id, secret, sign name and template code, or none.
func LoadSMS(env Lookup) (SMS, error) {
	var errs []error
	get := func(name string) string {
		v, err := value(env, name)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	s := SMS{Endpoint: get("MINXIN_SMS_ENDPOINT"), Region: get("MINXIN_SMS_REGION"), AccessKeyID: get("MINXIN_SMS_ACCESS_KEY_ID"),
		AccessKeySecret: get("MINXIN_SMS_ACCESS_KEY_SECRET"), SignName: get("MINXIN_SMS_SIGN_NAME"), TemplateCode: get("MINXIN_SMS_TEMPLATE_CODE")}
	if s.Endpoint != "" {
		if u, err := url.Parse(s.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("MINXIN_SMS_ENDPOINT: %q is not an http(s) URL", s.Endpoint))
		}
	}
	set := map[string]string{"MINXIN_SMS_ACCESS_KEY_ID": s.AccessKeyID, "MINXIN_SMS_ACCESS_KEY_SECRET": s.AccessKeySecret,
		"MINXIN_SMS_SIGN_NAME": s.SignName, "MINXIN_SMS_TEMPLATE_CODE": s.TemplateCode}
	any := false
	for _, v := range set {
		any = any || v != ""
	}
	if any {
		for _, name := range []string{"MINXIN_SMS_ACCESS_KEY_ID", "MINXIN_SMS_ACCESS_KEY_SECRET", "MINXIN_SMS_SIGN_NAME", "MINXIN_SMS_TEMPLATE_CODE"} {
			if set[name] == "" {
				errs = append(errs, fmt.Errorf("%s: required when any MINXIN_SMS_* account variable is set", name))
			}
		}
	}
	return s, errors.Join(errs...)
}
