package demo

// LoadPetitions is loadPetitions, for the tests of package demo_test.
var LoadPetitions = loadPetitions
