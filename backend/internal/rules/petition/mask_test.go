package petition

import "testing"

func TestMaskName(t *testing.T) {
	cases := map[string]string{
		"张三":        "张**",
		"欧阳娜娜":      "欧**",
		"李":         "李**",
		"  王小明 ":    "王**",
		"":          "",
		"   ":       "",
		"Zhang San": "Z**",
		"阿卜杜拉·买买提":  "阿**",
	}
	for in, want := range cases {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	cases := map[string]string{
		"13812341234":    "138****1234",
		"138 1234 1234":  "138****1234",
		"138-1234-1234":  "138****1234",
		" 13812341234 ":  "138****1234",
		"057588123456":   "057*****3456", // landline with area code
		"0575-8812-3456": "057*****3456",
		"+8613812341234": "+86*******1234",
		"88123456":       "****", // landline without area code: its ends would give it away
		"1381234":        "****",
		"12":             "****",
		"":               "",
		"  ":             "",
	}
	for in, want := range cases {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPetitioner(t *testing.T) {
	cases := []struct{ name, phone, want string }{
		{"张三", "13812341234", "张** · 138****1234"},
		{"欧阳娜娜", "", "欧**"},
		{"", "13812341234", "138****1234"},
		{"", "", ""},
	}
	for _, c := range cases {
		if got := MaskPetitioner(c.name, c.phone); got != c.want {
			t.Errorf("MaskPetitioner(%q, %q) = %q, want %q", c.name, c.phone, got, c.want)
		}
	}
}
