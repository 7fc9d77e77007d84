/* Times and ages as text (lib/timefmt.c), display width (lib/textwidth.c). */
#include "unit.h"

#include "textwidth.h"
#include "timefmt.h"

static const char *
human(int64_t ms)
{
	static char b[64];

	weir_dur_human(b, sizeof(b), ms);
	return b;
}

static const char *
text(int64_t ms, int f)
{
	static char b[64];

	weir_time_text(b, sizeof(b), ms, f);
	return b;
}

static const char *
ftime(int64_t ms, const char *fmt)
{
	static char b[128];

	if (weir_time_strftime(b, sizeof(b), ms, fmt) < 0)
		return "(error)";
	return b;
}

static size_t
width(const char *s)
{
	return weir_text_width((const uint8_t *)s, strlen(s));
}

int
main(void)
{
	int64_t ms;
	size_t w, n;
	const char *s;

	/* ages */
	CHECK_STR(human(0), "0s");
	CHECK_STR(human(250), "250ms");
	CHECK_STR(human(1250), "1s 250ms");
	CHECK_STR(human(90000), "1m 30s");
	CHECK_STR(human(3600000), "1h");
	CHECK_STR(human(2 * 86400000LL + 3 * 3600000 + 5 * 60000 + 7000),
	    "2d 3h 5m");
	CHECK_STR(human(2 * 86400000LL + 5 * 60000), "2d 5m");
	CHECK_STR(human(218270049282LL), "2526d 6h 34m");
	CHECK_STR(human(-90000), "-1m 30s");

	/* event times */
	CHECK_STR(text(1700000000000LL, WEIR_TIME_MS), "1700000000000");
	CHECK_STR(text(1700000000000LL, WEIR_TIME_S), "1700000000");
	CHECK_STR(text(1700000000250LL, WEIR_TIME_S), "1700000000.25");
	CHECK_STR(text(-1500, WEIR_TIME_S), "-2.5");
	CHECK_STR(text(1700000000250LL, WEIR_TIME_ISO8601),
	    "2023-11-14T22:13:20.250Z");
	CHECK_STR(ftime(1700000000250LL, "%Y-%m-%d"), "2023-11-14");
	CHECK_STR(ftime(1700000000250LL, "%H:%M:%S.%L %%L"),
	    "22:13:20.250 %L");
	CHECK_STR(ftime(-1, "%Y-%m-%dT%H:%M:%S.%L"), "1969-12-31T23:59:59.999");
	CHECK(weir_time_strptime("2023-11-14 22:13:20", 19, "%Y-%m-%d %H:%M:%S",
	    &ms) == 0 && ms == 1700000000000LL);
	CHECK(weir_time_strptime("14/11/2023", 10, "%d/%m/%Y", &ms) == 0 &&
	    ms == 1699920000000LL);
	CHECK(weir_time_strptime("1969-12-31 23:59:59", 19,
	    "%Y-%m-%d %H:%M:%S", &ms) == 0 && ms == -1000);
	CHECK(weir_time_strptime("2023-11-14x", 11, "%Y-%m-%d", &ms) < 0);
	CHECK(weir_time_strptime("nope", 4, "%Y-%m-%d", &ms) < 0);

	/* display width: CJK and emoji two columns, combining marks none */
	CHECK(width("abc") == 3);
	CHECK(width("\xe6\x97\xa5\xe6\x9c\xac") == 4);		/* 日本 */
	CHECK(width("\xed\x95\x9c") == 2);			/* 한 */
	CHECK(width("\xf0\x9f\x98\x80") == 2);			/* 😀 */
	CHECK(width("e\xcc\x81") == 1);				/* e + U+0301 */
	CHECK(width("\xc3\xa9") == 1);				/* é */
	CHECK(width("\xef\xbc\xa1") == 2);			/* Ａ fullwidth */
	CHECK(width("\xff") == 1);				/* a bad byte */
	CHECK(weir_wcwidth(0x1f44d) == 2 && weir_wcwidth(0x200d) == 0);
	s = "a\xe6\x97\xa5" "b";				/* a日b */
	n = weir_text_fit((const uint8_t *)s, strlen(s), 2, &w);
	CHECK(n == 1 && w == 1);	/* 日 does not fit in the 2nd column */
	n = weir_text_fit((const uint8_t *)s, strlen(s), 3, &w);
	CHECK(n == 4 && w == 3);
	CHECK(weir_term_width(-1) == 0);
	UNIT_DONE();
}
