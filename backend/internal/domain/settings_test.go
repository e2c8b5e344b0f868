package domain

import (
	"encoding/json"
	"strings"
	"testing"

	"minxin/backend/internal/civil"
)

// Every default validates as a value of its own setting.
func TestSettingDefaultsValidate(t *testing.T) {
	today := civil.New(2026, 11, 25)
	for _, def := range SettingDefs {
		if _, err := ValidateSetting(def.Key, json.RawMessage(def.Default), today, today); err != nil {
			t.Errorf("the default of %s: %v", def.Key, err)
		}
	}
}

// A list of names (petition.agencies): 1 to 200 distinct names of 1 to 50 characters.
func TestValidateNames(t *testing.T) {
	today := civil.New(2026, 11, 25)
	many := make([]string, 201)
	for i := range many {
		many[i] = "局" + strings.Repeat("x", i%40) + string(rune('a'+i%26)) + string(rune('A'+i/26))
	}
	manyJSON, _ := json.Marshal(many)
	cases := []struct {
		value string
		field string // "" when valid
	}{
		{`["县自然资源局"]`, ""},
		{`["县自然资源局","县公安局"]`, ""},
		{`[]`, "value"},
		{`"县公安局"`, "value"},
		{`[1]`, "value"},
		{`null`, "value"},
		{string(manyJSON), "value"},
		{`["县公安局","县公安局"]`, "value[1]"},
		{`["县公安局",""]`, "value[1]"},
		{`[" 县公安局"]`, "value[0]"},
		{`["` + strings.Repeat("局", 51) + `"]`, "value[0]"},
	}
	for _, c := range cases {
		_, err := ValidateSetting("petition.agencies", json.RawMessage(c.value), today, today)
		e, _ := AsError(err)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.value, err)
		case c.field != "" && (e == nil || e.Fields[0].Field != c.field):
			t.Errorf("%.40s: %v, want an error on %s", c.value, err, c.field)
		}
	}
	st := Settings{"petition.agencies": json.RawMessage(`["县自然资源局","县人社局"]`)}
	if got := st.Names("petition.agencies"); len(got) != 2 || got[1] != "县人社局" {
		t.Errorf("Names: %v", got)
	}
}
