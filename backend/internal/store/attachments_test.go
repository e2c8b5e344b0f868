package store_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// attach keeps a small real PNG and records an upload of it by the actor.
func attach(t *testing.T, env *apitest.Env, a domain.Actor, seed uint8) store.Attachment {
	t.Helper()
	files, err := store.OpenFiles(filepath.Join(env.DataDir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 3, 3))
	img.Pix[0] = seed
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	up, err := files.Receive(&b, "file")
	if err != nil {
		t.Fatal(err)
	}
	blob, err := up.Keep()
	if err != nil {
		t.Fatal(err)
	}
	x, err := env.Store.CreateAttachment(context.Background(), a, blob)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestLinkAttachments(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town, other := env.Township("甲镇", 30, 120), env.Township("乙镇", 31, 121)
		official := env.User(domain.RoleOfficial, town.ID, "team_member").Actor()
		colleague := env.User(domain.RoleOfficial, town.ID).Actor()
		district := env.User(domain.RolePetitionOfficer, "").Actor()
		villager := env.User(domain.RoleVillager, "").Actor()
		anonymous := domain.Actor{}
		field := "evidence.photo_ids"

		link := func(a domain.Actor, township string, ids ...string) error {
			return env.Store.Tx(ctx, func(tx *store.Tx) error { return tx.LinkAttachments(a, field, ids, township) })
		}
		refused := func(name string, err error, message string) {
			t.Helper()
			e, ok := domain.AsError(err)
			if !ok || e.Kind != domain.KindInvalid || len(e.Fields) == 0 || e.Fields[0].Field != field || !strings.Contains(e.Fields[0].Message, message) {
				t.Errorf("%s: %v, want 422 on %s saying %q", name, err, field, message)
			}
		}
		reader := func(x store.Attachment, a domain.Actor) bool {
			t.Helper()
			_, err := env.Store.Attachment(ctx, a, x.ID)
			if err != nil && !domain.IsKind(err, domain.KindNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		// An official links their own photos to a record of their township.
		p1, p2 := attach(t, env, official, 1), attach(t, env, official, 2)
		if err := link(official, town.ID, p1.ID, p2.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := env.Store.Attachment(ctx, official, p1.ID)
		if got.TownshipID == nil || *got.TownshipID != town.ID || got.LinkedAt == nil {
			t.Fatalf("linked attachment: %+v", got)
		}
		// Linking again to the same township changes nothing and logs nothing.
		entries, _ := env.Store.ActivityFor(ctx, "attachment", p1.ID)
		if err := link(official, town.ID, p1.ID); err != nil {
			t.Fatal(err)
		}
		again, _ := env.Store.ActivityFor(ctx, "attachment", p1.ID)
		if len(entries) != 2 || entries[1].Action != "link" || len(again) != 2 {
			t.Errorf("activity of a linked attachment: %d then %d entries", len(entries), len(again))
		}

		// Nobody links what someone else uploaded, nor moves it to another township.
		refused("a colleague's photo", link(colleague, town.ID, p1.ID), "not an upload of yours")
		refused("another township", link(official, other.ID, p1.ID), "belongs to another township")
		refused("a missing id", link(official, town.ID, domain.NewID()), "not an upload of yours")
		refused("not an id", link(official, town.ID, "photo.jpg"), "not an attachment id")
		refused("the same id twice", link(official, town.ID, p2.ID, p2.ID), "twice")

		// A refusal rolls back the whole link: the good id stays unlinked.
		p3 := attach(t, env, official, 3)
		refused("one bad id among good", link(official, town.ID, p3.ID, domain.NewID()), "not an upload of yours")
		if got, _ := env.Store.Attachment(ctx, official, p3.ID); got.LinkedAt != nil {
			t.Errorf("a refused link was kept: %+v", got)
		}

		// A district officer's upload has no township until a record of another township links
		// it; from then on that township's staff may download it, and the uploader still may.
		letter := attach(t, env, district, 4)
		otherOfficial := env.User(domain.RoleOfficial, other.ID).Actor()
		if reader(letter, otherOfficial) {
			t.Error("an unlinked district upload is visible to a township")
		}
		if err := link(district, other.ID, letter.ID); err != nil {
			t.Fatal(err)
		}
		if !reader(letter, otherOfficial) || !reader(letter, district) || reader(letter, official) {
			t.Error("a linked attachment's readers are wrong")
		}

		// A villager with an account links their own upload to a petition.
		mine := attach(t, env, villager, 5)
		if err := link(villager, town.ID, mine.ID); err != nil {
			t.Fatal(err)
		}
		if !reader(mine, colleague) || !reader(mine, villager) {
			t.Error("a villager's linked upload is not visible to the township and the villager")
		}

		// A villager without an account claims an anonymous upload once; nobody can pull it
		// into another record afterwards, and logged-in users cannot link anonymous uploads.
		anon := attach(t, env, anonymous, 6)
		refused("an anonymous upload by an official", link(official, town.ID, anon.ID), "not an upload of yours")
		refused("someone's upload, anonymously", link(anonymous, town.ID, p3.ID), "not an upload of yours")
		if err := link(anonymous, town.ID, anon.ID); err != nil {
			t.Fatal(err)
		}
		refused("an anonymous upload claimed twice", link(anonymous, town.ID, anon.ID), "not an upload of yours")
		if !reader(anon, colleague) || reader(anon, otherOfficial) {
			t.Error("a linked anonymous upload's readers are wrong")
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("activity log: %+v %v", broken, err)
		}
	})
}
