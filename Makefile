# Minxin (民心). `make run` serves the API and the PWA on the embedded database;
# `make test` runs every test suite (Go on SQLite and PostgreSQL, the PWA's Vitest suite and
# its build checks, a bounded fuzzing run of the decoders and rules' inputs, the end-to-end
# suite in headless Chromium against `minxin serve`).

GO ?= go
NPM ?= npm

.PHONY: run test pwa pwa-deps go-test fuzz pwa-test pwa-e2e lighthouse build bench security security-go security-sqlmap

run: pwa
	$(GO) run ./backend/cmd/minxin serve

pwa-deps:
	cd pwa && $(NPM) ci --no-audit --no-fund

pwa: pwa-deps
	cd pwa && $(NPM) run build

build: pwa
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/minxin ./backend/cmd/minxin

test: go-test fuzz security-sqlmap pwa-test pwa-e2e

go-test: pwa
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Each fuzz target runs for FUZZTIME; crashes it finds are kept under testdata/fuzz and then
# run by every `go test`.
FUZZTIME ?= 10s
FUZZ_TARGETS = civil:FuzzParse sampler:FuzzReadManifest rules/petition:FuzzParseTrackingCode \
	rules/duty:FuzzEvaluateEvidence httpapi:FuzzBind

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test ./backend/internal/$$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

pwa-test: pwa
	cd pwa && $(NPM) test && $(NPM) run check-size

pwa-e2e: pwa
	cd pwa && $(NPM) run e2e

# Lighthouse (mobile preset) on the villager entry page; measure on a quiet machine.
lighthouse: pwa
	cd pwa && $(NPM) run lighthouse

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./backend/...

# The attack-surface suite (issue 7): the Go security tests on SQLite and PostgreSQL (the
# TestSecurity… tests and the older ones on the same ground: roles by endpoint, tokens, login
# limits, township scope, petition confidentiality and tracking, attachments), then sqlmap
# against a running `minxin serve` (scripts/security-sqlmap.sh, about 2.5 minutes). `make test`
# runs the sqlmap part only: `go test ./...` in go-test runs the Go tests already.
SECURITY_TESTS = ^(TestSecurity|TestRoleByEndpoint|TestBadInputChangesNothing|TestBadTokensAreRefused|TestLoginRefreshLogout|TestLoginIsRateLimited|TestParallelLoginsAreLimited|TestAnotherTownshipIsNotFound|TestPublicDirectory|TestPetitionConfidentiality|TestPetitionAnonymousReport|TestPetitionTrackingAndPINLimits|TestPetitionSubmissionRateLimits|TestAttachment|TestHouseholdQR)

security: security-go security-sqlmap

security-go:
	$(GO) test -count=1 -run '$(SECURITY_TESTS)' ./backend/internal/httpapi/...

security-sqlmap:
	bash scripts/security-sqlmap.sh
