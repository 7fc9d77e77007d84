/*
 * nexmark.c - the Nexmark generator: people, auctions and bids, each event
 * a function of the seed and its number (nexmark.h).
 *
 * The model follows the nexmark/nexmark generator (GeneratorConfig,
 * PersonGenerator, AuctionGenerator, BidGenerator): ids from 1000; a
 * seller is the latest "hot" seller 3 times in 4, a bidder the latest hot
 * bidder 3 times in 4, a bid's auction the latest hot auction 1 time in 2,
 * and otherwise a recent one (or one a few ids ahead, as there);
 * prices round(10^(6u) * 100); an auction expires within twice the time
 * 100 auctions take to be created; `extra` pads each event to Nexmark's
 * average size (person 200 B, auction 500 B, bid 100 B) +-20%.  Where
 * Nexmark draws from java.util.Random seeded by the event id, this draws
 * from splitmix64 seeded by (seed, n): the same model, not the same bytes.
 */
#include "nexmark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <immintrin.h>
#define NX_AVX512 1
#endif

#include "pack.h"

#define PROP_PERSON 1
#define PROP_AUCTION 3
#define PROP_TOTAL 50
#define IN_FLIGHT_AUCTIONS 100
#define ACTIVE_PEOPLE 1000
#define PERSON_ID_LEAD 10
#define AUCTION_ID_LEAD 10
#define HOT_RATIO 100		/* hot ids are multiples of this */
#define HOT_AUCTION_ODDS 2	/* 1 - 1/2 of bids are on the hot auction */
#define HOT_SELLER_ODDS 4	/* 1 - 1/4 of auctions by the hot seller */
#define HOT_BIDDER_ODDS 4
#define CATEGORIES 5
#define FIRST_CATEGORY 10
#define CHANNELS 10000
#define SIZE_PERSON 200
#define SIZE_AUCTION 500
#define SIZE_BID 100

static const char *const first_names[] = { "Peter", "Paul", "Luke", "John",
	"Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter" };
static const char *const last_names[] = { "Shultz", "Abrams", "Spencer",
	"White", "Bartels", "Walton", "Smith", "Jones", "Noris" };
static const char *const cities[] = { "Phoenix", "Los Angeles",
	"San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle",
	"Kent", "Cheyenne" };
static const char *const states[] = { "AZ", "CA", "ID", "OR", "WA", "WY" };
static const char *const hot_channels[] = { "Google", "Facebook", "Baidu",
	"Apple" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct { uint64_t s; } rng;

static uint64_t
rnext(rng *r)
{
	return weir_splitmix64(&r->s);
}

static void
rseed(rng *r, uint64_t seed, uint64_t n, uint64_t salt)
{
	r->s = seed * 0xd1b54a32d192ed03ULL ^ n * 0x8cb92ba72f3d8dd7ULL ^ salt;
	(void)rnext(r);
}

/* The k-th draw from now, leaving the stream as it is. */
static uint64_t
rpeek(const rng *r, uint64_t k)
{
	return weir_splitmix64_mix(r->s + k * WEIR_SPLITMIX_STEP);
}

/* Uniform in [0, k), k >= 1, from a draw. */
static uint64_t
below(uint64_t draw, uint64_t k)
{
	return (uint64_t)(((unsigned __int128)draw * k) >> 64);
}

static uint64_t
rbelow(rng *r, uint64_t k)
{
	return below(rnext(r), k);
}

/* c ? a : b for c 0 or 1, without a branch (for choices that are coin
 * tosses, which no branch predictor guesses) */
static int64_t
pick(uint64_t c, int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)b ^ (((uint64_t)a ^ (uint64_t)b) & -c));
}

int
weir_nx_kind(uint64_t n)
{
	uint64_t off = n % PROP_TOTAL;

	return off < PROP_PERSON ? WEIR_NX_PERSON :
	    off < PROP_PERSON + PROP_AUCTION ? WEIR_NX_AUCTION : WEIR_NX_BID;
}

int64_t
weir_nx_time(int64_t start, uint64_t tps, uint64_t n)
{
	if (n <= UINT64_MAX / 1000)	/* no 128-bit division */
		return start + (int64_t)(n * 1000 / tps);
	return start + (int64_t)((unsigned __int128)n * 1000 / tps);
}

/*
 * The same for the events one after another, without a division: n * 1000
 * / tps as a quotient and remainder, stepped by 1000 / tps and 1000 % tps
 * from event n - 1's (modulo 2^64, as weir_nx_time's conversion).
 */
static struct {
	uint64_t tps, n, q, rem, dq, drem;
	int ok;
} tm;

static int64_t
event_time(int64_t start, uint64_t tps, uint64_t n)
{
	uint64_t c;

	if (tm.ok && tm.tps == tps && tm.n + 1 == n) {
		tm.q += tm.dq;
		tm.rem += tm.drem;
		c = tm.rem >= tps;
		tm.q += c;
		tm.rem -= tps & -c;
	} else {
		unsigned __int128 v = (unsigned __int128)n * 1000;
		tm.q = (uint64_t)(v / tps);
		tm.rem = (uint64_t)(v % tps);
		tm.dq = 1000 / tps;
		tm.drem = 1000 % tps;
		tm.tps = tps;
		tm.ok = tps <= UINT32_MAX;	/* rem + drem does not wrap */
	}
	tm.n = n;
	return start + (int64_t)tm.q;
}

/* base-0 ids: the last person / auction created at or before event n */
static int64_t
last_person0(uint64_t n)
{
	return (int64_t)(n / PROP_TOTAL);
}

static int64_t
last_auction0(uint64_t n)
{
	int64_t epoch = (int64_t)(n / PROP_TOTAL);
	int64_t off = (int64_t)(n % PROP_TOTAL);

	if (off < PROP_PERSON) {
		epoch--;
		off = PROP_AUCTION - 1;
	} else if (off >= PROP_PERSON + PROP_AUCTION)
		off = PROP_AUCTION - 1;
	else
		off -= PROP_PERSON;
	return epoch * PROP_AUCTION + off;
}

int64_t
weir_nx_last_person(uint64_t n)
{
	return last_person0(n) + WEIR_NX_FIRST_ID;
}

int64_t
weir_nx_last_auction(uint64_t n)
{
	return last_auction0(n) + WEIR_NX_FIRST_ID;
}

/* A recent person, or one of the next few to come, from a draw (last:
 * last_person0). */
static int64_t
some_person0(uint64_t draw, int64_t last)
{
	int64_t people = last + 1;
	int64_t active = people < ACTIVE_PEOPLE ? people : ACTIVE_PEOPLE;

	return people - active + (int64_t)below(draw,
	    (uint64_t)(active + PERSON_ID_LEAD));
}

/* One of the auctions in flight, or of the next few to come, from a draw
 * (last: last_auction0). */
static int64_t
some_auction0(uint64_t draw, int64_t last)
{
	int64_t lo = last - IN_FLIGHT_AUCTIONS > 0 ? last - IN_FLIGHT_AUCTIONS :
	    0;

	return lo + (int64_t)below(draw, (uint64_t)(last - lo + 1 +
	    AUCTION_ID_LEAD));
}

/*
 * round(10^x * 100) for x = 6u, exactly as llround(pow(10, x) * 100)
 * gives it, faster: 10^x * 100 is 10^(j/256) * 100 (a table made with
 * pow) times 10^d, d = x - j/256 in [0, 1/256], from its Taylor series to
 * d^5, evaluated as (1 + c0 d) + d^2 ((c1 + c2 d) + d^2 (c3 + c4 d)) to
 * keep the chain of dependent operations short (relative error under
 * 1e-15 with the roundings).  Only when that is within 1e-12 of a
 * half-integer, where the two could round apart, is pow called.
 *
 * j is (3k) >> 44 for the draw's top 53 bits k: the floor of x * 256 but
 * for x's rounding, so d may reach 1/256 (plus an ulp); x - j/256 is exact
 * (x is within a factor 2 of j/256, or j is 0).
 */
#define POW_STEPS 256
static double pow10_steps[6 * POW_STEPS + 1];	/* pow(10, j/256) * 100 */

static inline int64_t
price_of(uint64_t draw)
{
	/* (ln 10)^k / k! */
	static const double c[] = { 2.302585092994046, 2.650949055239199,
		2.034678592293476, 1.171255148912267, 0.5393829291955814 };
	uint64_t k = draw >> 11;
	/* u * 6 rounded once, as (draw >> 11) * 0x1.0p-53 * 6.0 */
	double x = (double)k * 0x3.0p-52, d, d2, y, lo, hi;
	size_t j = (size_t)((k * 3) >> 44);

	d = x - (double)j * (1.0 / POW_STEPS);
	d2 = d * d;
	y = pow10_steps[j] * ((1 + c[0] * d) + d2 * ((c[1] + c[2] * d) +
	    d2 * (c[3] + c[4] * d)));
	lo = y * (1 - 1e-12) + 0.5;
	hi = y * (1 + 1e-12) + 0.5;
	if ((int64_t)lo == (int64_t)hi)
		return (int64_t)lo;
	return llround(pow(10.0, x) * 100.0);
}

static void
price_init(void)
{
	int j;

	if (pow10_steps[0] != 0)
		return;
	for (j = 6 * POW_STEPS; j >= 0; j--)	/* [0] last: made */
		pow10_steps[j] = pow(10.0, (double)j / POW_STEPS) * 100.0;
}

int64_t
weir_nx_price(uint64_t draw)
{
	price_init();
	return price_of(draw);
}

/*
 * n random characters: lower-case letters and blanks, or letters only.
 * Each draw gives 8 characters, its lowest byte first: a byte b is the
 * letter 'a' + b % 26, or (with blanks) a blank when b >= 234: 9 of each
 * letter and 22 blanks in 256 (about one in 12, as Nexmark's one in 13).
 * The draws are stored whole, two at a time, so this writes up to 15
 * bytes past s + n (the caller has room there); the stream moves on by
 * the draws the n characters take.
 */
#define BLANK_FROM (9 * 26)

#ifdef __SSE2__
/* 8 bytes (16-bit lanes) to characters: bytes above top are blanks; b / 26
 * is (b * 2521) >> 16 for every byte b. */
static inline __m128i
letters8(__m128i b, __m128i top)
{
	__m128i q = _mm_mulhi_epu16(b, _mm_set1_epi16(2521));
	__m128i c = _mm_add_epi16(_mm_sub_epi16(b, _mm_mullo_epi16(q,
	    _mm_set1_epi16(26))), _mm_set1_epi16('a'));
	__m128i bl = _mm_cmpgt_epi16(b, top);

	return _mm_or_si128(_mm_andnot_si128(bl, c), _mm_and_si128(bl,
	    _mm_set1_epi16(' ')));
}
#endif

#ifdef NX_AVX512
/*
 * With AVX-512 (F, BW, DQ; chosen at run time): 8 draws at a time, the
 * splitmix64 of 8 successive states in one register, made into 64
 * characters; the last block is stored under a mask (nothing past s + n).
 * The same bytes as the draws one by one.
 */
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512dq")))

static int nx_avx512 = -1;	/* -1: not asked the CPU yet */

AVX512 static void
chars512(uint64_t st, uint8_t *s, size_t n, unsigned top)
{
	const __m512i step = _mm512_set1_epi64((long long)(8 *
	    WEIR_SPLITMIX_STEP)), zero = _mm512_setzero_si512(),
	    t = _mm512_set1_epi16((short)top), blank = _mm512_set1_epi16(' '),
	    m26 = _mm512_set1_epi16(26), a = _mm512_set1_epi16('a'),
	    inv26 = _mm512_set1_epi16(2521);
	__m512i z = _mm512_add_epi64(_mm512_set1_epi64((long long)st),
	    _mm512_set_epi64((long long)(8 * WEIR_SPLITMIX_STEP), (long long)(7 *
	    WEIR_SPLITMIX_STEP), (long long)(6 * WEIR_SPLITMIX_STEP),
	    (long long)(5 * WEIR_SPLITMIX_STEP), (long long)(4 *
	    WEIR_SPLITMIX_STEP), (long long)(3 * WEIR_SPLITMIX_STEP),
	    (long long)(2 * WEIR_SPLITMIX_STEP), (long long)WEIR_SPLITMIX_STEP));
	__m512i x, lo, hi, q;
	__mmask64 k;
	size_t i;

	for (i = 0; i < n; i += 64) {
		x = _mm512_xor_si512(z, _mm512_srli_epi64(z, 30));
		x = _mm512_mullo_epi64(x, _mm512_set1_epi64(
		    (long long)0xbf58476d1ce4e5b9ULL));
		x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
		x = _mm512_mullo_epi64(x, _mm512_set1_epi64(
		    (long long)0x94d049bb133111ebULL));
		x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
		/* bytes to 16-bit lanes and back: both within 128-bit
		 * lanes, so the order is kept */
		lo = _mm512_unpacklo_epi8(x, zero);
		hi = _mm512_unpackhi_epi8(x, zero);
		q = _mm512_mulhi_epu16(lo, inv26);
		lo = _mm512_mask_mov_epi16(_mm512_add_epi16(_mm512_sub_epi16(lo,
		    _mm512_mullo_epi16(q, m26)), a), _mm512_cmpgt_epu16_mask(lo,
		    t), blank);
		q = _mm512_mulhi_epu16(hi, inv26);
		hi = _mm512_mask_mov_epi16(_mm512_add_epi16(_mm512_sub_epi16(hi,
		    _mm512_mullo_epi16(q, m26)), a), _mm512_cmpgt_epu16_mask(hi,
		    t), blank);
		k = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
		_mm512_mask_storeu_epi8(s + i, k, _mm512_packus_epi16(lo, hi));
		z = _mm512_add_epi64(z, step);
	}
}
#endif

void
weir_nx_simd(int on)
{
#ifdef NX_AVX512
	nx_avx512 = on ? -1 : 0;
#else
	(void)on;
#endif
}

static void
chars(rng *r, uint8_t *s, size_t n, int letters)
{
	unsigned top = letters ? 255 : BLANK_FROM - 1;
	size_t i = 0, m = (n + 7) & ~(size_t)7;

#ifdef NX_AVX512
	if (nx_avx512 < 0)
		nx_avx512 = __builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("avx512bw") &&
		    __builtin_cpu_supports("avx512dq");
	if (nx_avx512) {
		chars512(r->s, s, n, top);
		r->s += m / 8 * WEIR_SPLITMIX_STEP;
		return;
	}
#endif
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* two draws at a time, in registers (a load of two 8-byte
		 * stores would miss the store forwarding); the last pair's
		 * second may be one more than the n take (no branch on it) */
		const __m128i z = _mm_setzero_si128(), t = _mm_set1_epi16(
		    (short)top);
		__m128i v;
		uint64_t st = r->s, w0, w1;

		for (; i < m; i += 16) {
			w0 = weir_splitmix64_mix(st += WEIR_SPLITMIX_STEP);
			w1 = weir_splitmix64_mix(st += WEIR_SPLITMIX_STEP);
			v = _mm_set_epi64x((long long)w1, (long long)w0);
			_mm_storeu_si128((__m128i *)(s + i), _mm_packus_epi16(
			    letters8(_mm_unpacklo_epi8(v, z), t),
			    letters8(_mm_unpackhi_epi8(v, z), t)));
		}
		r->s += m / 8 * WEIR_SPLITMIX_STEP;
		return;
	}
#endif
	for (; i < m; i += 8) {
		uint64_t w = rnext(r);
		size_t j;
		for (j = 0; j < 8; j++, w >>= 8)
			s[i + j] = (w & 0xff) > top ? ' ' :
			    (uint8_t)('a' + (w & 0xff) % 26);
	}
}

/*
 * The event is written straight into the output buffer: room for the
 * largest one is reserved once, and every string is plain ASCII (letters,
 * blanks, digits, the url's punctuation), which packs as itself: a short
 * string's tag is WEIR_PK_SSTR | length, a longer one's WEIR_PK_STR and a
 * varint length (pack.h).  The bytes are those weir_pack_str and
 * weir_pack_int write.
 */
#define EVENT_MAX 2048
#define HOT_CHANNEL_MAX 96	/* a hot channel's packed fields, and more */

static uint8_t *
put_tag(uint8_t *o, size_t n)
{
	if (n < 32)
		*o++ = (uint8_t)(WEIR_PK_SSTR | n);
	else {
		*o++ = WEIR_PK_STR;
		o = weir_varint_enc(o, n);
	}
	return o;
}

static uint8_t *
put_str(uint8_t *o, const char *s, size_t n)
{
	o = put_tag(o, n);
	memcpy(o, s, n);
	return o + n;
}

/* a key: a string constant */
#define KEY(o, k) put_str((o), (k), sizeof(k) - 1)

static uint8_t *
put_int(uint8_t *o, int64_t v)
{
	*o++ = WEIR_PK_INT;
	return weir_varint_enc(o, weir_zz_enc(v));
}

/*
 * An int below 2^27 (a price), without a branch on its length: a price's
 * varint is 2 to 4 bytes at random, which no branch predictor guesses.
 * Writes 4 bytes.
 */
static uint8_t *
put_int27(uint8_t *o, int64_t v)
{
	uint32_t z = (uint32_t)weir_zz_enc(v);
	unsigned len = 1 + (z >= 1u << 7) + (z >= 1u << 14) + (z >= 1u << 21);
	uint32_t w = (z & 0x7f) | (z << 1 & 0x7f00) | (z << 2 & 0x7f0000) |
	    (z << 3 & 0x7f000000);

	w |= 0x808080u & ((1u << 8 * (len - 1)) - 1);	/* continued */
	o[0] = WEIR_PK_INT;
	o[1] = (uint8_t)w;
	o[2] = (uint8_t)(w >> 8);
	o[3] = (uint8_t)(w >> 16);
	o[4] = (uint8_t)(w >> 24);
	return o + 1 + len;
}

/* A string of 3 to max-1 random characters, packed. */
static uint8_t *
put_rstring(uint8_t *o, rng *r, size_t max, size_t *len)
{
	size_t n = 3 + (size_t)rbelow(r, max - 3);

	o = put_tag(o, n);
	chars(r, o, n, 0);
	*len = n;
	return o + n;
}

/* `extra`: pads an event of size have to about avg bytes (+-20% of the
 * padding, so up to 1.2 * avg). */
static uint8_t *
extra(uint8_t *o, rng *r, size_t have, size_t avg)
{
	size_t want, delta, n;

	o = KEY(o, "extra");
	if (have >= avg)
		return put_tag(o, 0);
	want = avg - have;
	delta = (want + 2) / 5;	/* llround(want * 0.2): never a tie */
	n = want - delta + (delta ? (size_t)rbelow(r, 2 * delta) : 0);
	o = put_tag(o, n);
	chars(r, o, n, 0);
	return o + n;
}

/* Digits of v, to s; returns their count. */
static size_t
utoa(char *s, uint32_t v)
{
	char t[10];
	size_t n = 0, i;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		s[i] = t[n - 1 - i];
	return n;
}

static uint8_t *
person(uint8_t *o, rng *r, uint64_t n, int64_t t)
{
	const char *fn = first_names[rbelow(r, NELEM(first_names))];
	const char *ln = last_names[rbelow(r, NELEM(last_names))];
	const char *city = cities[rbelow(r, NELEM(cities))];
	const char *st = states[rbelow(r, NELEM(states))];
	size_t fl = strlen(fn), ll = strlen(ln), el, k, i, j;
	uint8_t *e;

	o = KEY(o, "id");
	o = put_int(o, last_person0(n) + WEIR_NX_FIRST_ID);
	o = KEY(o, "name");
	o = put_tag(o, fl + 1 + ll);
	memcpy(o, fn, fl);
	o[fl] = ' ';
	memcpy(o + fl + 1, ln, ll);
	o += fl + 1 + ll;
	/* the address: 3-6 characters, '@', 3-4, ".com" (under 32) */
	o = KEY(o, "emailAddress");
	e = o++;
	el = 3 + (size_t)rbelow(r, 7 - 3);
	chars(r, o, el, 0);
	o[el++] = '@';
	k = 3 + (size_t)rbelow(r, 5 - 3);
	chars(r, o + el, k, 0);
	el += k;
	memcpy(o + el, ".com", 4);
	el += 4;
	*e = (uint8_t)(WEIR_PK_SSTR | el);
	o += el;
	o = KEY(o, "creditCard");
	*o++ = (uint8_t)(WEIR_PK_SSTR | 19);
	for (i = 0; i < 4; i++) {
		unsigned v = (unsigned)rbelow(r, 10000);
		for (j = 4; j-- > 0; v /= 10)
			o[i * 5 + j] = (uint8_t)('0' + v % 10);
		if (i < 3)
			o[i * 5 + 4] = ' ';
	}
	o += 19;
	o = KEY(o, "city");
	o = put_str(o, city, strlen(city));
	o = KEY(o, "state");
	o = put_str(o, st, strlen(st));
	o = KEY(o, "dateTime");
	o = put_int(o, t);
	return extra(o, r, 8 + fl + 1 + ll + el + 19 + strlen(city) +
	    strlen(st), SIZE_PERSON);
}

static uint8_t *
auction(uint8_t *o, rng *r, uint64_t n, int64_t t, int64_t start,
    uint64_t tps)
{
	size_t il, dl;
	int64_t seller, initial, reserve, horizon, expires;

	if (rbelow(r, HOT_SELLER_ODDS) > 0)
		seller = last_person0(n) / HOT_RATIO * HOT_RATIO;
	else
		seller = some_person0(rnext(r), last_person0(n));
	initial = price_of(rnext(r));
	reserve = initial + price_of(rnext(r));
	/* within twice the time the next IN_FLIGHT_AUCTIONS auctions take */
	horizon = weir_nx_time(start, tps, n + IN_FLIGHT_AUCTIONS * PROP_TOTAL /
	    PROP_AUCTION) - t;
	expires = t + 1 + (int64_t)rbelow(r, (uint64_t)(horizon * 2 > 1 ?
	    horizon * 2 : 1));
	o = KEY(o, "id");
	o = put_int(o, last_auction0(n) + WEIR_NX_FIRST_ID);
	o = KEY(o, "itemName");
	o = put_rstring(o, r, 20, &il);
	o = KEY(o, "description");
	o = put_rstring(o, r, 100, &dl);
	o = KEY(o, "initialBid");
	o = put_int(o, initial);
	o = KEY(o, "reserve");
	o = put_int(o, reserve);
	o = KEY(o, "dateTime");
	o = put_int(o, t);
	o = KEY(o, "expires");
	o = put_int(o, expires);
	o = KEY(o, "seller");
	o = put_int(o, seller + WEIR_NX_FIRST_ID);
	o = KEY(o, "category");
	o = put_int(o, FIRST_CATEGORY + (int64_t)rbelow(r, CATEGORIES));
	return extra(o, r, 8 + il + dl + 5 * 8, SIZE_AUCTION);
}

static const char url_base[] = "https://www.nexmark.com/";
static const char url_item[] = "item.htm?query=1&channel_id=";
#define URL_ITEM_HOT 16	/* a hot channel's url has no &channel_id= */

/* The 3 random segments of a channel's url, each with its '/' (up to 18
 * bytes, to s; up to 7 more are written): the same for the same channel
 * and seed. */
static size_t
url_path(char *s, uint64_t seed, uint64_t channel, int hot)
{
	size_t n = 0, k;
	rng r;
	int i;

	rseed(&r, seed, channel, hot ? 0x686f74 : 0x75726c);
	for (i = 0; i < 3; i++) {
		k = 3 + (size_t)rbelow(&r, 6 - 3);
		chars(&r, (uint8_t *)s + n, k, 1);
		n += k;
		s[n++] = '/';
	}
	return n;
}

/* The channel_id of a channel's url (up to 10 digits, to s): its 32 bits
 * reversed, halved. */
static size_t
channel_id(char *s, uint64_t channel)
{
	uint32_t v = (uint32_t)channel, rev = 0;
	int b;

	for (b = 0; b < 32; b++, v >>= 1)
		rev = rev << 1 | (v & 1);
	return utoa(s, rev >> 1);
}

/* A channel's url. */
static size_t
url(char *s, uint64_t seed, uint64_t channel, int hot)
{
	size_t n = sizeof(url_base) - 1;

	memcpy(s, url_base, n);
	n += url_path(s + n, seed, channel, hot);
	if (hot) {
		memcpy(s + n, url_item, URL_ITEM_HOT);
		return n + URL_ITEM_HOT;
	}
	memcpy(s + n, url_item, sizeof(url_item) - 1);
	n += sizeof(url_item) - 1;
	return n + channel_id(s + n, channel);
}

/* A bid's channel and url fields, packed: a function of the seed and the
 * channel. */
static uint8_t *
make_channel(uint8_t *o, uint64_t seed, uint64_t c, int hot)
{
	char ch[32], u[96];
	size_t cl;

	if (hot) {
		cl = strlen(hot_channels[c]);
		memcpy(ch, hot_channels[c], cl);
	} else {
		memcpy(ch, "channel-", 8);
		cl = 8 + utoa(ch + 8, (uint32_t)c);
	}
	o = KEY(o, "channel");
	o = put_str(o, ch, cl);
	o = KEY(o, "url");
	return put_str(o, u, url(u, seed, c, hot));
}

/*
 * The channels, made once per seed: the hot ones' packed fields, and the
 * others' url segments and channel_id, each on first use, in 32 bytes (a
 * table of 320 KB, which stays in a cache better than all their packed
 * fields would).
 */
typedef struct {
	uint8_t plen, dlen;	/* plen 0: not made yet */
	char path[18], id[10], pad[2];
} chslot;

static struct {
	uint64_t seed;
	int made;
	chslot *s;		/* NULL: no table (no memory), made each time */
	uint8_t hot_len[NELEM(hot_channels)];
	uint8_t hot[NELEM(hot_channels)][HOT_CHANNEL_MAX];
} chan;

/* The channel table for the seed, made (empty) on its first event. */
static void
channels_for(uint64_t seed)
{
	size_t i;

	if (chan.made && chan.seed == seed)
		return;
	free(chan.s);
	chan.s = calloc(CHANNELS, sizeof(*chan.s));
	for (i = 0; i < NELEM(hot_channels); i++)
		chan.hot_len[i] = (uint8_t)(make_channel(chan.hot[i], seed, i,
		    1) - chan.hot[i]);
	chan.seed = seed;
	chan.made = 1;
}

/* The digits of v < 10000, to o (4 bytes written); their count. */
static size_t
digits4(uint8_t *o, unsigned v)
{
	unsigned hi = v / 100, lo = v % 100;
	size_t n = 1 + (v >= 10) + (v >= 100) + (v >= 1000);
	/* the 4 digits, the first the lowest byte, leading zeros shifted
	 * out (the bytes written past the n are written over later) */
	uint32_t w = (uint32_t)('0' + hi / 10) | (uint32_t)('0' + hi % 10) << 8 |
	    (uint32_t)('0' + lo / 10) << 16 | (uint32_t)('0' + lo % 10) << 24;

	w >>= 8 * (4 - n);
	o[0] = (uint8_t)w;
	o[1] = (uint8_t)(w >> 8);
	o[2] = (uint8_t)(w >> 16);
	o[3] = (uint8_t)(w >> 24);
	return n;
}

/* The fields channel and url of channel c (hot: one of hot_channels). */
static uint8_t *
put_channel(uint8_t *o, uint64_t seed, uint64_t c, int is_hot)
{
	char t[32];
	chslot *s;
	size_t cl;

	if (is_hot) {
		memcpy(o, chan.hot[c], HOT_CHANNEL_MAX);
		return o + chan.hot_len[c];
	}
	if (!chan.s)
		return make_channel(o, seed, c, 0);
	s = &chan.s[c];
	if (!s->plen) {
		s->plen = (uint8_t)url_path(t, seed, c, 0);
		memcpy(s->path, t, s->plen);
		s->dlen = (uint8_t)channel_id(s->id, c);
	}
	/* as make_channel writes them: "channel-N" is under 32 bytes, the
	 * url 32 to 127 */
	o = KEY(o, "channel");
	memcpy(o + 1, "channel-", 8);
	cl = 8 + digits4(o + 9, (unsigned)c);
	*o = (uint8_t)(WEIR_PK_SSTR | cl);
	o += 1 + cl;
	o = KEY(o, "url");
	*o++ = WEIR_PK_STR;
	*o++ = (uint8_t)(sizeof(url_base) - 1 + s->plen + sizeof(url_item) -
	    1 + s->dlen);
	memcpy(o, url_base, sizeof(url_base) - 1);
	o += sizeof(url_base) - 1;
	memcpy(o, s->path, sizeof(s->path));
	o += s->plen;
	memcpy(o, url_item, sizeof(url_item) - 1);
	o += sizeof(url_item) - 1;
	memcpy(o, s->id, sizeof(s->id));
	return o + s->dlen;
}

/*
 * A bid's draws, in order: hot auction or not, (if not) which auction, hot
 * bidder or not, (if not) which bidder, the price, hot channel or not,
 * which channel, then the extra.  The coin tosses choose without branches
 * (a draw is made either way and the stream moves on by one or two).
 *
 * The next event's, when it is a bid, are worked out as soon as an event
 * is written (the plan), and its channel's table entry fetched: the
 * price's long chain of dependent operations and the cache miss then
 * overlap with the writing of this event's frame instead of holding up
 * the next one's bytes.
 */
static struct {
	uint64_t seed, n, s;	/* s: the stream after the channel's draw */
	int ok;
	int64_t a, b, price;
	uint64_t c, hotc;
} plan;

static void
plan_bid(uint64_t seed, uint64_t n)
{
	int64_t la = last_auction0(n), lp = last_person0(n), p;
	uint64_t hot, hotc, c;
	rng r;

	rseed(&r, seed, n, 0);
	hot = below(rnext(&r), HOT_AUCTION_ODDS) > 0;
	plan.a = pick(hot, la / HOT_RATIO * HOT_RATIO, some_auction0(rpeek(&r,
	    1), la));
	r.s += WEIR_SPLITMIX_STEP & (hot - 1);
	hot = below(rnext(&r), HOT_BIDDER_ODDS) > 0;
	plan.b = pick(hot, lp / HOT_RATIO * HOT_RATIO + 1, some_person0(
	    rpeek(&r, 1), lp));
	r.s += WEIR_SPLITMIX_STEP & (hot - 1);
	p = (int64_t)rnext(&r);	/* the price's draw */
	hotc = below(rnext(&r), 2);
	c = below(rnext(&r), hotc ? NELEM(hot_channels) : CHANNELS);
	if (chan.s)
		__builtin_prefetch(&chan.s[c]);
	plan.price = price_of((uint64_t)p);
	plan.c = c;
	plan.hotc = hotc;
	plan.s = r.s;
	plan.seed = seed;
	plan.n = n;
	plan.ok = 1;
}

static uint8_t *
bid(uint8_t *o, rng *r, uint64_t seed, uint64_t n, int64_t t)
{
	if (!plan.ok || plan.n != n || plan.seed != seed)
		plan_bid(seed, n);
	plan.ok = 0;
	r->s = plan.s;
	o = KEY(o, "auction");
	o = put_int(o, plan.a + WEIR_NX_FIRST_ID);
	o = KEY(o, "bidder");
	o = put_int(o, plan.b + WEIR_NX_FIRST_ID);
	o = KEY(o, "price");
	o = put_int27(o, plan.price);
	o = put_channel(o, seed, plan.c, (int)plan.hotc);
	o = KEY(o, "dateTime");
	o = put_int(o, t);
	return extra(o, r, 4 * 8, SIZE_BID);
}

/*
 * The object's length is written as two bytes (an event's is 128 bytes or
 * more, and under EVENT_MAX < 2^14), where weir_pack_open and _close
 * would move the object.
 */
int
weir_nx_event(uint64_t seed, int64_t start, uint64_t tps, uint64_t n,
    weir_buf *out, int64_t *ts)
{
	int64_t t = event_time(start, tps, n);
	int kind = weir_nx_kind(n);
	uint8_t *o, *body;
	size_t len;
	rng r;

	if (weir_buf_reserve(out, EVENT_MAX) < 0)
		return -1;
	price_init();
	channels_for(seed);
	rseed(&r, seed, n, 0);
	o = out->p + out->len;
	*o = WEIR_PK_OBJ;
	body = o + 3;
	o = KEY(body, "event_type");
	o = put_int(o, kind);
	if (kind == WEIR_NX_PERSON)
		o = person(o, &r, n, t);
	else if (kind == WEIR_NX_AUCTION)
		o = auction(o, &r, n, t, start, tps);
	else
		o = bid(o, &r, seed, n, t);
	len = (size_t)(o - body);
	if (len >= 0x80) {
		body[-2] = (uint8_t)(len | 0x80);
		body[-1] = (uint8_t)(len >> 7);
	} else {	/* not so: one byte, as weir_pack_close */
		body[-2] = (uint8_t)len;
		memmove(body - 1, body, len);
		o--;
	}
	out->len = (size_t)(o - out->p);
	*ts = t;
	if (weir_nx_kind(n + 1) == WEIR_NX_BID)
		plan_bid(seed, n + 1);
	return 0;
}
