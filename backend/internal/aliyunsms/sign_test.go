package aliyunsms

import (
	"net/url"
	"testing"
)

// The signature example of Alibaba Cloud SMS's documentation (HTTP协议及签名, SendSms by GET
// with the secret testSecret).
func TestSignDocumentedExample(t *testing.T) {
	p := url.Values{}
	for k, v := range map[string]string{
		"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
		"RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
		"TemplateParam": `{"customer":"test"}`, "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
	} {
		p.Set(k, v)
	}
	if got, want := Sign("GET", p, "testSecret"), "zJDF+Lrzhj/ThnlvIToysFRq6t4="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}
