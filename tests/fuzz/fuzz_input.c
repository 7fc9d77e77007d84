/* fuzz_input.c - every text reader (and the frame path) through
 * weir_input, on arbitrary bytes; the first byte picks the format. */
#include <sys/mman.h>
#include <unistd.h>

#include "input.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fmts[] = { WEIR_FMT_AUTO, WEIR_FMT_NDJSON,
	    WEIR_FMT_CSV, WEIR_FMT_TSV, WEIR_FMT_LINES, WEIR_FMT_RAW,
	    WEIR_FMT_ENVELOPE, WEIR_FMT_FRAMED };
	weir_input *in;
	weir_event ev;
	weir_buf b = {0}, s = {0};
	int fd, n = 0;

	if (size < 1)
		return 0;
	fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return 0;
	}
	in = weir_input_open(fd, fmts[data[0] % 8], "fuzz");
	while (in && n++ < 10000) {
		int t = weir_input_next(in, &ev, 1);
		if (t == WEIR_EV_RECORD) {
			b.len = 0;
			weir_envelope_put(&b, &ev.rec, &s);
		} else if (t != WEIR_EV_BAD && t != WEIR_EV_WATERMARK &&
		    t != WEIR_EV_BARRIER)
			break;
	}
	weir_input_close(in);
	weir_buf_free(&b);
	weir_buf_free(&s);
	close(fd);
	return 0;
}
