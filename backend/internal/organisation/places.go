package organisation

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// TownshipInput creates or changes a township; nil fields are left as they are.
type TownshipInput struct {
	Name    *string  `json:"name"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	RadiusM *float64 `json:"radius_m"`
}

// VillageInput creates or changes a village; nil fields are left as they are.
type VillageInput struct {
	TownshipID *string  `json:"township_id"`
	Name       *string  `json:"name"`
	Lat        *float64 `json:"lat"`
	Lng        *float64 `json:"lng"`
	RadiusM    *float64 `json:"radius_m"`
}

// HouseholdInput creates or changes a household; nil fields are left as they are.
type HouseholdInput struct {
	VillageID         *string  `json:"village_id"`
	HeadName          *string  `json:"head_name"`
	Address           *string  `json:"address"`
	Phone             *string  `json:"phone"`
	Lat               *float64 `json:"lat"`
	Lng               *float64 `json:"lng"`
	ContactOfficialID *string  `json:"contact_official_id"`
}

// scoped limits q to the organisation records the actor may see, on the given township column.
func scoped(q *gorm.DB, a domain.Actor, townshipColumn string) *gorm.DB {
	return store.Scoped(q, a, access.Organisation, store.Columns{Township: townshipColumn})
}

// defaultRadius reads the default geofence radius setting in force today.
func defaultRadius(tx *store.Tx, key string) (float64, error) {
	st, err := tx.SettingsOn(tx.Today())
	if err != nil {
		return 0, err
	}
	return float64(st.Int(key)), nil
}

// CreateTownship adds a township; without radius_m the default seat radius applies.
func (s *Service) CreateTownship(ctx context.Context, a domain.Actor, in TownshipInput) (domain.Township, error) {
	var v domain.Invalid
	required(&v, in.Name != nil, "name")
	required(&v, in.Lat != nil, "lat")
	required(&v, in.Lng != nil, "lng")
	if err := v.Err(); err != nil {
		return domain.Township{}, err
	}
	t := domain.Township{ID: domain.NewID()}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if in.RadiusM == nil {
			r, err := defaultRadius(tx, "geofence.township_radius_m")
			if err != nil {
				return err
			}
			in.RadiusM = &r
		}
		set(&t.Name, in.Name)
		set(&t.Lat, in.Lat)
		set(&t.Lng, in.Lng)
		set(&t.RadiusM, in.RadiusM)
		if err := t.Validate(); err != nil {
			return err
		}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		if err := tx.TouchConfig(); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "township", EntityID: t.ID, TownshipID: &t.ID, After: t})
	})
	return t, err
}

// UpdateTownship changes a township in the actor's scope.
func (s *Service) UpdateTownship(ctx context.Context, a domain.Actor, id string, in TownshipInput) (domain.Township, error) {
	var t domain.Township
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := scoped(tx.DB, a, "id").First(&t, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "township")
		}
		before := t
		set(&t.Name, in.Name)
		set(&t.Lat, in.Lat)
		set(&t.Lng, in.Lng)
		set(&t.RadiusM, in.RadiusM)
		if err := t.Validate(); err != nil {
			return err
		}
		if err := tx.Save(&t).Error; err != nil {
			return err
		}
		if err := tx.TouchConfig(); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "update", Entity: "township", EntityID: t.ID, TownshipID: &t.ID, Before: before, After: t})
	})
	return t, err
}

// Township returns a township in the actor's scope.
func (s *Service) Township(ctx context.Context, a domain.Actor, id string) (domain.Township, error) {
	var t domain.Township
	err := scoped(s.st.Reader(ctx).DB, a, "id").First(&t, "id = ?", id).Error
	return t, store.NotFound(err, "township")
}

// Townships lists the townships in the actor's scope.
func (s *Service) Townships(ctx context.Context, a domain.Actor, p store.PageRequest) (store.Page[domain.Township], error) {
	return store.ListPage(scoped(s.st.Reader(ctx).DB, a, "id"), "townships", p, func(t domain.Township) string { return t.ID })
}

// CreateVillage adds a village to a township in the actor's scope.
func (s *Service) CreateVillage(ctx context.Context, a domain.Actor, in VillageInput) (domain.Village, error) {
	var v domain.Invalid
	required(&v, in.TownshipID != nil, "township_id")
	required(&v, in.Name != nil, "name")
	required(&v, in.Lat != nil, "lat")
	required(&v, in.Lng != nil, "lng")
	if err := v.Err(); err != nil {
		return domain.Village{}, err
	}
	x := domain.Village{ID: domain.NewID()}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := store.CheckTownship(tx.DB, access.Of(a, access.Organisation), *in.TownshipID); err != nil {
			return err
		}
		if in.RadiusM == nil {
			r, err := defaultRadius(tx, "geofence.village_radius_m")
			if err != nil {
				return err
			}
			in.RadiusM = &r
		}
		set(&x.TownshipID, in.TownshipID)
		set(&x.Name, in.Name)
		set(&x.Lat, in.Lat)
		set(&x.Lng, in.Lng)
		set(&x.RadiusM, in.RadiusM)
		if err := x.Validate(); err != nil {
			return err
		}
		if err := tx.Create(&x).Error; err != nil {
			return err
		}
		if err := tx.TouchConfig(); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "village", EntityID: x.ID, TownshipID: &x.TownshipID, After: x})
	})
	return x, err
}

// UpdateVillage changes a village in the actor's scope; it cannot move to another township.
func (s *Service) UpdateVillage(ctx context.Context, a domain.Actor, id string, in VillageInput) (domain.Village, error) {
	var x domain.Village
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := scoped(tx.DB, a, "township_id").First(&x, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "village")
		}
		if in.TownshipID != nil && *in.TownshipID != x.TownshipID {
			return domain.InvalidField("township_id", "a village cannot move to another township")
		}
		before := x
		set(&x.Name, in.Name)
		set(&x.Lat, in.Lat)
		set(&x.Lng, in.Lng)
		set(&x.RadiusM, in.RadiusM)
		if err := x.Validate(); err != nil {
			return err
		}
		if err := tx.Save(&x).Error; err != nil {
			return err
		}
		if err := tx.TouchConfig(); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "update", Entity: "village", EntityID: x.ID, TownshipID: &x.TownshipID, Before: before, After: x})
	})
	return x, err
}

// Village returns a village in the actor's scope.
func (s *Service) Village(ctx context.Context, a domain.Actor, id string) (domain.Village, error) {
	var x domain.Village
	err := scoped(s.st.Reader(ctx).DB, a, "township_id").First(&x, "id = ?", id).Error
	return x, store.NotFound(err, "village")
}

// Villages lists villages in the actor's scope, optionally of one township.
func (s *Service) Villages(ctx context.Context, a domain.Actor, townshipID string, p store.PageRequest) (store.Page[domain.Village], error) {
	q := scoped(s.st.Reader(ctx).DB, a, "township_id")
	if townshipID != "" {
		q = q.Where("township_id = ?", townshipID)
	}
	return store.ListPage(q, "villages", p, func(x domain.Village) string { return x.ID })
}

// CreateHousehold adds a household to a village in the actor's scope.
func (s *Service) CreateHousehold(ctx context.Context, a domain.Actor, in HouseholdInput) (domain.Household, error) {
	var v domain.Invalid
	required(&v, in.VillageID != nil, "village_id")
	required(&v, in.HeadName != nil, "head_name")
	required(&v, in.Address != nil, "address")
	if err := v.Err(); err != nil {
		return domain.Household{}, err
	}
	h := domain.Household{ID: domain.NewID()}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		applyHousehold(&h, in)
		if err := h.Validate(); err != nil {
			return err
		}
		var village domain.Village
		if err := scoped(tx.DB, a, "township_id").First(&village, "id = ?", h.VillageID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.InvalidField("village_id", "no such village")
			}
			return err
		}
		h.TownshipID = village.TownshipID
		if err := checkContactOfficial(tx, h); err != nil {
			return err
		}
		if err := tx.Create(&h).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "household", EntityID: h.ID, TownshipID: &h.TownshipID, After: h})
	})
	return h, err
}

func applyHousehold(h *domain.Household, in HouseholdInput) {
	set(&h.VillageID, in.VillageID)
	set(&h.HeadName, in.HeadName)
	set(&h.Address, in.Address)
	set(&h.Phone, in.Phone)
	if in.Lat != nil {
		h.Lat = in.Lat
	}
	if in.Lng != nil {
		h.Lng = in.Lng
	}
	if in.ContactOfficialID != nil {
		h.ContactOfficialID = in.ContactOfficialID
	}
}

// checkContactOfficial requires the contact official to be an official of the household's
// township (a reference check: what kind of user the field may name).
func checkContactOfficial(tx *store.Tx, h domain.Household) error {
	if h.ContactOfficialID == nil {
		return nil
	}
	err := tx.Select("id").First(&domain.User{}, "id = ? AND role = ? AND township_id = ?",
		*h.ContactOfficialID, domain.RoleOfficial, h.TownshipID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.InvalidField("contact_official_id", "must be an official of the household's township")
	}
	return err
}

// UpdateHousehold changes a household in the actor's scope; it stays in its township.
func (s *Service) UpdateHousehold(ctx context.Context, a domain.Actor, id string, in HouseholdInput) (domain.Household, error) {
	var h domain.Household
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := scoped(tx.DB, a, "township_id").First(&h, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "household")
		}
		before := h
		applyHousehold(&h, in)
		if err := h.Validate(); err != nil {
			return err
		}
		if h.VillageID != before.VillageID {
			err := tx.Select("id").First(&domain.Village{}, "id = ? AND township_id = ?", h.VillageID, h.TownshipID).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.InvalidField("village_id", "must be a village of the same township")
			} else if err != nil {
				return err
			}
		}
		if err := checkContactOfficial(tx, h); err != nil {
			return err
		}
		if err := tx.Save(&h).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "update", Entity: "household", EntityID: h.ID, TownshipID: &h.TownshipID, Before: before, After: h})
	})
	return h, err
}

// Household returns a household in the actor's scope.
func (s *Service) Household(ctx context.Context, a domain.Actor, id string) (domain.Household, error) {
	var h domain.Household
	err := scoped(s.st.Reader(ctx).DB, a, "township_id").First(&h, "id = ?", id).Error
	return h, store.NotFound(err, "household")
}

// HouseholdFilter narrows a household list.
type HouseholdFilter struct{ TownshipID, VillageID string }

// Households lists households in the actor's scope.
func (s *Service) Households(ctx context.Context, a domain.Actor, f HouseholdFilter, p store.PageRequest) (store.Page[domain.Household], error) {
	q := scoped(s.st.Reader(ctx).DB, a, "township_id")
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.VillageID != "" {
		q = q.Where("village_id = ?", f.VillageID)
	}
	return store.ListPage(q, "households", p, func(h domain.Household) string { return h.ID })
}

// DirectoryTownship is a township and its villages as shown to anyone filing a petition.
type DirectoryTownship struct {
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	Villages []DirectoryVillage `json:"villages"`
}

// DirectoryVillage is a village's id and name.
type DirectoryVillage struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Directory is the public part of the organisation: what a villager without an account needs
// to file a petition (township and village names, petition categories) and nothing more.
type Directory struct {
	Townships          []DirectoryTownship `json:"townships"`
	PetitionCategories []domain.Category   `json:"petition_categories"`
}

// PublicDirectory returns the townships with their villages, by name, and the petition
// categories in force today.
func (s *Service) PublicDirectory(ctx context.Context) (Directory, error) {
	tx := s.st.Reader(ctx)
	var towns []domain.Township
	if err := tx.Order("name, id").Find(&towns).Error; err != nil {
		return Directory{}, err
	}
	var villages []domain.Village
	if err := tx.Order("name, id").Find(&villages).Error; err != nil {
		return Directory{}, err
	}
	st, err := tx.SettingsOn(tx.Today())
	if err != nil {
		return Directory{}, err
	}
	out := Directory{Townships: make([]DirectoryTownship, len(towns)), PetitionCategories: st.Categories("petition.categories")}
	index := map[string]int{}
	for i, t := range towns {
		out.Townships[i] = DirectoryTownship{ID: t.ID, Name: t.Name, Villages: []DirectoryVillage{}}
		index[t.ID] = i
	}
	for _, v := range villages {
		i := index[v.TownshipID]
		out.Townships[i].Villages = append(out.Townships[i].Villages, DirectoryVillage{ID: v.ID, Name: v.Name})
	}
	return out, nil
}
