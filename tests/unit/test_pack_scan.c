/* test_pack_scan.c - the string scanners of packing and validation
 * (weir_pack_json, weir_pack_validate) against a byte-at-a-time
 * reference: a bad byte or UTF-8 sequence at every position of strings of
 * every length around the 8-, 16- and 32-byte blocks the fast paths read,
 * inside values that end right after the string or far after it.  Each
 * packed value sits in a buffer of exactly its size, so that a scanner
 * reading past it fails under AddressSanitizer. */
#include "pack.h"
#include "unit.h"

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most
 * U+10FFFF, no cut-off sequence. */
static int
ref_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t c, min;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc0 && c <= 0xdf) {
			len = 2;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf7) {
			len = 4;
			c &= 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* A plain string body: no control character, quote or backslash. */
static int
ref_plain(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return 0;
	return ref_utf8(s, n);
}

/* weir_pack_validate on a copy of p[0..n) in a buffer of exactly n bytes */
static int
valid_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	char err[WEIR_ERRSZ];
	int rc;

	memcpy(c, p, n);
	rc = weir_pack_validate(c, n, err, sizeof(err));
	free(c);
	return rc == 0;
}

static void
put_str(weir_buf *b, const uint8_t *s, size_t n, int tag)
{
	if (tag == WEIR_PK_SSTR)
		weir_buf_putc(b, (uint8_t)(WEIR_PK_SSTR | n));
	else {
		weir_buf_putc(b, (uint8_t)tag);
		weir_buf_put_varint(b, n);
	}
	weir_buf_put(b, s, n);
}

/* The packed string s[0..n) as a top-level value, as the last member's
 * value of an object, as a key followed by more members, and in an
 * array; each validates iff want.  The number of disagreements. */
static int
packed_agree(const uint8_t *s, size_t n, int want)
{
	static const char pad[] = "a long plain string after the one tested";
	weir_buf b = {0};
	size_t mark;
	int tags[2] = { WEIR_PK_STR, WEIR_PK_SSTR }, ti, bad = 0;

	for (ti = 0; ti < 2; ti++) {
		int tag = tags[ti];
		if (tag == WEIR_PK_SSTR && n >= 32)
			break;
		b.len = 0;
		put_str(&b, s, n, tag);
		bad += valid_exact(b.p, b.len) != want;

		b.len = 0;
		mark = weir_pack_open(&b, WEIR_PK_OBJ);
		put_str(&b, (const uint8_t *)"k", 1, WEIR_PK_SSTR);
		put_str(&b, s, n, tag);
		weir_pack_close(&b, mark);
		bad += valid_exact(b.p, b.len) != want;

		b.len = 0;
		mark = weir_pack_open(&b, WEIR_PK_OBJ);
		put_str(&b, s, n, tag);
		weir_pack_int(&b, 1);
		put_str(&b, (const uint8_t *)"z", 1, WEIR_PK_SSTR);
		put_str(&b, (const uint8_t *)pad, sizeof(pad) - 1,
		    WEIR_PK_STR);
		weir_pack_close(&b, mark);
		bad += valid_exact(b.p, b.len) != want;

		b.len = 0;
		mark = weir_pack_open(&b, WEIR_PK_ARR);
		put_str(&b, s, n, tag);
		weir_pack_int(&b, 0);
		weir_pack_close(&b, mark);
		bad += valid_exact(b.p, b.len) != want;
	}
	weir_buf_free(&b);
	return bad;
}

/* weir_pack_json on "s" (in a buffer of exactly its size) succeeds iff
 * want, and then packs and validates back to the same characters. */
static int
json_agree(const uint8_t *s, size_t n, int want, int member)
{
	uint8_t *t = malloc(n + 16);
	weir_buf b = {0}, o = {0};
	weir_pv pv, v;
	size_t tn = 0;
	int rc, bad = 0;

	if (member) {
		memcpy(t, "{\"k\":\"", 6);
		tn = 6;
	} else
		t[tn++] = '"';
	memcpy(t + tn, s, n);
	tn += n;
	t[tn++] = '"';
	if (member) {
		memcpy(t + tn, ",\"n\":12}", 8);
		tn += 8;
	}
	rc = weir_pack_json(&b, t, tn, NULL, 0);
	if ((rc == 0) != want)
		bad++;
	else if (rc == 0) {
		weir_pv_of(b.p, b.len, &pv);
		if (member && !weir_pv_member(&pv, "k", 1, &v))
			bad++;
		else {
			if (!member)
				v = pv;
			if (weir_pv_to_text(&o, &v) < 0 || o.len != n ||
			    (n && memcmp(o.p, s, n) != 0) ||
			    !valid_exact(b.p, b.len))
				bad++;
		}
	}
	free(t);
	weir_buf_free(&b);
	weir_buf_free(&o);
	return bad;
}

static const char *const seqs[] = {
	"\x00", "\x01", "\x1f", "\"", "\\", "\x7f", "\x80", "\xbf", "\xc0",
	"\xff", "\xfe",
	"\xc3\xa9", "\xdf\xbf", "\xe2\x82\xac", "\xef\xbf\xbf",
	"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	/* overlong */
	"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf",
	"\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",
	/* surrogates, beyond U+10FFFF, 5 bytes */
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\x9f\xbf", "\xf4\x90\x80\x80",
	"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
	/* cut off: a lead without its continuation bytes */
	"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xe2", "\xf0",
	/* a continuation byte where a lead belongs */
	"a\x80", "\xc3\xa9\xa9",
};

/* A string of length n made of printable ASCII, with seq at pos (cut off
 * at the end of the string when it does not fit). */
static size_t
make(uint8_t *s, size_t n, size_t pos, const char *seq, size_t seqlen)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		s[i] = (uint8_t)(' ' + 1 + (i * 7) % 90);
	for (i = 0; i < n; i++)	/* no quote or backslash by chance */
		if (s[i] == '"' || s[i] == '\\')
			s[i] = 'x';
	for (k = 0; k < seqlen && pos + k < n; k++)
		s[pos + k] = (uint8_t)seq[k];
	return n;
}

/*
 * The number with idig integer digits (a leading 0 when lead0) and fdig
 * fraction digits (all 9s when nines, else from *rs), alone, in arrays
 * and in an object: packs, writes back the same text, and is the INT,
 * DEC or number text that its digits make it.  The number of failures.
 */
static int
number_agree(int idig, int fdig, int neg, int lead0, int nines,
    unsigned long long *rs)
{
	char num[64], txt[96];
	size_t nn = 0, k;
	int ctx, bad = 0, total = idig + fdig;
	unsigned long long m = 0;	/* the digits, when total <= 19 */

	if (neg)
		num[nn++] = '-';
	for (k = 0; k < (size_t)total; k++) {
		char d = nines ? '9' : (char)('0' + unit_xorshift(rs) % 10);
		if (k == 0)
			d = lead0 ? '0' : d == '0' ? '7' : d;
		if (k == (size_t)idig)
			num[nn++] = '.';
		num[nn++] = d;
		if (total <= 19)
			m = m * 10 + (unsigned long long)(d - '0');
	}
	num[nn] = 0;
	for (ctx = 0; ctx < 4; ctx++) {
		static const char *const fmt[] = { "%s", "[%s,1]", "{\"a\":%s}",
		    "[%s,\"more bytes after it\"]" };
		weir_buf b = {0}, o = {0};
		weir_pv pv, v;
		uint8_t *t;
		int tn = snprintf(txt, sizeof(txt), fmt[ctx], num), ok;

		t = malloc((size_t)tn);
		memcpy(t, txt, (size_t)tn);
		if (weir_pack_json(&b, t, (size_t)tn, NULL, 0) != 0) {
			free(t);
			bad++;
			continue;
		}
		free(t);
		weir_pv_of(b.p, b.len, &pv);
		v = pv;
		if (ctx == 1 || ctx == 3)
			weir_pv_index(&pv, 0, &v);
		else if (ctx == 2)
			weir_pv_member(&pv, "a", 1, &v);
		weir_pv_to_json(&o, &v);
		ok = o.len == nn && memcmp(o.p, num, nn) == 0;
		if (fdig == 0 && total <= 19 && (neg ? m <= (1ULL << 63) && m :
		    m <= (unsigned long long)INT64_MAX))
			ok = ok && v.type == WEIR_PV_INT && (neg ?
			    (unsigned long long)-(v.i + 1) + 1 == m :
			    (unsigned long long)v.i == m);
		else if (fdig > 0 && total <= 15 && m != 0)
			ok = ok && v.type == WEIR_PV_DEC && v.scale == fdig &&
			    (unsigned long long)(neg ? -v.i : v.i) == m;
		else
			ok = ok && v.type == WEIR_PV_NUMTEXT;
		bad += !ok;
		weir_buf_free(&b);
		weir_buf_free(&o);
	}
	return bad;
}

int
main(void)
{
	uint8_t s[128];
	size_t n, pos, si, nseq = sizeof(seqs) / sizeof(seqs[0]);
	int pbad = 0, jbad = 0, cases = 0, invalid = 0;

	/* plain strings of every length, no bad byte */
	for (n = 0; n <= 100; n++) {
		make(s, n, 0, "", 0);
		pbad += packed_agree(s, n, 1);
		jbad += json_agree(s, n, 1, 0) + json_agree(s, n, 1, 1);
	}
	CHECK(pbad == 0 && jbad == 0);

	/* every sequence at every position of strings of 1..80 bytes */
	pbad = jbad = 0;
	for (n = 1; n <= 80; n++)
		for (pos = 0; pos < n; pos++)
			for (si = 0; si < nseq; si++) {
				size_t sl = strlen(seqs[si]);
				int want;
				if (sl == 0)
					sl = 1;	/* "\x00" */
				make(s, n, pos, seqs[si], sl);
				want = ref_plain(s, n);
				cases++;
				invalid += !want;
				pbad += packed_agree(s, n, want);
				/* in JSON text a backslash starts an escape;
				 * the other bytes mean the same */
				if (!memchr(s, '\\', n)) {
					jbad += json_agree(s, n, want, 0);
					jbad += json_agree(s, n, want, 1);
				}
			}
	printf("# %d strings, %d of them not plain\n", cases, invalid);
	CHECK(invalid > cases / 3 && invalid < cases);
	CHECK(pbad == 0);
	CHECK(jbad == 0);

	/* a multibyte character crossing every block edge, in a long
	 * string: valid, and invalid when its last byte is cut to ASCII */
	pbad = jbad = 0;
	for (pos = 0; pos < 70; pos++) {
		static const char *const mb[] = { "\xc3\xa9", "\xe2\x82\xac",
		    "\xf0\x9f\x98\x80" };
		for (si = 0; si < 3; si++) {
			size_t sl = strlen(mb[si]);
			make(s, 72, pos, mb[si], sl);
			if (pos + sl <= 72) {
				pbad += packed_agree(s, 72, 1);
				jbad += json_agree(s, 72, 1, 1);
				s[pos + sl - 1] = 'q';
			}
			pbad += packed_agree(s, 72, 0);
			jbad += json_agree(s, 72, 0, 1);
		}
	}
	CHECK(pbad == 0);
	CHECK(jbad == 0);

	/* cut-off values: no proper prefix of a packed record is valid */
	{
		static const char rec[] = "{\"event_type\":2,\"auction\":1000,"
		    "\"price\":34065,\"channel\":\"channel-7969\",\"url\":"
		    "\"https://www.nexmark.com/sbls/habm/rmu/item.htm?query=1\","
		    "\"d\":12.5,\"big\":123456789012345678901234,\"e\":\"\\n\\u00e9\","
		    "\"a\":[1,\"x\",{\"y\":null}],\"extra\":\"axyt yfsxptzhjcroi"
		    "yizipyia wbhbtsiobidddpyaoni jfiyywswpmuzs rfsbdl\"}";
		weir_buf b = {0};
		size_t k;
		int prefix_ok = 0;

		CHECK(weir_pack_json(&b, (const uint8_t *)rec,
		    sizeof(rec) - 1, NULL, 0) == 0);
		CHECK(valid_exact(b.p, b.len));
		for (k = 0; k < b.len; k++)
			prefix_ok += valid_exact(b.p, k);
		CHECK(prefix_ok == 0);
		/* and none of the text's proper prefixes packs */
		prefix_ok = 0;
		for (k = 0; k < sizeof(rec) - 1; k++) {
			weir_buf t = {0};
			uint8_t *c = malloc(k + 1);
			memcpy(c, rec, k);
			prefix_ok += weir_pack_json(&t, c, k, NULL, 0) == 0;
			free(c);
			weir_buf_free(&t);
		}
		CHECK(prefix_ok == 0);
		weir_buf_free(&b);
	}

	/* integers: varints of 1..12 bytes, ending in their member, cut off
	 * by its end, with members after them, inside a longer value */
	{
		weir_buf b = {0};
		static const uint8_t lasts[] = { 0x00, 0x01, 0x02, 0x7f };
		size_t len, li, k;
		int trail, outer, cut, ibad = 0;

		for (len = 1; len <= 12; len++)
			for (li = 0; li < sizeof(lasts); li++)
				for (trail = 0; trail < 2; trail++)
					for (outer = 0; outer < 2; outer++)
						for (cut = 0; cut < 2; cut++) {
			size_t om = 0, m;
			int want = !cut && (len < 10 || (len == 10 &&
			    lasts[li] <= 1));
			b.len = 0;
			if (outer)
				om = weir_pack_open(&b, WEIR_PK_ARR);
			m = weir_pack_open(&b, WEIR_PK_OBJ);
			put_str(&b, (const uint8_t *)"k", 1, WEIR_PK_SSTR);
			weir_buf_putc(&b, WEIR_PK_INT);
			for (k = 0; k + 1 < len; k++)
				weir_buf_putc(&b, (uint8_t)(0x80 | k));
			/* cut: the varint runs to the object's end */
			weir_buf_putc(&b, cut ? 0xff : lasts[li]);
			if (trail && !cut) {
				put_str(&b, (const uint8_t *)"z", 1,
				    WEIR_PK_SSTR);
				weir_pack_null(&b);
			}
			weir_pack_close(&b, m);
			if (outer) {
				put_str(&b, (const uint8_t *)"padding padding",
				    15, WEIR_PK_SSTR);
				weir_pack_close(&b, om);
			}
			ibad += valid_exact(b.p, b.len) != want;
		}
		CHECK(ibad == 0);
		weir_buf_free(&b);
	}

	/* numbers of 1..22 integer and 0..20 fraction digits: the word-wise
	 * digit scan against the byte-wise rule */
	{
		unsigned long long rs = 88172645463325252ULL;
		int id, fd, neg, nbad = 0, rep;

		for (id = 1; id <= 22; id++)
			for (fd = 0; fd <= 20; fd++)
				for (neg = 0; neg < 2; neg++) {
					for (rep = 0; rep < 4; rep++)
						nbad += number_agree(id, fd, neg,
						    0, 0, &rs);
					nbad += number_agree(id, fd, neg, 0, 1,
					    &rs);
					if (id == 1)
						nbad += number_agree(id, fd,
						    neg, 1, 0, &rs);
				}
		CHECK(nbad == 0);
	}

	/* a string whose length runs past its container, by one byte */
	{
		static const uint8_t over[] = { WEIR_PK_OBJ, 5, 0x41, 'k',
		    WEIR_PK_STR, 2, 'a' };
		static const uint8_t sover[] = { WEIR_PK_ARR, 3, 0x43, 'a',
		    'b' };
		CHECK(!valid_exact(over, sizeof(over)));
		CHECK(!valid_exact(sover, sizeof(sover)));
	}
	UNIT_DONE();
}
