package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/app"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// demoStep is one step of a demo petition's life, taken the given number of days before now.
type demoStep struct {
	daysAgo int
	action  petition.Action
	in      petitions.ActionInput
}

// petitionStory is one demo petition: how it came in, when, and the steps it went through.
type petitionStory struct {
	channel, category, subject, text string
	daysAgo                          int // received and submitted
	anonymous, about, household      bool
	name, phone                      string
	steps                            []demoStep
}

var (
	demoAccept   = petitions.ActionInput{Note: "材料齐全，予以受理"}
	demoReply    = petitions.ActionInput{Text: "经核查，相关款项已于本月发放到位，请注意查收。"}
	demoReason   = petitions.ActionInput{Reason: "对答复意见不满意，补偿标准偏低"}
	demoOpinion  = petitions.ActionInput{Opinion: "经复查，原答复意见事实清楚，维持原答复。"}
	demoExtend   = petitions.ActionInput{Days: 30, Reason: "涉及多个部门，需要实地测量"}
	demoWithdraw = petitions.ActionInput{Reason: "问题已经协商解决"}
	demoReject   = petitions.ActionInput{Reason: "属于诉讼程序解决的事项", Guidance: "请向区人民法院提起诉讼"}
)

func rated(r petition.Rating) petitions.ActionInput { return petitions.ActionInput{Rating: string(r)} }

// demoPetitions covers every state, some on time and some overdue.
var demoPetitions = []petitionStory{
	{channel: access.ChannelOnline, category: "environment", subject: "养殖场污水直排", text: "村东养殖场污水直排河道，气味很大。", daysAgo: 3, name: "陈国华", phone: "13905710001"},
	{channel: access.ChannelLetter, category: "land", subject: "宅基地补偿款未到位", text: "我家宅基地去年被征用，补偿款至今没有发放，请求核查。", daysAgo: 20, name: "王建国", phone: "13905710002", household: true},
	{channel: access.ChannelPhone, category: "dispute", subject: "邻里宅基地边界纠纷", text: "与邻居因宅基地边界发生纠纷，已起诉。", daysAgo: 10, name: "李秀英", phone: "13905710003",
		steps: []demoStep{{8, petition.Reject, demoReject}}},
	{channel: access.ChannelReception, category: "social_security", subject: "医保报销比例疑问", text: "住院医保报销比例比邻村低，请求解释。", daysAgo: 30, name: "张海燕", phone: "13905710004", household: true,
		steps: []demoStep{{28, petition.Accept, demoAccept}}},
	{channel: access.ChannelTalkDay, category: "housing", subject: "危房改造申请", text: "房屋墙体开裂，雨季漏水，申请危房改造。", daysAgo: 40, name: "刘志强", phone: "13905710005",
		steps: []demoStep{{38, petition.Accept, demoAccept}, {37, petition.Assign, petitions.ActionInput{}}}},
	{channel: access.ChannelLetter, category: "land", subject: "承包地被占用", text: "村里修路占用我家承包地两分，没有补偿。", daysAgo: 80, name: "陈桂兰", phone: "13905710006",
		steps: []demoStep{{75, petition.Accept, demoAccept}, {74, petition.Assign, petitions.ActionInput{}}}},
	{channel: access.ChannelPhone, category: "environment", subject: "垃圾清运不及时", text: "村口垃圾点一周才清运一次，夏天气味难闻。", daysAgo: 70, name: "杨丽娟", phone: "13905710007",
		steps: []demoStep{{68, petition.Accept, demoAccept}, {67, petition.Assign, petitions.ActionInput{}}, {60, petition.Extend, demoExtend}}},
	{channel: access.ChannelOnline, category: "social_security", subject: "低保待遇停发", text: "今年三月起低保金停发，没有收到任何通知。", daysAgo: 25, name: "黄明", phone: "13905710008",
		steps: []demoStep{{24, petition.Accept, demoAccept}, {23, petition.Assign, petitions.ActionInput{}}, {10, petition.Reply, demoReply}, {9, petition.Feedback, rated(petition.Satisfied)}}},
	{channel: access.ChannelLetter, category: "housing", subject: "安置房分配不公", text: "安置房分配顺序与公示不一致，请求复核。", daysAgo: 90, name: "赵芳", phone: "13905710009",
		steps: []demoStep{{88, petition.Accept, demoAccept}, {87, petition.Assign, petitions.ActionInput{}}, {50, petition.Reply, demoReply}}},
	{channel: access.ChannelPhone, category: "land", subject: "征地补偿标准", text: "征地补偿标准低于邻镇，请求说明依据。", daysAgo: 60, name: "吴伟", phone: "13905710010",
		steps: []demoStep{{58, petition.Accept, demoAccept}, {57, petition.Assign, petitions.ActionInput{}}, {40, petition.Reply, demoReply}, {20, petition.RequestReview, demoReason}}},
	{channel: access.ChannelLetter, category: "dispute", subject: "山林权属争议", text: "与邻村的山林权属争议多年未解决。", daysAgo: 120, name: "周建国", phone: "13905710011",
		steps: []demoStep{{118, petition.Accept, demoAccept}, {117, petition.Assign, petitions.ActionInput{}}, {90, petition.Reply, demoReply}, {70, petition.RequestReview, demoReason}}},
	{channel: access.ChannelTalkDay, category: "social_security", subject: "养老保险补缴", text: "申请补缴养老保险被拒，要求说明理由。", daysAgo: 100, name: "徐秀英", phone: "13905710012",
		steps: []demoStep{{98, petition.Accept, demoAccept}, {97, petition.Assign, petitions.ActionInput{}}, {80, petition.Reply, demoReply}, {60, petition.RequestReview, demoReason},
			{50, petition.Review, demoOpinion}, {49, petition.Feedback, rated(petition.Dissatisfied)}}},
	{channel: access.ChannelLetter, category: "land", subject: "土地流转租金拖欠", text: "合作社拖欠土地流转租金两年。", daysAgo: 150, name: "孙海燕", phone: "13905710013",
		steps: []demoStep{{148, petition.Accept, demoAccept}, {147, petition.Assign, petitions.ActionInput{}}, {120, petition.Reply, demoReply}, {100, petition.RequestReview, demoReason},
			{80, petition.Review, demoOpinion}, {60, petition.RequestRereview, demoReason}}},
	{channel: access.ChannelLetter, category: "housing", subject: "拆迁过渡费", text: "拆迁过渡费标准低，且发放不及时。", daysAgo: 200, name: "马志强", phone: "13905710014",
		steps: []demoStep{{198, petition.Accept, demoAccept}, {197, petition.Assign, petitions.ActionInput{}}, {170, petition.Reply, demoReply}, {150, petition.RequestReview, demoReason},
			{130, petition.Review, demoOpinion}, {110, petition.RequestRereview, demoReason}, {85, petition.Rereview, petitions.ActionInput{Opinion: "经复核，维持复查意见。"}},
			{84, petition.Feedback, rated(petition.BasicallySatisfied)}}},
	{channel: access.ChannelOnline, category: "other", subject: "路灯不亮", text: "村口路灯坏了一个月，晚上出行不便。", daysAgo: 15, name: "朱桂兰", phone: "13905710015",
		steps: []demoStep{{14, petition.Accept, demoAccept}, {5, petition.Withdraw, demoWithdraw}}},
	{channel: access.ChannelOnline, category: "other", subject: "村口路灯还是不亮", text: "村口路灯坏了一个多月，晚上出行不便，再次反映。", daysAgo: 4, name: "朱桂兰", phone: "13905710015"},
	{channel: access.ChannelOnline, category: "conduct", subject: "干部吃拿卡要", text: "办理宅基地审批时被要求请客送礼。", daysAgo: 2, anonymous: true, about: true,
		steps: []demoStep{{1, petition.Accept, demoAccept}}},
}

// LoadPetitions creates petitions in every state, some overdue, in every township, going
// through the same steps as the API: submissions and each transition at instants in the
// weeks before now (the store's clock is moved to each), then the close job. The township's petition officer (else a district
// one, else an admin) takes the office's steps, a team member handles, and the township's
// lead is the official the anonymous report is about.
func LoadPetitions(ctx context.Context, svc *app.Services, now time.Time) error {
	var towns []domain.Township
	if err := svc.Store.Reader(ctx).Order("name, id").Find(&towns).Error; err != nil {
		return err
	}
	for i, town := range towns {
		cast, err := demoCast(svc.Store.Reader(ctx).DB, town)
		if err != nil {
			return err
		}
		for j, d := range demoPetitions {
			if err := demoPetition(ctx, svc, town, cast, d, now, fmt.Sprintf("%02d%02d", i, j)); err != nil {
				return fmt.Errorf("demo petition %q in %s: %w", d.subject, town.Name, err)
			}
		}
	}
	svc.Store.SetClock(func() time.Time { return now })
	_, err := svc.Petitions.CloseDue(ctx)
	return err
}

// cast are the people of a township who deal with its demo petitions.
type cast struct {
	office     domain.Actor
	handler    domain.User
	about      *domain.User
	households []domain.Household
	villages   []domain.Village
}

func demoCast(db *gorm.DB, town domain.Township) (cast, error) {
	var c cast
	var office domain.User
	err := db.Where("role = ? AND (township_id = ? OR township_id IS NULL)", domain.RolePetitionOfficer, town.ID).
		Order("township_id IS NULL, id").First(&office).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = db.Where("role = ?", domain.RoleAdmin).Order("id").First(&office).Error
	}
	if err != nil {
		return c, fmt.Errorf("the demo petitions need a petition officer or an admin: %w", store.NotFound(err, "petition officer"))
	}
	c.office = office.Actor()
	var officials []domain.User
	if err := db.Where("role = ? AND township_id = ?", domain.RoleOfficial, town.ID).Order("id").Find(&officials).Error; err != nil {
		return c, err
	}
	for i := range officials {
		switch {
		case officials[i].Lead && c.about == nil:
			c.about = &officials[i]
		case c.handler.ID == "":
			c.handler = officials[i]
		}
	}
	if c.handler.ID == "" {
		return c, fmt.Errorf("the demo petitions need an official of %s who is not its lead", town.Name)
	}
	if err := db.Where("township_id = ?", town.ID).Order("id").Limit(10).Find(&c.households).Error; err != nil {
		return c, err
	}
	err = db.Where("township_id = ?", town.ID).Order("id").Find(&c.villages).Error
	return c, err
}

func demoPetition(ctx context.Context, svc *app.Services, town domain.Township, c cast, d petitionStory, now time.Time, salt string) error {
	// Each step is taken at its instant: the store's clock stands there.
	at := func(daysAgo int) { svc.Store.SetClock(func() time.Time { return now.AddDate(0, 0, -daysAgo) }) }
	in := petitions.Input{Channel: d.channel, TownshipID: town.ID, Category: d.category, Subject: d.subject, Text: d.text, Anonymous: d.anonymous}
	if !d.anonymous {
		in.Petitioner = &petitions.PetitionerInput{Name: d.name, Phone: d.phone}
	}
	if d.household && len(c.households) > 0 {
		h := c.households[len(d.phone)%len(c.households)]
		in.HouseholdID = &h.ID
	} else if len(c.villages) > 0 {
		in.VillageID = &c.villages[len(d.subject)%len(c.villages)].ID
	}
	if d.about && c.about != nil {
		in.AboutOfficialIDs = []string{c.about.ID}
	}
	var submitter *domain.Actor
	if d.channel != access.ChannelOnline {
		submitter = &c.office
	}
	at(d.daysAgo)
	sub, err := svc.Petitions.Submit(ctx, submitter, in, "demo-"+salt)
	if err != nil {
		return err
	}
	cred := petitions.Credentials{TrackingCode: sub.TrackingCode, PIN: sub.PIN}
	for _, st := range d.steps {
		at(st.daysAgo)
		input := st.in
		switch st.action {
		case petition.Feedback, petition.RequestReview, petition.RequestRereview, petition.Withdraw:
			_, err = svc.Petitions.ActWithPIN(ctx, cred, "demo-"+salt, sub.ID, st.action, input)
		case petition.Reply:
			_, err = svc.Petitions.Act(ctx, c.handler.Actor(), sub.ID, st.action, input)
		case petition.Assign:
			input.HandlerID = c.handler.ID
			_, err = svc.Petitions.Act(ctx, c.office, sub.ID, st.action, input)
		default:
			_, err = svc.Petitions.Act(ctx, c.office, sub.ID, st.action, input)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", st.action, err)
		}
	}
	return nil
}
