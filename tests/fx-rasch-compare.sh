#!/bin/bash
# fx-rasch-compare.sh - optional: forensics_irt_calibrate with the slopes
# fixed (Rasch, MML over a N(0, sigma^2) ability) against two independent
# Rasch fits in R on the same simulated data (1,000 persons x 30 items,
# complete): eRm::RM (conditional ML) and lme4::glmer (the Rasch model
# as a GLMM, marginal ML by Laplace).  Difficulties are compared after
# centring each set at mean 0 (CML identifies them only up to a shift).
# Skips (exit 0, "SKIP") when Rscript, eRm or lme4 is missing; fails when a
# correlation < 0.99 or a centred difficulty differs by > 0.10 logit.
# Run from the top of the tree: bash tests/fx-rasch-compare.sh (about 6
# minutes on a loaded 2-core machine, nearly all of it in glmer; not part of
# make check).
set -eu
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null ||
    ! Rscript -e 'library(eRm); library(lme4)' >/dev/null 2>&1; then
	echo "SKIP fx-rasch-compare: needs Rscript with eRm and lme4" \
	    "(apt-get install r-cran-erm r-cran-lme4)"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O2 -std=c11 -I. -o "$T/dump" tests/fx-rasch-dump.c tests/fx-sim.c \
    forensics/*.c proto/xmalloc.c -lm
"$T/dump" "$T/resp.csv" "$T/ours.csv"
Rscript - "$T/resp.csv" "$T/ours.csv" <<'REOF'
suppressMessages({ library(eRm); library(lme4) })
a <- commandArgs(trailingOnly = TRUE)
X <- as.matrix(read.csv(a[1]))
ours <- read.csv(a[2])
# eRm: betapar are easiness parameters (beta = -difficulty).
t1 <- system.time(cml <- -RM(X, sum0 = TRUE)$betapar)[3]
long <- data.frame(person = factor(rep(seq_len(nrow(X)), ncol(X))),
    item = factor(rep(colnames(X), each = nrow(X)), levels = colnames(X)),
    y = as.vector(X))
long <- long[!is.na(long$y), ]
t2 <- system.time(g <- glmer(y ~ 0 + item + (1 | person), data = long,
    family = binomial, control = glmerControl(calc.derivs = FALSE)))[3]
cat(sprintf("eRm %.1f s, lme4 %.1f s\n", t1, t2))
mml <- -fixef(g)
ctr <- function(v) v - mean(v)
b <- ctr(ours$invigil_b); cml <- ctr(cml); mml <- ctr(mml)
tru <- ctr(ours$true_b)
cat(sprintf("lme4 SD(theta) %.4f\n", sqrt(VarCorr(g)$person[1])))
res <- rbind(
  c(cor(b, cml), max(abs(b - cml)), mean(abs(b - cml))),
  c(cor(b, mml), max(abs(b - mml)), mean(abs(b - mml))),
  c(cor(cml, mml), max(abs(cml - mml)), mean(abs(cml - mml))),
  c(cor(b, tru), max(abs(b - tru)), mean(abs(b - tru))))
rownames(res) <- c("invigil vs eRm CML", "invigil vs lme4 GLMM",
    "eRm vs lme4", "invigil vs truth")
colnames(res) <- c("corr", "max|diff|", "mean|diff|")
print(round(res, 4))
ok <- all(res[1:2, 1] >= 0.99) && all(res[1:2, 2] <= 0.10)
cat(if (ok) "PASS fx-rasch-compare\n" else "FAIL fx-rasch-compare\n")
quit(status = if (ok) 0 else 1)
REOF
