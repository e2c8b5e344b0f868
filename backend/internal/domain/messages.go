package domain

import (
	"fmt"
	"reflect"
	"strings"
)

// Lang is a language errors are said in: Chinese unless the reader prefers English.
type Lang int

// The languages of the message catalogue.
const (
	Chinese Lang = iota
	English
)

// Say renders a message in a language. Messages are made in English where the problem is
// known (Errorf, Invalid.Add, …), and the English format is their key in the catalogue: the
// Chinese format takes the same arguments, the words among them (what was not found, a role,
// a petition's state) said in Chinese too, and may leave out a Go error's own text. A message
// passed on as "%s" is looked up itself. A message the catalogue lacks is said with a general
// Chinese phrase rather than in English (TestCatalogue keeps that from happening).
func Say(l Lang, format string, args ...any) string {
	if l == English {
		if len(args) == 0 {
			return format
		}
		return fmt.Sprintf(format, args...)
	}
	if format == "%s" && len(args) == 1 {
		if s, ok := args[0].(string); ok {
			if zh, ok := zhMessages[s]; ok && !strings.Contains(zh, "%") {
				return zh
			}
		}
		return zhUnknownField
	}
	zh, ok := zhMessages[format]
	if !ok {
		return zhUnknown
	}
	if !strings.Contains(zh, "%") {
		return zh
	}
	said := make([]any, len(args))
	for i, a := range args {
		said[i] = sayTerm(a)
	}
	return fmt.Sprintf(zh, said...)
}

// SayMessage says a message that takes no arguments, such as an HTTP status's title.
func SayMessage(l Lang, message string) string {
	if l == English {
		return message
	}
	if zh, ok := zhMessages[message]; ok && !strings.Contains(zh, "%") {
		return zh
	}
	return zhUnknown
}

// sayTerm says a word of the programme in Chinese; anything else (numbers, dates, ids, codes
// the client sends) stays as it is.
func sayTerm(a any) any {
	v := reflect.ValueOf(a)
	if !v.IsValid() || v.Kind() != reflect.String {
		return a
	}
	if zh, ok := zhTerms[v.String()]; ok {
		return zh
	}
	return v.String()
}

// Detail is the error's message in l.
func (e *Error) Detail(l Lang) string {
	if e.Format == "" {
		return Say(l, "%s", e.Message)
	}
	return Say(l, e.Format, e.Args...)
}

// Said is the field error with its message in l.
func (f FieldError) Said(l Lang) FieldError {
	if f.Format == "" {
		f.Message = Say(l, "%s", f.Message)
	} else {
		f.Message = Say(l, f.Format, f.Args...)
	}
	return f
}

// Catalogue lists every English message the catalogue has and its Chinese, and every word
// said in Chinese: for tests.
func Catalogue() (messages, terms map[string]string) { return zhMessages, zhTerms }

// What is said when a message is not in the catalogue.
const (
	zhUnknown      = "请求未能完成"
	zhUnknownField = "取值无效"
)

// zhTerms are the words of the programme that messages take as arguments.
var zhTerms = map[string]string{
	// what was not found, or is in conflict
	"petition": "信访件", "petition officer": "信访干部", "official": "干部", "user": "用户", "holiday": "节假日",
	"township": "乡镇", "village": "村", "audit": "抽查", "reception day": "接访日", "team member": "班子成员",
	"household": "农户", "leave": "请假记录", "attachment": "附件", "finding": "抽查发现",
	"overnight stay": "住夜记录", "stationing session": "下村蹲点记录", "stay": "住夜记录", "session": "蹲点记录",
	"day": "接访日", "talk day": "民情恳谈日记录", "trigger": "走访事由", "visit": "走访记录",
	"checkin": "签到", "checkout": "签退", "notice": "告知书", "notification": "提醒",
	"push subscription": "推送订阅",
	// roles
	"admin": "管理员", "inspector": "督查人员", "petition_officer": "信访干部", "villager": "村民",
	// channels
	"online": "网上", "reception": "定点接访", "letter": "来信", "phone": "来电", "talk_day": "民情恳谈日",
	// petition actions and states
	"accept": "受理", "reject": "不予受理", "assign": "交办", "extend": "延期", "reply": "答复", "feedback": "评价",
	"request-review": "申请复查", "review": "复查", "request-rereview": "申请复核", "rereview": "复核", "withdraw": "撤回",
	"close": "办结", "submitted": "已提交", "accepted": "已受理", "not_accepted": "不予受理", "assigned": "已交办",
	"replied": "已答复", "closed": "已办结", "review_requested": "已申请复查", "reviewed": "已复查",
	"rereview_requested": "已申请复核", "rereviewed": "已复核", "withdrawn": "已撤回",
	"transfer": "转送", "transferred": "已转送",
	// petition fields the rules name
	"reason": "理由", "guidance": "告知的途径", "handler_id": "承办人", "text": "答复内容", "opinion": "意见",
	// JSON types
	"a string": "字符串", "true or false": "true 或 false", "a whole number": "整数", "a number": "数字",
	"a list": "列表", "a date (YYYY-MM-DD)": "日期（YYYY-MM-DD）", "an object": "对象",
}

// zhMessages is the catalogue: every English message format and its Chinese.
var zhMessages = map[string]string{
	"your password was reset: change it first (POST /api/v1/auth/password with the temporary password as old_password)": "您的密码已被重置：请先用临时密码修改密码",
	"must be a mobile number of 11 digits starting with 1, or empty for none":                                           "必须是以 1 开头的 11 位手机号码，不填则为空",
	"must be a kind of notification, each once: %v":                                                                     "必须是提醒的种类，每种一次",
	"must be the push service's https URL":                                                                              "必须是推送服务的 https 地址",
	"must be base64url of an uncompressed P-256 public key (65 bytes)":                                                  "必须是未压缩的 P-256 公钥（65 字节）的 base64url 编码",
	"must be base64url of the 16-byte authentication secret":                                                            "必须是 16 字节认证密钥的 base64url 编码",
	"cannot be switched off: a township's lead is always told of overdue petitions":                                     "不能关闭：乡镇主要领导始终会收到信访件超期提醒",
	"must be the id of a user, or system":                                                                               "必须是用户的编号，或 system",
	"must be an action's name, such as create or accept":                                                                "必须是操作的名称，例如 create 或 accept",
	"must be a kind of record, such as petition or user":                                                                "必须是记录的类别，例如 petition 或 user",
	"must be a record's id: at most 100 characters, no control characters":                                              "必须是记录的编号：最多 100 个字符，不含控制字符",
	"must be a list of 1 to %d names":                                                                                   "必须是 1 至 %d 个名称的列表",
	"must not begin or end with white space":                                                                            "开头和结尾不能有空白",
	"is in the list twice":                                                                                              "在列表中出现了两次",
	"must differ from the old password":                                                                                 "不能与原密码相同",
	"is not your current password":                                                                                      "不是您当前的密码",
	"the password was changed meanwhile; log in again":                                                                  "密码已被修改，请重新登录",
	"the notice names the petitioner, whom your role sees masked; it is for the petitioner, the petition officers, the handler and admins": "告知书载有信访人姓名，您的角色只能看到隐去的信息；告知书供信访人、信访干部、承办人和管理员查看",
	"an anonymous report keeps no petitioner to check at the counter: its PIN cannot be re-issued":                                         "匿名反映没有可在窗口核对的信访人，不能重新发放查询密码",
	"is not the petitioner's phone on record: check who the person is":                                                                     "与登记的信访人电话不符，请核实来人身份",
	"supervision is for the district petition office: admins and petition officers without a township":                                     "督办由区信访办进行：管理员和不属于乡镇的信访干部",
	"the petition is %s: there is nothing left to supervise":                                                                               "该信访件%s，已无可督办的事项",
	"must be today or later": "必须是今天或以后的日期",
	"must be within a year":  "必须在一年以内",
	"supervision instructions are answered by the township's petition officers and the handler":        "督办意见由本乡镇的信访干部和承办人答复",
	"the petition has no supervision instruction waiting for an answer":                                "该信访件没有待答复的督办意见",
	"must be the id of a township of the district":                                                     "必须是本区一个乡镇的编号",
	"the petition was transferred once already; it cannot be transferred again":                        "该信访件已转送过一次，不能再次转送",
	"a petition is transferred within its acceptance window, which ended with the day%s":               "信访件须在受理期限内转送，受理期限已于%s当天结束",
	"give either to_township_id (a township of the district) or to_agency (an outside body), not both": "请填写 to_township_id（本区的乡镇）或 to_agency（区外机关）之一，不能同时填写",
	"the petition is this township's already; transfer it to another township":                         "该信访件已属本乡镇，请转送到其他乡镇",
	// HTTP titles (RFC 9457 title) and the HTTP layer
	"Bad Request":                             "请求无法读取",
	"Unauthorized":                            "需要登录",
	"Forbidden":                               "无权操作",
	"Not Found":                               "未找到",
	"Method Not Allowed":                      "不支持此方法",
	"Conflict":                                "与当前状态冲突",
	"Request Entity Too Large":                "请求过大",
	"Unsupported Media Type":                  "不支持的内容类型",
	"Unprocessable Entity":                    "有字段不符合要求",
	"Too Many Requests":                       "请求过于频繁",
	"Internal Server Error":                   "服务器内部错误",
	"Service Unavailable":                     "服务暂不可用",
	"an internal error occurred":              "服务器内部出错，请稍后再试",
	"the request body is larger than allowed": "请求正文超过了允许的大小",

	// domain
	"%s not found":              "%s不存在",
	"your role may not do this": "您的角色无权进行此操作",
	"some fields are invalid":   "有字段不符合要求",

	"%q is not a petition action": "%q 不是信访件的操作",
	"%q is not an attachment id":  "%q 不是附件编号",
	"%s is required":              "必须填写%s",
	"is not a seed: %v":           "不是有效的种子",
	"a different %s with this id already exists; a re-sent record must be identical": "已有一条编号相同而内容不同的%s；重发的记录必须与原记录完全一致",
	"a leave lasts at most one year":                                                 "一次请假最长一年",
	"a period is at most three years":                                                "统计期间最长三年",
	"a rota covers at most one year at a time":                                       "一次排班最长一年",
	"a scorecard covers at most two years":                                           "考核期间最长两年",
	"a village cannot move to another township":                                      "村不能改属其他乡镇",
	"an anonymous report keeps no petitioner data: leave it out":                     "匿名检举不保留信访人信息，请不要填写",
	"an extension is at most %d days":                                                "延期最多 %d 天",
	"an online petition is received the day it is sent; leave it out":                "网上信访以提交当天为收到日期，请不要填写",
	"at most 10 photos":                                                              "最多 10 张照片",
	"at most 100 issues":                                                             "最多 100 个问题",
	"at most 20 attachments":                                                         "最多 20 个附件",
	"at most 20 officials":                                                           "最多 20 名干部",
	"attachment %s belongs to another township":                                      "附件 %s 属于其他乡镇",
	"attachment %s is not an upload of yours that can be attached":                   "附件 %s 不是您上传的、可以附加的文件",
	"attachment %s was attached to another record meanwhile":                         "附件 %s 在此期间已附加到其他记录",
	"cannot %s a petition that is %s":                                                "不能对%[2]s的信访件进行%[1]s",
	"days must be at least 1":                                                        "延期天数至少为 1",
	"each issue must be 1 to 1000 characters":                                        "每个问题须为 1 至 1000 个字",
	"inspectors read petition figures, not petitions":                                "督查人员只能查看信访统计，不能查看信访件",
	"is empty": "是空的",
	"is given twice (keys are matched without regard to letter case); send each field once": "重复出现（字段名不区分大小写）；每个字段只能出现一次",
	"is more than %d minutes in the future: check the phone's clock":                        "比服务器时间晚了 %d 分钟以上：请检查手机时间",
	"is not a cursor this list gave":                                                        "不是此列表给出的游标",
	"is not a household of the village":                                                     "不是该村的农户",
	"is not a known field":                                                                  "不是可识别的字段",
	"is not a known field: send only the part %q":                                           "不是可识别的字段：只能发送名为 %q 的部分",
	"is not a known setting":                                                                "不是可识别的设置项",
	"is not a must-visit category":                                                          "不是必访事由的类别",
	"is not a petition category in force on %s":                                             "不是 %s 生效的信访类别",
	"is not a petition state":                                                               "不是信访件的状态",
	"is not a readable %s image":                                                            "不是可读取的 %s 图片",
	"is not in this round's sample":                                                         "不在本轮抽查的样本中",
	"is not valid JSON":                                                                     "不是有效的 JSON",
	"is not a valid value: %v":                                                              "不是有效的值",
	"is required":                                                                           "必须填写",
	"is required (RFC 3339 time with offset)":                                               "必须填写（带时区的 RFC 3339 时间）",
	"is required (YYYY-MM-DD)":                                                              "必须填写（YYYY-MM-DD）",
	"is required for the role %s":                                                           "角色为%s时必须填写",
	"is required, with name and phone, unless the report is anonymous":                      "必须填写信访人的姓名和电话，匿名检举除外",
	"is required: false for a day off, true for a make-up working day":                      "必须填写：false 表示放假，true 表示调休上班",
	"lat and lng go together":                                                               "纬度和经度必须同时填写",
	"lat, lng and accuracy_m must be given together or not at all":                          "lat、lng 和 accuracy_m 必须同时填写或都不填写",
	"log in first: this needs an access token":                                              "请先登录：此操作需要访问令牌",
	"log in, or send the petition's tracking_code and pin":                                  "请登录，或发送信访件的查询码（tracking_code）和密码（pin）",
	"log in to register a petition received through the %s channel":                         "登记通过%s渠道收到的信访件需要先登录",
	"must be %s":                   "必须是%s",
	"must be 10 to 128 characters": "须为 10 至 128 个字符",
	"must be 3 to 64 letters, digits, '.', '_' or '-'":                                           "须为 3 至 64 个字母、数字、“.”、“_”或“-”",
	"must be a JPEG, PNG or PDF file; its content is %s":                                         "必须是 JPEG、PNG 或 PDF 文件；实际内容为 %s",
	"must be a UUID chosen by the phone, in lowercase":                                           "必须是手机生成的小写 UUID",
	"must be a date (YYYY-MM-DD)":                                                                "必须是日期（YYYY-MM-DD）",
	"must be a date written YYYY-MM-DD":                                                          "必须是 YYYY-MM-DD 格式的日期",
	"must be a household of your township":                                                       "必须是本乡镇的农户",
	"must be a latitude between -90 and 90":                                                      "必须是 -90 至 90 之间的纬度",
	"must be a longitude between -180 and 180":                                                   "必须是 -180 至 180 之间的经度",
	"must be a non-empty list of {code, name_zh, name_en}":                                       "必须是非空的 {code, name_zh, name_en} 列表",
	"must be a number of people from 0 to 100000":                                                "必须是 0 至 100000 之间的人数",
	"must be a phone number of 7 to 15 digits":                                                   "必须是 7 至 15 位数字的电话号码",
	"must be a positive finite number of metres":                                                 "必须是大于 0 的有限米数",
	"must be a radius in metres, above 0 and at most 100000":                                     "必须是大于 0 且不超过 100000 的半径（米）",
	"must be a random UUID when sent without a login":                                            "未登录时必须是随机 UUID",
	"must be a team member of the day's township":                                                "必须是当天所在乡镇的班子成员",
	"must be a time of day written HH:MM":                                                        "必须是 HH:MM 格式的时刻",
	"must be a unique lowercase code":                                                            "必须是不重复的小写代码",
	"must be a village of the same township":                                                     "必须是同一乡镇的村",
	"must be a village of your township":                                                         "必须是本乡镇的村",
	"must be a whole number from %d to %d":                                                       "必须是 %d 至 %d 之间的整数",
	"must be a whole number from 1 to %d":                                                        "必须是 1 至 %d 之间的整数",
	"must be a year from 2000 to 2100":                                                           "必须是 2000 至 2100 之间的年份",
	"must be an id":                                                                              "必须是编号",
	"must be an official of the household's township":                                            "必须是该农户所在乡镇的干部",
	"must be an official you manage":                                                             "必须是您管理的干部",
	"must be an open trigger of this household and category":                                     "必须是该农户、该类别下尚未完成的走访事由",
	"must be at most %d characters":                                                              "最多 %d 个字",
	"must be at most 1000 characters":                                                            "最多 1000 个字",
	"must be at most 200 characters":                                                             "最多 200 个字符",
	"must be at most 2000 characters":                                                            "最多 2000 个字",
	"must be at most 50 characters":                                                              "最多 50 个字",
	"must be between -180 and 180":                                                               "必须在 -180 至 180 之间",
	"must be between -90 and 90":                                                                 "必须在 -90 至 90 之间",
	"must be confirmed, discrepancy or unreachable":                                              "必须是 confirmed、discrepancy 或 unreachable",
	"must be empty for the role %s":                                                              "角色为%s时不能填写",
	"must be from 0 to 10000":                                                                    "必须在 0 至 10000 之间",
	"must be from 0 to 365":                                                                      "必须在 0 至 365 之间",
	"must be from 1 to %d":                                                                       "必须在 1 至 %d 之间",
	"must be from 1 to 100000":                                                                   "必须在 1 至 100000 之间",
	"must be ids of officials":                                                                   "必须是干部的编号",
	"must be json or png":                                                                        "必须是 json 或 png",
	"must be json, xlsx or csv":                                                                  "必须是 json、xlsx 或 csv",
	"must be no_issue or violation_confirmed":                                                    "必须是 no_issue 或 violation_confirmed",
	"must be one of %s":                                                                          "必须是以下之一：%s",
	"must be one of admin, inspector, official, petition_officer, villager":                      "必须是以下之一：admin、inspector、official、petition_officer、villager",
	"must be one of online, reception, letter, phone, talk_day":                                  "必须是以下之一：online、reception、letter、phone、talk_day",
	"must be open, overdue or closed":                                                            "必须是 open、overdue 或 closed",
	"must be printable ASCII":                                                                    "必须是可打印的 ASCII 字符",
	"must be the id of a household":                                                              "必须是农户的编号",
	"must be the id of a team member":                                                            "必须是班子成员的编号",
	"must be the id of a township":                                                               "必须是乡镇的编号",
	"must be the id of a trigger":                                                                "必须是走访事由的编号",
	"must be the id of a village":                                                                "必须是村的编号",
	"must be the id of an official":                                                              "必须是干部的编号",
	"must be the id of an official of the petition's township":                                   "必须是信访件所属乡镇干部的编号",
	"must be today or later: a change never rewrites past results":                               "必须是今天或以后：修改不会改写过去的结果",
	"must be township ids":                                                                       "必须是乡镇的编号",
	"must be true or false":                                                                      "必须是 true 或 false",
	"must be up to 64 decimal digits rolled in public":                                           "必须是当众掷出的数字，最多 64 位",
	"must be within the last year":                                                               "必须在最近一年内",
	"must not be before from":                                                                    "不能早于开始日期（from）",
	"must not be before period_start":                                                            "不能早于开始日期（period_start）",
	"must not be before start_date":                                                              "不能早于开始日期（start_date）",
	"must not be before the check-in":                                                            "不能早于签到时间",
	"must not be in the future":                                                                  "不能是将来的日期",
	"must not contain the NUL character (\\u0000)":                                               "不能包含空字符（\\u0000）",
	"names a township that does not exist":                                                       "含有不存在的乡镇",
	"names attachment %s twice":                                                                  "附件 %s 出现了两次",
	"no record of this type counts in this scope and period: there is nothing to sample":         "此范围和期间内没有计入的此类记录：没有可以抽查的",
	"no such household in the township":                                                          "该乡镇没有这个农户",
	"no such township":                                                                           "没有这个乡镇",
	"no such village":                                                                            "没有这个村",
	"no such village in the township":                                                            "该乡镇没有这个村",
	"only a discrepancy asks for an explanation":                                                 "只有存在问题的抽查发现才需要说明",
	"only a discrepancy is resolved":                                                             "只有存在问题的抽查发现才需要认定",
	"only officials can be team members":                                                         "只有干部可以是班子成员",
	"only officials can be the lead":                                                             "只有干部可以是主要领导",
	"only officials have an appointment date":                                                    "只有干部有任职日期",
	"only the day's receiver registers petitions received at the reception on %s":                "只有 %s 的接访人可以登记当天定点接访收到的信访件",
	"only the office links a petition to a household":                                            "只有信访办可以把信访件关联到农户",
	"rating must be satisfied, basically_satisfied or dissatisfied":                              "评价必须是 satisfied、basically_satisfied 或 dissatisfied",
	"re-review could be requested until the end of the day%s; that time has passed":              "复核申请期限截至%s当天结束，已经过期",
	"review could be requested until the end of the day%s; that time has passed":                 "复查申请期限截至%s当天结束，已经过期",
	"say what the discrepancy is":                                                                "请说明存在什么问题",
	"send one file per upload":                                                                   "每次上传一个文件",
	"send the file as multipart/form-data, in a part named %q":                                   "请以 multipart/form-data 发送文件，部分名为 %q",
	"the Authorization header must be 'Bearer <token>'":                                          "Authorization 请求头必须是“Bearer <令牌>”",
	"the access token has expired; refresh it":                                                   "访问令牌已过期，请刷新",
	"the access token is not valid":                                                              "访问令牌无效",
	"the multipart body could not be read: %v":                                                   "无法读取 multipart 请求正文",
	"the official has until %s to explain":                                                       "干部可在 %s 前作出说明",
	"the petition does not close by itself yet":                                                  "信访件尚未到自动办结的时间",
	"the petition is about this official, who may not handle it or learn of it":                  "信访件涉及这名干部，他不能承办，也不能知悉",
	"the petition was re-reviewed, which is final; nothing more can be done or requested":        "信访件已复核，复核为最终结果，不能再办理或申请",
	"the receiver has already checked in on this day":                                            "接访人当天已经签到",
	"the refresh token is not valid; log in again":                                               "刷新令牌无效，请重新登录",
	"the reply deadline was extended already; only one extension is allowed":                     "答复期限已经延期，只能延期一次",
	"the reply deadline%s has passed; it can no longer be extended":                              "答复期限%s已过，不能再延期",
	"the request body could not be read":                                                         "无法读取请求正文",
	"the request body could not be read: %v":                                                     "无法读取请求正文",
	"the request body is empty; send a JSON object":                                              "请求正文为空，请发送 JSON 对象",
	"the request body is not valid JSON":                                                         "请求正文不是有效的 JSON",
	"the request body is not valid UTF-8 (first bad byte at offset %d); send JSON text in UTF-8": "请求正文不是有效的 UTF-8（第一个错误字节位于 %d）；请以 UTF-8 发送 JSON",
	"the request body must be a JSON object":                                                     "请求正文必须是 JSON 对象",
	"the service was given no QR key":                                                            "服务未配置二维码密钥",
	"the upload could not be read: %v":                                                           "无法读取上传的文件",
	"the user of this token no longer exists":                                                    "此令牌的用户已不存在",
	"this %s already has a different %s":                                                         "这条%s已有不同的%s",
	"this finding already has your explanation":                                                  "此抽查发现已有您的说明",
	"this finding is already resolved":                                                           "此抽查发现已经认定",
	"this finding is resolved":                                                                   "此抽查发现已认定",
	"this finding was explained or resolved at the same moment":                                  "此抽查发现在同一时刻已被说明或认定",
	"this finding was resolved at the same moment":                                               "此抽查发现在同一时刻已被认定",
	"this record already has a finding in this round":                                            "此记录在本轮抽查中已有抽查发现",
	"this refresh token was already used; every session of its login is now closed":              "此刷新令牌已被使用过；该登录的所有会话均已关闭",
	"this round is already cancelled":                                                            "本轮抽查已经取消",
	"this round is cancelled":                                                                    "本轮抽查已取消",
	"this username is already taken":                                                             "此用户名已被占用",
	"too many attempts; try again in %d seconds":                                                 "尝试次数过多，请 %d 秒后再试",
	"was already used for another request; use a new key for a new request":                      "已用于另一个请求；新请求请使用新的键",
	"wrong username or password":                                                                 "用户名或密码错误",
	"you are not the receiver of this day":                                                       "您不是当天的接访人",
	"you may not %s a petition that is %s":                                                       "您不能对%[2]s的信访件进行%[1]s",
	"you may not %s this petition":                                                               "您不能对此信访件进行%s",
	"your role may not register petitions through the %s channel":                                "您的角色不能登记通过%s渠道收到的信访件",
}
