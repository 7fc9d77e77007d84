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
#include <stdio.h>

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

/* Uniform in [0, k), k >= 1. */
static uint64_t
rbelow(rng *r, uint64_t k)
{
	return (uint64_t)(((unsigned __int128)rnext(r) * k) >> 64);
}

static double
runit(rng *r)
{
	return (double)(rnext(r) >> 11) * 0x1.0p-53;
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
	return start + (int64_t)((unsigned __int128)n * 1000 / tps);
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

/* A recent person, or one of the next few to come. */
static int64_t
some_person0(rng *r, uint64_t n)
{
	int64_t people = last_person0(n) + 1;
	int64_t active = people < ACTIVE_PEOPLE ? people : ACTIVE_PEOPLE;

	return people - active + (int64_t)rbelow(r,
	    (uint64_t)(active + PERSON_ID_LEAD));
}

/* One of the auctions in flight, or of the next few to come. */
static int64_t
some_auction0(rng *r, uint64_t n)
{
	int64_t hi = last_auction0(n);
	int64_t lo = hi - IN_FLIGHT_AUCTIONS > 0 ? hi - IN_FLIGHT_AUCTIONS : 0;

	return lo + (int64_t)rbelow(r, (uint64_t)(hi - lo + 1 +
	    AUCTION_ID_LEAD));
}

static int64_t
price(rng *r)
{
	return llround(pow(10.0, runit(r) * 6.0) * 100.0);
}

/* One random byte to a character: 9 of each letter, 22 blanks (about one
 * in 12, as Nexmark's one in 13). */
static const char letters_blanks[257] =
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
	"mnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx"
	"yzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
	"klmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz                      ";

/* n random characters: lower-case letters and blanks, or letters only. */
static void
chars(rng *r, char *s, size_t n, int letters)
{
	uint64_t bits = 0;
	size_t i;
	unsigned b;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			bits = rnext(r);
		b = (unsigned)(bits & 0xff);
		bits >>= 8;
		s[i] = letters ? (char)('a' + b % 26) : letters_blanks[b];
	}
}

/* A string of 3 to max-1 characters; returns its length. */
static size_t
rstring(rng *r, char *s, size_t max, int letters)
{
	size_t n = 3 + (size_t)rbelow(r, max - 3);

	chars(r, s, n, letters);
	return n;
}

/* `extra`: pads an event of size have to about avg bytes (+-20% of the
 * padding, so up to 1.2 * avg). */
static int
extra(weir_buf *out, rng *r, size_t have, size_t avg)
{
	char s[SIZE_AUCTION * 6 / 5 + 1];
	size_t want, delta, n;

	if (weir_pack_str(out, "extra", 5) < 0)
		return -1;
	if (have >= avg)
		return weir_pack_str(out, "", 0);
	want = avg - have;
	delta = (size_t)llround((double)want * 0.2);
	n = want - delta + (delta ? (size_t)rbelow(r, 2 * delta) : 0);
	if (n > sizeof(s))	/* not with the sizes above */
		n = sizeof(s);
	chars(r, s, n, 0);
	return weir_pack_str(out, s, n);
}

static int
key(weir_buf *out, const char *k)
{
	return weir_pack_str(out, k, strlen(k));
}

static int
kstr(weir_buf *out, const char *k, const char *v, size_t n)
{
	return -(key(out, k) < 0 || weir_pack_str(out, v, n) < 0);
}

static int
kint(weir_buf *out, const char *k, int64_t v)
{
	return -(key(out, k) < 0 || weir_pack_int(out, v) < 0);
}

static int
person(weir_buf *out, rng *r, uint64_t n, int64_t t)
{
	const char *fn = first_names[rbelow(r, NELEM(first_names))];
	const char *ln = last_names[rbelow(r, NELEM(last_names))];
	const char *city = cities[rbelow(r, NELEM(cities))];
	const char *st = states[rbelow(r, NELEM(states))];
	char name[32], email[32], cc[20];
	size_t nl, el, i, j;
	int rc = 0;

	nl = (size_t)snprintf(name, sizeof(name), "%s %s", fn, ln);
	el = rstring(r, email, 7, 0);
	email[el++] = '@';
	el += rstring(r, email + el, 5, 0);
	memcpy(email + el, ".com", 4);
	el += 4;
	for (i = 0; i < 4; i++) {
		unsigned v = (unsigned)rbelow(r, 10000);
		for (j = 4; j-- > 0; v /= 10)
			cc[i * 5 + j] = (char)('0' + v % 10);
		cc[i * 5 + 4] = ' ';
	}
	rc |= kint(out, "id", last_person0(n) + WEIR_NX_FIRST_ID);
	rc |= kstr(out, "name", name, nl);
	rc |= kstr(out, "emailAddress", email, el);
	rc |= kstr(out, "creditCard", cc, 19);
	rc |= kstr(out, "city", city, strlen(city));
	rc |= kstr(out, "state", st, strlen(st));
	rc |= kint(out, "dateTime", t);
	rc |= extra(out, r, 8 + nl + el + 19 + strlen(city) + strlen(st),
	    SIZE_PERSON);
	return rc;
}

static int
auction(weir_buf *out, rng *r, uint64_t n, int64_t t, int64_t start,
    uint64_t tps)
{
	char item[20], desc[100];
	size_t il, dl;
	int64_t seller, initial, reserve, horizon, expires;
	int rc = 0;

	if (rbelow(r, HOT_SELLER_ODDS) > 0)
		seller = last_person0(n) / HOT_RATIO * HOT_RATIO;
	else
		seller = some_person0(r, n);
	initial = price(r);
	reserve = initial + price(r);
	/* within twice the time the next IN_FLIGHT_AUCTIONS auctions take */
	horizon = weir_nx_time(start, tps, n + IN_FLIGHT_AUCTIONS * PROP_TOTAL /
	    PROP_AUCTION) - t;
	expires = t + 1 + (int64_t)rbelow(r, (uint64_t)(horizon * 2 > 1 ?
	    horizon * 2 : 1));
	il = rstring(r, item, sizeof(item), 0);
	dl = rstring(r, desc, sizeof(desc), 0);
	rc |= kint(out, "id", last_auction0(n) + WEIR_NX_FIRST_ID);
	rc |= kstr(out, "itemName", item, il);
	rc |= kstr(out, "description", desc, dl);
	rc |= kint(out, "initialBid", initial);
	rc |= kint(out, "reserve", reserve);
	rc |= kint(out, "dateTime", t);
	rc |= kint(out, "expires", expires);
	rc |= kint(out, "seller", seller + WEIR_NX_FIRST_ID);
	rc |= kint(out, "category", FIRST_CATEGORY +
	    (int64_t)rbelow(r, CATEGORIES));
	rc |= extra(out, r, 8 + il + dl + 5 * 8, SIZE_AUCTION);
	return rc;
}

/* A channel's url: the same for the same channel and seed. */
static size_t
url(char *s, uint64_t seed, uint64_t channel, int hot)
{
	static const char base[] = "https://www.nexmark.com/";
	rng r;
	size_t n = sizeof(base) - 1;
	int i;

	rseed(&r, seed, channel, hot ? 0x686f74 : 0x75726c);
	memcpy(s, base, n);
	for (i = 0; i < 3; i++) {
		n += rstring(&r, s + n, 6, 1);
		s[n++] = '/';
	}
	memcpy(s + n, "item.htm?query=1", 16);
	n += 16;
	if (!hot) {
		uint32_t v = (uint32_t)channel, rev = 0;
		int b;
		for (b = 0; b < 32; b++, v >>= 1)
			rev = rev << 1 | (v & 1);
		n += (size_t)snprintf(s + n, 32, "&channel_id=%u", rev >> 1);
	}
	return n;
}

static int
bid(weir_buf *out, rng *r, uint64_t seed, uint64_t n, int64_t t)
{
	char ch[24], u[96];
	const char *chp;
	size_t cl, ul;
	int64_t a, b;
	int rc = 0;

	if (rbelow(r, HOT_AUCTION_ODDS) > 0)
		a = last_auction0(n) / HOT_RATIO * HOT_RATIO;
	else
		a = some_auction0(r, n);
	if (rbelow(r, HOT_BIDDER_ODDS) > 0)
		b = last_person0(n) / HOT_RATIO * HOT_RATIO + 1;
	else
		b = some_person0(r, n);
	rc |= kint(out, "auction", a + WEIR_NX_FIRST_ID);
	rc |= kint(out, "bidder", b + WEIR_NX_FIRST_ID);
	rc |= kint(out, "price", price(r));
	if (rbelow(r, 2) > 0) {
		uint64_t i = rbelow(r, NELEM(hot_channels));
		chp = hot_channels[i];
		cl = strlen(chp);
		ul = url(u, seed, i, 1);
	} else {
		uint64_t c = rbelow(r, CHANNELS);
		cl = (size_t)snprintf(ch, sizeof(ch), "channel-%u", (unsigned)c);
		chp = ch;
		ul = url(u, seed, c, 0);
	}
	rc |= kstr(out, "channel", chp, cl);
	rc |= kstr(out, "url", u, ul);
	rc |= kint(out, "dateTime", t);
	rc |= extra(out, r, 4 * 8, SIZE_BID);
	return rc;
}

int
weir_nx_event(uint64_t seed, int64_t start, uint64_t tps, uint64_t n,
    weir_buf *out, int64_t *ts)
{
	int64_t t = weir_nx_time(start, tps, n);
	int kind = weir_nx_kind(n), rc;
	size_t mark;
	rng r;

	rseed(&r, seed, n, 0);
	mark = weir_pack_open(out, WEIR_PK_OBJ);
	rc = kint(out, "event_type", kind);
	if (kind == WEIR_NX_PERSON)
		rc |= person(out, &r, n, t);
	else if (kind == WEIR_NX_AUCTION)
		rc |= auction(out, &r, n, t, start, tps);
	else
		rc |= bid(out, &r, seed, n, t);
	*ts = t;
	return rc < 0 ? -1 : weir_pack_close(out, mark);
}
