package notice

// sample returns realistic facts of a notice of kind k, named or anonymous.
func sample(k Kind, anonymous bool) Facts {
	f := Facts{
		Kind:         k,
		TrackingCode: "XF20261125-0042",
		Township:     "青山镇人民政府",
		Petitioner:   "张秀英",
		Subject:      "村道路灯损坏无人维修",
		Received:     "2026年11月25日",
		Date:         "2026年11月28日",
	}
	if anonymous {
		f.Petitioner = ""
		f.Subject = "村干部违规发放补助"
	}
	switch k {
	case Acceptance:
		f.Number = NumberOf(f.TrackingCode, 1)
		f.Decision = "本机关已将该事项交由城建办公室办理。"
		f.NextStep = "本机关将自受理之日起60日内办结并书面答复；你可凭查询码和密码随时查询办理进展"
		f.NextBy = "2027年1月27日"
	case NonAcceptance:
		f.Number = NumberOf(f.TrackingCode, 1)
		f.Reason = "该事项已由人民法院作出生效判决，属于应当通过诉讼途径解决的事项"
		f.TurnTo = "依照《中华人民共和国民事诉讼法》的规定向县人民法院申请再审"
		f.NextStep = "如对本决定有异议，可向县信访局反映"
	case Extension:
		f.Number = NumberOf(f.TrackingCode, 2)
		f.Reason = "该路段路灯线路需供电公司会同勘查，勘查与采购需要时间。"
		f.NewDeadline = "2027年2月26日"
		f.NextStep = "本机关将在延长后的期限内作出处理意见并书面答复"
		f.NextBy = "2027年2月26日"
	case Reply:
		f.Number = NumberOf(f.TrackingCode, 3)
		f.Decision = "经调查核实，东山村村道K2+300至K3+100段共有路灯24盏，其中9盏因线路老化损坏。\n" +
			"本机关已协调供电公司于2027年1月10日更换线路，并于2027年1月15日前修复全部损坏路灯；修复费用由镇财政承担。今后该路段路灯由东山村村民委员会每月巡查一次，发现损坏及时报修。"
		f.NextStep = "如对本处理意见不服，可以自收到本意见书之日起30日内向县人民政府请求复查"
		f.NextBy = "2027年2月27日"
	case Review:
		f.Number = NumberOf(f.TrackingCode, 4)
		f.Decision = "经复查，原处理意见认定事实清楚，处理恰当，予以维持。"
		f.NextStep = "如对本复查意见不服，可以自收到本意见书之日起30日内向县人民政府请求复核"
		f.NextBy = "2027年3月29日"
	case Rereview:
		f.Number = NumberOf(f.TrackingCode, 5)
		f.Decision = "经复核，维持复查意见。"
		f.NextStep = "本复核意见为最终意见。信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，各级机关不再受理"
	case Transfer:
		f.Number = NumberOf(f.TrackingCode, 1)
		f.Destination = "县自然资源局"
		f.Decision = "该事项涉及土地承包经营权确权登记，属于县自然资源局的职责。"
		f.NextStep = "县自然资源局将自收到之日起15日内决定是否受理并告知你；请就该事项与县自然资源局联系"
		f.NextBy = "2026年12月13日"
	}
	return f
}
