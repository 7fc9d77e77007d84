/*
 * check_ref.c - weir-check's relationships rule: each rule's reference
 * table, read into a stream-table join's table, and the probes that tell
 * whether a record's key has a row there.
 */
#include "check_impl.h"

#include <errno.h>

#include <fcntl.h>
#include <unistd.h>

#include "input.h"

static void
ref_hit(void *arg, const weir_record *r)
{
	(void)r;
	*(int *)arg = 1;
}

/* Read rule i's reference table into a stream-table join's table (the
 * loader weir-join uses); its probes tell whether a row exists. */
static int
load_ref(weir_check *c, size_t i, char *err, size_t errsz)
{
	const weir_rule *r = &c->rs->v[i];
	weir_join_spec sp;
	weir_input *in;
	weir_event ev;
	char e2[WEIR_ERRSZ];
	uint64_t recno = 0;
	int fd, rc = 0;

	memset(&sp, 0, sizeof(sp));
	sp.mode = WEIR_JOIN_TABLE;
	sp.type = WEIR_JOIN_INNER;
	sp.nkeys = r->nref_paths;
	sp.lpaths = r->npaths ? r->paths : &r->path;
	sp.rpaths = r->ref_paths;
	sp.as = "ref";		/* any value may be a row */
	sp.emit = ref_hit;
	sp.arg = &c->hit;
	if (!(c->joins[i] = weir_join_new(&sp, err, errsz)))
		return WEIR_FAIL_IO;
	if ((fd = open(r->ref_file, O_RDONLY | O_CLOEXEC)) < 0) {
		weir_seterr(err, errsz, "rule %s: %s: %s", r->id, r->ref_file,
		    strerror(errno));
		return WEIR_FAIL_USAGE;
	}
	if (!(in = weir_input_open(fd, WEIR_FMT_AUTO, r->ref_file))) {
		close(fd);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	while (!rc) {
		switch (weir_input_next(in, &ev, 1)) {
		case WEIR_EV_RECORD:
			recno++;
			rc = weir_join_record(c->joins[i], 1, &ev.rec, e2,
			    sizeof(e2));
			if (rc == -1) {
				weir_seterr(err, errsz, "rule %s: %s record "
				    "%llu: %s", r->id, r->ref_file,
				    (unsigned long long)recno, e2);
				rc = WEIR_FAIL_DATA;
			} else if (rc < 0) {
				weir_seterr(err, errsz, "out of memory");
				rc = WEIR_FAIL_NOMEM;
			}
			break;
		case WEIR_EV_BAD:
			weir_seterr(err, errsz, "rule %s: %s", r->id,
			    weir_input_error(in));
			rc = WEIR_FAIL_DATA;
			break;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			rc = 1;
			break;
		case WEIR_EV_WATERMARK:
		case WEIR_EV_BARRIER:
		case WEIR_EV_AGAIN:
		case WEIR_EV_STOP:
			break;
		default:
			weir_seterr(err, errsz, "rule %s: %s", r->id,
			    weir_input_error(in));
			rc = WEIR_FAIL_IO;
		}
	}
	weir_input_close(in);
	close(fd);
	return rc < 0 ? rc : 0;
}

int
weir_check_load(weir_check *c, char *err, size_t errsz)
{
	size_t i;
	int rc;

	for (i = 0; i < c->rs->n; i++)
		if (c->rs->v[i].kind == WEIR_RULE_RELATIONSHIPS &&
		    (rc = load_ref(c, i, err, errsz)) < 0)
			return rc;
	return 0;
}

/* relationships: 1 if the record's key has no row in the reference
 * table, 0 if it has one, -1 no memory. */
int
weir__check_ref_probe(weir_check *c, size_t i, const weir_record *rec)
{
	char e2[WEIR_ERRSZ];
	int rc;

	if (!c->joins[i])	/* weir_check_load was not called */
		return 1;
	c->hit = 0;
	rc = weir_join_record(c->joins[i], 0, rec, e2, sizeof(e2));
	if (rc == WEIR_FAIL_NOMEM)
		return -1;
	return !c->hit;
}
