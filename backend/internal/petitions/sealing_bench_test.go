package petitions_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/store"
)

// BenchmarkSealing measures what sealing petitioners' identities costs against the same work
// with identities in clear (as before sealing), in the same run on each engine: submitting a
// letter petition (with the PIN's argon2id hash, which every submission pays) and listing a
// page of 50 petitions in full for the petition officer (100 values opened). Each iteration
// does the work once sealed and once in clear, one after the other and in turns first, so
// that both see the same machine; the medians and the cost of sealing are reported
// (sealed-ns/op, clear-ns/op, cost-%).
//
//	go test -run XXX -bench BenchmarkSealing -benchtime 200x ./backend/internal/petitions/
func BenchmarkSealing(b *testing.B) {
	defer petitions.UseClearIdentities(false)
	for _, engine := range apitest.Engines() {
		env := apitest.New(b, engine)
		ctx := context.Background()
		type side struct {
			town    domain.Township
			officer domain.Actor
		}
		sides := map[bool]side{}
		n := 0
		submit := func(b *testing.B, s side) {
			n++
			in := petitions.Input{Channel: "letter", TownshipID: s.town.ID, Category: "land", Subject: fmt.Sprintf("第%d号来信", n),
				Text: fmt.Sprintf("关于第%d块承包地的问题，请求核查处理。", n), Petitioner: &petitions.PetitionerInput{Name: "欧阳明远", Phone: fmt.Sprintf("139%08d", n)}}
			if _, err := env.App.Petitions.Submit(ctx, &s.officer, in, "127.0.0.1"); err != nil {
				b.Fatal(err)
			}
		}
		list := func(b *testing.B, s side) {
			page, err := env.App.Petitions.Petitions(ctx, s.officer, petitions.Filter{TownshipID: s.town.ID}, store.PageRequest{Limit: 50})
			if err != nil || len(page.Items) != 50 || page.Items[0].Petitioner.Name != "欧阳明远" {
				b.Fatalf("list: %d %v", len(page.Items), err)
			}
		}
		for _, clear := range []bool{false, true} {
			petitions.UseClearIdentities(clear)
			town := env.Township(fmt.Sprintf("镇%v", clear), 30, 120)
			s := side{town, env.User(domain.RolePetitionOfficer, town.ID).Actor()}
			sides[clear] = s
			for range 50 {
				submit(b, s)
			}
		}
		for _, op := range []struct {
			name string
			do   func(*testing.B, side)
		}{{"submit", submit}, {"list50", list}} {
			b.Run(engine+"/"+op.name, func(b *testing.B) {
				var sealed, clear []time.Duration
				first := false
				for b.Loop() {
					first = !first // which goes first alternates, so that neither always pays the other's garbage
					for _, c := range []bool{first, !first} {
						petitions.UseClearIdentities(c)
						start := time.Now()
						op.do(b, sides[c])
						if c {
							clear = append(clear, time.Since(start))
						} else {
							sealed = append(sealed, time.Since(start))
						}
					}
				}
				petitions.UseClearIdentities(false)
				slices.Sort(sealed)
				slices.Sort(clear)
				s, c := sealed[len(sealed)/2], clear[len(clear)/2]
				b.ReportMetric(float64(s.Nanoseconds()), "sealed-ns/op")
				b.ReportMetric(float64(c.Nanoseconds()), "clear-ns/op")
				b.ReportMetric(100*(float64(s)-float64(c))/float64(c), "cost-%")
			})
		}
	}
}
