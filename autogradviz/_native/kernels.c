/* Some of PyTorch's CPU kernels in plain C, for autogradviz's optional native speed-up.
 *
 * Each function computes, bit for bit, what the NumPy code it stands in for computes
 * (autogradviz/ops/_cascade_sum.py: _multi_row_sum; autogradviz/_generator.py: _avx2_blocks
 * and NumPy's MT19937 words; autogradviz/_sleef.py: expf_u10, powf_u10).
 * The NumPy code stays the reference and the fallback; tests compare the two.
 *
 * Exactness needs IEEE single and double arithmetic without excess precision and without
 * contraction into fused multiply-adds: the loader compiles with -ffp-contract=off, and the
 * check below refuses a target that evaluates float expressions in wider types. Where the
 * normal sampler rounds once after a product and a sum (an fma), the product of two float32
 * values is formed in double (exact there) and the sum rounded to float once, as the NumPy
 * code does; elsewhere an fma is fmaf, correctly rounded like the NumPy code's _fma32.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "float expressions must be evaluated in their own type"
#endif

/* ------------------------------------------------------------------ cascade sum */

static int64_t ceil_log2(int64_t n) {
    if (n <= 2) return 1;
    int64_t bits = 0;
    uint64_t v = (uint64_t)(n - 1);
    while (v) { bits++; v >>= 1; }
    return bits;
}

/* ATen's multi_row_sum over the rows of a C-contiguous (size, lanes) array: chunks of
 * 2**max(4, ceil_log2(size) / 4) rows added into level 0, each full chunk passed up the
 * 4 levels as far as the row count's bits say, the levels added in order at the end.
 * Returns 0 on success, -1 if scratch memory could not be had. */
#define MULTI_ROW_SUM(NAME, T)                                                              \
    int NAME(const T *a, int64_t size, int64_t lanes, T *out) {                             \
        const int64_t levels = 4;                                                           \
        int64_t power = ceil_log2(size) / levels;                                           \
        if (power < 4) power = 4;                                                           \
        const int64_t step = (int64_t)1 << power;                                           \
        const int64_t mask = step - 1;                                                      \
        T *acc = (T *)calloc((size_t)(levels * lanes), sizeof(T));                          \
        if (!acc) return -1;                                                                \
        int64_t i = 0;                                                                      \
        while (i + step <= size) {                                                          \
            for (int64_t r = 0; r < step; ++r, ++i) {                                       \
                const T *row = a + i * lanes;                                               \
                for (int64_t k = 0; k < lanes; ++k) acc[k] += row[k];                       \
            }                                                                               \
            for (int64_t j = 1; j < levels; ++j) {                                          \
                T *up = acc + j * lanes, *down = acc + (j - 1) * lanes;                     \
                for (int64_t k = 0; k < lanes; ++k) { up[k] += down[k]; down[k] = 0; }      \
                if (i & (mask << (j * power))) break;                                       \
            }                                                                               \
        }                                                                                   \
        for (; i < size; ++i) {                                                             \
            const T *row = a + i * lanes;                                                   \
            for (int64_t k = 0; k < lanes; ++k) acc[k] += row[k];                           \
        }                                                                                   \
        for (int64_t j = 1; j < levels; ++j)                                                \
            for (int64_t k = 0; k < lanes; ++k) acc[k] += acc[j * lanes + k];               \
        memcpy(out, acc, (size_t)lanes * sizeof(T));                                        \
        free(acc);                                                                          \
        return 0;                                                                           \
    }

MULTI_ROW_SUM(agv_multi_row_sum_f32, float)
MULTI_ROW_SUM(agv_multi_row_sum_f64, double)

/* ------------------------------------------------------------------ mt19937 words */

/* The next n outputs of the 32-bit Mersenne Twister whose state is key[624] and the read
 * position pos (both updated), as NumPy's MT19937.random_raw gives them (widened to 64 bits):
 * the state is regenerated in place whenever all 624 words have been read, each word
 * tempered on the way out. */
#define MT_N 624
#define MT_M 397
#define MT_TWIST(a, b, c) ((c) ^ ((((a) & 0x80000000u) | ((b) & 0x7fffffffu)) >> 1) \
                           ^ (((b) & 1u) ? 0x9908b0dfu : 0u))
static void mt_regenerate(uint32_t *key) {
    int i = 0;
    for (; i < MT_N - MT_M; ++i) key[i] = MT_TWIST(key[i], key[i + 1], key[i + MT_M]);
    for (; i < MT_N - 1; ++i) key[i] = MT_TWIST(key[i], key[i + 1], key[i + MT_M - MT_N]);
    key[MT_N - 1] = MT_TWIST(key[MT_N - 1], key[0], key[MT_M - 1]);
}

void agv_mt19937_words(uint32_t *key, int64_t *pos, uint64_t *out, int64_t n) {
    int64_t p = *pos, i = 0;
    while (i < n) {
        if (p >= MT_N) {
            mt_regenerate(key);
            p = 0;
        }
        int64_t run = MT_N - p < n - i ? MT_N - p : n - i;
        for (int64_t r = 0; r < run; ++r) {
            uint32_t y = key[p + r];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            out[i + r] = y;
        }
        p += run;
        i += run;
    }
    *pos = p;
}

/* ------------------------------------------------------------------ normal_fill_16_AVX2 */

static inline float f32_of_bits(int32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline int32_t bits_of_f32(float f) { int32_t b; memcpy(&b, &f, 4); return b; }

/* float32 constants, each the float32 rounding of a double literal (as NumPy rounds the
 * Python floats); the fma steps use them widened back to double. */
#define F(v) ((float)(v))
static const float SQRTHF = F(0.707106781186547524);
static const float LOG_P[9] = {
    F(7.0376836292e-2), F(-1.1514610310e-1), F(1.1676998740e-1), F(-1.2420140846e-1),
    F(1.4249322787e-1), F(-1.6668057665e-1), F(2.0000714765e-1), F(-2.4999993993e-1),
    F(3.3333331174e-1)};
static const float LOG_Q1 = F(-2.12194440e-4), LOG_Q2 = F(0.693359375);
static const float DP1 = F(-0.78515625), DP2 = F(-2.4187564849853515625e-4);
static const float DP3 = F(-3.77489497744594108e-8);
static const float COS_P[3] = {F(2.443315711809948e-5), F(-1.388731625493765e-3),
                               F(4.166664568298827e-2)};
static const float SIN_P[3] = {F(-1.9515295891e-4), F(8.3321608736e-3), F(-1.6666654611e-1)};
static const float FOPI = F(1.27323954473516); /* 4 / pi */
static const float TWO_PI = F(6.283185307179586);

/* The kernels run each statement over a batch of lanes (8 per block of 16 words, BATCH_ROWS
 * blocks at a time), as the AVX code runs it over 8: written so, each loop compiles to vector
 * instructions. */
#define LANES 8
#define BATCH_ROWS 64
#define BATCH (LANES * BATCH_ROWS)
#define EACH for (int64_t l = 0; l < n; ++l)

/* On x86-64 Linux the sampler is also built for AVX2 (wider vectors, the same operations:
 * no fma, as -ffp-contract=off keeps them apart), picked at load time when the CPU has it. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif
#define INLINE static inline __attribute__((always_inline))

/* avx_mathfun's log256_ps for x in [2**-24, 1]. */
INLINE void cephes_log(const float *restrict x, float *restrict y, int64_t n) {
    int32_t mbits[BATCH], below[BATCH];
    float ef[BATCH], xm[BATCH], z[BATCH];
    double x64[BATCH], z64[BATCH], t[BATCH];
    EACH {
        int32_t bits = bits_of_f32(x[l]);
        mbits[l] = (bits & 0x007FFFFF) | 0x3F000000; /* mantissa m in [0.5, 1) */
        below[l] = (mbits[l] - bits_of_f32(SQRTHF)) >> 31; /* -1 where m < sqrt(1/2) */
        ef[l] = (float)((bits >> 23) + below[l] - 126);
    }
    EACH {
        float m = f32_of_bits(mbits[l]);
        xm[l] = (m - 1.0f) + f32_of_bits(mbits[l] & below[l]); /* x = 2m - 1 there */
        z[l] = xm[l] * xm[l];
        x64[l] = (double)xm[l];
        z64[l] = (double)z[l];
        t[l] = x64[l] * (double)LOG_P[0];
    }
    for (int k = 1; k < 9; ++k) {
        EACH t[l] = (double)(float)(t[l] + (double)LOG_P[k]) * x64[l]; /* y = fma(y, x, p) */
    }
    EACH {
        float v = (float)t[l]; /* y = y * x */
        v = (float)((double)v * z64[l] + (double)(ef[l] * LOG_Q1)); /* fma(y, z, e * Q1) */
        v = v - z[l] * 0.5f;
        v = v + xm[l];
        y[l] = v + ef[l] * LOG_Q2;
    }
}

/* avx_mathfun's sincos256_ps for theta in [0, 2 pi]. */
INLINE void cephes_sincos(const float *restrict theta, float *restrict s_out,
                          float *restrict c_out, int64_t n) {
    int32_t j[BATCH];
    float x[BATCH], z[BATCH], c[BATCH], s[BATCH];
    double x64[BATCH], z64[BATCH];
    EACH {
        int32_t jj = (int32_t)(theta[l] * FOPI);
        j[l] = (jj + 1) & ~1;
        float jf = (float)j[l];
        float v = jf * DP1;
        v = v + theta[l];
        v = v + jf * DP2;
        x[l] = (float)((double)jf * (double)DP3 + (double)v); /* fma(j, DP3, x) */
        z[l] = x[l] * x[l];
        z64[l] = (double)z[l];
        x64[l] = (double)x[l];
    }
    EACH {
        c[l] = (float)(z64[l] * (double)COS_P[0] + (double)COS_P[1]);
        s[l] = (float)(z64[l] * (double)SIN_P[0] + (double)SIN_P[1]);
        c[l] = (float)((double)c[l] * z64[l] + (double)COS_P[2]);
        s[l] = (float)((double)s[l] * z64[l] + (double)SIN_P[2]);
        c[l] = c[l] * z[l];
        s[l] = s[l] * z[l];
        c[l] = (float)((double)c[l] * z64[l] + z64[l] * -0.5); /* fma(c, z, -z/2) */
        s[l] = (float)((double)s[l] * x64[l] + x64[l]);        /* fma(s, x, x) */
        c[l] = c[l] + 1.0f;
    }
    /* swap where j & 2; flip sin's sign where j & 4 and cos's where (j + 2) & 4 */
    EACH {
        uint32_t sb = (uint32_t)bits_of_f32(s[l]), cb = (uint32_t)bits_of_f32(c[l]);
        uint32_t swap = (sb ^ cb) & (uint32_t)(-(int32_t)(((uint32_t)j[l] >> 1) & 1u));
        sb ^= swap;
        cb ^= swap;
        sb ^= ((uint32_t)j[l] & 4u) << 29;
        cb ^= ((uint32_t)(j[l] + 2) & 4u) << 29;
        s_out[l] = f32_of_bits((int32_t)sb);
        c_out[l] = f32_of_bits((int32_t)cb);
    }
}

/* ATen's normal_fill_16_AVX2 on `rows` blocks of 16 words (the low 24 bits are used): the
 * first 8 words of a block give radii, the last 8 angles; the block's first 8 outputs are
 * radius * cos, the last 8 radius * sin, then * std + mean (an fma) unless standard. */
VECTOR_CLONES void agv_normal_blocks_f32(const uint64_t *words, int64_t rows, float mean, float std,
                           int standard, float *out) {
    float x[BATCH], theta[BATCH], radius[BATCH], s[BATCH], c[BATCH];
    for (int64_t b0 = 0; b0 < rows; b0 += BATCH_ROWS) {
        int64_t nb = rows - b0 < BATCH_ROWS ? rows - b0 : BATCH_ROWS;
        int64_t n = nb * LANES;
        const uint64_t *w = words + 16 * b0;
        float *o = out + 16 * b0;
        /* lane l is word l % 8 of block l / 8; the low 24 bits, exactly a float, * 2**-24 */
        EACH {
            const uint64_t *wb = w + 16 * (l / LANES) + l % LANES;
            x[l] = 1.0f - (float)(int32_t)(wb[0] & 0xFFFFFFu) * 5.9604644775390625e-8f;
            theta[l] = (float)(int32_t)(wb[LANES] & 0xFFFFFFu) * 5.9604644775390625e-8f
                       * TWO_PI;
        }
        cephes_log(x, radius, n);
        EACH radius[l] = sqrtf(radius[l] * -2.0f);
        cephes_sincos(theta, s, c, n);
        EACH {
            float *ob = o + 16 * (l / LANES) + l % LANES;
            float rc = radius[l] * c[l], rs = radius[l] * s[l];
            if (standard) {
                ob[0] = rc + 0.0f;
                ob[LANES] = rs + 0.0f;
            } else {
                ob[0] = fmaf(rc, std, mean);
                ob[LANES] = fmaf(rs, std, mean);
            }
        }
    }
}

/* ------------------------------------------------------------------ SLEEF's expf and powf */

/* Sleef_expf8_u10 and Sleef_powf8_u10 (SLEEF 3.x, FMA variants), lane by lane, as
 * autogradviz/_sleef.py evaluates them on NumPy arrays: the same float32 operations in the
 * same order, each fused multiply-add one fmaf (correctly rounded, as _fma32 is). Built also
 * for x86-64-v3 (AVX2 with FMA), where fmaf is one instruction; elsewhere the C library's. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define FMA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FMA_CLONES
#endif

static const float R_LN2F = F(1.442695040888963407359924681001892137426645954152985934135449406931);
static const float L2UF = F(0.693145751953125), L2LF = F(1.428606765330187045e-06);
static const float FLT_MIN_F = F(1.17549435e-38);

typedef struct { float x, y; } df_t; /* a double-float: hi + lo */

INLINE int32_t rint_i(float x) { /* cvtps2dq: half to even; NaN, out of range: INT_MIN */
    float r = rintf(x);
    return fabsf(r) < 2147483648.0f ? (int32_t)r : INT32_MIN;
}
INLINE int32_t trunc_i(float x) { /* cvttps2dq */
    float r = truncf(x);
    return fabsf(r) < 2147483648.0f ? (int32_t)r : INT32_MIN;
}
/* int32 arithmetic wraps in NumPy: done in uint32 here */
INLINE float pow2i(int32_t q) { return f32_of_bits((int32_t)((uint32_t)q + 0x7Fu) << 23); }
INLINE float ldexp2k(float d, int32_t e) {
    int32_t h = e >> 1;
    return d * pow2i(h) * pow2i((int32_t)((uint32_t)e - (uint32_t)h));
}
INLINE float ldexp3k(float d, int32_t q) {
    return f32_of_bits((int32_t)((uint32_t)bits_of_f32(d) + ((uint32_t)q << 23)));
}
INLINE float ldexpkf(float x, int32_t q) {
    int32_t m = q >> 31;
    m = (int32_t)((uint32_t)((int32_t)((uint32_t)m + (uint32_t)q) >> 6) - (uint32_t)m) << 4;
    q = (int32_t)((uint32_t)q - ((uint32_t)m << 2));
    m = (int32_t)((uint32_t)m + 0x7Fu);
    if (m < 0) m = 0;
    if (m > 0xFF) m = 0xFF;
    float u = f32_of_bits((int32_t)((uint32_t)m << 23));
    x = x * u * u * u * u;
    return x * f32_of_bits((int32_t)((uint32_t)q + 0x7Fu) << 23);
}
INLINE int32_t ilogb2k(float d) {
    return (int32_t)(((uint32_t)bits_of_f32(d) >> 23) & 0xFFu) - 0x7F;
}

INLINE df_t df(float x, float y) { df_t r = {x, y}; return r; }
INLINE df_t df_add2_f_f(float x, float y) {
    float rx = x + y, v = rx - x;
    return df(rx, (x - (rx - v)) + (y - v));
}
INLINE df_t df_add2_df_f(df_t x, float y) {
    float rx = x.x + y, v = rx - x.x;
    return df(rx, ((x.x - (rx - v)) + (y - v)) + x.y);
}
INLINE df_t df_add2_df_df(df_t x, df_t y) {
    float rx = x.x + y.x, v = rx - x.x;
    return df(rx, ((x.x - (rx - v)) + (y.x - v)) + (x.y + y.y));
}
INLINE df_t df_add_df_df(df_t x, df_t y) {
    float rx = x.x + y.x;
    return df(rx, (((x.x - rx) + y.x) + x.y) + y.y);
}
INLINE df_t df_add_f_df(float x, df_t y) {
    float rx = x + y.x;
    return df(rx, ((x - rx) + y.x) + y.y);
}
INLINE df_t df_normalize(df_t t) {
    float sx = t.x + t.y;
    return df(sx, (t.x - sx) + t.y);
}
INLINE df_t df_scale(df_t x, float s) { return df(x.x * s, x.y * s); }
INLINE df_t df_mul_df_f(df_t x, float y) {
    float rx = x.x * y;
    return df(rx, fmaf(x.y, y, fmaf(x.x, y, -rx)));
}
INLINE df_t df_mul_df_df(df_t x, df_t y) {
    float rx = x.x * y.x;
    return df(rx, fmaf(x.x, y.y, fmaf(x.y, y.x, fmaf(x.x, y.x, -rx))));
}
INLINE df_t df_squ(df_t x) {
    float rx = x.x * x.x;
    return df(rx, fmaf(x.x + x.x, x.y, fmaf(x.x, x.x, -rx)));
}
INLINE df_t df_div(df_t n, df_t d) {
    float t = 1.0f / d.x;
    float qx = n.x * t;
    float u = fmaf(t, n.x, -qx);
    float qy = fmaf(-d.y, t, fmaf(-d.x, t, 1.0f));
    return df(qx, fmaf(qx, qy, fmaf(n.y, t, u)));
}

INLINE float sleef_expf_u10(float d) {
    int32_t q = rint_i(d * R_LN2F);
    float qf = (float)q;
    float s = fmaf(qf, -L2UF, d);
    s = fmaf(qf, -L2LF, s);
    float u = F(0.000198527617612853646278381);
    u = fmaf(u, s, F(0.00139304355252534151077271));
    u = fmaf(u, s, F(0.00833336077630519866943359));
    u = fmaf(u, s, F(0.0416664853692054748535156));
    u = fmaf(u, s, F(0.166666671633720397949219));
    u = fmaf(u, s, F(0.5));
    u = 1.0f + fmaf(s * s, u, s);
    u = ldexp2k(u, q);
    if (d < -104.0f) u = 0.0f;
    if (100.0f < d) u = INFINITY;
    return u;
}

INLINE df_t logkf(float d) {
    int o = d < FLT_MIN_F;
    if (o) d = d * F(18446744073709551616.0);
    int32_t e = ilogb2k(d * (1.0f / 0.75f));
    float m = ldexp3k(d, (int32_t)(0u - (uint32_t)e));
    if (o) e = (int32_t)((uint32_t)e - 64u);
    df_t x = df_div(df_add2_f_f(-1.0f, m), df_add2_f_f(1.0f, m));
    df_t x2 = df_squ(x);
    float t = F(0.240320354700088500976562);
    t = fmaf(t, x2.x, F(0.285112679004669189453125));
    t = fmaf(t, x2.x, F(0.400007992982864379882812));
    df_t c = df(F(0.66666662693023681640625), F(3.69183861259614332084311e-09));
    df_t s = df_mul_df_f(df(F(0.69314718246459960938), F(-1.904654323148236017e-09)),
                         (float)e);
    s = df_add_df_df(s, df_scale(x, 2.0f));
    return df_add_df_df(s, df_mul_df_df(df_mul_df_df(x2, x),
                                        df_add2_df_df(df_mul_df_f(x2, t), c)));
}

INLINE float expkf(df_t d) {
    float u = (d.x + d.y) * R_LN2F;
    int32_t q = rint_i(u);
    float qf = (float)q;
    df_t s = df_add2_df_f(d, qf * -L2UF);
    s = df_add2_df_f(s, qf * -L2LF);
    s = df_normalize(s);
    u = F(0.00136324646882712841033936);
    u = fmaf(u, s.x, F(0.00836596917361021041870117));
    u = fmaf(u, s.x, F(0.0416710823774337768554688));
    u = fmaf(u, s.x, F(0.166665524244308471679688));
    u = fmaf(u, s.x, F(0.499999850988388061523438));
    df_t t = df_add_df_df(s, df_mul_df_f(df_squ(s), u));
    t = df_add_f_df(1.0f, t);
    u = ldexpkf(t.x + t.y, q);
    return d.x < -104.0f ? 0.0f : u;
}

INLINE float sleef_powf_u10(float x, float y) {
    float ay = fabsf(y);
    int yisint = (truncf(y) == y) || (ay > 16777216.0f);
    int yisodd = ((trunc_i(y) & 1) == 1) && yisint && (ay < 16777216.0f);
    float ax = fabsf(x);
    float r = expkf(df_mul_df_f(logkf(ax), y));
    if (isnan(r)) r = INFINITY;
    r = r * (x > 0 ? 1.0f : (yisint ? (yisodd ? -1.0f : 1.0f) : NAN));
    float efx = f32_of_bits((int32_t)((uint32_t)bits_of_f32(ax - 1.0f)
                                      ^ ((uint32_t)bits_of_f32(y) & 0x80000000u)));
    if (isinf(y)) r = efx < 0 ? 0.0f : (efx == 0 ? 1.0f : INFINITY);
    float sign_x = signbit(x) ? -1.0f : 1.0f;
    float big = ((x == 0 ? -y : y) < 0) ? 0.0f : INFINITY;
    if (isinf(x) || x == 0) r = (yisodd ? sign_x : 1.0f) * big;
    if (isnan(x) || isnan(y)) r = f32_of_bits(-1);
    if (y == 0 || x == 1) r = 1.0f;
    return r;
}

FMA_CLONES void agv_sleef_expf_u10(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = sleef_expf_u10(x[i]);
}

FMA_CLONES void agv_sleef_powf_u10(const float *x, float y, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = sleef_powf_u10(x[i], y);
}

/* ATen's cpu_kernel_vec over a contiguous float32 range of n elements on `threads` threads:
 * from GRAIN_SIZE elements on, one range a thread (ceil(n / tasks) elements); in each range
 * the vector function on whole blocks of 16, the scalar C function on what is left. */
#define GRAIN_SIZE 32768
#define KERNEL_VEC(VEC_EXPR, SCALAR_EXPR)                                                 \
    int64_t tasks_ = 1;                                                                   \
    if (n >= GRAIN_SIZE && threads > 1) {                                                 \
        tasks_ = (n + GRAIN_SIZE - 1) / GRAIN_SIZE;                                       \
        if (tasks_ > threads) tasks_ = threads;                                           \
    }                                                                                     \
    int64_t chunk_ = tasks_ > 1 ? (n + tasks_ - 1) / tasks_ : n;                          \
    for (int64_t begin_ = 0; begin_ < n; begin_ += chunk_) {                              \
        int64_t end_ = begin_ + chunk_ < n ? begin_ + chunk_ : n;                         \
        int64_t cut_ = begin_ + (end_ - begin_) / 16 * 16;                                \
        for (int64_t i = begin_; i < cut_; ++i) { float v = x[i]; out[i] = (VEC_EXPR); }  \
        for (int64_t i = cut_; i < end_; ++i) { float v = x[i]; out[i] = (SCALAR_EXPR); } \
    }

/* PyTorch's float32 sigmoid: 1 / (1 + exp(-x)) with SLEEF's expf on the vector blocks and
 * the C library's expf on the rest. A NaN comes out as -x made quiet, as each step passes
 * it on; written out because the compiler may move the negation into the products, which
 * is free to change a NaN's sign. */
INLINE float nan_of_negated(float v) {
    return f32_of_bits((int32_t)(((uint32_t)bits_of_f32(v) ^ 0x80000000u) | 0x00400000u));
}
FMA_CLONES void agv_sigmoid_f32(const float *x, float *out, int64_t n, int64_t threads) {
    KERNEL_VEC(isnan(v) ? nan_of_negated(v) : 1.0f / (1.0f + sleef_expf_u10(-v)),
               isnan(v) ? nan_of_negated(v) : 1.0f / (1.0f + expf(-v)))
}

/* PyTorch's float32 x ** e for a number e (no shortcut exponent): SLEEF's powf on the vector
 * blocks (e rounded to float), the C library's double pow on the rest, rounded to float. */
FMA_CLONES void agv_pow_number_f32(const float *x, double exponent, float *out, int64_t n,
                                   int64_t threads) {
    float exponent_f = (float)exponent;
    KERNEL_VEC(sleef_powf_u10(v, exponent_f), (float)pow((double)v, exponent))
}

/* ------------------------------------------------------------------ SLEEF's expm1f, log1pf, tanhf */

/* Sleef_expm1f8_u10, Sleef_log1pf8_u10 and Sleef_tanhf8_u10 as autogradviz/_sleef_extra.py
 * evaluates them (ATen's elu/selu/celu, softplus, log_sigmoid, mish and gelu's tanh form). */
static const df_t LN2_DF = {F(0.69314718246459960938), F(-1.904654323148236017e-09)};

INLINE df_t df_add_f_f(float x, float y) {
    float s = x + y;
    return df(s, (x - s) + y);
}
INLINE df_t df_add_df_f(df_t x, float y) {
    float s = x.x + y;
    return df(s, ((x.x - s) + y) + x.y);
}

INLINE df_t expk2f(df_t d) {
    float u = (d.x + d.y) * R_LN2F;
    int32_t q = rint_i(u);
    float qf = (float)q;
    df_t s = df_add2_df_f(d, qf * -L2UF);
    s = df_add2_df_f(s, qf * -L2LF);
    u = F(0.1980960224e-3);
    u = fmaf(u, s.x, F(0.1394256484e-2));
    u = fmaf(u, s.x, F(0.8333456703e-2));
    u = fmaf(u, s.x, F(0.4166637361e-1));
    df_t t = df_add2_df_f(df_mul_df_f(s, u), F(0.166666659414234244790680580464));
    t = df_add2_df_f(df_mul_df_df(s, t), 0.5f);
    t = df_add2_df_df(s, df_mul_df_df(df_squ(s), t));
    t = df_add_f_df(1.0f, t);
    if (d.x < -104.0f) return df(0.0f, 0.0f);
    return df(ldexp2k(t.x, q), ldexp2k(t.y, q));
}

INLINE float sleef_expm1f_u10(float a) {
    df_t d = df_add2_df_f(expk2f(df(a, 0.0f)), -1.0f);
    float x = d.x + d.y;
    if (a > F(88.72283172607421875)) x = INFINITY;
    if (a < F(-16.635532333438687426013570)) x = -1.0f;
    if (a == 0 && signbit(a)) x = -0.0f;
    return x;
}

INLINE float sleef_log1pf_u10(float d) {
    float dp1 = d + 1.0f;
    int tiny = dp1 < FLT_MIN_F;
    if (tiny) dp1 = dp1 * F(18446744073709551616.0);
    int32_t e = ilogb2k(dp1 * F(1.0 / 0.75));
    float t = ldexp3k(1.0f, (int32_t)(0u - (uint32_t)e));
    float m = fmaf(d, t, t - 1.0f);
    if (tiny) e = (int32_t)((uint32_t)e - 64u);
    df_t s = df_mul_df_f(LN2_DF, (float)e);
    df_t x = df_div(df(m, 0.0f), df_add_f_f(2.0f, m));
    float x2 = x.x * x.x;
    t = F(0.3027294874);
    t = fmaf(t, x2, F(0.3996108174));
    t = fmaf(t, x2, F(0.6666694880));
    s = df_add_df_df(s, df_scale(x, 2.0f));
    s = df_add_df_f(s, x2 * x.x * t);
    float r = s.x + s.y;
    if (d > F(1e38)) r = INFINITY;
    if (-1.0f > d) r = NAN;
    if (d == -1.0f) r = -INFINITY;
    if (d == 0 && signbit(d)) r = -0.0f;
    return r;
}

INLINE float sleef_tanhf_u10(float x) {
    float y = fabsf(x);
    df_t d = expk2f(df(y, 0.0f));
    float rx = 1.0f / d.x;
    df_t e = df(rx, rx * fmaf(-d.y, rx, fmaf(-d.x, rx, 1.0f)));
    d = df_div(df_add_df_df(d, df(-e.x, -e.y)), df_add_df_df(d, e));
    y = d.x + d.y;
    if (fabsf(x) > F(8.664339742) || isnan(y)) y = 1.0f;
    if (signbit(x)) y = -y;
    if (isnan(x)) y = NAN;
    return y;
}

FMA_CLONES void agv_sleef_expm1f_u10(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = sleef_expm1f_u10(x[i]);
}

FMA_CLONES void agv_sleef_log1pf_u10(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = sleef_log1pf_u10(x[i]);
}

FMA_CLONES void agv_sleef_tanhf_u10(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = sleef_tanhf_u10(x[i]);
}
