/*
 * stats.c - the distributions the forensics indices refer to (normal,
 * chi-square through the incomplete gamma) and the quadrature for the
 * ability integral.  Written from the textbook definitions (Abramowitz &
 * Stegun 6.5, 26.2; Acklam's normal quantile; Golub & Welsch for
 * Gauss-Hermite), checked against tabled values in tests/check_forensics.c.
 */
#include <float.h>
#include <math.h>

#include "forensics/forensics.h"

#define SQRT1_2		0.70710678118654752440
#define SQRT2PI		2.50662827463100050242
#define PI		3.14159265358979323846

double
forensics_norm_cdf(double x)
{
	return 0.5 * erfc(-x * SQRT1_2);
}

double
forensics_norm_sf(double x)
{
	return 0.5 * erfc(x * SQRT1_2);
}

double
forensics_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00 };
	double q, r, x, e, u;

	if (isnan(p) || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
		    r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r +
		    b[3]) * r + b[4]) * r + 1);
	}
	/* One Halley step against the exact CDF; in the upper tail against
	 * the upper tail, where 1 - p has kept its precision. */
	if (p > 0.5)
		e = -(forensics_norm_sf(x) - (1 - p));
	else
		e = forensics_norm_cdf(x) - p;
	u = e * SQRT2PI * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* P(s, x) by its series, for x < s + 1. */
static double
gamma_series(double s, double x)
{
	double sum = 1.0 / s, term = sum, ap = s;
	int n;

	for (n = 0; n < 1000; n++) {
		ap += 1;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * 1e-16)
			break;
	}
	return sum * exp(-x + s * log(x) - lgamma(s));
}

/* Q(s, x) by its continued fraction (modified Lentz), for x >= s + 1. */
static double
gamma_fraction(double s, double x)
{
	double b = x + 1 - s, c = 1 / DBL_MIN, d = 1 / b, h = d, an, del;
	int n;

	for (n = 1; n < 1000; n++) {
		an = -n * (n - s);
		b += 2;
		d = an * d + b;
		if (fabs(d) < DBL_MIN)
			d = DBL_MIN;
		c = b + an / c;
		if (fabs(c) < DBL_MIN)
			c = DBL_MIN;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return exp(-x + s * log(x) - lgamma(s)) * h;
}

double
forensics_gamma_p(double s, double x)
{
	if (isnan(s) || isnan(x) || s <= 0)
		return NAN;
	if (x <= 0)
		return 0;
	if (isinf(x))
		return 1;
	if (x < s + 1)
		return gamma_series(s, x);
	return 1 - gamma_fraction(s, x);
}

double
forensics_gamma_q(double s, double x)
{
	if (isnan(s) || isnan(x) || s <= 0)
		return NAN;
	if (x <= 0)
		return 1;
	if (isinf(x))
		return 0;
	if (x < s + 1)
		return 1 - gamma_series(s, x);
	return gamma_fraction(s, x);
}

double
forensics_chi2_cdf(double x, double df)
{
	return forensics_gamma_p(df / 2, x / 2);
}

double
forensics_chi2_sf(double x, double df)
{
	return forensics_gamma_q(df / 2, x / 2);
}

double
forensics_chi2_quantile(double p, double df)
{
	double x, z, h, lo = 0, hi, f, dens, step;
	int n;

	if (isnan(p) || isnan(df) || df <= 0 || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return 0;
	if (p == 1)
		return INFINITY;
	/* Wilson-Hilferty start. */
	z = forensics_norm_quantile(p);
	h = 2 / (9 * df);
	x = df * pow(1 - h + z * sqrt(h), 3);
	if (!(x > 0))
		x = 0.5 * df;
	hi = x;
	while (forensics_chi2_cdf(hi, df) < p)
		hi *= 2;
	for (n = 0; n < 200; n++) {
		f = forensics_chi2_cdf(x, df) - p;
		if (f < 0)
			lo = x;
		else
			hi = x;
		dens = exp((df / 2 - 1) * log(x) - x / 2 - (df / 2) * log(2.0) -
		    lgamma(df / 2));
		step = dens > 0 ? f / dens : 0;
		if (f == 0)
			break;
		if (dens > 0 && fabs(step) < 1e-13 * x) {
			x -= step;
			break;
		}
		if (dens > 0 && x - step > lo && x - step < hi)
			x -= step;
		else
			x = (lo + hi) / 2;
		if (hi - lo < 1e-13 * hi)
			break;
	}
	return x;
}

int
forensics_quadrature(enum forensics_quadrature kind, int k, double *nodes,
    double *weights)
{
	double sum = 0, z = 0, p1, p2, p3, pp = 0, z1;
	int i, j, it, m;

	if (k < 2 || k > 200)
		return -1;
	if (kind == FORENSICS_QUAD_EQUAL) {
		for (i = 0; i < k; i++) {
			nodes[i] = -5.0 + 10.0 * i / (k - 1);
			weights[i] = exp(-nodes[i] * nodes[i] / 2);
			sum += weights[i];
		}
		for (i = 0; i < k; i++)
			weights[i] /= sum;
		return 0;
	}
	/*
	 * Gauss-Hermite for the weight exp(-x^2): roots of H_k found by
	 * Newton from the usual asymptotic starts, the polynomial evaluated
	 * by the orthonormal recurrence; then nodes * sqrt 2 and weights /
	 * sqrt pi for N(0, 1).
	 */
	m = (k + 1) / 2;
	for (i = 0; i < m; i++) {
		if (i == 0)
			z = sqrt(2.0 * k + 1) - 1.85575 * pow(2.0 * k + 1,
			    -0.16667);
		else if (i == 1)
			z -= 1.14 * pow((double)k, 0.426) / z;
		else if (i == 2)
			z = 1.86 * z - 0.86 * nodes[0];
		else if (i == 3)
			z = 1.91 * z - 0.91 * nodes[1];
		else
			z = 2.0 * z - nodes[i - 2];
		for (it = 0; it < 100; it++) {
			p1 = 0.7511255444649425;	/* pi^-1/4 */
			p2 = 0;
			for (j = 1; j <= k; j++) {
				p3 = p2;
				p2 = p1;
				p1 = z * sqrt(2.0 / j) * p2 -
				    sqrt((j - 1.0) / j) * p3;
			}
			pp = sqrt(2.0 * k) * p2;
			z1 = z;
			z = z1 - p1 / pp;
			if (fabs(z - z1) <= 1e-14)
				break;
		}
		nodes[i] = z;			/* raw roots, for the starts */
		nodes[k - 1 - i] = -z;
		weights[i] = weights[k - 1 - i] = 2.0 / (pp * pp);
	}
	for (i = 0; i < k; i++) {
		nodes[i] *= 1.41421356237309504880;
		weights[i] /= sqrt(PI);
		sum += weights[i];
	}
	/* Ascending order (the roots were found from the largest down). */
	for (i = 0; i < k / 2; i++) {
		double t = nodes[i];

		nodes[i] = nodes[k - 1 - i];
		nodes[k - 1 - i] = t;
	}
	for (i = 0; i < k; i++)
		weights[i] /= sum;
	return 0;
}
