# Minxin (民心). `make run` serves the API and the PWA on the embedded database;
# `make test` runs every test suite (Go on SQLite and PostgreSQL, the PWA's Vitest suite and
# its build checks, a bounded fuzzing run of the decoders and rules' inputs, the end-to-end
# suite in headless Chromium against `minxin serve`, sqlmap against it, and the proof: a short
# soak that SIGKILLs servers and restarts PostgreSQL, two instances behind nginx, and a failover
# from a crashed primary to its synchronous standby).

GO ?= go
NPM ?= npm

.PHONY: run test pwa pwa-deps go-test fuzz pwa-test pwa-e2e lighthouse build bench soak proof failover security security-go security-sqlmap

run: pwa
	$(GO) run ./backend/cmd/minxin serve

pwa-deps:
	cd pwa && $(NPM) ci --no-audit --no-fund

pwa: pwa-deps
	cd pwa && $(NPM) run build

build: pwa
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/minxin ./backend/cmd/minxin

test: go-test fuzz security-sqlmap proof failover pwa-test pwa-e2e

go-test: pwa
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

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

# The proof (backend/internal/proof, built with -tags proof) runs real `minxin serve`
# processes on the PostgreSQL at 127.0.0.1:5432, nginx in front of two of them. It restarts
# that PostgreSQL (pg_ctlcluster, immediate mode) during each soak.
PROOF = $(GO) test -tags proof -count=1 -v -timeout 30m ./backend/internal/proof

# In `make test`: a 20-second soak on one instance and on two behind nginx, the checks that
# two instances behave as one, and the connection limit.
proof:
	$(PROOF) -run 'TestSoak|TestConnectionLimit' -args -duration 20s
	$(PROOF) -run 'TestSoak|TestTwoInstancesBehaveAsOne' -args -duration 20s -replicas 2

# In `make test`: a 20-second failover on a primary and a synchronous standby of the test's own
# (pg_createcluster on 5450–5455; 5432 is not touched): the primary crashes, the standby is
# promoted, the old primary is rebuilt as its standby.
failover:
	$(PROOF) -run 'TestFailover' -args -duration 20s

# The longer soak: 5 minutes on one instance, then on two behind nginx; then 5 minutes with
# a failover every minute, each promoted standby's old primary rebuilt as its standby.
SOAK_DURATION ?= 5m
soak:
	$(PROOF) -run 'TestSoak' -args -duration $(SOAK_DURATION) -clients 32
	$(PROOF) -run 'TestSoak' -args -duration $(SOAK_DURATION) -clients 32 -replicas 2
	$(PROOF) -run 'TestFailover' -args -duration $(SOAK_DURATION) -clients 32 -failovers 4

# Go benchmarks (each against a baseline in the same run), then write throughput through
# one instance and through two behind nginx against pgbench on the same PostgreSQL, and what a
# synchronous standby costs (on clusters of the test's own, 5450–5455).
# Numbers and how to read them: docs/performance.md.
BENCH_DURATION ?= 20s
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./backend/...
	$(PROOF) -run 'TestWriteThroughput' -args -duration $(BENCH_DURATION)
	$(PROOF) -run 'TestWriteThroughput' -args -duration $(BENCH_DURATION) -replicas 2
	$(PROOF) -run 'TestSynchronousStandbyCost' -args -duration $(BENCH_DURATION)

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
