/* test_input.c - weir_input over pipes: non-blocking reads never block,
 * END is delivered when the writer closes, and a second stream after END
 * is read on. */
#include <signal.h>
#include <unistd.h>

#include "input.h"
#include "output.h"
#include "pack.h"
#include "unit.h"

static void
on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "not ok - blocked (alarm)\n";
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void
put_stream(int fd, int records)
{
	weir_output *o = weir_output_open(fd, WEIR_FMT_FRAMED, NULL);
	weir_record r;
	int i;

	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_BYTES;
	r.value = (const uint8_t *)"x";
	r.value_len = 1;
	for (i = 0; i < records; i++)
		weir_output_record(o, &r);
	weir_output_end(o);
	weir_output_close(o);
}

int
main(void)
{
	int p[2], t, n = 0;
	weir_input *in;
	weir_event ev;

	signal(SIGALRM, on_alarm);
	alarm(10);

	/* END with the writer still open: non-blocking calls return AGAIN */
	CHECK(pipe(p) == 0);
	put_stream(p[1], 3);
	in = weir_input_open(p[0], WEIR_FMT_AUTO, "pipe");
	while ((t = weir_input_next(in, &ev, 0)) == WEIR_EV_RECORD)
		n++;
	CHECK(n == 3);
	CHECK(t == WEIR_EV_AGAIN);
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_AGAIN);
	/* the writer closes: END */
	close(p[1]);
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_END);
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_EOF);
	weir_input_close(in);
	close(p[0]);

	/* a second stream after END is read on, non-blocking too */
	CHECK(pipe(p) == 0);
	put_stream(p[1], 2);
	in = weir_input_open(p[0], WEIR_FMT_AUTO, "pipe");
	n = 0;
	while ((t = weir_input_next(in, &ev, 0)) == WEIR_EV_RECORD)
		n++;
	CHECK(n == 2 && t == WEIR_EV_AGAIN);
	put_stream(p[1], 4);
	close(p[1]);
	while ((t = weir_input_next(in, &ev, 0)) == WEIR_EV_RECORD)
		n++;
	CHECK(n == 6);
	CHECK(t == WEIR_EV_END);
	weir_input_close(in);
	close(p[0]);

	/* text: a partial line waits (AGAIN), the rest completes it */
	CHECK(pipe(p) == 0);
	(void)!write(p[1], "{\"a\":", 5);
	in = weir_input_open(p[0], WEIR_FMT_AUTO, "pipe");
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_AGAIN);
	(void)!write(p[1], "1}\n", 3);
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_RECORD);
	CHECK(!weir_input_framed(in) && weir_input_line(in) == 1);
	close(p[1]);
	CHECK(weir_input_next(in, &ev, 0) == WEIR_EV_END);
	weir_input_close(in);
	close(p[0]);

	/* CSV headers with empty names (fuzzing found a null pointer) */
	{
		static const char *csvs[][2] = {
			{ ",a\n1,2\n", "{\"\":1,\"a\":2}" },
			{ "\"\"\n1\n", "{\"\":1}" },
			/* a name twice: the last value wins (weir(7), Values) */
			{ ",\n\"\",\n", "{\"\":null}" },
		};
		size_t i;
		weir_buf js = {0};
		weir_pv pv;

		for (i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
			CHECK(pipe(p) == 0);
			(void)!write(p[1], csvs[i][0], strlen(csvs[i][0]));
			close(p[1]);
			in = weir_input_open(p[0], WEIR_FMT_CSV, "pipe");
			CHECK(weir_input_next(in, &ev, 1) == WEIR_EV_RECORD);
			js.len = 0;
			weir_pv_of(ev.rec.value, ev.rec.value_len, &pv);
			weir_pv_to_json(&js, &pv);
			weir_buf_putc(&js, 0);
			CHECK_STR((char *)js.p, csvs[i][1]);
			CHECK(weir_input_next(in, &ev, 1) == WEIR_EV_END);
			weir_input_close(in);
			close(p[0]);
		}
		weir_buf_free(&js);
	}
	UNIT_DONE();
}
