/* pandas 1.5's number reading for the CSV reader (src/data/csv.c) and the tabular pipeline:
 * ports of its tokenizer.c integer and float parsers and its list of missing-value words. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "csv_number.h"

/* ---- number parsing (ports of pandas 1.5 tokenizer.c) ----------------------------------- */

static int isspace_ascii(int c)
{
    return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v';
}

static int isdigit_ascii(int c)
{
    return c >= '0' && c <= '9';
}

static int lower_ascii(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* strcasecmp for ASCII letters only, independent of the locale */
static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower_ascii((unsigned char)*a) != lower_ascii((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* pandas str_to_int64: overflow is reported as soon as the digits overflow, before the
 * trailing characters are looked at (this decides which fallback pandas takes). */
enum num_err data__parse_int64(const char *p, int64_t *out)
{
    int neg = 0;
    int64_t v = 0;
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        neg = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    if (!isdigit_ascii((unsigned char)*p))
        return NUM_INVALID;
    if (neg) {
        const int64_t pre_min = INT64_MIN / 10;
        const int dig_pre_min = (int)-(INT64_MIN % 10);
        for (; isdigit_ascii((unsigned char)*p); p++) {
            int d = *p - '0';
            if (v > pre_min || (v == pre_min && d <= dig_pre_min))
                v = v * 10 - d;
            else
                return NUM_OVERFLOW;
        }
    } else {
        const int64_t pre_max = INT64_MAX / 10;
        const int dig_pre_max = (int)(INT64_MAX % 10);
        for (; isdigit_ascii((unsigned char)*p); p++) {
            int d = *p - '0';
            if (v < pre_max || (v == pre_max && d <= dig_pre_max))
                v = v * 10 + d;
            else
                return NUM_OVERFLOW;
        }
    }
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p)
        return NUM_INVALID;
    *out = v;
    return NUM_OK;
}

/* pandas str_to_uint64: any value that starts with '-' only marks seen_sint. */
enum num_err data__parse_uint64(struct uint_state *st, const char *p, uint64_t *out)
{
    const uint64_t pre_max = UINT64_MAX / 10;
    const int dig_pre_max = (int)(UINT64_MAX % 10);
    uint64_t v = 0;
    *out = 0;
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        st->seen_sint = 1;
        return NUM_OK;
    } else if (*p == '+') {
        p++;
    }
    if (!isdigit_ascii((unsigned char)*p))
        return NUM_INVALID;
    for (; isdigit_ascii((unsigned char)*p); p++) {
        int d = *p - '0';
        if (v < pre_max || (v == pre_max && d <= dig_pre_max))
            v = v * 10 + (uint64_t)d;
        else
            return NUM_OVERFLOW;
    }
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p)
        return NUM_INVALID;
    if (v > (uint64_t)INT64_MAX)
        st->seen_uint = 1;
    *out = v;
    return NUM_OK;
}

/* pandas precise_xstrtod (decimal '.', sci 'e'/'E', no thousands separator, trailing
 * whitespace skipped). Returns 0 with *end past the number, -1 without digits, or -2 with
 * *end past the number when its value is out of range (pandas' ERANGE for both). The
 * exponent is accumulated in 64 bits where pandas uses int; both agree for every exponent
 * of at most 9 digits. */
static int precise_xstrtod(const char *str, const char **end, double *out)
{
    static const double e[] = {
        1.,    1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,
        1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21,  1e22,  1e23,
        1e24,  1e25,  1e26,  1e27,  1e28,  1e29,  1e30,  1e31,  1e32,  1e33,  1e34,  1e35,
        1e36,  1e37,  1e38,  1e39,  1e40,  1e41,  1e42,  1e43,  1e44,  1e45,  1e46,  1e47,
        1e48,  1e49,  1e50,  1e51,  1e52,  1e53,  1e54,  1e55,  1e56,  1e57,  1e58,  1e59,
        1e60,  1e61,  1e62,  1e63,  1e64,  1e65,  1e66,  1e67,  1e68,  1e69,  1e70,  1e71,
        1e72,  1e73,  1e74,  1e75,  1e76,  1e77,  1e78,  1e79,  1e80,  1e81,  1e82,  1e83,
        1e84,  1e85,  1e86,  1e87,  1e88,  1e89,  1e90,  1e91,  1e92,  1e93,  1e94,  1e95,
        1e96,  1e97,  1e98,  1e99,  1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107,
        1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
        1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131,
        1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143,
        1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
        1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167,
        1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
        1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191,
        1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203,
        1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215,
        1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
        1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
        1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251,
        1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263,
        1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275,
        1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287,
        1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
        1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308};
    const int max_digits = 17;
    const char *p = str;
    double number = 0.;
    int64_t exponent = 0;
    int negative = 0, num_digits = 0, num_decimals = 0;

    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        negative = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    for (; isdigit_ascii((unsigned char)*p); p++) {
        if (num_digits < max_digits) {
            number = number * 10. + (*p - '0');
            num_digits++;
        } else {
            exponent++;
        }
    }
    if (*p == '.') {
        p++;
        while (num_digits < max_digits && isdigit_ascii((unsigned char)*p)) {
            number = number * 10. + (*p - '0');
            p++;
            num_digits++;
            num_decimals++;
        }
        if (num_digits >= max_digits)
            while (isdigit_ascii((unsigned char)*p))
                p++;
        exponent -= num_decimals;
    }
    if (num_digits == 0)
        return -1;
    if (negative)
        number = -number;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, edigits = 0;
        int64_t n = 0;
        p++;
        if (*p == '-') {
            eneg = 1;
            p++;
        } else if (*p == '+') {
            p++;
        }
        while (edigits < max_digits && isdigit_ascii((unsigned char)*p)) {
            n = n * 10 + (*p - '0');
            edigits++;
            p++;
        }
        exponent += eneg ? -n : n;
        if (edigits == 0) /* no digits after the 'e': un-consume it (a sign stays eaten) */
            p--;
    }
    int range = 0;
    if (exponent > 308)
        range = 1;
    else if (exponent > 0)
        number *= e[exponent];
    else if (exponent < -308) {
        if (exponent < -616) {
            number = 0.;
        } else {
            number /= e[-308 - exponent];
            number /= e[308];
        }
    } else {
        number /= e[-exponent];
    }
    range |= number == HUGE_VAL || number == -HUGE_VAL;
    while (isspace_ascii((unsigned char)*p))
        p++;
    *end = p;
    if (range)
        return -2;
    *out = number;
    return 0;
}

/* pandas _try_double for one word: precise_xstrtod over the whole word, else the spellings
 * of infinity (whole word, ASCII case-insensitive, no surrounding space). 1 for a number,
 * 0 for none, -1 for a number beyond the range of a double ("1e999", "0e400"). */
int data__parse_float(const char *w, double *out)
{
    const char *end = w;
    int r = precise_xstrtod(w, &end, out);
    if (r != -1 && end != w && !*end)
        return r == 0 ? 1 : -1;
    if (equal_nocase(w, "inf") || equal_nocase(w, "+inf") || equal_nocase(w, "Infinity") ||
        equal_nocase(w, "+Infinity")) {
        *out = INFINITY;
        return 1;
    }
    if (equal_nocase(w, "-inf") || equal_nocase(w, "-Infinity")) {
        *out = -INFINITY;
        return 1;
    }
    return 0;
}

/* 1 true, 0 false, -1 neither: pandas' true_values/false_values plus its to_boolean, which
 * compares "TRUE"/"FALSE" case-insensitively, so "tRuE" is true. */
int data__parse_bool(const char *w)
{
    if (equal_nocase(w, "true"))
        return 1;
    if (equal_nocase(w, "false"))
        return 0;
    return -1;
}

/* Shared with tabular.c (a table built elsewhere may hold numbers as text): the value of a
 * word the way a numeric column would read it (int64, then float), or a true/false word as
 * 1/0. Returns 1 when it is one. */
int data__parse_number(const char *w, double *out)
{
    int64_t i;
    if (data__parse_int64(w, &i) == NUM_OK) {
        *out = (double)i;
        return 1;
    }
    if (data__parse_float(w, out) > 0)
        return 1;
    int b = data__parse_bool(w);
    if (b >= 0) {
        *out = b;
        return 1;
    }
    return 0;
}

/* pandas 1.5 STR_NA_VALUES, exactly: "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN",
 * "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan",
 * "null"; dispatched on the length since every word of the file comes through here. */
int data__is_na(const char *w, size_t len)
{
#define IS(s) (memcmp(w, s, len) == 0)
    switch (len) {
    case 0:
        return 1;
    case 2:
        return IS("NA");
    case 3:
        return IS("#NA") || IS("N/A") || IS("NaN") || IS("n/a") || IS("nan");
    case 4:
        return IS("#N/A") || IS("-NaN") || IS("-nan") || IS("<NA>") || IS("NULL") || IS("null");
    case 6:
        return IS("1.#IND");
    case 7:
        return IS("-1.#IND") || IS("1.#QNAN");
    case 8:
        return IS("#N/A N/A") || IS("-1.#QNAN");
    default:
        return 0;
    }
#undef IS
}
